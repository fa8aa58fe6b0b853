# Shared by the end-to-end scripts in cli/tests (sourced after `set -euo pipefail`): a work
# directory removed at exit, background servers killed at exit, a failure message, and waiting
# for what a server prints when it is ready.
work="$(mktemp -d)"
background=()  # pids to kill at exit
cleanup() {
  for p in "${background[@]}"; do { kill -KILL "$p" && wait "$p"; } 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# wait_for FILE REGEX: prints the first match of REGEX in FILE, waiting up to 10 s for it.
wait_for() {
  local m=""
  for _ in $(seq 100); do
    m=$(grep -o "$2" "$1" | head -1 || true)
    [ -n "$m" ] && break
    sleep 0.1
  done
  [ -n "$m" ] || fail "nothing like '$2' in $1: $(cat "$1")"
  echo "$m"
}
