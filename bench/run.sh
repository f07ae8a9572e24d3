#!/usr/bin/env bash
# npm run bench: builds, makes sure wrk is there, and runs every benchmark under bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
# gnuplot-nox draws the soak's RSS curve (bench/results/soak.png); without it only the table is written.
if ! command -v wrk >/dev/null || ! command -v gnuplot >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk gnuplot-nox >/dev/null
  elif ! command -v wrk >/dev/null; then
    echo "bench: wrk is missing (apt-get install wrk)" >&2
    exit 1
  fi
fi
npm run build
# BENCH_CONFIG: `npm run soak` runs the soak (vitest.soak.config.ts) through the same setup.
npx vitest run --config "${BENCH_CONFIG:-vitest.bench.config.ts}" "$@"
