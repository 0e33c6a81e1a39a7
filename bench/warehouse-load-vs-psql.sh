#!/usr/bin/env bash
# Load throughput into the warehouse's raw layer: `rhythmflow transform` loading one lake hour of listen_events
# from Parquet (binary COPY of the deduplicated rows into the hour's new partition, over Transform:LoadConnections
# connections for an hour this large, swapped in for the old one) against `psql \copy` loading the same rows from CSV
# into an identical table (same columns, partitioning and constraints), on the same embedded PostgreSQL, in the same run.
# DuckDB (npm, tests/verifiers) writes both the Parquet file and the CSV, so neither side prepares its own input.
# Usage: bench/warehouse-load-vs-psql.sh [rows] [runs]   (defaults 1000000 and 3; the best run of each side counts)
# RHYTHMFLOW_BENCH_LOG_LEVEL=debug also prints the transform's COPY and replace phases.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rows="${1:-1000000}"
runs="${2:-3}"
work="$(mktemp -d /tmp/rhythmflow-bench-XXXXXX)"
chmod 755 "$work"
# Build (if needed) once through the rhythmflow script, then time the CLI itself, not its build check.
"$root/rhythmflow" --help >/dev/null
rf() { dotnet "$root/jobs/RhythmFlow.Cli/bin/Release/publish/rhythmflow.dll" --work-dir "$work" --log-format text --log-level "${RHYTHMFLOW_BENCH_LOG_LEVEL:-warning}" "$@"; }
cleanup() { rf warehouse stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

[ -d "$root/tests/verifiers/node_modules/@duckdb" ] || (cd "$root/tests/verifiers" && npm ci --no-audit --no-fund --loglevel=error >&2)

partition="raw/listen_events/date=2026-01-01/hour=00"
mkdir -p "$work/lake/$partition" "$work/lake/_commits"
echo "generating $rows listen_events rows with DuckDB (Parquet for RhythmFlow, CSV for psql)..." >&2
node "$root/bench/warehouse-load-data.mjs" "$rows" "$work/lake/$partition/bench-0001.parquet" "$work/rows.csv"
cat > "$work/lake/_commits/000000000001.json" <<JSON
{"sequence":1,"batchId":"bench-0001","kind":"Batch","committedAt":"2026-01-01T00:05:00+00:00","writer":"bench","consumerGroup":"bench",
 "offsets":[],"files":[{"key":"$partition/bench-0001.parquet","kind":"Raw","topic":"listen_events","eventHour":"2026-01-01T00:00:00+00:00","rows":$rows,"bytes":0}],
 "quarantine":[],"deleted":[],"stats":null}
JSON

rf warehouse start >/dev/null
source "$root/bench/lib/embedded-warehouse-psql.sh" "$work"
# psql's table is built the way RhythmFlow builds raw.listen_events and its partitions (migration 0004 and the
# transform's HourPartition): a parent with the same columns and NOT NULLs, partitioned by range on ts; a default
# partition like raw_hours.listen_events_default (with its ts index); the hour's partition with the same CHECK on the
# hour. psql copies into the parent, as a user loading raw.listen_events would, and its rows land in that partition.
"$psql" -qX -v ON_ERROR_STOP=1 <<'SQL'
CREATE SCHEMA bench;
CREATE TABLE bench.listen_events (LIKE raw.listen_events INCLUDING ALL) PARTITION BY RANGE (ts);
CREATE TABLE bench.listen_events_default (LIKE raw_hours.listen_events_default INCLUDING ALL);
ALTER TABLE bench.listen_events ATTACH PARTITION bench.listen_events_default DEFAULT;
CREATE TABLE bench.listen_events_2026010100 (LIKE raw.listen_events INCLUDING ALL,
  CONSTRAINT listen_events_hour CHECK (ts >= '2026-01-01 00:00:00+00' AND ts < '2026-01-01 01:00:00+00'));
ALTER TABLE bench.listen_events ATTACH PARTITION bench.listen_events_2026010100
  FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-01-01 01:00:00+00');
SQL
columns() { echo "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull, ', ' ORDER BY attnum) || ' ' || pg_get_partkeydef('$1'::regclass) FROM pg_attribute WHERE attrelid = '$1'::regclass AND attnum > 0 AND NOT attisdropped"; }
[ "$("$psql" -qXtA -c "$(columns raw.listen_events)")" = "$("$psql" -qXtA -c "$(columns bench.listen_events)")" ] \
  || { echo "error: bench.listen_events differs from raw.listen_events" >&2; exit 1; }

now() { date +%s.%N; }
best_rf=""; best_psql=""
for run in $(seq "$runs"); do
  "$psql" -qX -c "TRUNCATE raw.listen_events, bench.listen_events; DELETE FROM rhythmflow.hour_builds; CHECKPOINT;"
  start=$(now)
  rf transform --lake "$work/lake" --interval-start 2026-01-01T00:00:00Z --interval-end 2026-01-01T01:00:00Z >/dev/null
  rf_s=$(echo "$(now) - $start" | bc -l)
  "$psql" -qX -c "CHECKPOINT;"
  start=$(now)
  "$psql" -qX -v ON_ERROR_STOP=1 -c "\\copy bench.listen_events from '$work/rows.csv' csv"
  psql_s=$(echo "$(now) - $start" | bc -l)
  loaded=$("$psql" -qXtA -c "SELECT (SELECT count(*) FROM raw.listen_events) || ' ' || (SELECT count(*) FROM bench.listen_events)")
  printf 'run %d: rhythmflow transform %.2fs, psql \\copy %.2fs (rows raw/bench: %s)\n' "$run" "$rf_s" "$psql_s" "$loaded" >&2
  [ "$loaded" = "$rows $rows" ] || { echo "error: row counts differ: $loaded, expected $rows each" >&2; exit 1; }
  if [ -z "$best_rf" ] || (( $(echo "$rf_s < $best_rf" | bc -l) )); then best_rf=$rf_s; fi
  if [ -z "$best_psql" ] || (( $(echo "$psql_s < $best_psql" | bc -l) )); then best_psql=$psql_s; fi
done

printf 'rows:                         %d\n' "$rows"
printf 'rhythmflow transform (Parquet, dedupe, parallel binary COPY, swap hour partition; whole CLI run): %.2fs = %.0f rows/s\n' "$best_rf" "$(echo "$rows / $best_rf" | bc -l)"
printf 'psql \\copy (CSV into identical table):                                                        %.2fs = %.0f rows/s\n' "$best_psql" "$(echo "$rows / $best_psql" | bc -l)"
printf 'ratio rhythmflow / psql: %.2fx  (goals: >= 1.2x and >= 300000 rows/s)\n' "$(echo "$best_psql / $best_rf" | bc -l)"
printf 'server: %s\n' "$("$psql" -qXtA -c "SELECT 'PostgreSQL ' || current_setting('server_version') || ', wal_level=' || current_setting('wal_level') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')")"
printf 'load average (1, 5, 15 min): %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
