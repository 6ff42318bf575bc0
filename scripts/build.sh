#!/usr/bin/env bash
# Configures (once) and builds shagym in build/ with warnings as errors.
# Arguments name targets to build (default: everything, tests and benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build/build.ninja ]]; then
  # -g1: line tables and function names (what a backtrace or a profile needs)
  # at a fraction of the compile time of full debug information.
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHAGYM_WERROR=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
fi
if (($#)); then
  cmake --build build -j "$(nproc)" --target "$@"
else
  cmake --build build -j "$(nproc)"
fi
