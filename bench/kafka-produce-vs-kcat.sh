#!/usr/bin/env bash
# Kafka produce throughput: RhythmFlow's producer (`rhythmflow kafka produce`) against `kcat -P`, both producing
# the same NDJSON file of simulated events into the same dev broker in the same run, with the same producer
# settings: idempotent, lz4, linger 20 ms, 1 MB / 10k-message batches, 1M-message queue, the rest at librdkafka's
# defaults (RhythmFlow also sets acks=all, which idempotence implies, and message.timeout.ms). RhythmFlow keys each
# event by its userId (its sessionId for a guest), as the simulator's sink does. kcat runs twice per round: on the
# NDJSON itself, without keys, and on the same lines prefixed with that key and a tab (-K), so it sends exactly the
# messages RhythmFlow sends; keyed messages spread over every partition and cost librdkafka more. Prints events/s for all
# (whole processes, start-up included), each run's user+sys CPU time, the load average, and the ratio of the
# best rounds. The default file is long enough (kcat needs seconds for it) that the ratio measures throughput; each
# tool's fixed cost (start-up, connection, one event, exit) is measured on its own and printed next to it.
#
# Usage: bench/kafka-produce-vs-kcat.sh [--users N] [--days N] [--rounds N] [--topic T]
#   defaults: 20000 users over 56 days of listen_events (2,529,347 events, 1.1 GiB), 5 rounds each (the best round
#   counts). --days 14 (533,056 events) shows how much a sub-second run is start-up.
# Goal: RhythmFlow >= 0.8x kcat.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
users=20000 days=56 rounds=5 topic=listen_events
while [ $# -gt 0 ]; do
  case "$1" in
    --users) users="$2"; shift 2 ;;
    --days) days="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --topic) topic="$2"; shift 2 ;;
    *) echo "usage: $0 [--users N] [--days N] [--rounds N] [--topic T]" >&2; exit 2 ;;
  esac
done

"$root/scripts/system-packages.sh" test >&2
work="$(mktemp -d)"
broker_pid=""
cleanup() {
  [ -n "$broker_pid" ] && kill -TERM "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== generating events: $users users, $days day(s), seed 42" >&2
"$root/rhythmflow" simulate --sink ndjson --out "$work/events" --users "$users" \
  --start 2024-01-01T00:00:00Z --end "$(date -u -d "2024-01-01 + $days days" +%Y-%m-%dT%H:%M:%SZ)" --seed 42 \
  --log-level warning >&2
input="$work/events/$topic.ndjson"
# Timed runs call the built CLI directly so the ./rhythmflow wrapper's build check is not measured.
cli="$root/jobs/RhythmFlow.Cli/bin/${RHYTHMFLOW_BUILD_CONFIGURATION:-Release}/publish/rhythmflow.dll"
events=$(wc -l < "$input")
bytes=$(stat -c %s "$input")
echo "== $events $topic events, $((bytes / 1024 / 1024)) MiB" >&2

"$root/rhythmflow" dev-broker --partitions 4 --log-level warning > "$work/broker.out" &
broker_pid=$!
for _ in $(seq 1 300); do
  [ -s "$work/broker.out" ] && break
  sleep 0.1
done
servers="$(head -n 1 "$work/broker.out" | sed -n 's/^bootstrap\.servers=//p')"
[ -n "$servers" ] || { echo "error: the dev broker did not print its address" >&2; exit 1; }
echo "== dev broker on $servers" >&2

now_ns() { date +%s%N; }
times="$work/times"
# user+sys of the process just timed, all threads: on a shared machine the comparable figure
cpu() { awk '{ printf "%.2f", $1 + $2 }' "$times"; }
# Each runs one whole process producing file $1, timed with its CPU; sets elapsed_ns.
# kcat_produce FILE [-K<tab>]
kcat_produce() {
  local start; start=$(now_ns)
  /usr/bin/time -f '%U %S' -o "$times" kcat -P -l "${@:2}" -b "$servers" -t "$topic" -z lz4 -X enable.idempotence=true -X linger.ms=20 \
    -X batch.size=1000000 -X batch.num.messages=10000 -X queue.buffering.max.messages=1000000 "$1"
  elapsed_ns=$(( $(now_ns) - start ))
}
rf_produce() {
  local start; start=$(now_ns)
  /usr/bin/time -f '%U %S' -o "$times" dotnet "$cli" kafka produce --bootstrap-servers "$servers" --topic "$topic" --in "$1" --log-level warning >&2
  elapsed_ns=$(( $(now_ns) - start ))
}

# The same lines with RhythmFlow's key in front, for kcat -K.
awk '{ if (match($0, /"userId":[0-9]+/)) k = substr($0, RSTART + 9, RLENGTH - 9)
       else if (match($0, /"sessionId":[0-9]+/)) k = substr($0, RSTART + 12, RLENGTH - 12)
       else k = ""
       print k "\t" $0 }' "$input" > "$work/keyed.tsv"

