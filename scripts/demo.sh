#!/usr/bin/env bash
# Installs what is needed, builds, and runs the offline showcase.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh shagym   # the binary only; tests and benchmarks are built by test.sh
exec ./build/app/shagym demo "$@"
