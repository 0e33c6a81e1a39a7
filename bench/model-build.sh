#!/usr/bin/env bash
# model build benchmark: one simulated day through the real pipeline (simulate -> Kafka dev broker -> land ->
# transform), then times `rhythmflow model build`:
#   * hour 1 and hour 24 as incremental hourly builds (each after that hour's transform, with the interval vars the
#     hourly chain passes), to show that an hourly build costs the hour's data, not the day's history;
#   * a --full-refresh build of the whole day: wall time and raw rows/s;
#   * each the best of BENCH_REPEAT runs (default 3), and the per-node times of hour 1 and hour 24 side by side.
# Baseline, measured in the same run on the same warehouse: PostgreSQL copying the day's raw rows once
# (CREATE TABLE AS SELECT of the four raw tables), the floor for any build that reads every row.
#
# Usage: bench/model-build.sh [users, default 100000] [day, default 2024-03-04]
# KEEP_WORK=1 keeps the work dir (lake, warehouse) for a look afterwards.
# Heavy with the default 100,000 users (tens of minutes on 2 cores); BENCH_USERS=2000 for a quick look.
set -euo pipefail
cd "$(dirname "$0")/.."

users="${1:-${BENCH_USERS:-100000}}"
day="${2:-2024-03-04}"
work="$(mktemp -d "${TMPDIR:-/tmp}/rhythmflow-model-bench.XXXXXX")"
# RHYTHMFLOW_CLI: a prebuilt CLI to use instead of ./rhythmflow (which rebuilds when sources changed).
cli="${RHYTHMFLOW_CLI:-./rhythmflow}"
rf() { $cli --work-dir "$work" --log-format json --log-level warning "$@"; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
next_hour() { date -u -d "$1 + 1 hour" +%Y-%m-%dT%H:%M:%SZ; }

broker_pid=""
cleanup() {
  [[ -n "$broker_pid" ]] && kill "$broker_pid" 2>/dev/null || true
  rf warehouse stop >/dev/null 2>&1 || true
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

$cli --help >/dev/null   # builds the CLI first when sources changed
echo "== model-build benchmark: $users users, day $day (work dir $work)"
# Started directly, not through rf: $! must be the broker itself (./rhythmflow execs it), or cleanup leaves it running.
# 24 partitions per topic: the dev broker keeps only 100,000 message sets or 5 MiB per partition, and a day of
# 100,000 users on fewer partitions loses its oldest events before landing reads them (landing then fails on the gap).
$cli --work-dir "$work" --log-format json --log-level warning dev-broker --partitions 24 > "$work/broker.out" 2>/dev/null &
broker_pid=$!
for _ in $(seq 1 300); do grep -q bootstrap.servers "$work/broker.out" 2>/dev/null && break; sleep 0.2; done
servers="$(sed -n 's/^bootstrap.servers=//p' "$work/broker.out" | head -1)"
[[ -n "$servers" ]] || { echo "dev broker did not start" >&2; exit 1; }

start="${day}T00:00:00Z"
t=$(now); rf simulate --users "$users" --start "$start" --end "$(date -u -d "$day + 1 day" +%Y-%m-%dT%H:%M:%SZ)" --sink kafka --bootstrap-servers "$servers" >/dev/null
echo "simulate: $(since "$t")s"
t=$(now)
# Land until a pass adds nothing: one --once pass has been seen to stop before every partition was drained.
files=-1
for _ in $(seq 1 10); do
  rf land --once --bootstrap-servers "$servers" >/dev/null
  now_files=$(find "$work/lake/raw" -name '*.parquet' | wc -l)
  [[ "$now_files" == "$files" ]] && break
  files=$now_files
done
echo "land: $(since "$t")s ($files Parquet files)"
rf warehouse start >/dev/null
source bench/lib/embedded-warehouse-psql.sh "$work"

# A failing dbt test is reported, not fatal: the timing stands, and the failures say what the data got wrong.
build() {
  local code=0
  rf model build "$@" > "$work/build.out" || code=$?
  [[ $code -le 1 ]] || { tail -20 "$work/build.out" >&2; exit 1; }
  grep -E '^Done\.' "$work/build.out" | sed 's/^/  /'
  grep -E '^  Failure in' "$work/build.out" | head -5 || true
}
# Keeps the build's run_results.json as $work/run_results.<name>.json and prints its slowest nodes.
slowest() {
  cp dbt/target/run_results.json "$work/run_results.$1.json"
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1])).results;
    r.sort((a,b)=>b.execution_time-a.execution_time);
    console.log("  slowest: "+r.slice(0,4).map(x=>x.unique_id.split(".").pop()+" "+x.execution_time.toFixed(2)+"s").join(", "))' "$work/run_results.$1.json"
}

