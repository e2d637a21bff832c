#!/bin/bash
# make check-ha: one failover of an HA hub (tests/ha/lib.sh topology, real
# wireguard-go and keepalived VRRPv3). Asserts that the endpoint stream
# carries a hub of HA_PEERS (2,000) more peers to the standby in several
# datagrams, every endpoint; that traffic from the device to the VM comes
# back after the active node is killed (SIGKILL of all its processes, links
# down) well before a device-driven re-handshake could (~12 s), that the
# standby initiated it (its activate step set every endpoint); that the
# killed node, restarted, rejoins as standby without taking over and without
# a lost packet; and a split brain: the path between the nodes cut while the
# device reaches both, both become master, the device's traffic comes back,
# no key moves; healed, exactly one master remains (the higher priority)
# and the device stays on it.
set -u
cd "$(dirname "$0")/../.." || exit 1
[ "$(id -u)" = 0 ] || { echo "check-ha: needs root" >&2; exit 1; }
for t in wireguard-go keepalived wg; do
	command -v "$t" >/dev/null || { echo "check-ha: $t not installed (scripts/install-deps.sh ha)" >&2; exit 1; }
done
# adverts every 0.2 s here (bench-ha: 0.1 s): more room on a loaded CI machine
HA_ADVERT=${HA_ADVERT:-0.2}
HA_PEERS=${HA_PEERS:-2000}
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

# --- a hub of HA_PEERS more peers: the stream in several datagrams
ms_now() { date +%s%3N; }
lines() { wc -l <"$1" 2>/dev/null || echo 0; }
t0=$(ms_now)
t "$HA_PEERS more peers on both hubs (node 1 with endpoints)" ha_add_peers "$HA_PEERS" 1
t1=$(ms_now)
want=$((HA_PEERS + 1))
for _ in $(seq 200); do [ "$(lines "$HA_ROOT/n2/endpoints")" = "$want" ] && break; sleep 0.05; done
t2=$(ms_now)
echo "# wg addconf of $HA_PEERS peers on both hubs: $((t1 - t0)) ms;" \
	"node 2 held all $want endpoints $((t2 - t1)) ms later" \
	"(~$(( $(stat -c %s "$HA_ROOT/n2/endpoints") / 1321 + 1 )) datagrams of <= 1472 bytes per snapshot)"
"$HA_CLI" ha endpoints "$(ha_if 1)" | sort >"$HA_ROOT/n1.eps"
sort "$HA_ROOT/n2/endpoints" >"$HA_ROOT/n2.eps"
t "the standby holds every one of the active hub's $(lines "$HA_ROOT/n1.eps") endpoints" \
	cmp -s "$HA_ROOT/n1.eps" "$HA_ROOT/n2.eps"
t "the standby hub still has no endpoint" no_endpoint "$(ha_if 2)"

kill1() { ha_node_kill 1; }
# 7 s after the kill: a device-driven failover needs ~12 s here (bench-ha)
gap=$(ha_ping_gap 8 kill1 "$HA_ROOT/ping-failover.log")
t "node 2 took over (master)" ha_wait_state 2 1 master
if [ "$gap" -ge 0 ]; then
	ok "traffic came back after the failover: ${gap} ms lost (device-driven: ~12000)"
else
	bad "no traffic within 7 s after killing node 1"
fi
t "node 2's activate set every endpoint ($want)" \
	grep -q "active, $want of $want endpoints set" "$HA_ROOT/n2/notify.log"
echo "# $(grep -h "endpoints set in\|handshaken after" "$HA_ROOT/n2/notify.log" | tr '\n' ' ')"
t "replies left from the moved address: the device's endpoint is still $VIP:$HA_PORT" \
	is "$(wg show "hd$HA_ID" endpoints | awk '{print $2}')" "$VIP:$HA_PORT"
t "the configured keepalive is restored (off, on all $want peers)" \
	is "$(wg show "$(ha_if 2)" persistent-keepalive | awk '$2 == "off"' | wc -l)" "$want"

start1() { ha_node_start 1; sleep 3; }
gap=$(ha_ping_gap 6 start1 "$HA_ROOT/ping-rejoin.log")
t "node 1 rejoined as backup" ha_wait_state 1 2 backup
t "node 2 stays master" is "$(ha_state 2)" master
t "no packet lost while node 1 rejoined (lost: ${gap} ms)" is "$gap" 0
t "node 1 was master once only (before it was killed)" \
	is "$(grep -c ' master$' "$HA_ROOT/n1/notify.log")" 1
