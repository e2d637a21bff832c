#!/usr/bin/env bash
# `make check-ipv6`: IPv6 inside and outside the tunnel on the real stack.
# The agent's WG_HUB_IP is an IPv6 address (hub endpoint [2001:db8:...]:port)
# and the device reaches the node only over an IPv6-only veth "internet";
# the hub's network is dual-stack (IPv4 + IPv6 subnets), the device gets an
# address from each, and pings cross the tunnel both ways with both families.
# Uses the real `openstack` CLI (tests/osc/lib.sh) for every user step.
set -uo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
cd "$HERE" || exit 1
SUITE=ipv6
# shellcheck source=scripts/device-lib.sh
. "$HERE/scripts/device-lib.sh"
[ "$(id -u)" = 0 ] || { echo "ipv6: needs root, skipped"; exit 77; }
# shellcheck source=tests/osc/lib.sh
. "$HERE/tests/osc/lib.sh"

NODE=nwgip6-$ID
NS=nwgip6$ID VETH=nip6$ID IF=ip6$ID
NODE_IP6=$(printf '2001:db8:6e6:%x::1' $((ID % 65536)))
DEV_IP6=${NODE_IP6%::1}::2
V4=10.96.0.0/24 V6=fd00:96::/64 HUB4=10.96.0.1 HUB6=fd00:96::1
A=alice$ID
KEY=$STATE/dev.key CONF=$STATE/dev.conf
AGENT_PORTS=53000:53099

# The device's IPv6-only "internet": no IPv4 address at all on that link.
v6_link() {
	[ -z "$(ip -o -6 addr show to "${NODE_IP6%::1}::/64")" ] || { echo "prefix in use"; return 1; }
	ip netns add "$NS" &&
		ip -n "$NS" link set lo up &&
		ip link add "$VETH" type veth peer name inet0 netns "$NS" &&
		ip addr add "$NODE_IP6/64" dev "$VETH" nodad &&
		ip link set "$VETH" up &&
		ip -n "$NS" addr add "$DEV_IP6/64" dev inet0 nodad &&
		ip -n "$NS" link set inet0 up &&
		ip -n "$NS" -6 route add default via "$NODE_IP6" &&
		ip netns exec "$NS" ping -6 -c 1 -W 2 "$NODE_IP6"
}

say "phase 1: stack, IPv6-only underlay link"
must "harness + auth proxy up" start_stack
at_exit "ip link del $VETH; ip netns del $NS"
must "device namespace on an IPv6-only link ($DEV_IP6 -> $NODE_IP6)" v6_link
must "agent $NODE alive, WG_HUB_IP = $NODE_IP6" start_agent "$NODE" "$NODE_IP6"

say "phase 2: dual-stack network, hub, device (openstack CLI)"
net() {
	NET=$(osc_as "$A" network create "net6-$ID" -f value -c id) || return 1
	at_exit "hapi DELETE /networks/$NET"
	osc_as "$A" subnet create "s4-$ID" --network "$NET" --subnet-range "$V4" --gateway none \
		--no-dhcp -f value -c id &&
		osc_as "$A" subnet create "s6-$ID" --network "$NET" --ip-version 6 --subnet-range "$V6" \
			--gateway none --no-dhcp -f value -c id
}
must "dual-stack network ($V4 + $V6)" net
hub() {
	HUB=$(osc_as admin wireguard hub create --network "$NET" --host "$NODE" "hub6-$ID" \
		-f value -c id) || return 1
	at_exit "hapi DELETE /ports/$HUB"
	hapi PUT "/ports/$HUB" "{\"port\": {\"fixed_ips\": [{\"ip_address\": \"$HUB4\"}, {\"ip_address\": \"$HUB6\"}]}}"
}
must "hub with $HUB4 and $HUB6" hub
must "agent realizes the hub" wait_for 60 hub_realized "$HUB"
hub_ep() {
	out=$(osc_as "$A" wireguard hub show "hub6-$ID" -f json) || return 1
	echo "$out"
	echo "$out" | jq -r .endpoint | grep -Eq "^\[$NODE_IP6\]:530[0-9][0-9]$" &&
		echo "$out" | jq -r .addresses | grep -q "$HUB6"
}
check "hub show: endpoint [$NODE_IP6]:port, both addresses" hub_ep
dev() {
	out=$(osc_as "$A" wireguard device add --hub "hub6-$ID" --generate-key --private-key-file "$KEY" \
		"dev6-$ID" -f json) || return 1
	echo "$out"
	DEV=$(echo "$out" | jq -r .id)
	at_exit "hapi DELETE /ports/$DEV"
	DEV4=$(hapi GET "/ports/$DEV" | jq -r '.port.fixed_ips[] | select(.ip_address | contains(".")) | .ip_address')
	DEV6=$(hapi GET "/ports/$DEV" | jq -r '.port.fixed_ips[] | select(.ip_address | contains(":")) | .ip_address')
	[ -n "$DEV4" ] && [ -n "$DEV6" ]
}
must "device gets an IPv4 and an IPv6 address" dev
conf() {
	osc_as "$A" wireguard device config "dev6-$ID" --private-key-file "$KEY" --output "$CONF" || return 1
	grep -v PrivateKey "$CONF"
	grep -qx "Address = $DEV4/32, $DEV6/128" "$CONF" &&
		grep -qx "AllowedIPs = $V4, $V6" "$CONF" &&
		grep -Eqx "Endpoint = \[$NODE_IP6\]:530[0-9][0-9]" "$CONF" &&
		hapi GET "/ports/$DEV" | "$CLI" render - --private-key-file "$KEY" | diff - "$CONF"
}
check "config: both addresses, both prefixes, [v6]:port endpoint; == C render" conf

say "phase 3: traffic"
up() {
	dev_wg_start "$NS" "$IF" "$STATE/wg.log" "$STATE/wg.pid" || return 1
	at_exit "dev_wg_stop $STATE/wg.pid $IF $NS"
	dev_wg_apply "$NS" "$IF" "$CONF"
}
must "wireguard-go device up" up
hs() { [ "$(wg_handshake "$NS" "$IF")" -gt 0 ] 2>/dev/null || { ip netns exec "$NS" ping -c1 -W1 "$HUB4" >/dev/null; return 1; }; }
check "handshake over the IPv6 underlay" wait_for 30 hs
HUB_NS=tun-$(project_id "pa$ID")
peer_v6() {
	ip netns exec "$HUB_NS" wg show all endpoints | tee /dev/stderr | grep -qF "[$DEV_IP6]:"
}
check "hub sees the device's endpoint [$DEV_IP6]:port (IPv6 underlay)" peer_v6
check "device -> hub ping (IPv4 inner)" ip netns exec "$NS" ping -c 2 -W 2 "$HUB4"
check "device -> hub ping -6 (IPv6 inner)" ip netns exec "$NS" ping -6 -c 2 -W 2 "$HUB6"
check "hub -> device ping (IPv4 inner)" ip netns exec "$HUB_NS" ping -c 2 -W 2 "$DEV4"
check "hub -> device ping -6 (IPv6 inner)" ip netns exec "$HUB_NS" ping -6 -c 2 -W 2 "$DEV6"
no_v4_underlay() { [ -z "$(ip -n "$NS" -4 addr show dev inet0)" ]; }
check "the device's underlay has no IPv4 at all" no_v4_underlay
