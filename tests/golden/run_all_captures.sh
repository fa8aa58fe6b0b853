#!/usr/bin/env bash
# Runs the real binary over every capture in ../shared/pcaps (malformed ones included) with all
# decoders and application protocols and with 2 workers. Fails when a run crashes, exits with a
# status other than 0, or prints a sanitizer report. In the NETCAP_SANITIZE build this is the
# "every shared capture runs clean under ASan and UBSan" check; in the normal build it still
# catches crashes. Skips (exit 0 with a note) when ../shared is absent.
#
# usage: run_all_captures.sh NETCAP_BINARY SHARED_DIR
set -uo pipefail
netcap="$1"
shared="$2"
if [ ! -d "$shared/pcaps" ]; then
  echo "skipped: $shared/pcaps not found"
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="exitcode=86:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:exitcode=87:print_stacktrace=1"
failed=0
count=0
for capture in "$shared"/pcaps/*.pcap "$shared"/pcaps/*.pcapng "$shared"/pcaps/*.cap; do
  [ -f "$capture" ] || continue
  count=$((count + 1))
  name="$(basename "$capture")"
  "$netcap" capture -r "$capture" -o "$work/case" --force --records ncap,json --layer-records \
      --workers 2 -q > "$work/out" 2> "$work/err"
  status=$?
  if [ $status -ne 0 ] || grep -qE "runtime error|AddressSanitizer|LeakSanitizer" "$work/err"; then
    echo "FAIL $name: exit status $status"
    head -40 "$work/err"
    failed=$((failed + 1))
  fi
done
echo "$((count - failed))/$count shared captures processed cleanly"
[ $failed -eq 0 ]
