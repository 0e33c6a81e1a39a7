#!/usr/bin/env bash
# Simulator throughput with JSON serialization into a null sink, on 1 and 2 threads, against eventsim's
# published single-thread rate (115,000-147,000 events/s; eventsim's README, two 5,000-user runs).
# Events are emitted simulated events (one page view each, eventsim's "Events"); messages include the extra
# listen/auth/status_change copies. Each run reports:
#   - wall events/s over the whole run, and over emitting only (after setup: users and the pre-roll week,
#     whose events are simulated but not emitted), with the setup and loading times beside them;
#   - events per CPU-second (user+sys of the whole process, startup and JIT included), the figure that
#     stays meaningful when other work loads the machine; the load average is printed with it.
# Usage: bench/simulator-throughput.sh [users] [days]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
users="${1:-20000}"
days="${2:-30}"
start="2024-03-04T00:00:00Z"
end="$(date -u -d "$start + $days days" +%Y-%m-%dT%H:%M:%SZ)"
eventsim_low=115000
eventsim_high=147000

"$root/rhythmflow" commands >/dev/null # build once, outside the timed runs
cli="$root/jobs/RhythmFlow.Cli/bin/${RHYTHMFLOW_BUILD_CONFIGURATION:-Release}/publish/rhythmflow.dll"
out="$(mktemp)"
times="$(mktemp)"
trap 'rm -f "$out" "$times"' EXIT

# ours / eventsim's range, as "low-high"
ratio() { awk -v r="$1" -v lo="$eventsim_low" -v hi="$eventsim_high" 'BEGIN { printf "%.1f-%.1fx", r / hi, r / lo }'; }

echo "simulator: $users users, $days simulated days, JSON into a null sink; eventsim: $eventsim_low-$eventsim_high events/s on 1 thread"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) processors"
for threads in 1 2; do
  # The process's own user+sys time, from the kernel, covers every thread including the runtime's.
  RHYTHMFLOW_Logging__Format=json /usr/bin/time -f '%U %S' -o "$times" dotnet "$cli" simulate --sink null --users "$users" \
    --start "$start" --end "$end" --seed 1 --threads "$threads" --log-level warning >"$out" 2>/dev/null
  read -r events seconds rate < <(awk '/^events:/ { gsub(/[()]/, ""); print $2, $4, $6 }' "$out")
  read -r loading setup emitting emit_rate < <(awk '/^phases:/ { gsub(/[()]/, ""); print $3, $8, $11, $13 }' "$out")
  read -r user sys < "$times"
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  per_cpu=$(awk -v e="$events" -v c="$cpu" 'BEGIN { printf "%.0f", e / c }')
  printf '%d thread(s): %s events in %s s wall = %s events/s (%s eventsim)\n' "$threads" "$events" "$seconds" "$rate" "$(ratio "$rate")"
  printf '    phases: loading %s s, setup (users, pre-roll) %s s, emitting %s s = %s events/s (%s)\n' \
    "$loading" "$setup" "$emitting" "$emit_rate" "$(ratio "$emit_rate")"
  printf '    cpu: %s s user+sys for the whole process = %s events per CPU-second (%s)\n' "$cpu" "$per_cpu" "$(ratio "$per_cpu")"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
