#!/usr/bin/env bash
# The main job: install what is missing, build, index the bundled sample captures into a case
# directory, print its summary and a few forensic queries over it, then serve Maltego transforms
# over the case (TDS/iTDS HTTP server on $NETCAP_LISTEN, default 127.0.0.1:8080) until Ctrl-C.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
netcap="${NETCAP_BUILD_DIR:-$root/build}/cli/netcap"
case_dir="${NETCAP_CASE:-$root/case-samples}"

echo
echo "== netcap capture: indexing $root/samples into $case_dir"
"$netcap" capture -r "$root/samples" -o "$case_dir" --force
echo
echo "== netcap label: importing the sample Suricata alerts (samples/suricata-eve-alerts.json; its last line is cut short on purpose)"
"$netcap" label "$case_dir" --eve "$root/samples/suricata-eve-alerts.json"
echo
echo "== netcap query $case_dir summary"
"$netcap" query "$case_dir" summary
echo
echo "== netcap query $case_dir hosts (top 10 by bytes)"
"$netcap" query "$case_dir" hosts --limit 10
echo
echo "== netcap query $case_dir anomalies --group"
"$netcap" query "$case_dir" anomalies --group
echo
cat <<MSG
The case is in $case_dir (index.db, records/). More queries:
  $netcap query $case_dir connections --host 172.17.96.143 --limit 20
  $netcap query $case_dir --sql "SELECT TransportProto, COUNT(*) FROM Connection GROUP BY 1"
  $netcap dump $case_dir/records/Connection.ncap.gz --table --utc | head
  $netcap transform local netcap.ToHosts $case_dir       # a Maltego local transform
  $netcap transform local netcap.ToAlertSignatures $case_dir   # the imported IDS alerts

Maltego configuration (local transforms): $netcap maltego-config -o netcap.mtz --exe $netcap
  then in Maltego: Import | Export > Import Config > netcap.mtz (docs/maltego.md)

== netcap serve: Maltego transforms over HTTP for this case (Ctrl-C to stop)
Ask it with curl, e.g. the hosts of the case:
  curl -s http://${NETCAP_LISTEN:-127.0.0.1:8080}/run/netcap.ToHosts -H 'Content-Type: text/xml' \
    --data '<MaltegoMessage><MaltegoTransformRequestMessage><Entities><Entity Type="netcap.PCAP"><Value>$case_dir</Value></Entity></Entities><Limits SoftLimit="12" HardLimit="12"/></MaltegoTransformRequestMessage></MaltegoMessage>'
  curl -s http://${NETCAP_LISTEN:-127.0.0.1:8080}/health
MSG
exec "$netcap" serve "$case_dir" --listen "${NETCAP_LISTEN:-127.0.0.1:8080}"
