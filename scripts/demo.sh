#!/usr/bin/env bash
# Installs what is needed, builds, and runs the offline showcase.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec ./build/app/shagym demo "$@"
