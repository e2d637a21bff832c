#!/bin/bash
# make check-ha: one failover of an HA hub (tests/ha/lib.sh topology, real
# wireguard-go and keepalived VRRPv3). Asserts that traffic from the device
# to the VM comes back after the active node is killed (SIGKILL of all its
# processes, links down) well before a device-driven re-handshake could
# (>= 15 s), that the standby initiated it (its activate step set the
# device's endpoint), and that the killed node, restarted, rejoins as
# standby without taking over and without a lost packet.
set -u
cd "$(dirname "$0")/../.." || exit 1
[ "$(id -u)" = 0 ] || { echo "check-ha: needs root" >&2; exit 1; }
for t in wireguard-go keepalived wg; do
	command -v "$t" >/dev/null || { echo "check-ha: $t not installed (scripts/install-deps.sh ha)" >&2; exit 1; }
done
# shellcheck source=tests/ha/lib.sh
. tests/ha/lib.sh
trap ha_teardown EXIT
trap 'exit 130' INT TERM

fail=0
ok() { echo "ok - $*"; }
bad() { echo "FAIL - $*"; fail=1; }
# t DESCRIPTION CMD...: ok when CMD succeeds
t() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
is() { [ "$1" = "$2" ]; }
no_endpoint() { [ -z "$(wg show "$1" endpoints | awk '$2 != "(none)"')" ]; }

ha_setup || { echo "FAIL - setup"; HA_KEEP=1; exit 1; }
ok "setup: node 1 master, node 2 backup, node 2 holds node 1's endpoints"
t "the endpoint stream carried the device's endpoint ($(cut -d' ' -f2 "$HA_ROOT/n2/endpoints"))" \
	grep -q "^[A-Za-z0-9+/]\{43\}= $DEV_IP:[0-9]*$" "$HA_ROOT/n2/endpoints"
t "the standby hub has no endpoint" no_endpoint "$(ha_if 2)"

kill1() { ha_node_kill 1; }
gap=$(ha_ping_gap 12 kill1 "$HA_ROOT/ping-failover.log")
t "node 2 took over (master)" ha_wait_state 2 1 master
if [ "$gap" -ge 0 ]; then
	ok "traffic came back after the failover: ${gap} ms lost (device-driven would be >= 15000)"
else
	bad "no traffic within 11 s after killing node 1"
fi
t "node 2's activate set the device's endpoint" \
	grep -q "active, 1 of 1 endpoints set" "$HA_ROOT/n2/notify.log"
t "the configured keepalive is restored (off)" \
	is "$(wg show "$(ha_if 2)" persistent-keepalive | awk '{print $2}')" off

start1() { ha_node_start 1; sleep 3; }
gap=$(ha_ping_gap 6 start1 "$HA_ROOT/ping-rejoin.log")
t "node 1 rejoined as backup" ha_wait_state 1 2 backup
t "node 2 stays master" is "$(ha_state 2)" master
t "no packet lost while node 1 rejoined (lost: ${gap} ms)" is "$gap" 0
t "node 1 was master once only (before it was killed)" \
	is "$(grep -c ' master$' "$HA_ROOT/n1/notify.log")" 1
t "the standby hub (node 1) has no endpoint" no_endpoint "$(ha_if 1)"
[ "$fail" = 0 ] || { HA_KEEP=1; echo "check-ha: FAILED (state kept in $HA_ROOT)"; exit 1; }
echo "check-ha: PASS"
