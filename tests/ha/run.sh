#!/bin/bash
# make check-ha: one failover of an HA hub (tests/ha/lib.sh topology, real
# wireguard-go and keepalived VRRPv3). Asserts that traffic from the device
# to the VM comes back after the active node is killed (SIGKILL of all its
# processes, links down) well before a device-driven re-handshake could
# (~12 s), that the standby initiated it (its activate step set the
# device's endpoint), and that the killed node, restarted, rejoins as
# standby without taking over and without a lost packet.
set -u
cd "$(dirname "$0")/../.." || exit 1
[ "$(id -u)" = 0 ] || { echo "check-ha: needs root" >&2; exit 1; }
for t in wireguard-go keepalived wg; do
	command -v "$t" >/dev/null || { echo "check-ha: $t not installed (scripts/install-deps.sh ha)" >&2; exit 1; }
done
# adverts every 0.2 s here (bench-ha: 0.1 s): more room on a loaded CI machine
HA_ADVERT=${HA_ADVERT:-0.2}
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
not() { ! "$@" 2>/dev/null; }
absent() { for f; do [ ! -e "$f" ] || return 1; done; }
no_endpoint() { [ -z "$(wg show "$1" endpoints | awk '$2 != "(none)"')" ]; }

ha_setup || { echo "FAIL - setup"; HA_KEEP=1; exit 1; }
ok "setup: node 1 master, node 2 backup, node 2 holds node 1's endpoints"
t "node 2 unsealed the hub key node 1 made" \
	is "$(wg pubkey <"$HA_ROOT/n2/hub.key")" "$(cat "$HA_ROOT/hub.pub")"
t "the sealed envelope does not carry the key in the clear" \
	not grep -qF "$(cat "$HA_ROOT/n1/hub.key")" "$HA_ROOT/hub.sealed"
t "node 1's own enrollment key cannot open it" not "$HA_CLI" ha unseal --port-id "$HA_PORT_ID" \
	--key "$HA_ROOT/n1/enroll.key" --out "$HA_ROOT/n1/x.key" <"$HA_ROOT/hub.sealed"
t "it cannot be opened as another hub's key" not "$HA_CLI" ha unseal \
	--port-id "$(cat /proc/sys/kernel/random/uuid)" --key "$HA_ROOT/n2/enroll.key" \
	--out "$HA_ROOT/n2/x.key" <"$HA_ROOT/hub.sealed"
t "nothing written by the failed unseals" absent "$HA_ROOT/n1/x.key" "$HA_ROOT/n2/x.key"
t "node 2's hub key file is 0600" is "$(stat -c %a "$HA_ROOT/n2/hub.key")" 600
t "the two hubs have the same public key" \
	is "$(wg show "$(ha_if 1)" public-key)" "$(wg show "$(ha_if 2)" public-key)"
t "the endpoint stream carried the device's endpoint ($(cut -d' ' -f2 "$HA_ROOT/n2/endpoints"))" \
	grep -q "^[A-Za-z0-9+/]\{43\}= $DEV_IP:[0-9]*$" "$HA_ROOT/n2/endpoints"
t "the standby hub has no endpoint" no_endpoint "$(ha_if 2)"

kill1() { ha_node_kill 1; }
# 7 s after the kill: a device-driven failover needs ~12 s here (bench-ha)
gap=$(ha_ping_gap 8 kill1 "$HA_ROOT/ping-failover.log")
t "node 2 took over (master)" ha_wait_state 2 1 master
if [ "$gap" -ge 0 ]; then
	ok "traffic came back after the failover: ${gap} ms lost (device-driven: ~12000)"
else
	bad "no traffic within 7 s after killing node 1"
fi
t "node 2's activate set the device's endpoint" \
	grep -q "active, 1 of 1 endpoints set" "$HA_ROOT/n2/notify.log"
t "replies left from the moved address: the device's endpoint is still $VIP:$HA_PORT" \
	is "$(wg show "hd$HA_ID" endpoints | awk '{print $2}')" "$VIP:$HA_PORT"
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
