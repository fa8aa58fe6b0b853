#!/usr/bin/env bash
# Installs every Debian 12 package netcap needs to build, test and benchmark.
# Idempotent: packages already present are skipped; apt-get runs only when something is missing.
# Runs apt-get directly as root, through sudo otherwise.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libpcap-dev libprotobuf-dev protobuf-compiler
  libsqlite3-dev sqlite3 zlib1g-dev libdeflate-dev libssl-dev
  catch2 libpugixml-dev libcpp-httplib-dev libzip-dev libbrotli-dev libgmime-3.0-dev clang libclang-rt-14-dev
  libmagic-dev libpcre2-dev libyaml-cpp-dev libmaxminddb-dev
  # allocator of the netcap executable (records move between threads; glibc's arenas pay for it)
  libjemalloc-dev
  # field data: MAC vendors, service probes, user agents, public suffixes, OS signatures
  ieee-data nmap-common uap-core publicsuffix p0f
  # benchmarks: HTTP load for the transform server
  wrk curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
