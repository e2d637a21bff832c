#!/usr/bin/env bash
# `make check-rootns`: root-namespace mode on the real stack. A hub created
# with `openstack wireguard hub create --root-namespace` lives in the node's
# root namespace (no tun-<project>); a device onboarded with the CLI
# handshakes with it and the host and the device ping each other through the
# tunnel. The one-project-per-node limit is enforced by the driver.
set -uo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
cd "$HERE" || exit 1
SUITE=rootns
# shellcheck source=scripts/device-lib.sh
. "$HERE/scripts/device-lib.sh"
[ "$(id -u)" = 0 ] || { echo "rootns: needs root, skipped"; exit 77; }
# shellcheck source=tests/osc/lib.sh
. "$HERE/tests/osc/lib.sh"

NODE=nwgrns-$ID
NS=nwgrns$ID VETH=nrns$ID IF=rns$ID
NODE_IP=203.0.113.245 DEV_IP=203.0.113.246
OCT=$((ID % 200 + 20))
CIDR=10.94.$OCT.0/24 HUB_IP=10.94.$OCT.1
A=alice$ID B=bob$ID
KEY=$STATE/dev.key CONF=$STATE/dev.conf
AGENT_PORTS=53100:53199
HUB="" HUB_IF=""

# The hub's link in the root namespace, removed if the agent left it.
drop_root_link() {
	[ -n "$HUB_IF" ] || return 0
	for _ in $(seq 1 20); do ip link show "$HUB_IF" >/dev/null 2>&1 || return 0; sleep 0.25; done
	grep -q "alias neutron-wireguard:$HUB" <<<"$(ip link show "$HUB_IF")" && ip link del "$HUB_IF"
}
at_exit drop_root_link

say "phase 1: stack"
must "tunnel prefix $CIDR unused on this host" net_free "$CIDR"
must "harness + auth proxy up" start_stack
must "agent $NODE alive" start_agent "$NODE" "$NODE_IP"
at_exit "ip link del $VETH; ip netns del $NS"
must "device namespace" dev_create "$NS" "$VETH" "$NODE_IP/30" "$DEV_IP/30" "$NODE_IP"

say "phase 2: a root-namespace hub (openstack wireguard hub create --root-namespace)"
nets() {
	NET_A=$(osc_as "$A" network create "rna-$ID" -f value -c id) || return 1
	at_exit "hapi DELETE /networks/$NET_A"
	osc_as "$A" subnet create "rnsa-$ID" --network "$NET_A" --subnet-range "$CIDR" --gateway none \
		--no-dhcp -f value -c id >/dev/null || return 1
	NET_B=$(osc_as "$B" network create "rnb-$ID" -f value -c id) || return 1
	at_exit "hapi DELETE /networks/$NET_B"
	osc_as "$B" subnet create "rnsb-$ID" --network "$NET_B" --subnet-range 10.93.$OCT.0/24 \
		--gateway none --no-dhcp -f value -c id >/dev/null
}
must "networks of projects A and B" nets
member_root() {
	out=$(osc_as "$A" wireguard hub create --network "$NET_A" --host "$NODE" --root-namespace \
		"rnx-$ID" 2>&1) && return 1
	echo "$out"
	echo "$out" | grep -q "policy forbids" && [ "$(port_count_named "rnx-$ID")" = 0 ]
}
check "a member cannot create a (root-namespace) hub" member_root
hub() {
	HUB=$(osc_as admin wireguard hub create --network "$NET_A" --host "$NODE" --root-namespace \
		--fixed-ip "$HUB_IP" "rnhub-$ID" -f value -c id) || return 1
	at_exit "hapi DELETE /ports/$HUB"
	HUB_IF=wg-${HUB:0:11}
}
must "admin: root-namespace hub for project A" hub
must "agent realizes the hub" wait_for 60 hub_realized "$HUB"
# Each clause says why it failed (the link is shown whole: no pipe to grep -q,
# which would cut it short).
in_root() {
	local out ns
	out=$(ip -d addr show dev "$HUB_IF") || { echo "no link $HUB_IF"; return 1; }
	echo "$out"
	grep -q "alias neutron-wireguard:$HUB" <<<"$out" || { echo "alias missing"; return 1; }
	grep -q "inet $HUB_IP/24 " <<<"$out" || { echo "no address $HUB_IP/24"; return 1; }
	grep -q "[<,]UP[,>]" <<<"$out" || { echo "link not up"; return 1; }
	ns=$(hapi GET "/ports/$HUB" | jq -r '.port["binding:vif_details"].namespace // ""') ||
		{ echo "port $HUB unreadable"; return 1; }
	[ -z "$ns" ] || { echo "vif_details namespace [$ns], want none"; return 1; }
	! ip netns list | grep "^tun-$(project_id "pa$ID")" || { echo "tun- namespace exists"; return 1; }
}
check "hub link $HUB_IF in the root namespace, addressed, up; no tun- namespace" in_root

