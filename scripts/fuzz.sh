#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each one for a
# bounded time on its seed corpus. A crash fails the script and leaves the
# reproducer in build-fuzz/crashes/; add it to the target's corpus and a
# regression test. Usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
if [[ ! -f build-fuzz/build.ninja ]]; then
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DSHAGYM_FUZZ=ON -DSHAGYM_BUILD_BENCH=OFF \
    -DSHAGYM_SANITIZE=address,undefined
fi
targets=$(cd tests/fuzz && ls *_fuzz.cc | sed 's/_fuzz\.cc$//')
cmake --build build-fuzz -j "$(nproc)" --target $(for t in $targets; do echo "fuzz_$t"; done)
mkdir -p build-fuzz/crashes
failed=0
for t in $targets; do
  work="build-fuzz/corpus/$t"
  mkdir -p "$work"
  seeds="tests/fuzz/corpus/$t"
  [[ -d "$seeds" ]] || seeds=""
  echo "fuzz: $t for ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=1 "build-fuzz/tests/fuzz/fuzz_$t" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -timeout=10 -artifact_prefix="build-fuzz/crashes/$t-" \
      -print_final_stats=0 "$work" $seeds >"build-fuzz/$t.log" 2>&1; then
    echo "fuzz: $t FAILED (see build-fuzz/$t.log)"
    tail -30 "build-fuzz/$t.log"
    failed=1
  fi
done
exit $failed
