#!/usr/bin/env bash
# End-to-end test of `netcap export`: the real binary on real captures, scraped over HTTP with
# curl. Every expected figure is taken from the same capture's case index or --json-summary,
# never written into the test.
#
# usage: export_metrics_test.sh NETCAP SAMPLES_DIR
set -euo pipefail
netcap="$1"
samples="$2"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

inputs=(-r "$samples/dns-a-aaaa-mx.pcap" -r "$samples/tcp-retrans-ooo-http.pcap"
        -r "$samples/malformed-ipv4-bogus-headers.pcap" -r "$samples/tls12-sni-chrome34.pcap")

# 1. A port of its own (0: any free one), serving on after the input ends.
"$netcap" export "${inputs[@]}" -o "$work/case" --address 127.0.0.1:0 --quiet \
  >"$work/out" 2>"$work/err" &
pid=$!
background+=("$pid")
url=$(wait_for "$work/err" 'http://127\.0\.0\.1:[0-9]*/metrics')
finished=""
for _ in $(seq 600); do
  if curl -sf "$url" -o "$work/metrics" && grep -qx 'nc_capture_finished 1' "$work/metrics"; then
    finished=yes
    break
  fi
  sleep 0.1
done
[ -n "$finished" ] || fail "nc_capture_finished never became 1"
kill -0 "$pid" 2>/dev/null || fail "export exited instead of serving the final values"

# The exposition format: every line a comment or `name{labels} value`, each family with HELP
# and TYPE before its samples.
bad=$(grep -Ev '^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eEInfNa]+$' \
  "$work/metrics" || true)
[ -z "$bad" ] || fail "lines outside the exposition format: $bad"
for family in $(grep -o '^[a-zA-Z_:][a-zA-Z0-9_:]*' "$work/metrics" | sort -u); do
  grep -q "^# TYPE $family " "$work/metrics" || fail "family $family without # TYPE"
done
ctype=$(curl -sI "$url" | tr -d '\r' | sed -n 's/^Content-Type: //Ip')
[[ "$ctype" == "text/plain; version=0.0.4"* ]] || fail "content type '$ctype'"

metric() {  # metric 'name{labels}' -> value (0 when absent)
  awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print 0 }' "$work/metrics"
}
sql() { sqlite3 "$work/case/index.db" "$1"; }

# 2. The figures agree with the case the same command wrote.
packets=$(sql "select value from meta where key = 'packets'")
[ "$(metric nc_packets_total)" = "$packets" ] || fail "nc_packets_total $(metric nc_packets_total) != $packets"
for type in Connection DNS HTTP Anomaly TLSClientHello; do
  rows=$(sql "select count(*) from \"$type\"")
  [ "$rows" -gt 0 ] || fail "the inputs should give $type records"
  got=$(metric "nc_records_total{type=\"$type\"}")
  [ "$got" = "$rows" ] || fail "nc_records_total{type=\"$type\"} $got != $rows rows in index.db"
done
while IFS='|' read -r proto count; do
  got=$(metric "nc_record_values_total{type=\"Connection\",field=\"ApplicationProto\",value=\"$proto\"}")
  [ "$got" = "$count" ] || fail "Connection ApplicationProto=$proto: $got != $count"
done < <(sql "select ApplicationProto, count(*) from Connection group by 1")
while IFS='|' read -r name count; do
  got=$(metric "nc_record_values_total{type=\"Anomaly\",field=\"Name\",value=\"$name\"}")
  [ "$got" = "$count" ] || fail "Anomaly Name=$name: $got != $count"
done < <(sql "select Name, count(*) from Anomaly group by 1")
while IFS='|' read -r code count; do
  got=$(metric "nc_record_values_total{type=\"HTTP\",field=\"StatusCode\",value=\"$code\"}")
  [ "$got" = "$count" ] || fail "HTTP StatusCode=$code: $got != $count"
done < <(sql "select StatusCode, count(*) from HTTP group by 1")
layer_ipv4=$(sql "select json_extract(value, '\$.layers.ipv4') from meta where key = 'capture_summary'")
[ "$(metric 'nc_layer_packets_total{layer="ipv4"}')" = "$layer_ipv4" ] || fail "ipv4 layer count"
created=$(sql "select json_extract(value, '\$.flows.created') from meta where key = 'capture_summary'")
[ "$(metric 'nc_flows_total{event="created"}')" = "$created" ] || fail "flows created"

# 3. Only GET and HEAD; unknown paths are 404.
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$url")" = 405 ] || fail "POST not 405"
[ "$(curl -s -o /dev/null -w '%{http_code}' "${url%/metrics}/nope")" = 404 ] || fail "not 404"

# 4. A second exporter on the same port fails to bind (no silent port sharing) and leaves the
#    case it was pointed at alone.
port=${url##*:}
port=${port%/metrics}
mkdir -p "$work/other" && echo keep >"$work/other/index.db"
set +e
"$netcap" export "${inputs[@]}" -o "$work/other" --force --address "127.0.0.1:$port" --quiet \
  2>"$work/err2" >/dev/null
rc=$?
set -e
[ "$rc" = 1 ] || fail "second exporter on port $port: exit $rc, expected 1"
grep -q "cannot listen on 127.0.0.1:$port" "$work/err2" || fail "second exporter: $(cat "$work/err2")"
[ "$(cat "$work/other/index.db")" = keep ] || fail "the failed exporter touched the case"

# 5. SIGTERM stops the serving exporter with status 0.
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
pid=""
[ "$rc" = 0 ] || fail "exit status $rc after SIGTERM"

# 6. --exit-when-done ends by itself; capture --metrics serves while capturing and exits.
"$netcap" export -r "$samples/dns-a-aaaa-mx.pcap" -o "$work/case3" --address 127.0.0.1:0 \
  --exit-when-done --quiet 2>/dev/null >/dev/null || fail "--exit-when-done"
"$netcap" capture -r "$samples/dns-a-aaaa-mx.pcap" -o "$work/case4" --metrics 127.0.0.1:0 \
  --quiet 2>"$work/err4" >/dev/null || fail "capture --metrics"
grep -q 'metrics on http://127.0.0.1:' "$work/err4" || fail "capture --metrics printed no URL"
set +e
"$netcap" capture -r "$samples/dns-a-aaaa-mx.pcap" -o "$work/case5" --metrics nonsense \
  2>/dev/null >/dev/null
rc=$?
set -e
[ "$rc" = 2 ] || fail "bad --metrics address: exit $rc, expected 2"
echo "export metrics: all checks passed ($(grep -c '^nc_' "$work/metrics") samples)"
