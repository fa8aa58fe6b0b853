#!/usr/bin/env bash
# End-to-end test of `netcap agent` and `netcap collect`: a real collector on a free port, real
# agents reading bundled captures, and the collected case compared table by table with a local
# `netcap capture` of the same files (nothing is hard-coded).
#
# usage: agent_collect_test.sh NETCAP SAMPLES_DIR
set -euo pipefail
netcap="$1"
samples="$2"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
inputs=(-r "$samples/http-gzip-json.pcap" -r "$samples/dns-a-aaaa-mx.pcap"
        -r "$samples/tcp-retrans-ooo-http.pcap" -r "$samples/tls12-sni-chrome34.pcap"
        -r "$samples/malformed-ipv4-bogus-headers.pcap")

"$netcap" collect -o "$work/sensors" --listen 127.0.0.1:0 --api-key k1 --api-key k2 \
  >"$work/collect.out" 2>"$work/collect.err" &
pid=$!
background+=("$pid")
url=$(wait_for "$work/collect.err" 'http://127\.0\.0\.1:[0-9]*')

# 1. An agent ships a capture; the collected case equals a local capture of the same files in
#    every table the agent produces (the profiles and extracted files stay local by design).
"$netcap" agent "${inputs[@]}" --collector "$url" --api-key k2 -n t1 --batch-kib 4 --quiet \
  || fail "agent t1"
"$netcap" capture "${inputs[@]}" -o "$work/local" --quiet
remote_db="$work/sensors/t1/index.db"
[ -f "$remote_db" ] || fail "no case for agent t1"
compared=0
for table in $(sqlite3 "$work/local/index.db" "select name from sqlite_master where type = 'table'
                 and name not like 'answer%' and name not in ('meta', 'Software', 'Service',
                 'DeviceProfile', 'HostProfile', 'File')"); do
  l=$(sqlite3 "$work/local/index.db" "select count(*) from \"$table\"")
  r=$(sqlite3 "$remote_db" "select count(*) from \"$table\"")
  [ "$l" = "$r" ] || fail "$table: local $l rows, collected $r"
  [ "$l" -gt 0 ] && compared=$((compared + 1))
done
[ "$compared" -ge 5 ] || fail "only $compared non-empty tables compared"
# Same connections, field by field (UID, endpoints, bytes, state).
q="select UID, SrcIP, SrcPort, DstIP, DstPort, BytesClientToServer, BytesServerToClient, ConnState
   from Connection order by UID"
[ "$(sqlite3 "$work/local/index.db" "$q")" = "$(sqlite3 "$remote_db" "$q")" ] || fail "connections differ"
[ -f "$work/sensors/t1/records/Connection.ncap.gz" ] || fail "no .ncap.gz files in the collected case"
"$netcap" dump "$work/sensors/t1/records/Connection.ncap.gz" --json >/dev/null || fail "dump"
packets=$(sqlite3 "$work/local/index.db" "select value from meta where key = 'packets'")
[ "$(sqlite3 "$remote_db" "select json_extract(value, '\$.packets') from meta where key = 'agent_summary'")" = "$packets" ] \
  || fail "agent summary"
out=$("$netcap" transform local netcap.ToHosts "$work/sensors/t1" 2>/dev/null)
grep -q '<Entity Type="maltego.IPv4Address">' <<<"$out" || fail "transforms over the collected case"

# 2. Keys, names and bodies are checked; a bad batch is refused whole.
set +e
"$netcap" agent -r "$samples/dns-a-aaaa-mx.pcap" --collector "$url" --api-key nope -n t2 2>"$work/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q 401 "$work/err" || fail "wrong key: exit $rc $(cat "$work/err")"
[ ! -e "$work/sensors/t2" ] || fail "a refused agent got a case"
code() { curl -s -o "$work/body" -w '%{http_code}' "$@"; }
[ "$(code -H 'X-Api-Key: k1' -H 'X-Netcap-Agent: t3' --data-binary 'not gzip' "$url/v1/batch")" = 400 ] \
  || fail "bad body not 400"
grep -q "batch refused: not a gzip body" "$work/body" || fail "reason: $(cat "$work/body")"
[ "$(code -H 'X-Api-Key: k1' -H 'X-Netcap-Agent: ../etc' --data-binary x "$url/v1/batch")" = 400 ] \
  || fail "path-like agent name not refused"
head -c $((17 * 1024 * 1024)) /dev/zero >"$work/big"
[ "$(code -H 'X-Api-Key: k1' -H 'X-Netcap-Agent: t3' --data-binary @"$work/big" "$url/v1/batch")" = 413 ] \
  || fail "oversized body not 413"
printf 'x' | gzip -c | head -c 10 >"$work/cut.gz"
[ "$(code -H 'X-Api-Key: k1' -H 'X-Netcap-Agent: t3' --data-binary @"$work/cut.gz" "$url/v1/batch")" = 400 ] \
  || fail "truncated gzip not 400"
[ ! -e "$work/sensors/t3" ] || fail "refused batches created a case"
[ "$(code "$url/v1/health")" = 401 ] || fail "health without a key"

# 3. A later session of the same agent gets a directory of its own; a session still open when
#    the collector stops is finished (indexes, answers) before it exits with status 0.
"$netcap" agent -r "$samples/dns-a-aaaa-mx.pcap" --collector "$url" --api-key k1 -n t1 --quiet
[ -f "$work/sensors/t1-2/index.db" ] || fail "second session of t1"
gzip -c </dev/null >"$work/empty.gz"
[ "$(code -H 'X-Api-Key: k1' -H 'X-Netcap-Agent: open1' --data-binary @"$work/empty.gz" "$url/v1/batch")" = 200 ] \
  || fail "empty batch not accepted"
curl -s -H 'X-Api-Key: k1' "$url/v1/health" | grep -q '"agent": "open1"' || fail "open session not in health"
kill -TERM "$pid"
set +e
wait "$pid"; rc=$?
set -e
pid=""
[ "$rc" = 0 ] || fail "collector exit $rc"
[ "$(sqlite3 "$work/sensors/open1/index.db" "select count(*) from meta where key = 'collect_batches'")" = 1 ] \
  || fail "open session not finished at shutdown"
grep -q "open1: case .* finished" "$work/collect.err" || fail "no finish line for open1"
echo "agent/collect: all checks passed ($compared tables compared)"
