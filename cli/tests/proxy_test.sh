#!/usr/bin/env bash
# End-to-end test of `netcap proxy`: a real backend (`netcap serve`, an HTTP server we ship), the
# proxy in front of it, curl through the proxy, and the case checked against what curl saw
# directly from the backend.
#
# usage: proxy_test.sh NETCAP SAMPLES_DIR
set -euo pipefail
netcap="$1"
samples="$2"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$netcap" capture -r "$samples/dns-a-aaaa-mx.pcap" -o "$work/backend-case" --quiet
"$netcap" serve "$work/backend-case" --listen 127.0.0.1:0 >"$work/serve.out" 2>&1 &
background+=($!)
backend=$(wait_for "$work/serve.out" 'http://127\.0\.0\.1:[0-9]*')
"$netcap" proxy --listen 127.0.0.1:0 --remote "${backend#http://}" -o "$work/case" \
  >"$work/proxy.out" 2>"$work/proxy.err" &
proxy_pid=$!
background+=($proxy_pid)
front=$(wait_for "$work/proxy.err" 'relaying 127\.0\.0\.1:[0-9]*')
front="http://${front#relaying }"

# Three requests through the proxy; the same answers as directly from the backend.
curl -s -o "$work/direct" "$backend/"
curl -s -o "$work/via" -u alice:s3cret "$front/"
[ -s "$work/direct" ] && cmp -s "$work/direct" "$work/via" || fail "proxied body differs"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$front/no/such/path")" = \
  "$(curl -s -o /dev/null -w '%{http_code}' "$backend/no/such/path")" ] || fail "status differs"
curl -s -o /dev/null "$front/health"
kill -TERM "$proxy_pid"
set +e
wait "$proxy_pid"; rc=$?
set -e
[ "$rc" = 0 ] || fail "proxy exit $rc: $(cat "$work/proxy.err")"

sql() { sqlite3 "$work/case/index.db" "$1"; }
# Proxied requests, as requests (probes from wait loops are not HTTP requests): 3 + the direct
# ones never reach the proxy.
[ "$(sql 'select count(*) from HTTP')" = 3 ] || fail "HTTP rows: $(sql 'select Method, URI from HTTP')"
[ "$(sql "select count(*) from HTTP where URI = '/no/such/path' and StatusCode = 404")" = 1 ] \
  || fail "404 not recorded"
[ "$(sql "select count(*) from Connection where ApplicationProto = 'http' and DstPort = ${backend##*:}")" = 3 ] \
  || fail "connections: $(sql 'select * from Connection')"
[ "$(sql "select count(*) from Credentials where Service = 'http' and User = 'alice' and Secret = 's3cret'")" = 1 ] \
  || fail "basic-auth credentials"
want=$(sha256sum <"$work/direct" | cut -d' ' -f1)
body_len=$(wc -c <"$work/direct")
[ "$(sql "select count(*) from File where SHA256 = '$want' and Size = $body_len")" = 1 ] \
  || fail "the proxied body is not an extracted file with its SHA-256"
[ -f "$work/case/files/${want:0:2}/$want" ] || fail "file not stored"
out=$("$netcap" transform local netcap.ToHosts "$work/case" 2>/dev/null)
grep -q '127.0.0.1' <<<"$out" || fail "transforms over the proxy case"

# A busy port fails before anything is written.
set +e
"$netcap" proxy --listen "${backend#http://}" --remote 127.0.0.1:9 -o "$work/case2" 2>"$work/err2"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "cannot listen" "$work/err2" || fail "busy port: exit $rc"
[ ! -e "$work/case2/index.db" ] || fail "a failed proxy wrote a case"
echo "proxy: all checks passed"
