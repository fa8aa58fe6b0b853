#!/usr/bin/env bash
# Benchmark: latency of the TDS transform server (netcap serve) under load, measured with wrk.
# Target (issue 4): p99 below 20 ms.
#
# usage: bench/transform_latency.sh [--case DIR] [--seconds N] [--connections N]
#   --case DIR       serve this case (default: capture samples/ into bench/out/case-samples)
#   --seconds N      duration of each load run (default 10)
#   --connections N  concurrent connections (default 8, on 2 wrk threads)
# Two runs, each rotating over a mix of transforms: case-level ones (hosts, DNS questions,
# HTTP hosts, URLs, user agents, SNIs, TLS certificates, ...) on the case entity, and
# host-level ones (connections, peers, DNS names, HTTP hosts, ...) on the busiest IP address.
# A baseline in the same run: the /health route (no index access), so that the figures can be
# read against what the HTTP layer alone costs on this machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case_dir=""
seconds=10
connections=8
while [ $# -gt 0 ]; do
  case "$1" in
    --case) case_dir="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
bash "$root/scripts/install-deps.sh" >/dev/null
build="${NETCAP_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh" >/dev/null
netcap="$build/cli/netcap"
out="$root/bench/out"
mkdir -p "$out"
if [ -z "$case_dir" ]; then
  case_dir="$out/case-samples"
  "$netcap" capture -r "$root/samples" -o "$case_dir" --force -q >/dev/null
fi
case_dir="$(cd "$case_dir" && pwd)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$netcap" serve "$case_dir" --listen "127.0.0.1:$port" >"$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { echo "server did not start" >&2; cat "$out/serve.log" >&2; exit 1; }

host=$(sqlite3 "$case_dir/index.db" \
  "SELECT SrcIP FROM Connection WHERE SrcIP LIKE '%.%' GROUP BY SrcIP ORDER BY COUNT(*) DESC LIMIT 1")
case_mix="netcap.ToHosts,netcap.ToDNSQuestions,netcap.ToHTTPHostnames,netcap.ToURLs,netcap.ToUserAgents,netcap.ToSNIs,netcap.ToTLSCertificates,netcap.ToApplicationProtocols,netcap.ToConnectionStates,netcap.ToAnomalyNames"
host_mix="netcap.ToConnectionsForHost,netcap.ToPeers,netcap.ToDNSNamesForIP,netcap.ToHTTPHosts,netcap.ToDestinationPorts,netcap.ToServerNameIndicators,netcap.ToApplications,netcap.ToAnomaliesForHost"

run() {  # run LABEL PATH ENTITY_TYPE ENTITY_VALUE TRANSFORMS
  local json
  json=$(TRANSFORMS="$5" ENTITY_TYPE="$3" ENTITY_VALUE="$4" ENTITY_PATH="$case_dir" \
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$root/bench/transform_latency.lua" \
    "http://127.0.0.1:$port$2" | grep '^{')
  printf '%-34s %s\n' "$1" "$json"
  echo "$json" >"$out/latency-$(echo "$1" | tr ' /' '__').json"
}
echo "case: $case_dir ($(sqlite3 "$case_dir/index.db" 'SELECT COUNT(*) FROM Connection') connections), busiest host $host"
echo "wrk: 2 threads, $connections connections, ${seconds}s per run, $(nproc) cores"
# /health ignores the body: a GET-equivalent baseline for the HTTP layer.
run "baseline /health" "/health" netcap.PCAP "$case_dir" "health"
run "case transforms (10 kinds)" "" netcap.PCAP "$case_dir" "$case_mix"
run "host transforms (8 kinds)" "" maltego.IPv4Address "$host" "$host_mix"
p99=$(sed -n 's/.*"p99_ms": \([0-9.]*\).*/\1/p' "$out"/latency-case_transforms*.json "$out"/latency-host_transforms*.json | sort -g | tail -1)
non200=$(sed -n 's/.*"non_200": \([0-9]*\).*/\1/p' "$out"/latency-case_transforms*.json "$out"/latency-host_transforms*.json | awk '{s += $1} END {print s + 0}')
verdict=$(awk -v p="$p99" 'BEGIN{print (p < 20) ? "met" : "NOT met"}')
echo "worst p99 over the transform runs: ${p99} ms (target < 20 ms: $verdict); non-200 answers: $non200"