# The hourly chain passes its data interval to the model build (jobs/RhythmFlow.Orchestration/Pipelines.cs).
interval_vars() { echo "{data_interval_start: '$1', data_interval_end: '$2'}"; }
# Hour 1: transform it, build.
h0="$start"; h1="$(next_hour "$h0")"
rf transform --interval-start "$h0" --interval-end "$h1" >/dev/null
# Each build is timed BENCH_REPEAT times (default 3) and the best kept, as the machine is shared: hour 1 from empty
# model schemas each time (it is the first build), hour 24 and the full refresh by running them again (every model is
# idempotent for an interval, so a rerun does the same work).
repeat="${BENCH_REPEAT:-3}"
drop_models() { "$psql" -qX -c "set client_min_messages = warning; drop schema if exists staging, intermediate, marts cascade" >/dev/null; }
# best NAME ARGS...: the best time of the build with ARGS in $best_time, its run_results as NAME.
best() { local name=$1 i t elapsed; shift; best_time=""
  for i in $(seq 1 "$repeat"); do
    if [[ "$name" == hour1 ]]; then drop_models; fi
    t=$(now); build "$@"; elapsed=$(since "$t")
    if [[ -z "$best_time" ]] || (( $(echo "$elapsed < $best_time" | bc) )); then best_time=$elapsed; slowest "$name"; fi
  done
}
best hour1 --vars "$(interval_vars "$h0" "$h1")"; hour1=$best_time
# Hours 2..23 in one catch-up, then hour 24 alone.
h23="$(date -u -d "$day + 23 hours" +%Y-%m-%dT%H:%M:%SZ)"
rf transform --interval-start "$h1" --interval-end "$h23" >/dev/null
build --vars "$(interval_vars "$h1" "$h23")"
h24="$(next_hour "$h23")"
rf transform --interval-start "$h23" --interval-end "$h24" >/dev/null
best hour24 --vars "$(interval_vars "$h23" "$h24")"; hour24=$best_time

best full --full-refresh; full=$best_time

# Baseline: PostgreSQL reading and writing every raw row once.
conn_sql="create schema if not exists bench; drop table if exists bench.l, bench.p, bench.a, bench.s;
create table bench.l as select * from raw.listen_events; create table bench.p as select * from raw.page_view_events;
create table bench.a as select * from raw.auth_events; create table bench.s as select * from raw.status_change_events;"
rows=$("$psql" -qXtA -c "select (select count(*) from raw.listen_events) + (select count(*) from raw.page_view_events) + (select count(*) from raw.auth_events) + (select count(*) from raw.status_change_events)")
# The hours differ in size (the simulator's daily curve), so a build's time is read against its hour's raw rows.
hour_rows() {
  "$psql" -qXtA -c "select sum(n) from (
    select count(*) n from raw.listen_events where ts >= '$1' and ts < '$2' union all
    select count(*) from raw.page_view_events where ts >= '$1' and ts < '$2' union all
    select count(*) from raw.auth_events where ts >= '$1' and ts < '$2' union all
    select count(*) from raw.status_change_events where ts >= '$1' and ts < '$2') t"
}
rows1=$(hour_rows "$h0" "$h1"); rows24=$(hour_rows "$h23" "$h24")
baseline=""
for _ in $(seq 1 "$repeat"); do
  t=$(now); "$psql" -qX -v ON_ERROR_STOP=1 -c "set client_min_messages = warning; $conn_sql" >/dev/null; elapsed=$(since "$t")
  if [[ -z "$baseline" ]] || (( $(echo "$elapsed < $baseline" | bc) )); then baseline=$elapsed; fi
