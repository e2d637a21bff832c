# shellcheck shell=bash
# Sourced by tests/ovn/run.sh (needs chassis 2): north-south. Chassis 2 is
# the gateway chassis (chassis2.sh: ovn-cms-options=enable-chassis-as-gw, a
# bridge mapping for a flat provider network to its bridge $EXT_BR, which
# gets the "external host" namespace $EXT_NS, 198.51.100.1/24); the router
# gets that network as its external gateway. The gateway port is scheduled on
# chassis 2 and the hub stays on chassis 1. A VM's traffic leaves SNATed to
# the router's gateway address; a device's leaves with its own address (the
# router SNATs only the subnets attached to it, and the device subnet is not),
# so the external side routes the devices' prefix back to the router.

EXT_VETH=oxo$ID
# the external host: a namespace on chassis 2's provider bridge
ext_up() {
	ip netns add "$EXT_NS" && ip -n "$EXT_NS" link set lo up &&
		ip -n "$C2_NS" link add "$EXT_VETH" type veth peer name ext0 netns "$EXT_NS" &&
		c2 vsctl add-port "$EXT_BR" "$EXT_VETH" && ip -n "$C2_NS" link set "$EXT_VETH" up &&
		ip netns exec "$C2_NS" ethtool -K "$EXT_VETH" tx off >/dev/null &&
		ip netns exec "$EXT_NS" ethtool -K ext0 tx off >/dev/null &&
		ip -n "$EXT_NS" addr add 198.51.100.1/24 dev ext0 && ip -n "$EXT_NS" link set ext0 up
}
# seen_by_ext FROM_NS PORT: the source address the external host sees for a
# TCP connection from FROM_NS
seen_by_ext() {
	local pid out
	# shellcheck disable=SC2016 # $SOCAT_PEERADDR is socat's, for the child
	ip netns exec "$EXT_NS" timeout 15 socat "TCP-LISTEN:$2,reuseaddr" \
		SYSTEM:'echo $SOCAT_PEERADDR' >/dev/null 2>&1 &
	pid=$!
	sleep 0.3
	out=$(ip netns exec "$1" timeout 10 socat -u "TCP:198.51.100.1:$2,connect-timeout=5" - 2>/dev/null)
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "$out"
}
ext_ping() { ip netns exec "$EXT_NS" ping -c1 -W1 "$1"; }

gw_chassis() { sbctl get Chassis "$C2_HOST" other_config:ovn-cms-options | grep -q enable-chassis-as-gw; }
check "north-south: chassis 2 is a gateway chassis in the SB (enable-chassis-as-gw)" gw_chassis
# Debian's Neutron (Zed) reads a chassis' ovn-cms-options and
# ovn-bridge-mappings from Chassis external_ids only; ovn-controller 23.03
# publishes them in other_config.
# Without a copy Neutron sees no gateway candidate and picks any chassis at
# random. The suite copies the two values there.
sbctl set Chassis "$C2_HOST" external_ids:ovn-cms-options=enable-chassis-as-gw \
	"external_ids:ovn-bridge-mappings=\"$PHYSNET:$EXT_BR\""
check "north-south: chassis 2's gateway options visible to Neutron Zed (Chassis external_ids)" \
	bash -c "sbctl get Chassis $C2_HOST external_ids:ovn-bridge-mappings | grep -q $PHYSNET"
check "north-south: external host on chassis 2's provider bridge" ext_up
NET_EXT=$(mk network '{"network":{"name":"nwgovn-ext-'$ID'","project_id":"'$PROJECT'","router:external":true,"provider:network_type":"flat","provider:physical_network":"'$PHYSNET'"}}')
SUB_EXT=$(mk subnet '{"subnet":{"project_id":"'$PROJECT'","network_id":"'$NET_EXT'","ip_version":4,"cidr":"198.51.100.0/24","gateway_ip":"198.51.100.1","enable_dhcp":false,"allocation_pools":[{"start":"198.51.100.10","end":"198.51.100.50"}]}}')
api PUT "/routers/$ROUTER" '{"router":{"external_gateway_info":{"network_id":"'$NET_EXT'"}}}' >/dev/null
GW_IP=$(api GET "/routers/$ROUTER" | jget 'd["router"]["external_gateway_info"]["external_fixed_ips"][0]["ip_address"]')
GW_PORT=$(api GET "/ports?device_id=$ROUTER&device_owner=network:router_gateway" | jget 'd["ports"][0]["id"]')
[ -n "$GW_IP" ] && [ -n "$GW_PORT" ] && ok "router external gateway $GW_IP (port $GW_PORT)" ||
	not_ok "router external gateway set ($SUB_EXT)"
# chosen, not drawn: chassis 2 is the gateway port's only gateway chassis
nbctl lrp-get-gateway-chassis "lrp-$GW_PORT" >"$WORK/gw-chassis" 2>&1
expect_eq "north-south: the router's gateway port has one gateway chassis, chassis 2" "1 1" \
	"$(grep -c . "$WORK/gw-chassis") $(grep -c "$C2_HOST" "$WORK/gw-chassis")"
check "north-south: the gateway port is resident on chassis 2 (cr-lrp bound there)" \
	wait_until 30 bound_on "cr-lrp-$GW_PORT" "$C2_HOST"
check "north-south: the hub's Port_Binding is still on chassis 1" bound_here "$HUB"
check "north-south: the external host pings the router gateway ($GW_IP)" wait_until 20 ext_ping "$GW_IP"
expect_eq "north-south: a VM's connection reaches the external host SNATed to the gateway address" \
	"$GW_IP" "$(seen_by_ext "$VM_NS" 5711)"
# the device sends the external prefix into its tunnel (a full-tunnel device
# would send 0.0.0.0/0); the external side routes the devices' prefix back
HUB_PUB=$(ip netns exec "$DEV_NS" wg show "$DEV_IF" peers | head -1)
DEV_ALLOWED=$(ip netns exec "$DEV_NS" wg show "$DEV_IF" allowed-ips | cut -f2 | tr ' ' ',')
ip netns exec "$DEV_NS" wg set "$DEV_IF" peer "$HUB_PUB" allowed-ips "$DEV_ALLOWED,198.51.100.0/24"
ip -n "$DEV_NS" route replace 198.51.100.0/24 dev "$DEV_IF"
ip -n "$EXT_NS" route add 10.61.3.0/24 via "$GW_IP"
check "north-south: device pings the external host (198.51.100.1) via the gateway chassis" \
	wait_until 15 dev_ping 198.51.100.1
expect_eq "north-south: a device's connection reaches the external host with the device's own address (no SNAT)" \
	10.61.3.7 "$(seen_by_ext "$DEV_NS" 5712)"
check "north-south: the external host pings the device (10.61.3.7)" wait_until 10 ext_ping 10.61.3.7
check "north-south: device still pings the VM" wait_until 10 dev_ping 10.61.1.10
