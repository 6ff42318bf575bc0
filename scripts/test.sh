#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test:
#  1. release build (gcc, warnings as errors);
#  2. hardening (scripts/hardening.sh): clang ASan+UBSan build running the
#     suite again, every fuzz target for a bounded time, and a TSan build of
#     the crawl pipeline and server tests. On by default (CI runs it always);
#     SHAGYM_HARDENING=0 skips it for a quick local run, SHAGYM_FUZZ_SECONDS
#     sets the time per fuzz target (default 10);
#  3. the release test suite, whose ctest summary closes the output.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
bash scripts/setup.sh
bash scripts/build.sh
echo "test: release build done after $((SECONDS - start))s"
if [[ "${SHAGYM_HARDENING:-1}" != 0 ]]; then
  bash scripts/hardening.sh "${SHAGYM_FUZZ_SECONDS:-10}"
  echo "test: hardening done after $((SECONDS - start))s"
fi
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600
