#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test (ctest prints the summary).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600
