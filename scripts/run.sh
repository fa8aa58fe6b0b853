#!/usr/bin/env bash
# The main job: install what is missing, build, index the bundled sample captures into a case
# directory and print its summary and a few forensic queries over it.
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
The case is in $case_dir (index.db, records/). Try:
  $netcap query $case_dir connections --host 172.17.96.143 --limit 20
  $netcap query $case_dir --sql "SELECT TransportProto, COUNT(*) FROM Connection GROUP BY 1"
  $netcap dump $case_dir/records/Connection.ncap.gz --table --utc | head
MSG
