# shellcheck shell=bash
# Sourced by tests/ovn/run.sh: a second OVN chassis and the geneve underlay
# between the two chassis (doc/ovn.md, "A VM on another chassis").
#
# Chassis 1 is the suite's node (its ovs-vswitchd in the root namespace);
# chassis 2 runs its own ovsdb-server, ovs-vswitchd (userspace datapath) and
# ovn-controller inside network namespace $C2_NS (`ip netns exec`: its own
# mount namespace with that namespace's /sys too), state under $C2_D, and
# registers with the same OVN central as chassis 1. The underlay is one veth
# pair: each end is the physical port of its chassis' OVS br-phy, which holds
# the chassis' encap IP (OVS userspace tunnelling: tnl_push / tnl_pop).
#
# Needs: ID, WORK, OVN_D (chassis 1), net_free, vsctl/ovs_env of ovn-env.sh.

C2_NS=nwgovnc2$ID C2_D=$WORK/ovs2 C2_HOST=nwgovn2-${NWG_INSTANCE:-ovn}-$ID C2_BR=obr2$ID
UL1=oul1$ID UL2=oul2$ID PHY1=ophy$ID
VM2_NS=nwgovnv2$ID VM2_IF=ovm2$ID
# north-south (phase-north-south.sh): chassis 2 is the gateway chassis from
# the start (neutron-server sees it when it schedules the router's gateway):
# a flat physical network $PHYSNET on its bridge $EXT_BR
EXT_NS=nwgovnx$ID EXT_BR=obrx$ID PHYSNET=nwgext$ID
UL_NET=""

# c2 FUNC ARGS...: an ovn-env.sh function (vsctl, ovs_start, ...) on chassis 2
c2() { OVN_D=$C2_D OVN_HOST=$C2_HOST OVN_BR=$C2_BR OVN_NETNS=$C2_NS OVN_ENCAP_IP=$UL_NET.2 "$@"; }

# underlay_up: the veth pair and chassis 1's br-phy ($PHY1, root namespace)
# with the encap IP $UL_NET.1/30; sets OVN_ENCAP_IP for chassis 1.
underlay_up() {
	local n k
	for n in $(seq 0 99); do
		k=$(((ID + n) % 200 + 20))
		net_free "198.18.$k.0/30" && { UL_NET=198.18.$k; break; }
	done
	[ -n "$UL_NET" ] || { echo "no free 198.18.x.0/30 for the underlay" >&2; return 1; }
	ip link add "$UL1" mtu 1600 type veth peer name "$UL2" mtu 1600 || return 1
	ethtool -K "$UL1" tx off >/dev/null
	# the root kernel must neither answer ARP for br-phy's IP on the veth
	# nor take frames for br-phy's MAC from it (br-phy has its own MAC)
	sysctl -qw "net.ipv4.conf.$UL1.arp_ignore=1"
	ip link set "$UL1" up
	vsctl add-br "$PHY1" -- set bridge "$PHY1" datapath_type=netdev \
		"other_config:hwaddr=02:00:c6:12:$(printf %02x "$k"):01" -- add-port "$PHY1" "$UL1" || return 1
	ip addr add "$UL_NET.1/30" dev "$PHY1" && ip link set "$PHY1" up || return 1
	export OVN_ENCAP_IP=$UL_NET.1
}

# chassis2_start: namespace, OVS, br-phy ($UL_NET.2), the provider bridge
# and ovn-controller as a gateway chassis.
chassis2_start() {
	ip netns add "$C2_NS" && ip -n "$C2_NS" link set lo up &&
		ip link set "$UL2" netns "$C2_NS" && ip -n "$C2_NS" link set "$UL2" up || return 1
	ip netns exec "$C2_NS" ethtool -K "$UL2" tx off >/dev/null
	ip netns exec "$C2_NS" sysctl -qw "net.ipv4.conf.$UL2.arp_ignore=1"
	c2 ovs_start || return 1
	c2 vsctl add-br br-phy -- set bridge br-phy datapath_type=netdev \
		"other_config:hwaddr=02:00:c6:12:${UL_NET##*.}:02" -- add-port br-phy "$UL2" || return 1
	ip -n "$C2_NS" addr add "$UL_NET.2/30" dev br-phy && ip -n "$C2_NS" link set br-phy up &&
		c2 vsctl add-br "$EXT_BR" -- set bridge "$EXT_BR" datapath_type=netdev &&
		c2 vsctl set Open_vSwitch . "external_ids:ovn-bridge-mappings=$PHYSNET:$EXT_BR" \
			external_ids:ovn-cms-options=enable-chassis-as-gw &&
		c2 ovn_controller_start
}

chassis2_stop() {
	OVN_GONE=1 c2 ovn_env_stop
	[ -S "$OVN_D/run/db.sock" ] && vsctl --if-exists del-br "$PHY1" 2>/dev/null
	ip netns del "$VM2_NS" 2>/dev/null
	ip netns del "$EXT_NS" 2>/dev/null
	ip netns del "$C2_NS" 2>/dev/null
	ip link del "$UL1" 2>/dev/null # (gone with chassis 1's br-phy or C2_NS already)
	return 0
}

# plug_vm2 PORT_ID MAC CIDR GW: a "VM" on chassis 2 (internal port of its
# integration bridge bound to the Neutron port, in its own namespace).
plug_vm2() {
	c2 vsctl add-port "$C2_BR" "$VM2_IF" -- set Interface "$VM2_IF" type=internal \
		external_ids:iface-id="$1" external_ids:attached-mac="\"$2\"" \
		external_ids:iface-status=active &&
		ip netns add "$VM2_NS" && ip -n "$VM2_NS" link set lo up &&
		ip -n "$C2_NS" link set "$VM2_IF" netns "$VM2_NS" &&
		ip -n "$VM2_NS" link set "$VM2_IF" address "$2" mtu 1442 up &&
		ip -n "$VM2_NS" addr add "$3" dev "$VM2_IF" &&
		ip -n "$VM2_NS" route add default via "$4"
}

# geneve_port REMOTE_IP: the geneve tunnel port ovn-controller made towards
# REMOTE_IP on this chassis (`c2 geneve_port ...` for chassis 2)
geneve_port() { vsctl --bare --columns=name find Interface type=geneve "options:remote_ip=\"$1\""; }
# tnl_flows tnl_push|tnl_pop: datapath flows of this chassis that use it
tnl_flows() {
	ovs_env ovs-appctl -t "$OVN_D/run/ovs-vswitchd.ctl" dpctl/dump-flows 2>/dev/null |
		grep -c "$1(" || true
}
# ul_count tx_bytes|rx_bytes: counter of chassis 1's end of the underlay
ul_count() { cat "/sys/class/net/$UL1/statistics/$1"; }
