#!/usr/bin/env bash
# Golden tests: run the real binary on a sample capture and compare deterministic outputs with
# the committed baselines in tests/golden/expected/<sample>.*:
#   .connections.csv  the Connection records (the columns analysts pivot on), by first frame
#   .anomalies.csv    the Anomaly records
#   .app.txt          every other record table of the index (application protocols and
#                     artifacts), all columns, each table sorted by all its columns
#   .summary.json     the capture summary without timings (records per type with
#                     --layer-records, layers decoded, anomalies, input issues)
# Each sample is captured with 1 and with 3 workers; both must give identical outputs.
#
# usage: run_golden.sh NETCAP_BINARY SAMPLE_FILE...          compare (exit 1 on a difference)
#        run_golden.sh --update NETCAP_BINARY SAMPLE_FILE... rewrite the baselines
# Regenerate all:  bash tests/golden/run_golden.sh --update build/cli/netcap samples/*.pcap*
set -euo pipefail
update=0
if [ "${1:-}" = "--update" ]; then update=1; shift; fi
netcap="$1"; shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
expected_dir="$here/expected"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

conn_sql="SELECT FirstFrame, TransportProto, ApplicationProto, SrcIP, SrcPort, DstIP, DstPort, VLAN, IcmpType, IcmpCode,
  PacketsClientToServer, BytesClientToServer, PacketsServerToClient, BytesServerToClient,
  PayloadClientToServer, PayloadServerToClient, NumSYN, NumFIN, NumRST, ConnState, History,
  MissedBytes, EndReason, CommunityID, UID, ClientTCPSignature, ServerTCPSignature
  FROM Connection ORDER BY FirstFrame, UID"
anomaly_sql="SELECT Frame, Name, Layer, Detail, SrcIP, DstIP, SrcPort, DstPort, FlowID
  FROM Anomaly ORDER BY Frame, Name, Detail, FlowID"

produce() {  # produce SAMPLE WORKERS OUTDIR
  local sample="$1" workers="$2" out="$3"
  mkdir -p "$out"
  "$netcap" capture -r "$sample" -o "$out/case" --force --layer-records --records none \
      --workers "$workers" --json-summary 2>/dev/null \
    | sed -E 's/"(wall_seconds|packets_per_second|peak_rss_kb|shards)": [0-9.e+-]+, //g; s/"case": "[^"]*", //; s#"file": "[^"]*/#"file": "#g' \
    > "$out/summary.json"
  "$netcap" query "$out/case" --sql "$conn_sql" --format csv > "$out/connections.csv"
  "$netcap" query "$out/case" --sql "$anomaly_sql" --format csv > "$out/anomalies.csv"
  : > "$out/app.txt"
  # Every other record table with rows; the row id (insertion order, which depends on thread
  # timing) is left out and rows are sorted by all other columns. CSV lines end in CRLF. The
  # precomputed transform answers (answer_*) are derived from these tables and checked against
  # them by transform_tests.
  local tables table header columns rows
  tables="$("$netcap" query "$out/case" --format csv --sql "SELECT name FROM sqlite_master
    WHERE type = 'table' AND name NOT IN ('meta', 'Connection', 'Anomaly')
      AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'answer\_%' ESCAPE '\\' ORDER BY name" | tail -n +2 | tr -d '\r')"
  for table in $tables; do
    rows="$("$netcap" query "$out/case" --format csv --sql "SELECT count(*) FROM \"$table\"" \
      | tail -n 1 | tr -d '\r')"
    [ "$rows" = "0" ] && continue
    header="$("$netcap" query "$out/case" --format csv --sql "SELECT * FROM \"$table\" LIMIT 0" \
      | head -n 1 | tr -d '\r')"
    columns="$(tr ',' '\n' <<< "$header" | grep -vx id | sed 's/.*/"&"/' | paste -sd, -)"
    { echo "## $table"
      "$netcap" query "$out/case" --format csv \
        --sql "SELECT $columns FROM \"$table\" ORDER BY $columns"
    } >> "$out/app.txt"
  done
}

status=0
for sample in "$@"; do
  name="$(basename "$sample")"
  produce "$sample" 1 "$work/$name-1"
  produce "$sample" 3 "$work/$name-3"
  for kind in connections.csv anomalies.csv app.txt summary.json; do
    if ! cmp -s "$work/$name-1/$kind" "$work/$name-3/$kind"; then
      echo "FAIL $name: $kind differs between 1 and 3 workers"
      diff "$work/$name-1/$kind" "$work/$name-3/$kind" | head -20 || true
      status=1
    fi
    want="$expected_dir/$name.$kind"
    if [ $update -eq 1 ]; then
      cp "$work/$name-1/$kind" "$want"
    elif [ ! -f "$want" ]; then
      echo "FAIL $name: no baseline $want (run with --update and review it)"
      status=1
    elif ! cmp -s "$work/$name-1/$kind" "$want"; then
      echo "FAIL $name: $kind differs from the baseline"
      diff "$want" "$work/$name-1/$kind" | head -30 || true
      status=1
    fi
  done
  [ $status -eq 0 ] && echo "ok $name"
done
exit $status
