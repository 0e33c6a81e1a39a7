#!/usr/bin/env bash
# The whole test suite, from a fresh Debian/Ubuntu machine with the .NET 10 SDK:
# installs what is missing (system packages, npm verifiers), builds, and runs every test project.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/system-packages.sh test

if [ -f tests/verifiers/package-lock.json ]; then
  echo "RhythmFlow setup: installing the npm test verifiers (tests/verifiers)" >&2
  (cd tests/verifiers && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

dotnet build RhythmFlow.sln -c Release --nologo -v quiet
dotnet test RhythmFlow.sln -c Release --no-build --nologo "$@"
