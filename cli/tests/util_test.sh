#!/usr/bin/env bash
# `netcap util` through the real binary: time conversion both ways (checked against GNU date),
# the interface list (the loopback interface exists everywhere) and the field data report.
# usage: util_test.sh NETCAP
set -euo pipefail
netcap="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Each unit by magnitude; the RFC 3339 column must be what date(1) says for the same second.
for value in 1494364058 1494364058364 1494364058364077 1494364058364077000; do
  line=$("$netcap" util time "$value")
  ns=$(cut -f2 <<<"$line")
  [ "${ns:0:10}" = 1494364058 ] || fail "$value -> $ns"
  [ "$(cut -f3 <<<"$line" | cut -c1-19)" = "$(date -u -d @1494364058 +%Y-%m-%dT%H:%M:%S)" ] \
    || fail "$value -> $line"
done
# Offsets are applied; several values at once.
[ "$("$netcap" util time 2017-05-09T23:07:38+02:00 1494364058 | cut -f2 | sort -u)" = 1494364058000000000 ] \
  || fail "offset or several values"
set +e
"$netcap" util time not-a-time >/dev/null 2>&1; rc1=$?
"$netcap" util frobnicate >/dev/null 2>&1; rc2=$?
"$netcap" util time >/dev/null 2>&1; rc3=$?
set -e
[ "$rc1" = 1 ] || fail "bad time: exit $rc1"
[ "$rc2" = 2 ] || fail "unknown action: exit $rc2"
[ "$rc3" = 2 ] || fail "time without values: exit $rc3"

"$netcap" util interfaces | grep -q '^lo .*loopback' || fail "no loopback interface listed"
fd=$("$netcap" util field-data)
for feature in mac_vendors nmap_service_probes user_agents public_suffix_list p0f geoip; do
  grep -q "^$feature " <<<"$fd" || fail "field-data lacks $feature"
done
echo "util: all checks passed"
