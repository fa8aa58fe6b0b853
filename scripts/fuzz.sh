#!/usr/bin/env bash
# Bounded libFuzzer run of every fuzz target (ARCHITECTURE.md §7): builds them with clang,
# libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer in $NETCAP_FUZZ_BUILD_DIR (default
# ./build-fuzz), then runs each for NETCAP_FUZZ_SECONDS (default 15) starting from its seed
# corpus. New inputs go to a scratch directory (the committed corpora are not touched); a crash
# or sanitizer report fails the run and its input is kept in build-fuzz/crashes/ (add it to the
# target's corpus as a regression input once fixed).
#
# usage: bash scripts/fuzz.sh [TARGET...]     (default: every target)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NETCAP_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${NETCAP_FUZZ_SECONDS:-15}"
jobs="$(nproc 2>/dev/null || echo 2)"

mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNETCAP_FUZZ=ON \
  -DNETCAP_TESTS=OFF -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ > "$build/configure.log" 2>&1 \
  || { cat "$build/configure.log"; exit 1; }
# fuzzers.tsv (written at configure time by netcap_fuzzer): name, corpus directories
mapfile -t rows < "$build/fuzzers.tsv"
targets=()
for row in "${rows[@]}"; do
  name="${row%%$'\t'*}"
  if [ $# -eq 0 ] || [[ " $* " == *" $name "* ]]; then targets+=("$name"); fi
done
cmake --build "$build" -j "$jobs" --target "${targets[@]}" > "$build/build.log" 2>&1 \
  || { tail -50 "$build/build.log"; exit 1; }

mkdir -p "$build/crashes"
failed=0
for row in "${rows[@]}"; do
  IFS=$'\t' read -r name corpora <<< "$row"
  [[ " ${targets[*]} " == *" $name "* ]] || continue
  scratch="$(mktemp -d)"
  read -r -a seeds <<< "$corpora"
  exe="$(find "$build" -type f -name "$name" -perm -u+x | head -1)"
  if "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/crashes/$name-" "$scratch" "${seeds[@]}" > "$scratch.log" 2>&1; then
    execs="$(grep -m1 'stat::number_of_executed_units' "$scratch.log" | awk '{print $2}')"
    echo "ok   $name: ${execs:-?} inputs in ${seconds}s, no crash"
  else
    echo "FAIL $name: see the input in $build/crashes/"
    grep -E "ERROR|runtime error|SUMMARY" "$scratch.log" | head -10
    failed=$((failed + 1))
  fi
  rm -rf "$scratch" "$scratch.log"
done
echo "fuzzing: $(( ${#targets[@]} - failed ))/${#targets[@]} targets ran ${seconds}s without a crash"
[ $failed -eq 0 ]
