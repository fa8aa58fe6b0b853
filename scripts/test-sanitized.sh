#!/usr/bin/env bash
# The whole test suite under AddressSanitizer and UndefinedBehaviorSanitizer (any report aborts
# the process, so it fails its test): unit tests, golden tests and the conformance run over
# every shared capture, malformed ones included. Builds into ./build-asan.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
NETCAP_BUILD_DIR="$root/build-asan" bash "$root/scripts/build.sh" -DNETCAP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir "$root/build-asan" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" "$@"
