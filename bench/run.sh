#!/usr/bin/env bash
# npm run bench: builds, makes sure wrk is there, and runs every benchmark under bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >/dev/null
  else
    echo "bench: wrk is missing (apt-get install wrk)" >&2
    exit 1
  fi
fi
npm run build
npx vitest run --config vitest.bench.config.ts "$@"
