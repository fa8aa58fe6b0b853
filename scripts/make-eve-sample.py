#!/usr/bin/env python3
"""Writes samples/suricata-eve-alerts.json: a Suricata EVE JSON log for three bundled samples.

No Suricata package is available to the build machines, so the file is written here in the EVE
format Suricata 6 and 7 produce (one JSON object per line; keys as in Suricata's "Eve JSON
Format" documentation). The alerts use real Emerging Threats rule ids and messages; addresses,
ports, times and Community IDs are those of the flows in http-gzip-json.pcap,
dns-a-aaaa-mx.pcap and ssh-on-port-2222.pcap. It exercises every path of `netcap label`:
  line 1  a stats event (skipped)
  line 2  an alert with a community_id (matched by it; SSH on port 2222)
  line 3  an alert with a community_id and a 64-bit flow_id (HTTP)
  line 4  an alert without community_id, sent by the server (matched by 5-tuple, reversed)
  line 5  the same rule on the next DNS flow (5-tuple)
  line 6  an alert for a flow the captures do not have (unmatched)
  line 7  a flow event (skipped)
  line 8  an alert line cut short (reported as malformed)
Deterministic: the same bytes on every run.

usage: python3 scripts/make-eve-sample.py samples/suricata-eve-alerts.json
"""
import datetime
import json
import sys


def ts(ns):
    s, us = ns // 10**9, (ns % 10**9) // 1000
    return datetime.datetime.fromtimestamp(s, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S") + ".%06d+0000" % us


def compact(d):
    return json.dumps(d, separators=(",", ":"))


def alert(t, flow_id, src, sport, dst, dport, proto, sid, msg, category, severity, app,
          community_id=None, extra=None):
    d = {"timestamp": ts(t), "flow_id": flow_id, "in_iface": "eth0", "event_type": "alert",
         "src_ip": src, "src_port": sport, "dest_ip": dst, "dest_port": dport, "proto": proto}
    if community_id:
        d["community_id"] = community_id
    d["alert"] = {"action": "allowed", "gid": 1, "signature_id": sid, "rev": 3, "signature": msg,
                  "category": category, "severity": severity,
                  "metadata": {"updated_at": ["2019_07_26"]}}
    d["app_proto"] = app
    if extra:
        d.update(extra)
    d["flow"] = {"pkts_toserver": 3, "pkts_toclient": 2, "bytes_toserver": 300,
                 "bytes_toclient": 200, "start": ts(t - 1000000)}
    return compact(d)


def main(path):
    dns_rule = (2027758, "ET DNS Query for .cc TLD", "Potentially Bad Traffic", 2, "dns")
    lines = [
        compact({"timestamp": ts(1150485513019501000), "event_type": "stats",
                 "stats": {"uptime": 0, "decoder": {"pkts": 40}}}),
        alert(1150485513100000000, 1401234567890123, "192.150.186.169", 49244, "131.159.14.23",
              2222, "TCP", 2001219, "ET SCAN Potential SSH Scan", "Attempted Information Leak", 2,
              "ssh", "1:9mHGKsb0cI1M5Sh/WWB7a8y45T8="),
        alert(1363624631400000000, 1234567890123456789, "141.142.228.5", 50153, "54.243.118.187",
              80, "TCP", 2013028, "ET POLICY curl User-Agent Outbound",
              "Attempted Information Leak", 2, "http", "1:sSwqNMUITelgfp6OCeS3Fj/C3v4=",
              {"http": {"hostname": "httpbin.org", "url": "/gzip",
                        "http_user_agent": "curl/7.29.0"}}),
        alert(1494364058429337000, 2233445566778899, "8.8.8.8", 53, "10.16.1.11", 55398, "UDP",
              *dns_rule),
        alert(1494364061651052000, 2233445566778900, "8.8.8.8", 53, "10.16.1.11", 45421, "UDP",
              *dns_rule),
        alert(1494364070000000000, 2233445566778901, "10.16.1.11", 55999, "8.8.4.4", 53, "UDP",
              *dns_rule),
        compact({"timestamp": ts(1494364064210977000), "flow_id": 2233445566778902,
                 "event_type": "flow", "src_ip": "10.16.1.11", "src_port": 54380,
                 "dest_ip": "8.8.8.8", "dest_port": 53, "proto": "UDP", "app_proto": "dns"}),
        '{"timestamp":"2017-05-09T21:07:44.210977+0000","event_type":"alert","src_ip":"10.16.1.11"',
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
