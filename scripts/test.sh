#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test:
#  1. release build (gcc, warnings as errors);
#  2. with SHAGYM_HARDENING=1: clang ASan+UBSan build running the suite
#     again, then every fuzz target for a bounded time (scripts/hardening.sh);
#  3. the release test suite, whose ctest summary closes the output.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
if [[ "${SHAGYM_HARDENING:-0}" == 1 ]]; then
  bash scripts/hardening.sh "${SHAGYM_FUZZ_SECONDS:-20}"
fi
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600