done

# Independent cross-check: DuckDB over the Parquet lake must give the marts' figures.
marts_sql="select 'streams|' || to_char(d.date_day, 'YYYY-MM-DD') || '|' || s.artist_name || '|' || s.song_title || '|' || count(*)
  from marts.fct_streams f join marts.dim_songs s using (song_key) join marts.dim_dates d using (date_key) group by d.date_day, s.artist_name, s.song_title
  union all select 'active_users|' || to_char(event_hour at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24') || '|' || active_users from marts.agg_hourly_activity where active_users > 0
  union all select 'sessions|' || to_char(d.date_day, 'YYYY-MM-DD') || '|' || count(*) from marts.fct_sessions f join marts.dim_dates d using (date_key) group by d.date_day"
"$psql" -qXtA -c "$marts_sql" | LC_ALL=C sort > "$work/marts.txt"
node tests/verifiers/sql/lake-metrics-duckdb.mjs "$work/lake" | LC_ALL=C sort > "$work/duckdb.txt"
if diff -q "$work/marts.txt" "$work/duckdb.txt" >/dev/null; then
  crosscheck="equal ($(wc -l < "$work/marts.txt") figures: streams per day and song, active users per hour, sessions per day)"
else
  crosscheck="DIFFERENT: $(diff "$work/marts.txt" "$work/duckdb.txt" | head -5 | tr '\n' ' ')"
fi

printf '\n%-44s %10s\n' "measure" "seconds"
printf '%-44s %10.2f\n' "model build, hour 1 (first build, best of $repeat)" "$hour1"
printf '%-44s %10.2f\n' "model build, hour 24 (incremental, best of $repeat)" "$hour24"
printf '%-44s %10.2f\n' "model build --full-refresh, day (best of $repeat)" "$full"
printf 'raw rows: %s; full build rate: %.0f rows/s\n' "$rows" "$(echo "$rows / $full" | bc -l)"
printf 'raw rows in hour 1: %s, in hour 24: %s (ratio %.2f); hour 24 / hour 1 build time: %.2f\n' \
  "$rows1" "$rows24" "$(echo "$rows24 / $rows1" | bc -l)" "$(echo "$hour24 / $hour1" | bc -l)"
# Where hour 24 spends more than hour 1: the nodes whose cost grows with the day's history.
node -e 'const fs=require("fs"), read=f=>Object.fromEntries(JSON.parse(fs.readFileSync(f)).results.map(x=>[x.unique_id,x.execution_time]));
  const [a,b]=[read(process.argv[1]),read(process.argv[2])];
  const sum=(r,kind)=>Object.entries(r).filter(([k])=>k.startsWith(kind)).reduce((s,[,v])=>s+v,0);
  for (const kind of ["model.","test."]) console.log(`${kind.slice(0,-1)}s: hour 1 ${sum(a,kind).toFixed(2)}s, hour 24 ${sum(b,kind).toFixed(2)}s`);
  const grown=Object.keys(b).map(k=>[k,b[k]-(a[k]??0)]).sort((x,y)=>y[1]-x[1]).slice(0,8);
  console.log("grew most from hour 1 to hour 24: "+grown.map(([k,d])=>k.split(".")[2]+" +"+d.toFixed(2)+"s").join(", "))' \
  "$work/run_results.hour1.json" "$work/run_results.hour24.json"
echo "DuckDB over the lake vs the marts: $crosscheck"
printf 'baseline (PostgreSQL CREATE TABLE AS over the raw rows, best of %s): %.2fs; full build / baseline = %.1fx\n' "$repeat" "$baseline" "$(echo "$full / $baseline" | bc -l)"
echo "load average: $(uptime | sed 's/.*load average: //')"
