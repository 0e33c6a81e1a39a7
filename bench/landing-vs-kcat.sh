#!/usr/bin/env bash
# Landing throughput against librdkafka's raw consume rate, in the same run on the same dev broker.
#   bench/landing-vs-kcat.sh [min-events]     (default 1000000)
# Pre-fills a dev broker with simulated events, then times
#   1. kcat -C -e -o beginning of each event topic to /dev/null (the baseline), and
#   2. rhythmflow land --once (full validation, Parquet, commit log) under /usr/bin/time -v (peak memory),
# and prints events/s of both, the ratio, and the landing job's peak RSS. Goals: >= 200,000 events/s,
# >= 0.5x kcat, < 512 MB with the default --max-bytes.
#
# RHYTHMFLOW_BENCH_LAKES=<folder> keeps each run's lake in a new subfolder there instead of deleting it at exit. Use it
# for a series of runs on a file system without a journal (as on the development machine): for up to about six
# minutes after thousands of files were deleted, ext4 skips their recently freed inodes one by one on every file it
# creates, which cost a landing run about 2 s more system CPU right after the previous run's lake was deleted.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
min_events="${1:-1000000}"
work="$(mktemp -d)"
broker_pid=""
cleanup() { [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# RHYTHMFLOW_CLI: a prebuilt CLI command to use instead of the one built here (outside the timings).
if [ -z "${RHYTHMFLOW_CLI:-}" ]; then "$root/rhythmflow" --help >/dev/null; fi
rf="${RHYTHMFLOW_CLI:-dotnet $root/jobs/RhythmFlow.Cli/bin/Release/publish/rhythmflow.dll}"

mkfifo "$work/broker.out"
$rf --log-level warning dev-broker --partitions 24 >"$work/broker.out" 2>"$work/broker.err" &
broker_pid=$!
exec 3<"$work/broker.out"
read -r first_line <&3
bootstrap="${first_line#bootstrap.servers=}"
cat <&3 >/dev/null &
echo "dev broker at $bootstrap"


# librdkafka's mock cluster keeps only the last 100,000 message sets or 5 MiB per partition and deletes older ones
# (docs/landing.md). A trimmed pre-fill is not a fair benchmark: land --once reports the lost offsets and exits 1.
# 24 partitions per topic keep this pre-fill (about 1.3 million events at the default) whole; the check below refuses a trimmed one.
days=$(( min_events / 70000 + 1 )) # about 85,000 events a day
$rf --log-level warning simulate --sink kafka --bootstrap-servers "$bootstrap" --users 20000 \
  --start 2026-10-01T00:00:00Z --end "$(date -u -d "2026-10-01 +$days day" +%Y-%m-%dT00:00:00Z)" --seed 7 2>>"$work/simulate.err" | tail -1
events=0
for t in listen_events page_view_events auth_events status_change_events; do
  kcat -b "$bootstrap" -C -e -o beginning -t "$t" -q -f '%p %o\n' 2>/dev/null >"$work/offsets.txt"
  trimmed="$(awk '!seen[$1]++ && $2 > 0 { print $1 "@" $2 }' "$work/offsets.txt" | tr '\n' ' ')"
  [ -z "$trimmed" ] || { echo "error: the dev broker trimmed $t partitions (first offset) $trimmed; raise --partitions in $0" >&2; exit 1; }
  events=$((events + $(wc -l <"$work/offsets.txt")))
done
[ "$events" -ge "$min_events" ] || { echo "error: pre-filled only $events events; raise the days in $0" >&2; exit 1; }
echo "pre-filled $events events"

# Baseline: kcat reading every topic from the beginning to /dev/null.
kcat_start=$(date +%s.%N)
for t in listen_events page_view_events auth_events status_change_events; do
  kcat -b "$bootstrap" -C -e -o beginning -t "$t" -q >/dev/null 2>&1
done
kcat_seconds=$(echo "$(date +%s.%N) - $kcat_start" | bc -l)

# Landing: full validation, Parquet, commit log; peak memory from /usr/bin/time -v.
lake="$work/lake"
if [ -n "${RHYTHMFLOW_BENCH_LAKES:-}" ]; then
  mkdir -p "$RHYTHMFLOW_BENCH_LAKES"
  lake="$(mktemp -d "$RHYTHMFLOW_BENCH_LAKES/lake-XXXXXX")"
  echo "lake kept in $lake"
fi
land_start=$(date +%s.%N)
/usr/bin/time -v -o "$work/time.txt" $rf --log-level information --log-format json land --once --bootstrap-servers "$bootstrap" \
  --lake "$lake" --max-interval 30m --broker-timeout 30s >"$work/land.out" 2>"$work/land.err"
land_seconds=$(echo "$(date +%s.%N) - $land_start" | bc -l)
cat "$work/land.out"
landed="$(sed -n 's/^landed [0-9]* batches: \([0-9]*\) records.*/\1/p' "$work/land.out")"
rss_kb="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")"
# CPU seconds are what the job itself spent; on a machine shared with other work they say more than wall time.
land_cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/time.txt")
land_sys=$(awk -F': ' '/System time/ { print $2 }' "$work/time.txt")

kcat_rate=$(echo "$events / $kcat_seconds" | bc -l)
land_rate=$(echo "$landed / $land_seconds" | bc -l)
printf 'kcat    : %d events in %.2f s = %.0f events/s\n' "$events" "$kcat_seconds" "$kcat_rate"
printf 'landing : %d events in %.2f s = %.0f events/s (process wall time incl. start-up, recovery, assignment)\n' "$landed" "$land_seconds" "$land_rate"
printf 'ratio   : %.2fx kcat\n' "$(echo "$land_rate / $kcat_rate" | bc -l)"
# The same run from the log: start-up (to the first assignment; --once assigns itself every partition rather than
# joining the group), then the landing itself, from the first assignment to the last commit. Publishing time is the
# sum over batches and overlaps the filling of the next ones.
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(l => l.startsWith("{")).map(l => JSON.parse(l));
  const at = l => Date.parse(l.Timestamp) / 1000;
  const assigned = lines.find(l => l.MessageTemplate.startsWith("Assigned"));
  const landed = lines.filter(l => l.MessageTemplate.startsWith("Landed batch"));
  const records = landed.reduce((sum, l) => sum + l.Properties.Records, 0);
  const seconds = at(landed[landed.length - 1]) - at(assigned);
  const publishMs = landed.reduce((sum, l) => sum + l.Properties.PublishMs, 0);
  console.log(`start-up: ${(at(assigned) - at(lines[0])).toFixed(2)} s from the first log line to the first assignment`);
  console.log(`landing : ${records} events in ${seconds.toFixed(2)} s from the first assignment to the last commit = ${(records / seconds).toFixed(0)} events/s (${(records / seconds / process.argv[2]).toFixed(2)}x kcat); ${landed.length} batches, ${(publishMs / 1000).toFixed(2)} s of it publishing`);
' "$work/land.err" "$kcat_rate"
printf 'peak RSS: %d MB\n' "$((rss_kb / 1024))"
printf 'landing CPU: %.2f s user+sys (%.2f s sys) = %.0f events per CPU-second\n' "$land_cpu" "$land_sys" "$(echo "$landed / $land_cpu" | bc -l)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
[ "$landed" -eq "$events" ] || { echo "error: landed $landed of $events events" >&2; exit 1; }
