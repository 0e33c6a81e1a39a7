#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages RhythmFlow needs when they are missing, saying what and why.
# Usage: scripts/system-packages.sh runtime|test
set -euo pipefail

# package:why — runtime needs are also test needs.
runtime_packages=(
  "librdkafka1:the Kafka client library (Confluent.Kafka 1.9.3 loads the system librdkafka.so.1)"
  "libsnappy1v5:the Snappy codec of the Parquet lake (RhythmFlow.Parquet calls the system libsnappy.so.1)"
  "postgresql:the server binaries for the embedded warehouse"
  "nodejs:runs the npm install of the dashboard's chart library at build time, and the test verifiers"
  "npm:installs the dashboard's chart library (and the test verifiers) from their package-lock.json"
)
test_packages=(
  "kcat:the Kafka baseline for benchmarks and an independent consumer in tests"
  "chromium:the headless browser for the dashboard tests"
  "docker-compose:validates docker/ compose files without a Docker engine"
)

case "${1:-runtime}" in
  runtime) wanted=("${runtime_packages[@]}") ;;
  test) wanted=("${runtime_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 runtime|test" >&2; exit 2 ;;
esac

missing=()
for entry in "${wanted[@]}"; do
  package="${entry%%:*}"
  # node and npm may come from elsewhere (nvm, NodeSource); only install them when the commands are absent.
  case "$package" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$entry")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: need root or sudo to install: ${missing[*]%%:*}" >&2; exit 1; }
  sudo="sudo"
fi

echo "RhythmFlow setup: installing missing system packages with apt-get:" >&2
for entry in "${missing[@]}"; do
  echo "  - ${entry%%:*}: ${entry#*:}" >&2
done
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]%%:*}" >&2
