# shellcheck shell=bash
# Shared helpers for the agent's integration tests (sourced).
# Every test: unique names (include $$), cleanup by trap on every exit path,
# kill only what it started, by PID.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
AGENT=${AGENT:-$ROOT/build/asan/bin/neutron-wireguard-agent}
[ -x "$AGENT" ] || AGENT=$ROOT/build/rel/bin/neutron-wireguard-agent
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
N_OK=0
N_FAIL=0

ok() { N_OK=$((N_OK + 1)); echo "  ok   $*"; }
bad() { N_FAIL=$((N_FAIL + 1)); echo "  FAIL $*"; }
check() { # check "description" command...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
finish() {
	echo "  $(basename "$0"): $N_OK ok, $N_FAIL failed"
	[ "$N_FAIL" = 0 ]
}
need_root() { [ "$(id -u)" = 0 ] || { echo "  needs root: skipped"; exit 77; }; }
need_cmd() { command -v "$1" >/dev/null || { echo "  needs $1: skipped"; exit 77; }; }
new_uuid() { cat /proc/sys/kernel/random/uuid; }
ifname_of() { echo "wg-${1:0:11}"; }

# wait_for SECONDS command...: polls every 50 ms.
wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 20; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# Process ids of wireguard-go serving an interface name (exact match).
wg_pid() { pgrep -xf "wireguard-go -f $1" | head -1; }

# Removes an interface wherever it lives among the given namespaces (and
# root), which also ends its wireguard-go; then that process by PID if left.
del_if() {
	local ifn=$1 ns pid
	shift
	ip link del "$ifn" 2>/dev/null
	for ns in "$@"; do ip -n "$ns" link del "$ifn" 2>/dev/null; done
	pid=$(wg_pid "$ifn")
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -f "/var/run/wireguard/$ifn.sock"
	return 0
}

# No private key (base64 or hex) of any record in state dir $1 in file $2.
no_keys_in() {
	local state=$1 log=$2 f k hex
	for f in "$state"/*.conf; do
		[ -f "$f" ] || continue
		k=$(sed -n 's/^PrivateKey = //p' "$f")
		[ -n "$k" ] || continue
		hex=$(echo "$k" | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')
		grep -qF "$k" "$log" && return 1
		[ -n "$hex" ] && grep -qiF "$hex" "$log" && return 1
	done
	return 0
}

# agent_pids PID: the agent's processes, PID and, with privilege separation,
# its engine (a child running the same binary; wireguard-go children are not
# counted).
agent_pids() {
	local exe c
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 0
	echo "$1"
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		[ "$(readlink "/proc/$c/exe" 2>/dev/null)" = "$exe" ] && echo "$c"
	done
}
# agent_rss_each PID: VmRSS of each of the agent's processes (kB), one a line,
# in agent_pids' order
agent_rss_each() {
	local p
	for p in $(agent_pids "$1"); do awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null; done
}
# agent_rss_kb PID: VmRSS of the agent's processes, summed (kB)
agent_rss_kb() { agent_rss_each "$1" | awk '{s += $1} END {if (NR) print s}'; }
# agent_cpu_ticks PID: user + system clock ticks of the agent's processes
agent_cpu_ticks() {
	local p
	for p in $(agent_pids "$1"); do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null; done |
		awk '{s += $1} END {print s + 0}'
}
