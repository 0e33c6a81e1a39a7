#!/usr/bin/env bash
# Simulator throughput with JSON serialization into a null sink, on 1 and 2 threads, against eventsim's
# published single-thread rate (115,000-147,000 events/s; eventsim's README, two 5,000-user runs).
# Events are simulated events (one page view each, eventsim's "Events"); messages include the extra
# listen/auth/status_change copies. Usage: bench/simulator-throughput.sh [users] [days]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
users="${1:-200000}"
days="${2:-2}"
start="2024-03-04T00:00:00Z"
end="$(date -u -d "$start + $days days" +%Y-%m-%dT%H:%M:%SZ)"
eventsim_low=115000
eventsim_high=147000

"$root/rhythmflow" commands >/dev/null # build once, outside the timed runs

run() {
  RHYTHMFLOW_Logging__Format=json "$root/rhythmflow" simulate --sink null --users "$users" --start "$start" --end "$end" \
    --seed 1 --threads "$1" --log-level warning 2>/dev/null | awk '/^events:/ { gsub(/[()]/, ""); print $2, $4, $6 }'
}

echo "simulator: $users users, $days simulated days, JSON into a null sink"
for threads in 1 2; do
  read -r events seconds rate < <(run "$threads")
  ratio_low=$(awk -v r="$rate" -v b="$eventsim_high" 'BEGIN { printf "%.1f", r / b }')
  ratio_high=$(awk -v r="$rate" -v b="$eventsim_low" 'BEGIN { printf "%.1f", r / b }')
  printf '%d thread(s): %s events in %s s = %s events/s  (%s-%sx eventsim'"'"'s published %s-%s events/s)\n' \
    "$threads" "$events" "$seconds" "$rate" "$ratio_low" "$ratio_high" "$eventsim_low" "$eventsim_high"
done