t "the standby hub (node 1) has no endpoint" no_endpoint "$(ha_if 1)"

# --- split brain: the path between the nodes cut, the device reaches both.
# The node that becomes master second initiates to every device and the
# device follows it. Healed, VRRP keeps the higher priority (node 1, 100 vs
# 90); it hears the other master's lower-priority advert and renews (drops
# its sessions, initiates to every device), so a device that followed the
# loser comes back. Run twice: node 1 the second master (the device is
# already on the winner), then node 2 (the device must come back).
split_brain() {
	local tag=$1 second=$2 gap r1 r2 h2
	split() { ha_partition on; ha_wait_state "$second" 5 master; }
	heal() { ha_partition off; ha_wait_state 2 5 backup; sleep 0.5; }
	gap=$(ha_ping_gap 5 split "$HA_ROOT/ping-split-$tag.log")
	t "$tag split: both nodes master" is "$(ha_state 1) $(ha_state 2)" "master master"
	if [ "$gap" -ge 0 ] && [ "$gap" -le 3000 ]; then
		ok "$tag split: the device's traffic came back: ${gap} ms lost (bound 3000)"
	else
		bad "$tag split: the device's traffic lost ${gap} ms (bound 3000; -1 = never back)"
	fi
	t "$tag split: both hubs kept the same key (no node made or took another)" \
		is "$(wg show "$(ha_if 1)" public-key) $(wg show "$(ha_if 2)" public-key)" \
		"$(cat "$HA_ROOT/hub.pub") $(cat "$HA_ROOT/hub.pub")"
	t "$tag split: the hub private key is in no file but the two nodes' key files" \
		no_key_outside
	gap=$(ha_ping_gap 5 heal "$HA_ROOT/ping-heal-$tag.log")
	t "$tag healed: node 2 (lower priority) went back to backup" is "$(ha_state 2)" backup
	t "$tag healed: exactly one master, node 1 (higher priority)" is "$(ha_state 1)" master
	t "$tag healed: node 1 renewed its sessions" grep -q "active (renewed)" "$HA_ROOT/n1/notify.log"
	if [ "$gap" -ge 0 ] && [ "$gap" -le 2000 ]; then
		ok "$tag healed: the device's traffic went on: ${gap} ms lost (bound 2000)"
	else
		bad "$tag healed: the device's traffic lost ${gap} ms (bound 2000; -1 = never back)"
	fi
	t "$tag healed: node 2's hub has no endpoint" no_endpoint "$(ha_if 2)"
	# no flapping: over 3 s of 50 pps, only node 1 carries the device
	r1=$(ha_rx 1) r2=$(ha_rx 2) h2=$(last_handshake 2)
	ip netns exec "$NS_DEV" ping -n -q -i 0.02 -c 150 -W 1 "$VM_IP" >"$HA_ROOT/ping-after-$tag.log" 2>&1
	r1=$(($(ha_rx 1) - r1)) r2=$(($(ha_rx 2) - r2))
	echo "# $tag after the heal, 150 pings: node 1 received $r1 tunnel packets, node 2 $r2"
	t "$tag after the heal the device stays on node 1 ($r1 packets, >= 150)" [ "$r1" -ge 150 ]
	t "$tag after the heal node 2 receives nothing from the device ($r2 packets)" is "$r2" 0
	t "$tag after the heal node 2 makes no handshake" is "$(last_handshake 2)" "$h2"
	t "$tag no ping lost after the heal" grep -q " 0% packet loss" "$HA_ROOT/ping-after-$tag.log"
	: >"$HA_ROOT/n1/notify.log.$tag"
	mv "$HA_ROOT/n1/notify.log" "$HA_ROOT/n1/notify.log.$tag"
}
no_key_outside() {
	! grep -rlF "$(cat "$HA_ROOT/n1/hub.key")" "$HA_ROOT" | grep -v '/n[12]/hub\.key$'
}
last_handshake() { wg show "$(ha_if "$1")" latest-handshakes | awk '{print $2}' | sort -n | tail -1; }
split_brain A 1
t "A split: node 1 initiated from the endpoints node 2 streamed" \
	grep -q "active, 1 of $want endpoints set" "$HA_ROOT/n1/notify.log.A"
split_brain B 2
[ "$fail" = 0 ] || { HA_KEEP=1; echo "check-ha: FAILED (state kept in $HA_ROOT)"; exit 1; }
echo "check-ha: PASS"
