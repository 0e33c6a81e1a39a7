#!/usr/bin/env bash
# Full-size exactly-once crash soak of the landing job (the default test suite runs a small size):
# a dev broker in its own process, >= 200,000 events, the landing job SIGKILLed at seeded random points
# at least 10 times, then drained; the lake must hold every event exactly once.
#   bench/landing-crash-soak.sh [events] [kills] [seed]      (defaults 200000 20 4)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export RHYTHMFLOW_SOAK_EVENTS="${1:-200000}" RHYTHMFLOW_SOAK_KILLS="${2:-20}" RHYTHMFLOW_SOAK_SEED="${3:-4}"
exec dotnet test "$root/tests/RhythmFlow.Landing.Tests" -c Release --nologo \
  --filter "FullyQualifiedName~CrashSoakTests" --logger "console;verbosity=normal"
