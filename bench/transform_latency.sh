#!/usr/bin/env bash
# Benchmark: the TDS transform server (netcap serve) over the case built from the benchmark
# capture. Targets (issue 4): p99 below 20 ms over the catalog.
#
# usage: bench/transform_latency.sh [--size MB | --pcap FILE | --case DIR] [--seconds N]
#                                   [--connections N] [--repeat N]
#   --size MB        benchmark capture size (default 600; built with ../shared/tools/make-bench-pcap
#                    and cached in bench/out like bench/run.sh); its case is cached in
#                    bench/out/case-<MB> (delete it after a change to the capture code)
#   --pcap FILE      capture this file instead (case in bench/out/case-custom)
#   --case DIR       serve an existing case
#   --seconds N      duration of each wrk run (default 10)
#   --connections N  concurrent wrk connections (default 8, on 2 wrk threads)
#   --repeat N       requests per transform in the catalog run (default 5)
# Three parts, all against one server:
#   1. every transform of the catalog, REPEAT requests each from one client (bench/
#      transform_catalog.cc): p50/p90/p99 over the catalog, and in the same run Go netcap's way
#      of answering a transform (decode the whole .ncap.gz record file of its type), per file;
#   2. wrk load on a mix of case-level and of host-level transforms (requests/s and percentiles);
#   3. the /health route under the same load: what the HTTP layer alone costs on this machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case_dir=""
pcap=""
size=600
seconds=10
connections=8
repeat=5
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --pcap) pcap="$2"; shift 2 ;;
    --case) case_dir="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
bash "$root/scripts/install-deps.sh" >/dev/null
build="${NETCAP_BUILD_DIR:-$root/build}"
bash "$root/scripts/build.sh" >/dev/null
netcap="$build/cli/netcap"
out="$root/bench/out"
shared="$root/../shared"
mkdir -p "$out"
if [ -z "$case_dir" ]; then
  if [ -z "$pcap" ]; then
    pcap="$out/bench-$size.pcap"
    case_dir="$out/case-$size"
    if [ ! -s "$pcap" ]; then
      [ -x "$shared/tools/make-bench-pcap" ] || { echo "need ../shared/tools/make-bench-pcap, --pcap or --case" >&2; exit 1; }
      echo "building $size MB benchmark capture $pcap ..." >&2
      "$shared/tools/make-bench-pcap" "$shared/bench-src" "$size" "$pcap" --quiet
    fi
  else
    case_dir="$out/case-custom"
    rm -rf "$case_dir"
  fi
  if [ ! -f "$case_dir/index.db" ]; then
    echo "capturing $pcap into $case_dir ..." >&2
    "$netcap" capture -r "$pcap" -o "$case_dir" --force -q >/dev/null
  fi
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
echo "case: $case_dir ($(sqlite3 "$case_dir/index.db" 'SELECT COUNT(*) FROM Connection') connections, index $(du -m "$case_dir/index.db" | cut -f1) MB), busiest host $host"
echo
echo "1. the catalog, one client"
"$build/bench/transform_catalog" "$case_dir" "$port" "$repeat" "$out/latency-per-transform.tsv" | tee "$out/latency-catalog.txt" | grep -v '^json: '
echo
echo "2./3. wrk load"
echo "wrk: 2 threads, $connections connections, ${seconds}s per run, $(nproc) cores"
# /health ignores the body: a GET-equivalent baseline for the HTTP layer.
run "baseline /health" "/health" netcap.PCAP "$case_dir" "health"
run "case transforms (10 kinds)" "" netcap.PCAP "$case_dir" "$case_mix"
run "host transforms (8 kinds)" "" maltego.IPv4Address "$host" "$host_mix"
p99=$(sed -n 's/.*"p99_ms": \([0-9.]*\).*/\1/p' "$out"/latency-case_transforms*.json "$out"/latency-host_transforms*.json | sort -g | tail -1)
catalog_p99=$(sed -n 's/^json: .*"p99_ms": \([0-9.]*\).*/\1/p' "$out/latency-catalog.txt")
non200=$(sed -n 's/.*"non_200": \([0-9]*\).*/\1/p' "$out"/latency-case_transforms*.json "$out"/latency-host_transforms*.json | awk '{s += $1} END {print s + 0}')
verdict=$(awk -v p="$p99" 'BEGIN{print (p < 20) ? "met" : "NOT met"}')
echo "worst p99 under load (wrk mixes): ${p99} ms (target < 20 ms: $verdict); non-200 answers: $non200"
echo "p99 over the whole catalog, one client: ${catalog_p99} ms (target < 20 ms: $(awk -v p="$catalog_p99" 'BEGIN{print (p < 20) ? "met" : "NOT met"}'))"
