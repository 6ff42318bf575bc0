#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each one for a
# bounded time on its seed corpus (tests/fuzz/corpus/<name>/, plus the shipped
# config/gazetteer for the gazetteer target),
# as many at once as there are cores. A crash fails the script and leaves
# the reproducer in build-fuzz/crashes/; add it to the target's corpus and a
# regression test (tests/<module>/fuzz_regression_test.cc).
# Usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
if [[ ! -f build-fuzz/build.ninja ]]; then
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
    -DCMAKE_CXX_COMPILER=clang++ -DSHAGYM_FUZZ=ON -DSHAGYM_BUILD_BENCH=OFF \
    -DSHAGYM_SANITIZE=address,undefined
fi
if (($#)); then
  targets="$*"
else
  targets=$(cd tests/fuzz && ls *_fuzz.cc | sed 's/_fuzz\.cc$//')
fi
cmake --build build-fuzz -j "$(nproc)" --target $(for t in $targets; do echo "fuzz_$t"; done)
mkdir -p build-fuzz/crashes

extra_seeds() {
  case "$1" in
    gazetteer) echo config/gazetteer ;;
  esac
}

run_one() {
  local t="$1" work="build-fuzz/corpus/$1" seeds="tests/fuzz/corpus/$1"
  mkdir -p "$work"
  [[ -d "$seeds" ]] || seeds=""
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "build-fuzz/tests/fuzz/fuzz_$t" -max_total_time="$seconds" \
    -rss_limit_mb=2048 -timeout=10 -artifact_prefix="build-fuzz/crashes/$t-" \
    -print_final_stats=1 "$work" $seeds $(extra_seeds "$t") \
    >"build-fuzz/$t.log" 2>&1
}

# Run up to nproc targets at once; each leaves its exit code in <t>.rc.
running=0
for t in $targets; do
  if ((running >= $(nproc))); then
    wait -n || true
    running=$((running - 1))
  fi
  echo "fuzz: $t for ${seconds}s"
  rm -f "build-fuzz/$t.rc"
  (
    rc=0
    run_one "$t" || rc=$?
    echo "$rc" >"build-fuzz/$t.rc"
  ) &
  running=$((running + 1))
done
wait
failed=0
for t in $targets; do
  if [[ "$(cat "build-fuzz/$t.rc" 2>/dev/null)" == 0 ]]; then
    runs=$(grep -o 'number_of_executed_units: *[0-9]*' "build-fuzz/$t.log" |
      grep -o '[0-9]*$' || echo '?')
    echo "fuzz: $t ok (${runs} runs)"
  else
    echo "fuzz: $t FAILED (see build-fuzz/$t.log)"
    tail -40 "build-fuzz/$t.log"
    failed=1
  fi
done
exit $failed
