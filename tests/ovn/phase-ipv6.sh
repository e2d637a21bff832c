# shellcheck shell=bash
# Sourced by tests/ovn/run.sh: the hub's and the VM's networks become
# dual-stack while the hub runs. The same mechanism as for IPv4: a router
# subnet (the hub's IPv6 address) and a device subnet (gateway none) on the
# hub's network, the device subnet as an allowed address pair of the hub, a
# router extra route to it via the hub; the spoke gets an IPv6 address. The
# device reaches the VM over IPv6 through the OVN router, and back.

SUB_VM6=$(mk subnet '{"subnet":{"project_id":"'$PROJECT'","network_id":"'$NET_VM'","ip_version":6,"cidr":"fd61:1::/64","gateway_ip":"fd61:1::1","enable_dhcp":false}}')
SUB_H6=$(mk subnet '{"subnet":{"project_id":"'$PROJECT'","network_id":"'$NET_H'","ip_version":6,"cidr":"fd61:2::/64","gateway_ip":"fd61:2::1","enable_dhcp":false}}')
SUB_D6=$(mk subnet '{"subnet":{"project_id":"'$PROJECT'","network_id":"'$NET_H'","ip_version":6,"cidr":"fd61:3::/64","gateway_ip":null,"enable_dhcp":false}}')
for s in $SUB_VM6 $SUB_H6; do
	api PUT "/routers/$ROUTER/add_router_interface" "{\"subnet_id\":\"$s\"}" >/dev/null
	ROUTER_SUBNETS="$ROUTER_SUBNETS $s"
done
for proto in ipv6-icmp tcp; do
	api POST /security-group-rules '{"security_group_rule":{"security_group_id":"'$SG'","direction":"ingress","ethertype":"IPv6","protocol":"'$proto'","project_id":"'$PROJECT'"}}' >/dev/null
done
api PUT "/ports/$VM_PORT" '{"port":{"fixed_ips":[{"subnet_id":"'$SUB_VM'","ip_address":"10.61.1.10"},{"subnet_id":"'$SUB_VM6'","ip_address":"fd61:1::10"}]}}' >/dev/null
ip -n "$VM_NS" addr add fd61:1::10/64 dev "$VM_IF" nodad
ip -n "$VM_NS" -6 route add default via fd61:1::1
api PUT "/ports/$HUB" '{"port":{"fixed_ips":[{"subnet_id":"'$SUB_H'","ip_address":"10.61.2.5"},{"subnet_id":"'$SUB_H6'","ip_address":"fd61:2::5"}],"allowed_address_pairs":[{"ip_address":"10.61.3.0/24"},{"ip_address":"fd61:3::/64"}]}}' >/dev/null
api PUT "/routers/$ROUTER" '{"router":{"routes":[{"destination":"10.61.3.0/24","nexthop":"10.61.2.5"},{"destination":"fd61:3::/64","nexthop":"fd61:2::5"}]}}' >/dev/null
api PUT "/ports/$SPOKE" '{"port":{"fixed_ips":[{"subnet_id":"'$SUB_D'","ip_address":"10.61.3.7"},{"subnet_id":"'$SUB_D6'","ip_address":"fd61:3::7"}]}}' >/dev/null

check "IPv6: OVN router has four ports" bash -c \
	"[ \$(nbctl --bare --columns=ports find Logical_Router name=neutron-$ROUTER | wc -w) = 4 ]"
check "IPv6: hub LSP port security lists the IPv6 device subnet" bash -c \
	"nbctl get Logical_Switch_Port $HUB port_security | grep -q 'fd61:3::/64'"
check "IPv6: router extra route in OVN (fd61:3::/64 via fd61:2::5)" bash -c \
	"nbctl lr-route-list neutron-$ROUTER | grep -q 'fd61:3::/64 *fd61:2::5'"
check "IPv6: hub's OVS port has fd61:2::5" wait_until 20 bash -c \
	"ip -n $HUB_NS -6 addr show dev $WO | grep -q 'fd61:2::5/64'"
check "IPv6: hub namespace default route via the router (fd61:2::1)" wait_until 15 bash -c \
	"ip -n $HUB_NS -6 route show default | grep -q 'via fd61:2::1 dev $WO'"
check "IPv6: hub namespace routes the spoke's fd61:3::7 through the tunnel" wait_until 15 bash -c \
	"ip -n $HUB_NS -6 route show fd61:3::7 | grep -q 'dev wg-${HUB:0:11}'"
render6() { render && grep -q '^Address = .*fd61:3::7' "$WORK/dev.conf"; }
check "IPv6: device config re-rendered with the spoke's fd61:3::7 and applied" wait_until 30 render6
check "IPv6: rendered AllowedIPs include the router's other IPv6 subnet (fd61:1::/64)" \
	grep -q '^AllowedIPs = .*fd61:1::/64' "$WORK/dev.conf"
check "IPv6: rendered AllowedIPs still include 10.61.1.0/24" \
	grep -q '^AllowedIPs = .*10\.61\.1\.0/24' "$WORK/dev.conf"
T_PING6=$(now)
check "IPv6: device pings the hub (fd61:2::5)" wait_until 20 dev_ping fd61:2::5
log "IPv6: first device -> hub ping after $(ms "$T_PING6" "$(now)") ms"
check "IPv6: device pings the OVN router (fd61:2::1)" wait_until 10 dev_ping fd61:2::1
check "IPv6: device pings the VM through the OVN router (fd61:1::10)" wait_until 15 dev_ping fd61:1::10
check "IPv6: VM pings the device (fd61:3::7)" wait_until 10 vm_ping fd61:3::7
check "IPv6: TCP 1 MB device -> VM" tcp_1m "$DEV_NS" "$VM_NS" fd61:1::10 5705 6
check "IPv6: TCP 1 MB VM -> device" tcp_1m "$VM_NS" "$DEV_NS" fd61:3::7 5706 6
check "IPv4 still flows: device pings the VM (10.61.1.10)" wait_until 10 dev_ping 10.61.1.10
rtt=$(ip netns exec "$VM_NS" ping -c 20 -i 0.05 -q fd61:3::7 2>/dev/null | awk -F/ '/rtt/ { print $5 }')
log "IPv6: VM -> device RTT avg ${rtt:-?} ms (20 pings)"
