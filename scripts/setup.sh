#!/usr/bin/env bash
# Installs everything shagym needs on Debian 12 (as root): the Debian packages
# for building, testing and benchmarking, and the dashboard's npm packages.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # build
  build-essential cmake ninja-build pkg-config
  # core libraries
  libcurl4-openssl-dev libgumbo-dev libicu-dev libre2-dev librocksdb-dev
  libsnappy-dev libzstd-dev liblz4-dev libbz2-dev zlib1g-dev libbrotli-dev
  # helpers
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libcpp-httplib-dev
  libssl-dev libargon2-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev clang-format
  # hardening: clang with the libFuzzer and sanitizer runtimes
  clang libclang-rt-14-dev
)
# Extra packages the dashboard, browser tests and benchmarks need.
if [[ -f scripts/packages-extra.txt ]]; then
  while read -r p; do
    [[ -n "$p" && "$p" != \#* ]] && packages+=("$p")
  done < scripts/packages-extra.txt
fi
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Dashboard assets from npm (only when the lock file changed since last time).
if [[ -f dashboards/web/package-lock.json ]]; then
  stamp=dashboards/web/node_modules/.shagym-lock
  if [[ ! -f "$stamp" ]] || ! cmp -s dashboards/web/package-lock.json "$stamp"; then
    (cd dashboards/web && npm ci --no-audit --no-fund)
    cp dashboards/web/package-lock.json "$stamp"
  fi
fi