# Fixed cost: start-up, connection, one event delivered, exit (best of the rounds, in ms).
head -n 1 "$input" > "$work/one.ndjson"
fixed_kcat=999999 fixed_rf=999999
for _ in $(seq 1 "$rounds"); do
  kcat_produce "$work/one.ndjson"; ms=$(( elapsed_ns / 1000000 )); [ "$ms" -lt "$fixed_kcat" ] && fixed_kcat=$ms
  rf_produce "$work/one.ndjson"; ms=$(( elapsed_ns / 1000000 )); [ "$ms" -lt "$fixed_rf" ] && fixed_rf=$ms
done

best_kcat=0 best_keyed=0 best_rf=0
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) processors" >&2
for round in $(seq 1 "$rounds"); do
  kcat_produce "$input"; kcat_rate=$(( events * 1000000000 / elapsed_ns )); kcat_cpu=$(cpu)
  kcat_produce "$work/keyed.tsv" -K $'\t'; keyed_rate=$(( events * 1000000000 / elapsed_ns )); keyed_cpu=$(cpu)
  rf_produce "$input"; rf_rate=$(( events * 1000000000 / elapsed_ns )); rf_cpu=$(cpu)
  echo "round $round: kcat -P $kcat_rate events/s ($kcat_cpu CPU-s), kcat -P -K $keyed_rate events/s ($keyed_cpu CPU-s), rhythmflow $rf_rate events/s ($rf_cpu CPU-s), load $(cut -d' ' -f1 /proc/loadavg)" >&2
  [ "$kcat_rate" -gt "$best_kcat" ] && best_kcat=$kcat_rate
  [ "$keyed_rate" -gt "$best_keyed" ] && best_keyed=$keyed_rate
  [ "$rf_rate" -gt "$best_rf" ] && best_rf=$rf_rate
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

expected=$(( (events + 1) * rounds * 2 + events * rounds ))
# High watermarks (-Q with timestamp -1 gives each partition's end offset) count what the broker acknowledged.
partitions=$(kcat -b "$servers" -L -t "$topic" | grep -c '^    partition ')
stored=$(kcat -b "$servers" -Q $(seq -f "-t $topic:%g:-1" 0 $((partitions - 1))) | awk '{ sum += $NF } END { print sum }')
[ "$stored" -eq "$expected" ] || { echo "error: the broker holds $stored $topic events, expected $expected" >&2; exit 1; }

echo "events per run:        $events ($topic, $((bytes / events)) bytes avg)"
echo "kcat -P (baseline):    $best_kcat events/s (no keys)"
echo "kcat -P -K (baseline): $best_keyed events/s (the same keys as RhythmFlow)"
echo "rhythmflow produce:    $best_rf events/s"
echo "fixed cost, one event: kcat ${fixed_kcat} ms, rhythmflow ${fixed_rf} ms (start-up, connection, delivery, exit)"
awk -v a="$best_rf" -v b="$best_kcat" -v c="$best_keyed" \
  'BEGIN { printf "ratio rhythmflow/kcat: %.2f against kcat -P -K (same messages), %.2f against kcat -P without keys (goal >= 0.80)\n", a / c, a / b }'
