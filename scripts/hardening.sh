#!/usr/bin/env bash
# Hardening stage of the test command: one clang build with AddressSanitizer
# and UndefinedBehaviorSanitizer (build-fuzz/), which runs the whole test
# suite except the browser test, then every libFuzzer target for a bounded
# time on its seed corpus. Usage: bash scripts/hardening.sh [FUZZ_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
if [[ ! -f build-fuzz/build.ninja ]]; then
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DSHAGYM_FUZZ=ON -DSHAGYM_BUILD_BENCH=OFF \
    -DSHAGYM_SANITIZE=address,undefined
fi
cmake --build build-fuzz -j "$(nproc)"
echo "hardening: test suite under ASan+UBSan"
(cd build-fuzz &&
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
  ctest --output-on-failure -j "$(nproc)" --timeout 600 -E 'BrowserTest')
bash scripts/fuzz.sh "$seconds"
