#!/usr/bin/env bash
# RhythmFlow's Parquet codec against single-threaded DuckDB, same rows, same run, SNAPPY and GZIP:
# write rows/s and MB/s, file size, full read throughput, and the ratios.
# usage: bench/parquet-vs-duckdb.sh [ROWS=1000000] [RUNS=3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ ! -d tests/verifiers/node_modules/@duckdb/node-api ]; then
  (cd tests/verifiers && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
dotnet build bench/RhythmFlow.Benchmarks -c Release --nologo -v quiet >&2
dotnet bench/RhythmFlow.Benchmarks/bin/Release/net10.0/RhythmFlow.Benchmarks.dll parquet-vs-duckdb "${1:-1000000}" "${2:-3}"
