#!/usr/bin/env bash
# End-to-end test of `netcap label`: the real binary captures three samples, imports the sample
# EVE file (samples/suricata-eve-alerts.json, written for these captures: see PROVENANCE.md) and
# the alerts are checked in the case index and through the transforms.
#
# usage: label_test.sh NETCAP SAMPLES_DIR
set -euo pipefail
netcap="$1"
samples="$2"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sql() { sqlite3 "$work/case/index.db" "$1"; }
eve="$samples/suricata-eve-alerts.json"

"$netcap" capture -r "$samples/http-gzip-json.pcap" -r "$samples/dns-a-aaaa-mx.pcap" \
  -r "$samples/ssh-on-port-2222.pcap" -o "$work/case" --quiet
[ "$(sql 'select count(*) from Alert')" = 0 ] || fail "a fresh case has alerts"

"$netcap" label "$work/case" --eve "$eve" --json-summary >"$work/summary" 2>"$work/err"
summary=$(cat "$work/summary")
field() { sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p" <<<"$summary"; }

# Counts follow from the file: every "alert" line but the one cut short is imported.
alert_lines=$(grep -c '"event_type":"alert"' "$eve")
[ "$(field alerts)" = "$((alert_lines - 1))" ] || fail "alerts $(field alerts), file has $alert_lines alert lines (1 cut short)"
[ "$(field malformed_lines)" = 1 ] || fail "malformed $(field malformed_lines)"
[ "$(field other_events)" = "$(grep -c '"event_type":"\(flow\|stats\)"' "$eve")" ] || fail "other events"
grep -q 'suricata-eve-alerts.json:8: not an EVE JSON object' "$work/err" || fail "no warning: $(cat "$work/err")"
[ "$(sql 'select count(*) from Alert')" = "$(field alerts)" ] || fail "Alert rows"

# Community ids: every alert whose id a connection has is matched to exactly that connection.
[ "$(sql "select count(*) from Alert a join Connection c on a.CommunityID = c.CommunityID
          where a.CommunityID <> '' and (a.FlowID <> c.UID or a.MatchedBy <> 'community_id')")" = 0 ] \
  || fail "community-id alerts not matched to their connection"
[ "$(sql "select count(*) from Alert where MatchedBy = 'community_id'")" = "$(field matched_by_community_id)" ] \
  || fail "community-id count"
# 5-tuple: the matched connection has the alert's endpoints (either direction) and transport,
# and its time span (with the default 2 s slack) holds the alert.
[ "$(sql "select count(*) from Alert a join Connection c on a.FlowID = c.UID
          where a.MatchedBy = '5-tuple' and c.TransportProto = a.Transport
            and ((c.SrcIP = a.SrcIP and c.SrcPort = a.SrcPort and c.DstIP = a.DstIP and c.DstPort = a.DstPort)
              or (c.SrcIP = a.DstIP and c.SrcPort = a.DstPort and c.DstIP = a.SrcIP and c.DstPort = a.SrcPort))
            and a.Timestamp between c.TimestampFirst - 2000000000 and c.TimestampLast + 2000000000")" \
  = "$(field matched_by_5tuple)" ] || fail "5-tuple matches"
[ "$(field matched_by_5tuple)" -ge 1 ] || fail "the sample should exercise 5-tuple matching"
# Unmatched alerts have no connection with their endpoints at all.
[ "$(sql "select count(*) from Alert a where a.FlowID = '' and exists (select 1 from Connection c
          where (c.SrcIP = a.SrcIP and c.DstIP = a.DstIP and c.SrcPort = a.SrcPort and c.DstPort = a.DstPort)
             or (c.SrcIP = a.DstIP and c.DstIP = a.SrcIP and c.SrcPort = a.DstPort and c.DstPort = a.SrcPort))")" = 0 ] \
  || fail "an unmatched alert has a connection"
[ "$(field unmatched)" -ge 1 ] || fail "the sample should have an unmatched alert"
# Suricata's 64-bit flow ids survive exactly.
grep -o '"flow_id":[0-9]*' "$eve" | head -3 | cut -d: -f2 | while read -r id; do
  [ "$(sql "select count(*) from Alert where SuricataFlowID = $id")" -le 1 ] || fail "flow id $id"
done
[ "$(sql "select count(*) from Alert where SuricataFlowID = 1234567890123456789")" = 1 ] || fail "64-bit flow id"

# Transforms: the case's signatures (answered from the refreshed precomputed answer) and a pivot.
signatures=$(sql "select count(distinct Signature) from Alert")
out=$("$netcap" transform local netcap.ToAlertSignatures "$work/case" 2>/dev/null)
[ "$(grep -o '<Entity Type="netcap.Alert">' <<<"$out" | wc -l)" = "$signatures" ] || fail "ToAlertSignatures"
[ "$(sql "select fingerprint from answer_meta where name = 'answer_ToAlertSignatures'")" = \
  "Alert:$(sql 'select max(rowid) from Alert')" ] || fail "precomputed answer not refreshed"
host=$(sql "select SrcIP from Alert where FlowID <> '' order by rowid limit 1")
out=$("$netcap" transform local netcap.ToAlertsForHost "$host" "path=$work/case" 2>/dev/null)
grep -q '<Entity Type="netcap.Alert">' <<<"$out" || fail "ToAlertsForHost $host"

# Importing again replaces; a missing EVE file or case changes nothing and fails.
"$netcap" label "$work/case" --eve "$eve" --quiet 2>/dev/null
[ "$(sql 'select count(*) from Alert')" = "$(field alerts)" ] || fail "a second import doubled the alerts"
set +e
"$netcap" label "$work/case" --eve "$work/missing.json" 2>"$work/err2"; rc1=$?
"$netcap" label "$work/nocase" --eve "$eve" 2>/dev/null; rc2=$?
"$netcap" label "$work/case" 2>/dev/null; rc3=$?
set -e
[ "$rc1" = 1 ] && grep -q "cannot open" "$work/err2" || fail "missing EVE file: exit $rc1"
[ "$(sql 'select count(*) from Alert')" = "$(field alerts)" ] || fail "a failed import changed the alerts"
[ "$rc2" = 1 ] || fail "missing case: exit $rc2"
[ "$rc3" = 2 ] || fail "no --eve: exit $rc3"
echo "label: all checks passed ($(field alerts) alerts)"