say "phase 3: a device joins it"
dev() {
	DEV=$(osc_as "$A" wireguard device add --hub "rnhub-$ID" --generate-key \
		--private-key-file "$KEY" "rndev-$ID" -f value -c id) || return 1
	at_exit "hapi DELETE /ports/$DEV"
	osc_as "$A" wireguard device config "rndev-$ID" --private-key-file "$KEY" --output "$CONF" &&
		grep -q "^Endpoint = $NODE_IP:531" "$CONF"
}
must "device add + config (CLI)" dev
up() {
	dev_wg_start "$NS" "$IF" "$STATE/wg.log" "$STATE/wg.pid" || return 1
	at_exit "dev_wg_stop $STATE/wg.pid $IF $NS"
	dev_wg_apply "$NS" "$IF" "$CONF"
}
must "wireguard-go device up" up
hs() { [ "$(wg_handshake "$NS" "$IF")" -gt 0 ] 2>/dev/null || { ip netns exec "$NS" ping -c1 -W1 "$HUB_IP" >/dev/null; return 1; }; }
check "device handshakes with the root-namespace hub" wait_for 30 hs
DEV_ADDR=$(hapi GET "/ports/$DEV" | jq -r '.port.fixed_ips[0].ip_address')
check "device -> hub ping" ip netns exec "$NS" ping -c 2 -W 2 "$HUB_IP"
check "host (root namespace) -> device ping" ping -c 2 -W 2 -I "$HUB_IF" "$DEV_ADDR"

say "phase 4: one project per node"
second() {
	out=$(osc_as admin wireguard hub create --network "$NET_B" --host "$NODE" --root-namespace \
		"rnhubb-$ID" 2>&1) && { hapi DELETE "/ports/$(echo "$out" | awk '$2 == "id" {print $4}')"; return 1; }
	echo "$out"
	echo "$out" | grep -q "one project per node" && [ "$(port_count_named "rnhubb-$ID")" = 0 ]
}
check "a root-namespace hub of project B on the same node is refused" second
move() {
	# nor can a namespaced hub of B be turned into a root-namespace one
	local hb
	hb=$(osc_as admin wireguard hub create --network "$NET_B" --host "$NODE" "rnhubb2-$ID" \
		-f value -c id) || return 1
	at_exit "hapi DELETE /ports/$hb"
	out=$(hapi PUT "/ports/$hb" '{"port": {"binding:profile": {"wg_role": "hub", "root_namespace": true}}}')
	echo "$out"
	echo "$out" | grep -q "one project per node" &&
		[ "$(hapi GET "/ports/$hb" | jq -r '.port["binding:profile"].root_namespace // false')" = false ]
}
check "switching a project-B hub to root_namespace is refused" move
check "the project-A device still pings its hub" ip netns exec "$NS" ping -c 1 -W 2 "$HUB_IP"
