#!/usr/bin/env bash
# scripts/neutron-harness.sh: the daemons it starts keep none of the caller's
# descriptors. A flock held on fd 9 while the instance's neutron-server is
# (re)started (and RabbitMQ/MariaDB, when they were not running) is held by
# the caller alone afterwards, and free once the caller lets go.
set -u
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" != 0 ]; then
	echo "skip  harness descriptors: needs root"
	exit 0
fi
if [ -z "${NWG_INSTANCE:-}" ] || [ "$NWG_INSTANCE" = default ]; then # never the demo's
	export NWG_INSTANCE=check NEUTRON_PORT=${NWG_CHECK_PORT:-9697}
fi
H=scripts/neutron-harness.sh
LOCK=$(mktemp /tmp/nwg-ops-fds.XXXXXX)
OUT=$(mktemp /tmp/nwg-ops-fds-out.XXXXXX)
WAS_UP=0
$H status >/dev/null 2>&1 && WAS_UP=1
cleanup() {
	exec 9>&-
	[ $WAS_UP = 1 ] || $H stop >/dev/null 2>&1
	rm -f "$LOCK" "$OUT" "$OUT.holders"
}
trap cleanup EXIT
fails=0
expect() { # description, command...
	local d=$1
	shift
	if "$@"; then echo "ok   $d"; else
		echo "FAIL $d"
		fails=$((fails + 1))
	fi
}
# Processes other than this shell with the lock file open: "pid:command" each
# (the scan runs in a subshell that first lets go of the caller's fd 9).
holders() (
	exec 9>&-
	for f in /proc/[0-9]*/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "$LOCK" ] || continue
		pid=${f#/proc/}
		pid=${pid%%/*}
		[ "$pid" = $$ ] && continue
		echo "$pid:$(cat "/proc/$pid/comm" 2>/dev/null)"
	done | sort -u | tr '\n' ' '
)

exec 9>"$LOCK"
flock -n 9 || { echo "FAIL cannot lock $LOCK"; exit 1; }
if ! $H restart >"$OUT" 2>&1; then
	tail -20 "$OUT"
	echo "FAIL neutron-harness.sh restart ($NWG_INSTANCE)"
	exit 1
fi
expect "a neutron-server was started while fd 9 held the lock" grep -q 'neutron-server start .*pid [0-9]' "$OUT"
holders >"$OUT.holders" # not $(...): that subshell would hold fd 9 itself
LEFT=$(cat "$OUT.holders")
expect "no daemon holds the caller's lock file${LEFT:+ (held by $LEFT)}" [ -z "$LEFT" ]
expect "the caller still holds its lock" bash -c "! flock -n '$LOCK' true"
exec 9>&-
expect "the lock is free once the caller lets go" flock -n -w 0 "$LOCK" true
echo "harness descriptors: $fails failed"
[ $fails = 0 ]
