#!/usr/bin/env bash
# The test job: install what is missing, build, and run the whole test suite with ctest
# (unit, golden, conformance against ../shared when present, fuzz-corpus replay).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
build="${NETCAP_BUILD_DIR:-$root/build}"
ctest --test-dir "$build" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" "$@"
