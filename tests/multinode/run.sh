#!/usr/bin/env bash
# make check-ovs / make check-multinode: several simulated nodes on one
# machine, ML2/Open vSwitch (userspace netdev datapath, VXLAN between nodes)
# with the L3 agent, and WireGuard hubs as router interfaces.
#
# One neutron-server (scripts/neutron-harness.sh instance $NWG_INSTANCE on
# $NEUTRON_PORT, mechanism drivers wireguard,openvswitch) and per node
# (tests/multinode/lib.sh) its own network + mount namespace, ovsdb-server,
# ovs-vswitchd and agents with their own host name:
#   net1  network node: OVS agent, L3 agent, neutron-wireguard-agent; the
#         device's "internet" link ends here
#   cmp1  compute node: OVS agent; the "VM" namespace hangs off its br-int
#   net2  second network node (placement/node-loss phases): OVS agent, L3
#         agent, neutron-wireguard-agent
# The VM is on another node than the hub: device <-> VM traffic crosses the
# router on net1 and the VXLAN tunnel net1 <-> cmp1.
#
#   ha    an HA hub (doc/ha.md) built by the WireGuard agents of net1
#         (primary) and net2 (standby copy from the sealed key)
#   ha-bench  (make bench-ha-agent, not in the default list) >= 10
#         agent-driven failovers and the device-driven baseline
#         (tests/multinode/ha_bench.sh)
#   ha-failover  the agents run VRRP and the endpoint stream themselves: a
#         device pings through the HA hub while net1, then net2, crash and
#         come back (tests/multinode/ha_failover.sh)
# Usage: run.sh [ovs] [ha] [ha-failover] [multinode]   (default: all; one shared start-up)
# Env: NWG_INSTANCE/NEUTRON_PORT/NWG_HARNESS_ROOT (harness instance),
#      MN_KEEP=1 (leave everything up on exit, for debugging).
# shellcheck disable=SC2086,SC2089,SC2090 # JSON bodies built from our own ids
# shellcheck disable=SC2317 # functions run through check/wait_until/trap
set -uo pipefail

HERE=$(cd "$(dirname "$0")/../.." && pwd)
cd "$HERE" || exit 1
. scripts/device-lib.sh
. tests/l3/lib.sh # ok/not_ok/check/api/jf/wait_until/stop_pid (l3's helpers)

[ "$(id -u)" = 0 ] || { echo "multinode: needs root, skipped"; exit 77; }
PHASES=${*:-ovs ha ha-failover multinode}
export NWG_INSTANCE=${NWG_INSTANCE:-check} # never the demo's (default/9696)
export NEUTRON_PORT=${NEUTRON_PORT:-9697}
export NWG_SRC=${NWG_SRC:-$HERE}
HARNESS=$HERE/scripts/neutron-harness.sh
CLI_BIN=$HERE/build/rel/bin/neutron-wireguard
T_START=$(now)
ID=$$
WORK=$(mktemp -d "/var/tmp/nwg-mn.$NWG_INSTANCE.XXXXXX")
mkdir -p "$WORK/logs" "$WORK/nodes"
: >"$WORK/check.log"
. tests/multinode/lib.sh
. tests/multinode/ha_failover.sh
. tests/multinode/ha_bench.sh
log() { printf '[mn %s] %s\n' "$(date +%T)" "$*"; }
PROJECT=$(printf '%s' "nwgmn-$ID-$(date +%s%N)" | md5sum | cut -c1-32)
VM_NS=nwgmnvm$ID DEV_NS=nwgmndv$ID DEV_IF=wgd$ID DEV_VETH=nd$ID
# the device behind net2's hub (node-loss phase)
DEV2_NS=nwgmnde$ID DEV2_IF=wge$ID DEV2_VETH=ne$ID
want_phase() { [[ " $PHASES " == *" $1 "* ]]; }

# ---------------------------------------------------------------- cleanup
ROUTERS=() NETWORKS=() PORTS=()
cleanup() {
	local rc=$? r p n left
	trap - EXIT INT TERM
	set +e
	if [ "${MN_KEEP:-0}" = 1 ]; then
		log "MN_KEEP=1: leaving everything up (work $WORK)"
		return
	fi
	log "cleanup"
	[ -s "$WORK/cleanup-ports" ] && mapfile -t -O "${#PORTS[@]}" PORTS <"$WORK/cleanup-ports"
	[ -s "$WORK/cleanup-routers" ] && mapfile -t -O "${#ROUTERS[@]}" ROUTERS <"$WORK/cleanup-routers"
	[ -s "$WORK/cleanup-networks" ] && mapfile -t -O "${#NETWORKS[@]}" NETWORKS <"$WORK/cleanup-networks"
	for r in "${ROUTERS[@]}"; do
		for p in $(api GET "/ports?device_id=$r" | $PY -c 'import json,sys
for p in json.load(sys.stdin).get("ports", []):
    if p["device_owner"] == "network:router_interface": print(p["id"])' 2>/dev/null); do
			api PUT "/routers/$r/remove_router_interface" "{\"port_id\":\"$p\"}" >/dev/null
		done
		api DELETE "/routers/$r" >/dev/null
	done
	for p in "${PORTS[@]}"; do api DELETE "/ports/$p" >/dev/null; done
	for n in "${NETWORKS[@]}"; do api DELETE "/networks/$n" >/dev/null; done
	[ -s "$WORK/dev-wg.pid" ] && dev_wg_stop "$WORK/dev-wg.pid" "$DEV_IF" "$DEV_NS"
	[ -s "$WORK/dev2-wg.pid" ] && dev_wg_stop "$WORK/dev2-wg.pid" "$DEV2_IF" "$DEV2_NS"
	hf_teardown
	mn_teardown
	ip netns del "$VM_NS" 2>/dev/null
	ip netns del "$DEV_NS" 2>/dev/null
	ip netns del "$DEV2_NS" 2>/dev/null
	# agent rows of this run's hosts (dead now): delete them
	for p in $(api GET "/agents" | $PY -c 'import json,sys
for a in json.load(sys.stdin).get("agents", []):
    if a["host"].startswith("mn'"$ID"'-"): print(a["id"])' 2>/dev/null); do
		api DELETE "/agents/$p" >/dev/null
	done
	left=""
	ip link show "$HF_BR" >/dev/null 2>&1 && left="$left link:$HF_BR"
	[ -e "/var/run/wireguard/$HF_IF.sock" ] && left="$left sock:$HF_IF"
	for n in "$VM_NS" "$DEV_NS" "$DEV2_NS" "$HF_NS" "$HF_VM_NS"; do ip netns list | grep -qw "$n" && left="$left netns:$n"; done
	ip link show "$MN_BR" >/dev/null 2>&1 && left="$left link:$MN_BR"
	ip -o link show | grep -q "nm$ID" && left="$left links:nm$ID*"
	[ -e "/var/run/wireguard/$DEV_IF.sock" ] && left="$left sock:$DEV_IF"
	[ -e "/var/run/wireguard/$DEV2_IF.sock" ] && left="$left sock:$DEV2_IF"
	[ -n "$(api GET "/agents" | $PY -c 'import json,sys
print(" ".join(a["id"] for a in json.load(sys.stdin).get("agents", []) if a["host"].startswith("mn'"$ID"'-")))')" ] &&
		left="$left agent-rows"
	for p in "${PORTS[@]}"; do
		[ "$(api GET "/ports/$p" >/dev/null; code)" = 404 ] || left="$left port:$p"
	done
	for n in "${NETWORKS[@]}"; do
		[ "$(api GET "/networks/$n" >/dev/null; code)" = 404 ] || left="$left network:$n"
	done
	[ -n "$MN_LEFT" ] && left="$left processes:$MN_LEFT"
	if [ -z "$left" ]; then ok "cleanup: no node, namespace, link, process or agent row left"; else not_ok "cleanup left:$left"; fi
	log "multinode: $PASS passed, $FAIL failed in $(ms "$T_START" "$(now)") ms (logs: $WORK/logs)"
	[ $rc = 0 ] && [ $FAIL -gt 0 ] && rc=1
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- harness
start_harness() {
	local want=wireguard,openvswitch,logger cur src
	export ROUTER_SCHEDULER=networking_wireguard.l3.scheduler.HubAwareScheduler
	# Neutron moves routers off dead L3 agents: node loss proves it never
	# moves one that carries a hub (its scheduler finds no other node)
	printf '[DEFAULT]\nallow_automatic_l3agent_failover = True\n' >"$WORK/failover.conf"
	export NWG_EXTRA_CONF=$WORK/failover.conf
	if "$HARNESS" status >/dev/null 2>&1; then
		eval "$("$HARNESS" env)"
		cur=$(awk -F' *= *' '/^mechanism_drivers/{print $2}' "$ML2_CONF")
		src=$(cat "$HARNESS_STATE/mn-suite-src" 2>/dev/null)
		# (restart too when the tree's Python changed since this suite started it)
		if [ "$cur" != "$want" ] || [ "$src" != "$NWG_SRC" ] ||
			[ -n "$(find "$NWG_SRC/networking_wireguard" -name '*.py' -newer "$HARNESS_STATE/mn-suite-src" 2>/dev/null | head -1)" ] ||
			! grep -q '^agent_down_time = 15$' "$NEUTRON_CONF" ||
			! grep -q '^allow_automatic_l3agent_failover = True$' "$HARNESS_STATE/etc/extra.conf" 2>/dev/null ||
			! grep -q "^router_scheduler_driver = $ROUTER_SCHEDULER\$" "$NEUTRON_CONF"; then
			log "harness runs mechanism_drivers=$cur from ${src:-?}: restarting with $want"
			MECH_DRIVERS=$want AGENT_DOWN_TIME=15 "$HARNESS" restart >"$WORK/logs/harness.log" 2>&1 ||
				{ tail -20 "$WORK/logs/harness.log"; return 1; }
		fi
	else
		MECH_DRIVERS=$want AGENT_DOWN_TIME=15 "$HARNESS" start >"$WORK/logs/harness.log" 2>&1 ||
			{ tail -20 "$WORK/logs/harness.log"; return 1; }
	fi
	eval "$("$HARNESS" env)"
	echo "$NWG_SRC" >"$HARNESS_STATE/mn-suite-src"
	API=$NEUTRON_API
	# (agents in the nodes reach RabbitMQ at their own 127.0.0.1:5672: the relay)
}

mk() { # kind json -> id
	local id
	id=$(api POST "/$1s" "$2" | jf "$1.id")
	[ -n "$id" ] || { log "create $1 failed ($(code)): $(cat "$WORK/last_body")"; return 1; }
	echo "$id"
}
port_status() { api GET "/ports/$1" | jf port.status; }
status_is() { [ "$(port_status "$1")" = "$2" ]; }
agent_id() { api GET "/agents?binary=$2&host=${MN_HOST[$1]}" | jf agents.0.id; }
rns_has_addr() { # node router port ip
	[[ "$(nx "$1" ip -n "qrouter-$2" -o addr show dev "qr-${3:0:11}" 2>/dev/null)" == *"inet $4/"* ]]
}
link_up_in() { [[ "$(nx "$1" ip -n "$2" link show dev "$3" 2>/dev/null)" == *",UP"* ]]; }

# ---------------------------------------------------------------- nodes
NODES_WANTED="net1 cmp1"
want_phase multinode && NODES_WANTED="net1 cmp1 net2"
want_phase ha && NODES_WANTED="net1 cmp1 net2"
want_phase ha-failover && NODES_WANTED="net1 cmp1 net2"
want_phase ha-bench && NODES_WANTED="net1 cmp1 net2"
[ "$PHASES" = ha ] &&
	NODES_WANTED="net1 net2" # (no VM: no compute node; ha-failover and ha-bench have one)
bring_up_nodes() {
	local t0 n i=0 p pids=()
	t0=$(now)
	mn_bridge_up || return 1
	mn_relay_root_start || return 1
	for n in $NODES_WANTED; do
		i=$((i + 1))
		[ "$n" = net1 ] && MN_INET_IP[$n]=203.0.113.1
		[ "$n" = net2 ] && MN_INET_IP[$n]=203.0.113.5
		node_create "$n" "$i" || { not_ok "node $n created"; return 1; }
		node_common_conf "$n"
	done
	ok "nodes up ($NODES_WANTED: netns, mount ns, OVS netdev, br-phy) in $(ms "$t0" "$(now)") ms"
	# agents: all OVS agents, then L3 + WireGuard agents of the network nodes
	t0=$(now)
	for n in $NODES_WANTED; do
		node_ovs_agent "$n" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || { not_ok "OVS agents alive"; return 1; }; done
	ok "neutron-openvswitch-agent alive on $NODES_WANTED after $(ms "$t0" "$(now)") ms"
	t0=$(now)
	pids=()
	for n in $NODES_WANTED; do
		[[ $n == net* ]] || continue
		node_l3_agent "$n" &
		pids+=($!)
		node_wg_agent "$n" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || { not_ok "L3 and WireGuard agents alive"; return 1; }; done
	ok "neutron-l3-agent + neutron-wireguard-agent alive on the network nodes after $(ms "$t0" "$(now)") ms"
	check "net1: L3 agent loaded the wireguard extension" grep -q "legacy routers are WireGuardLegacyRouter" "$WORK/logs/net1-l3-agent.log"
	check "net1: OVS agent made br-int/br-tun on the netdev datapath" bash -c \
		"[ \"\$(nsenter --target ${MN_HOLDER[net1]} --mount --net ovs-vsctl get bridge br-tun datapath_type)\" = netdev ]"
}

# ---------------------------------------------------------------- objects
mk_net() { # name cidr gateway|null -> "net subnet"
	local net sub gw=$3
	[ "$gw" = null ] || gw="\"$gw\""
	net=$(mk network '{"network":{"name":"'$1'","project_id":"'$PROJECT'"}}') || return 1
	echo "$net" >>"$WORK/cleanup-networks" # (may run in $(...): no array)
	sub=$(mk subnet '{"subnet":{"project_id":"'$PROJECT'","network_id":"'$net'","ip_version":4,"cidr":"'$2'","gateway_ip":'$gw',"enable_dhcp":false}}') || return 1
	echo "$net $sub"
}
mk_router() { # name -> id
	local r
	r=$(mk router '{"router":{"name":"'$1'","project_id":"'$PROJECT'","ha":false,"distributed":false}}') || return 1
	echo "$r" >>"$WORK/cleanup-routers"
	echo "$r"
}
mk_hub() { # node net subnet ip -> port id
	local p
	p=$(mk port '{"port":{"name":"nwgmn-hub-'$ID'","project_id":"'$PROJECT'","network_id":"'$2'","binding:host_id":"'${MN_HOST[$1]}'","fixed_ips":[{"subnet_id":"'$3'","ip_address":"'$4'"}],"binding:profile":{"wg_role":"hub"}}}') || return 1
	echo "$p" >>"$WORK/cleanup-ports"
	echo "$p"
}
mk_spoke() { # net hub pubkey -> port id
	local p
	p=$(mk port '{"port":{"name":"nwgmn-spoke-'$ID'","project_id":"'$PROJECT'","network_id":"'$1'","binding:profile":{"wg_role":"spoke","public_key":"'$3'","peers":["'$2'"]}}}') || return 1
	echo "$p" >>"$WORK/cleanup-ports"
	echo "$p"
}
add_subnet() { api PUT "/routers/$1/add_router_interface" "{\"subnet_id\":\"$2\"}" | jf port_id; }
add_port() { api PUT "/routers/$1/add_router_interface" "{\"port_id\":\"$2\"}" >/dev/null; code; }
router_hosts() { # router -> sorted hosts of its L3 agents
	api GET "/routers/$1/l3-agents" | $PY -c 'import json,sys
print(" ".join(sorted(a["host"] for a in json.load(sys.stdin).get("agents", []))))'
}
host_to_l3() { # node router
	api POST "/agents/$(agent_id "$1" neutron-l3-agent)/l3-routers" "{\"router_id\":\"$2\"}" >/dev/null
	code
}
vif() { api GET "/ports/$1" | jf "port.binding:vif_details.$2"; }
hub_realized() { [ -n "$(vif "$1" public_key)" ] && [ -n "$(vif "$1" listen_port)" ]; }
wg_of() { echo "wg-${1:0:11}"; }
qr_of() { echo "qr-${1:0:11}"; }
hub_pub() { nx "$1" wg show "$(wg_of "$2")" public-key 2>/dev/null; }
hub_lport() { nx "$1" wg show "$(wg_of "$2")" listen-port 2>/dev/null; }
hub_hs() { nx "$1" wg show "$(wg_of "$2")" latest-handshakes 2>/dev/null | awk '{print $2; exit}'; }
attached() { # node router hub ip
	rns_has_addr "$1" "$2" "$3" "$4" && link_up_in "$1" "qrouter-$2" "$(qr_of "$3")"
}
in_home() { nx "$1" ip -n "tun-$PROJECT" link show "$(wg_of "$2")" >/dev/null 2>&1; }
router_state() { api PUT "/routers/$1" '{"router":{"admin_state_up":'"$2"'}}' >/dev/null; }
dev_ping() { ip netns exec "$DEV_NS" ping -c1 -W1 "$1"; }
vm_ping() { ip netns exec "$VM_NS" ping -c1 -W1 "$1"; }
# avg RTT (ms) of 10 pings from namespace $1 to $2
rtt_avg() { ip netns exec "$1" ping -q -c10 -i0.2 -W1 "$2" 2>/dev/null | awk -F/ '/^rtt/{print $5}'; }

# A "VM" on a compute node, plugged the way os-vif does on OVS: an internal
# port on the node's br-int with iface-id/attached-mac/iface-status, moved
# into the VM namespace (a named netns of the host), MAC and IP of the port.
create_vm() { # node net subnet-gw -> sets VM_PORT VM_IP
	local n=$1 mac tap
	VM_PORT=$(mk port '{"port":{"name":"nwgmn-vm-'$ID'","project_id":"'$PROJECT'","network_id":"'$2'","device_owner":"compute:nova","device_id":"'"$(cat /proc/sys/kernel/random/uuid)"'","binding:host_id":"'${MN_HOST[$n]}'","port_security_enabled":false}}') || return 1
	PORTS+=("$VM_PORT")
	api GET "/ports/$VM_PORT" >"$WORK/vmport.json"
	mac=$(jf port.mac_address <"$WORK/vmport.json")
	VM_IP=$(jf port.fixed_ips.0.ip_address <"$WORK/vmport.json")
	tap=tap${VM_PORT:0:11}
	ip netns add "$VM_NS" || return 1
	ip -n "$VM_NS" link set lo up
	nx "$n" ovs-vsctl --timeout=10 add-port br-int "$tap" -- set interface "$tap" type=internal \
		"external_ids:iface-id=$VM_PORT" "external_ids:attached-mac=$mac" \
		external_ids:iface-status=active || return 1
	wait_until 10 nn "$n" ip link show "$tap" || return 1
	nn "$n" ip link set "$tap" netns "$VM_NS" || return 1
	ip -n "$VM_NS" link set "$tap" address "$mac" mtu 1450 up
	ip -n "$VM_NS" addr add "$VM_IP/24" dev "$tap"
	ip -n "$VM_NS" route add default via "$3"
}

# The device: a host netns whose only link ("internet") ends in a network
# node; its own wireguard-go; its private key never leaves it.
# device_up NODE NS VETH IF TAG: files $WORK/TAG.key, TAG-wg.pid; sets
# DEV_PUB_NEW. The device is the node's "internet" address + 1.
device_up() {
	local n=$1 ns=$2 veth=$3 ifn=$4 tag=$5 ip=${MN_INET_IP[$1]}
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up
	ip link add "$veth" type veth peer name inet0 netns "$ns" || return 1
	ip link set "$veth" netns "${MN_HOLDER[$n]}"
	nx "$n" ip addr add "$ip/30" dev "$veth"
	nx "$n" ip link set "$veth" up
	ip -n "$ns" addr add "${ip%.*}.$((${ip##*.} + 1))/30" dev inet0
	ip -n "$ns" link set inet0 up
	ip -n "$ns" route add default via "$ip"
	DEV_PUB_NEW=$(dev_genkey "$ns" "$WORK/$tag.key") || return 1
	dev_wg_start "$ns" "$ifn" "$WORK/logs/$tag-wg.log" "$WORK/$tag-wg.pid"
}
create_device() { # node
	device_up "$1" "$DEV_NS" "$DEV_VETH" "$DEV_IF" dev || return 1
	DEV_PUB=$DEV_PUB_NEW
}
# render_to SPOKE NS IF TAG: the CLI renders the spoke's config with the
# device's own key file; the device applies it.
render_to() {
	"$CLI_BIN" render --neutron "$OS_ENDPOINT" --port "$1" \
		--private-key-file "$WORK/$4.key" >"$WORK/$4.conf" 2>"$WORK/logs/render-$4.err" || return 1
	dev_wg_apply "$2" "$3" "$WORK/$4.conf"
}
render_device() { # spoke
	render_to "$1" "$DEV_NS" "$DEV_IF" dev
}
render_routes() { render_device "$1" && grep -q "$2" "$WORK/dev.conf"; }

# ---------------------------------------------------------------- phase: ovs
# check-l3's behaviours on ML2/OVS, the VM on another node than the hub.
phase_ovs() {
	local t0 rp k1 p1 hs1 dip hub2 net2 sub2 kind r rtt
	log "phase ovs: topology (router hosted on net1, VM on cmp1)"
	read -r NET_VM SUB_VM <<<"$(mk_net "nwgmn-vm-$ID" 10.201.1.0/24 10.201.1.1)"
	read -r NET_H SUB_H <<<"$(mk_net "nwgmn-hub-$ID" 10.201.2.0/24 null)"
	[ -n "${SUB_H:-}" ] || { not_ok "networks"; return 1; }
	ROUTER=$(mk_router "nwgmn-r-$ID") || { not_ok "router"; return 1; }
	expect_eq "router put on net1's L3 agent" 201 "$(host_to_l3 net1 "$ROUTER")"
	t0=$(now)
	rp=$(add_subnet "$ROUTER" "$SUB_VM")
	if wait_until 40 rns_has_addr net1 "$ROUTER" "$rp" 10.201.1.1; then
		ok "net1: router port $(qr_of "$rp") addressed in qrouter-$ROUTER after $(ms "$t0" "$(now)") ms"
	else
		not_ok "net1: router port addressed in qrouter-$ROUTER"
		return 1
	fi
	check "router port is an OVS internal port on net1's br-int (wireguard_openvswitch)" \
		nx net1 ovs-vsctl port-to-br "$(qr_of "$rp")"
	check "router port ACTIVE" wait_until 30 status_is "$rp" ACTIVE
	create_vm cmp1 "$NET_VM" 10.201.1.1 || { not_ok "VM on cmp1 wired"; return 1; }
	check "VM port on cmp1 ACTIVE" wait_until 40 status_is "$VM_PORT" ACTIVE
	check "VM (cmp1) pings its router (net1) over VXLAN" wait_until 30 vm_ping 10.201.1.1
	check "cmp1 <-> net1 traffic uses the userspace VXLAN tunnel (tnl_push in cmp1's datapath)" \
		bash -c "nsenter --target ${MN_HOLDER[cmp1]} --mount --net ovs-appctl dpctl/dump-flows | grep -q tnl_push"

	log "phase ovs: hub on net1, device, router add port"
	create_device net1 || { not_ok "device namespace"; return 1; }
	HUB1=$(mk_hub net1 "$NET_H" "$SUB_H" 10.201.2.1) || { not_ok "hub port"; return 1; }
	check "hub realized on net1" wait_until 30 hub_realized "$HUB1"
	k1=$(hub_pub net1 "$HUB1") p1=$(hub_lport net1 "$HUB1")
	check "hub's link lives in net1's tun-$PROJECT" in_home net1 "$HUB1"
	expect_eq "hub key in Neutron = the link's key" "$k1" "$(vif "$HUB1" public_key)"
	SPOKE=$(mk_spoke "$NET_H" "$HUB1" "$DEV_PUB") || { not_ok "spoke"; return 1; }
	dip=$(api GET "/ports/$SPOKE" | jf port.fixed_ips.0.ip_address)
	check "device config rendered and applied" wait_until 30 render_device "$SPOKE"
	t0=$(now)
	expect_eq "router add port (hub) HTTP" 200 "$(add_port "$ROUTER" "$HUB1")"
	if wait_until 30 attached net1 "$ROUTER" "$HUB1" 10.201.2.1; then
		ok "hub is $(qr_of "$HUB1") in net1's qrouter-$ROUTER after $(ms "$t0" "$(now)") ms"
	else
		not_ok "hub attached in net1's router namespace"
	fi
	check "hub link is the WireGuard TUN (not an OVS port)" bash -c \
		"nsenter --target ${MN_HOLDER[net1]} --mount --net ip -n qrouter-$ROUTER -d link show $(qr_of "$HUB1") | grep -q 'tun type tun' && ! nsenter --target ${MN_HOLDER[net1]} --mount --net ovs-vsctl port-to-br $(qr_of "$HUB1")"
	expect_eq "key unchanged by attach" "$k1" "$(hub_pub net1 "$HUB1")"
	expect_eq "listen port unchanged by attach" "$p1" "$(hub_lport net1 "$HUB1")"
	expect_eq "hub MTU on the 1450-MTU vxlan network" 1420 \
		"$(nx net1 ip -n "qrouter-$ROUTER" -o link show "$(qr_of "$HUB1")" | grep -o 'mtu [0-9]*' | cut -d' ' -f2)"
	check "routed hub ACTIVE" wait_until 20 status_is "$HUB1" ACTIVE
	expect_eq "hub still bound to net1" "${MN_HOST[net1]}" "$(api GET "/ports/$HUB1" | jf port.binding:host_id)"
	expect_eq "hub still bound as wireguard" wireguard "$(api GET "/ports/$HUB1" | jf port.binding:vif_type)"

	log "phase ovs: device <-> VM across nodes"
	check "rendered config routes the VM subnet" wait_until 20 render_routes "$SPOKE" 10.201.1.0/24
	check "device pings the hub address" wait_until 15 dev_ping 10.201.2.1
	check "device pings the VM on cmp1 ($VM_IP)" wait_until 15 dev_ping "$VM_IP"
	check "VM on cmp1 pings the device ($dip)" wait_until 10 vm_ping "$dip"
	rtt=$(rtt_avg "$DEV_NS" "$VM_IP")
	log "device -> VM across nodes: avg RTT ${rtt:-?} ms (10 pings)"
	echo "device_vm_rtt_ms=${rtt:-?}" >>"$WORK/measurements"
	check "VM: DF ping of 1392 bytes reaches the device" ip netns exec "$VM_NS" ping -M "do" -s 1392 -c1 -W2 "$dip"
	check "VM: DF ping of 1393 bytes gets 'fragmentation needed' (mtu 1420)" bash -c \
		"ip netns exec $VM_NS ping -M do -s 1393 -c2 -W2 $dip 2>&1 | grep -Eqi 'frag needed.*1420|message too long.*1420'"

	log "phase ovs: L3 agent restart with the hub attached"
	hs1=$(hub_hs net1 "$HUB1")
	stop_agent net1 l3-agent
	node_l3_agent net1 || { not_ok "net1 L3 agent restarted"; return 1; }
	check "L3 agent processed the router again (hub already attached)" wait_until 60 \
		grep -q "already attached" "$WORK/logs/net1-l3-agent.log"
	check "hub still attached after the L3 agent restart" attached net1 "$ROUTER" "$HUB1" 10.201.2.1
	check "device still pings the VM" wait_until 10 dev_ping "$VM_IP"
	expect_eq "session survived the L3 agent restart" "$hs1" "$(hub_hs net1 "$HUB1")"

	log "phase ovs: L3 agent stopped, router disabled, L3 agent started"
	stop_agent net1 l3-agent
	router_state "$ROUTER" false
	node_l3_agent net1 || { not_ok "net1 L3 agent started"; return 1; }
	check "the L3 agent's clean-up parked the hub in tun-$PROJECT (OVS unplug became a detach)" \
		wait_until 60 in_home net1 "$HUB1"
	check "L3 log: unplug became a detach" grep -q "parking it instead of deleting it" "$WORK/logs/net1-l3-agent.log"
	expect_eq "parked hub: key unchanged" "$k1" "$(hub_pub net1 "$HUB1")"
	expect_eq "parked hub: listen port unchanged" "$p1" "$(hub_lport net1 "$HUB1")"
	check "disabled router: hub DOWN" wait_until 20 status_is "$HUB1" DOWN
	router_state "$ROUTER" true
	check "re-enabled router: hub attached again" wait_until 40 attached net1 "$ROUTER" "$HUB1" 10.201.2.1
	check "re-enabled router: device pings the VM on cmp1" wait_until 20 dev_ping "$VM_IP"

	log "phase ovs: HA / distributed routers refuse hubs; remove port leaves nothing"
	read -r net2 sub2 <<<"$(mk_net "nwgmn-hub2-$ID" 10.201.4.0/24 null)"
	hub2=$(mk_hub net1 "$net2" "$sub2" 10.201.4.1) || { not_ok "second hub port"; return 1; }
	check "second hub realized" wait_until 30 hub_realized "$hub2"
	for kind in ha distributed; do
		r=$(mk router '{"router":{"name":"nwgmn-'$kind'-'$ID'","project_id":"'$PROJECT'","'$kind'":true}}') ||
			{ not_ok "$kind router created"; continue; }
		if [ "$(add_port "$r" "$hub2")" = 409 ] && grep -q "legacy router" "$WORK/last_body"; then
			ok "hub refused on a $kind router (409)"
		else
			not_ok "hub refused on a $kind router: HTTP $(code) $(cat "$WORK/last_body")"
		fi
		api DELETE "/routers/$r" >/dev/null
	done
	expect_eq "second hub: router add port" 200 "$(add_port "$ROUTER" "$hub2")"
	check "second hub attached" wait_until 30 attached net1 "$ROUTER" "$hub2" 10.201.4.1
	api PUT "/routers/$ROUTER/remove_router_interface" "{\"port_id\":\"$hub2\"}" >/dev/null
	expect_eq "router remove port (hub)" 200 "$(code)"
	check "nothing left on net1: no link, no repository file, no UAPI socket" wait_until 20 bash -c \
		"! nsenter --target ${MN_HOLDER[net1]} --mount --net ip -n qrouter-$ROUTER link show $(qr_of "$hub2") &&
		 ! nsenter --target ${MN_HOLDER[net1]} --mount --net ip -n tun-$PROJECT link show $(wg_of "$hub2") &&
		 [ ! -e $(node_dir net1)/repo/$hub2.conf ] &&
		 ! nsenter --target ${MN_HOLDER[net1]} --mount --net ls /run/wireguard | grep -q ${hub2:0:11}"
	check "first hub still routes" wait_until 10 dev_ping "$VM_IP"
}

# ---------------------------------------------------------------- phase: multinode
l3_of() { agent_id "$1" neutron-l3-agent; }
agent_alive() { [ "$(agent_row "$1" "$2" alive)" = "$3" ]; }
unhost() { api DELETE "/agents/$(l3_of "$1")/l3-routers/$2" >/dev/null; code; }
hub_host() { api GET "/ports/$1" | jf port.binding:host_id; }
msg_has() { grep -q "$1" "$WORK/last_body"; }
hubs_realized() {
	local h
	for h; do hub_realized "$h" || return 1; done
}

# Router placement follows the hub; what would move a hub is refused.
phase_placement() {
	local np sp nq sq nr sr hp hq hr kp pp r2 r3 r4 t0
	log "phase multinode: an unscheduled router lands on its hub's node"
	read -r np sp <<<"$(mk_net "nwgmn-p-$ID" 10.201.6.0/24 null)"
	read -r nq sq <<<"$(mk_net "nwgmn-q-$ID" 10.201.7.0/24 null)"
	read -r nr sr <<<"$(mk_net "nwgmn-s-$ID" 10.201.8.0/24 null)"
	[ -n "${sr:-}" ] || { not_ok "placement networks"; return 1; }
	hp=$(mk_hub net2 "$np" "$sp" 10.201.6.1) || { not_ok "hub on net2"; return 1; }
	hq=$(mk_hub net1 "$nq" "$sq" 10.201.7.1) || { not_ok "hub on net1"; return 1; }
	hr=$(mk_hub net2 "$nr" "$sr" 10.201.8.1) || { not_ok "second hub on net2"; return 1; }
	check "hubs realized on net2 and net1" wait_until 30 hubs_realized "$hp" "$hq" "$hr"
	kp=$(hub_pub net2 "$hp") pp=$(hub_lport net2 "$hp")
	r2=$(mk_router "nwgmn-r2-$ID") || { not_ok "router"; return 1; }
	r3=$(mk_router "nwgmn-r3-$ID") || { not_ok "router"; return 1; }
	expect_eq "new router is unscheduled" "" "$(router_hosts "$r2")"
	t0=$(now)
	expect_eq "router add port (hub on net2)" 200 "$(add_port "$r2" "$hp")"
	expect_eq "router placed on the hub's node" "${MN_HOST[net2]}" "$(router_hosts "$r2")"
	if wait_until 40 attached net2 "$r2" "$hp" 10.201.6.1; then
		ok "hub attached in net2's qrouter-$r2 after $(ms "$t0" "$(now)") ms"
	else
		not_ok "hub attached in net2's router namespace"
	fi
	expect_eq "hub still bound to net2" "${MN_HOST[net2]}" "$(hub_host "$hp")"
	expect_eq "key unchanged" "$kp" "$(hub_pub net2 "$hp")"
	check "server log: router placed with its hub" grep -q "Router $r2 placed on the L3 agent of ${MN_HOST[net2]}" "$NEUTRON_LOG"
	expect_eq "router add port (hub on net1)" 200 "$(add_port "$r3" "$hq")"
	expect_eq "the other router placed on net1, its hub's node" "${MN_HOST[net1]}" "$(router_hosts "$r3")"
	check "hub attached in net1's qrouter-$r3" wait_until 40 attached net1 "$r3" "$hq" 10.201.7.1

	log "phase multinode: refusals"
	if [ "$(add_port "$r3" "$hr")" = 409 ] && msg_has "cannot move between nodes"; then
		ok "hub of net2 on a router hosted on net1: 409 ($(jf NeutronError.message <"$WORK/last_body" | cut -c1-90)...)"
	else
		not_ok "hub of net2 on a router hosted on net1 refused: $(code) $(cat "$WORK/last_body")"
	fi
	api PUT "/agents/$(l3_of net2)" '{"agent":{"admin_state_up":false}}' >/dev/null
	r4=$(mk_router "nwgmn-r4-$ID") || { not_ok "router"; return 1; }
	if [ "$(add_port "$r4" "$hr")" = 409 ] && msg_has "runs no live, enabled L3 agent"; then
		ok "hub of a node without a (enabled) L3 agent: 409 while another node has one"
	else
		not_ok "hub of a node without an enabled L3 agent refused: $(code) $(cat "$WORK/last_body")"
	fi
	expect_eq "refused router stays unscheduled" "" "$(router_hosts "$r4")"
	api PUT "/agents/$(l3_of net2)" '{"agent":{"admin_state_up":true}}' >/dev/null
	api PUT "/ports/$hp" '{"port":{"binding:host_id":"'${MN_HOST[net1]}'"}}' >/dev/null
	if [ "$(code)" = 409 ] && msg_has "cannot be re-bound"; then
		ok "re-binding a hub to another node: 409"
	else
		not_ok "re-binding a hub to another node refused: $(code) $(cat "$WORK/last_body")"
	fi
	expect_eq "hub still bound to net2" "${MN_HOST[net2]}" "$(hub_host "$hp")"

	log "phase multinode: l3-agent-router-remove/add of a router with a hub"
	expect_eq "router removed from net2's L3 agent" 204 "$(unhost net2 "$r2")"
	check "net2's L3 agent parked the hub in its tun namespace (same key)" wait_until 40 in_home net2 "$hp"
	expect_eq "parked hub: key unchanged" "$kp" "$(hub_pub net2 "$hp")"
	expect_eq "parked hub: listen port unchanged" "$pp" "$(hub_lport net2 "$hp")"
	if [ "$(host_to_l3 net1 "$r2")" = 409 ] && msg_has "cannot move between nodes"; then
		ok "l3-agent-router-add to net1 of a router with a hub of net2: 409 (HubAware scheduler)"
	else
		not_ok "l3-agent-router-add to another node refused: $(code) $(cat "$WORK/last_body")"
	fi
	expect_eq "hub still bound to net2" "${MN_HOST[net2]}" "$(hub_host "$hp")"
	expect_eq "l3-agent-router-add back to net2" 201 "$(host_to_l3 net2 "$r2")"
	check "hub attached again on net2" wait_until 40 attached net2 "$r2" "$hp" 10.201.6.1
	expect_eq "key unchanged after all that" "$kp" "$(hub_pub net2 "$hp")"
	PL_ROUTER=$r2 PL_HUB=$hp PL_KEY=$kp PL_PORT=$pp PL_NET=$np PL_HUB1=$hq
}

# A device behind net2's hub: its config is rendered once and never changes.
dev2_ping() { ip netns exec "$DEV2_NS" ping -c1 -W1 "$1"; }
device_behind_net2() {
	local spoke
	device_up net2 "$DEV2_NS" "$DEV2_VETH" "$DEV2_IF" dev2 || return 1
	spoke=$(mk_spoke "$PL_NET" "$PL_HUB" "$DEV_PUB_NEW") || return 1
	wait_until 30 render_to "$spoke" "$DEV2_NS" "$DEV2_IF" dev2
}
# kill_node NODE: every agent of the node dies at once (SIGKILL), as in a
# crash (the hubs' wireguard-go processes survive: see doc/topology.md).
kill_node() {
	local p
	for p in wireguard-agent l3-agent ovs-agent; do kill -KILL "$(agent_pid "$1" "$p")" 2>/dev/null; done
}

# Node loss: net2 crashes and comes back, then net1 crashes.
phase_node_loss() {
	local t0
	[ -n "${PL_HUB:-}" ] || { not_ok "node loss: needs the placement phase"; return 1; }
	check "device behind net2's hub set up (config rendered once)" device_behind_net2
	check "device behind net2's hub pings it" wait_until 20 dev2_ping 10.201.6.1
	check "net2's hub ACTIVE before the loss" wait_until 30 status_is "$PL_HUB" ACTIVE
	check "net1's hub ACTIVE before the loss" wait_until 30 status_is "$PL_HUB1" ACTIVE
	log "phase multinode: net2 loses all its agents"
	t0=$(now)
	kill_node net2
	check "Neutron shows net2's WireGuard agent dead" wait_until 60 agent_alive net2 neutron-wireguard-agent False
	log "WireGuard agent of net2 shown dead $(ms "$t0" "$(now)") ms after the kill"
	if wait_until 60 status_is "$PL_HUB" DOWN; then
		ok "net2's hub port DOWN $(ms "$t0" "$(now)") ms after the kill (agent_down_time 15 s)"
		echo "hub_down_after_kill_ms=$(ms "$t0" "$(now)")" >>"$WORK/measurements"
	else
		not_ok "net2's hub port DOWN within 60 s of the kill (status $(port_status "$PL_HUB"))"
	fi
	check "server log: hub DOWN because net2's WireGuard agent is dead" \
		grep -q "WireGuard agent on ${MN_HOST[net2]} is dead.*$PL_HUB" "$NEUTRON_LOG"
	expect_eq "net1's hub stays ACTIVE" ACTIVE "$(port_status "$PL_HUB1")"
	if [ -n "${VM_IP:-}" ]; then
		check "devices of net1's hub keep working (device pings the VM on cmp1)" wait_until 10 dev_ping "$VM_IP"
	fi
	expect_eq "net2's hub keeps its binding (never moved)" "${MN_HOST[net2]}" "$(hub_host "$PL_HUB")"
	expect_eq "net2's router not rescheduled" "${MN_HOST[net2]}" "$(router_hosts "$PL_ROUTER")"
	# allow_automatic_l3agent_failover: Neutron tries to move the router
	# (agent dead for 2 x agent_down_time); no node but the hub's qualifies
	if wait_until 120 grep -q "Rescheduling router $PL_ROUTER from agent" "$NEUTRON_LOG"; then
		ok "Neutron tried to move net2's router off its dead L3 agent after $(ms "$t0" "$(now)") ms (failover on)"
		check "server log: that rescheduling failed (no node but the hub's qualifies)" \
			wait_until 20 grep -q "Failed to reschedule router $PL_ROUTER" "$NEUTRON_LOG"
	else
		not_ok "Neutron tried to move net2's router within 120 s (allow_automatic_l3agent_failover)"
	fi
	expect_eq "net2's router still on net2 after the failover attempt" "${MN_HOST[net2]}" "$(router_hosts "$PL_ROUTER")"
	expect_eq "net2's hub still bound to net2 after the failover attempt" "${MN_HOST[net2]}" "$(hub_host "$PL_HUB")"
	log "phase multinode: net2 comes back"
	t0=$(now)
	if ! { node_ovs_agent net2 && node_l3_agent net2 && node_wg_agent net2; }; then
		not_ok "net2 agents restarted"
		return 1
	fi
	ok "net2's agents alive again after $(ms "$t0" "$(now)") ms"
	t0=$(now)
	check "net2's hub attached again in its router" wait_until 60 attached net2 "$PL_ROUTER" "$PL_HUB" 10.201.6.1
	expect_eq "same key after the node returned" "$PL_KEY" "$(hub_pub net2 "$PL_HUB")"
	expect_eq "same listen port after the node returned" "$PL_PORT" "$(hub_lport net2 "$PL_HUB")"
	if wait_until 60 status_is "$PL_HUB" ACTIVE; then
		ok "net2's hub port ACTIVE again $(ms "$t0" "$(now)") ms after its WireGuard agent was alive"
	else
		not_ok "net2's hub port ACTIVE again (status $(port_status "$PL_HUB"))"
	fi
	check "device behind net2's hub reconnects with its config unchanged" wait_until 30 dev2_ping 10.201.6.1

	log "phase multinode: net1 loses all its agents"
	t0=$(now)
	kill_node net1
	check "Neutron shows net1's WireGuard agent dead" wait_until 60 agent_alive net1 neutron-wireguard-agent False
	if wait_until 60 status_is "$PL_HUB1" DOWN; then
		ok "net1's hub port DOWN $(ms "$t0" "$(now)") ms after the kill"
	else
		not_ok "net1's hub port DOWN within 60 s of the kill (status $(port_status "$PL_HUB1"))"
	fi
	expect_eq "net2's hub stays ACTIVE" ACTIVE "$(port_status "$PL_HUB")"
	check "devices of net2's hub keep working (device pings its hub on net2)" wait_until 10 dev2_ping 10.201.6.1
}

phase_multinode() {
	phase_placement && phase_node_loss
}

# ---------------------------------------------------------------- phase: ha
# An HA hub (doc/ha.md) built by two real agents: net1's (primary: the hub's
# bound host) makes the key and seals it to net2's enrollment key; net2's
# builds the standby copy from that envelope. Not on a router (409).
peer_ep() { # node hub pubkey -> that peer's endpoint as `wg show` says it
	nx "$1" wg show "$(wg_of "$2")" endpoints 2>/dev/null | awk -v k="$3" '$1 == k {print $2}'
}
ha_states() { # hub -> "host=state host=state" (the wireguard attribute)
	api GET "/ports/$1" | $PY -c 'import json,sys
ha = (json.load(sys.stdin)["port"].get("wireguard") or {}).get("ha") or {}
print(" ".join("%s=%s" % (h, s) for h, s in sorted((ha.get("states") or {}).items())))'
}
ha_states_are() { [ "$(ha_states "$1")" = "$2" ]; }
both_same_key() { # hub
	local a
	a=$(hub_pub net1 "$1")
	[ -n "$a" ] && [ "$a" = "$(hub_pub net2 "$1")" ]
}
has_peer() { nx "$1" wg show "$(wg_of "$2")" peers 2>/dev/null | grep -qx -- "$3"; }
no_copy() { # node hub: no link, no record, no UAPI socket
	! nx "$1" ip -n "tun-$PROJECT" link show "$(wg_of "$2")" >/dev/null 2>&1 &&
		[ ! -e "$(node_dir "$1")/repo/$2.conf" ] &&
		! nx "$1" ls /run/wireguard 2>/dev/null | grep -q "${2:0:11}"
}
no_copies() { no_copy net1 "$1" && no_copy net2 "$1"; }
db_sql() { # SQL on the instance's database -> tab-separated rows
	local db
	db=$(awk -F/ '/^connection *=/{print $NF}' "$NEUTRON_CONF" | cut -d'?' -f1)
	mariadb --socket=/run/mysqld/mysqld.sock -N -B "$db" -e "$1"
}
db_dump() {
	local db
	db=$(awk -F/ '/^connection *=/{print $NF}' "$NEUTRON_CONF" | cut -d'?' -f1)
	mariadb-dump --socket=/run/mysqld/mysqld.sock --skip-comments "$db"
}

phase_ha() {
	local net sub hub h1=${MN_HOST[net1]} h2=${MN_HOST[net2]} k1 p1 spoke skey env priv out t0
	log "phase ha: an HA hub on net1 (primary) and net2 (standby)"
	read -r net sub <<<"$(mk_net "nwgmn-ha-$ID" 10.201.9.0/24 null)"
	[ -n "${sub:-}" ] || { not_ok "HA network"; return 1; }
	t0=$(now)
	hub=$(mk port '{"port":{"name":"nwgmn-hahub-'$ID'","project_id":"'$PROJECT'","network_id":"'$net'","binding:host_id":"'$h1'","fixed_ips":[{"subnet_id":"'$sub'","ip_address":"10.201.9.1"}],"binding:profile":{"wg_role":"hub","wireguard_ha":{"hosts":["'$h1'","'$h2'"]}}}}') ||
		{ not_ok "HA hub port created (admin)"; return 1; }
	echo "$hub" >>"$WORK/cleanup-ports"
	check "HA hub realized by net1 (the primary)" wait_until 60 hub_realized "$hub"
	if wait_until 60 both_same_key "$hub"; then
		ok "net2's agent built the standby copy with net1's key $(ms "$t0" "$(now)") ms after the port was created"
	else
		not_ok "net2 holds the same hub key as net1 (net1 '$(hub_pub net1 "$hub")', net2 '$(hub_pub net2 "$hub")')"
	fi
	k1=$(hub_pub net1 "$hub") p1=$(hub_lport net1 "$hub")
	expect_eq "Neutron's public key is net1's" "$k1" "$(vif "$hub" public_key)"
	expect_eq "same listen port on both nodes" "$p1" "$(hub_lport net2 "$hub")"
	expect_eq "Neutron's listen port is that one" "$p1" "$(vif "$hub" listen_port)"
	check "net2's agent log: standby copy from the sealed key" \
		grep -q "hub $hub project $PROJECT: created .*HA standby copy from the primary's sealed key" "$WORK/logs/net2-wireguard-agent.out" "$WORK/logs/net2-wireguard-agent.log"
	check "Neutron shows both states ($h1=active $h2=standby)" wait_until 30 ha_states_are "$hub" "$h1=active $h2=standby"

	log "phase ha: a spoke added appears on both; the standby has no endpoint"
	skey=$(wg genkey | wg pubkey)
	spoke=$(mk port '{"port":{"name":"nwgmn-haspoke-'$ID'","project_id":"'$PROJECT'","network_id":"'$net'","binding:profile":{"wg_role":"spoke","public_key":"'$skey'","endpoint":"192.0.2.9:51000","persistent_keepalive":25,"peers":["'$hub'"]}}}') ||
		{ not_ok "spoke created"; return 1; }
	echo "$spoke" >>"$WORK/cleanup-ports"
	check "spoke on net1's hub" wait_until 30 has_peer net1 "$hub" "$skey"
	check "spoke on net2's standby copy" wait_until 30 has_peer net2 "$hub" "$skey"
	expect_eq "net1: the spoke's endpoint" 192.0.2.9:51000 "$(peer_ep net1 "$hub" "$skey")"
	expect_eq "net2 (standby): no endpoint" "(none)" "$(peer_ep net2 "$hub" "$skey")"
	expect_eq "net2 (standby): no keepalive" off \
		"$(nx net2 wg show "$(wg_of "$hub")" persistent-keepalive | awk -v k="$skey" '$1 == k {print $2}')"
	expect_eq "net2's record: 0600" 600 "$(stat -c %a "$(node_dir net2)/repo/$hub.conf" 2>/dev/null)"
	# (a record is $hub.conf and, after small peer changes, its journal $hub.journal)
	check "net2's record: the spoke without endpoint (a restart restores none)" bash -c \
		"cat $(node_dir net2)/repo/$hub.* | grep -q 'PublicKey = $skey' && ! cat $(node_dir net2)/repo/$hub.* | grep -q '^Endpoint'"
	check "net1's record: the spoke with its endpoint" bash -c \
		"cat $(node_dir net1)/repo/$hub.* | grep -q '^Endpoint = 192.0.2.9:51000'"
	# spoke health (update_device_list) is the primary's: the standby's
	# peers never handshake, its "stale" would be noise
	if wait_until 30 grep -q "spoke $spoke: \(ACTIVE\|DOWN\) (handshake" "$WORK/logs/net1-wireguard-agent.log"; then
		ok "net1 reported the spoke's health"
		sleep 11 # (one more health_interval: net2 had a pass with the spoke too)
		check "net2 (standby) reported no health for it" bash -c \
			"! grep -q 'spoke $spoke: \(ACTIVE\|DOWN\) (handshake' $WORK/logs/net2-wireguard-agent.log"
	else
		not_ok "net1 reported the spoke's health within 30 s"
	fi

	log "phase ha: Neutron holds only ciphertext"
	env=$(db_sql "SELECT envelope FROM wireguard_ha_hosts WHERE port_id='$hub' AND host='$h2'")
	expect_eq "MariaDB: an envelope on net2's row (176 chars)" 176 "${#env}"
	priv=$(nx net1 wg show "$(wg_of "$hub")" private-key)
	out=$WORK/ha-unsealed.key
	rm -f "$out"
	if printf '%s' "$env" | "$CLI_BIN" ha unseal --port-id "$hub" --key "$(node_dir net2)/repo/enroll.key" --out "$out" 2>>"$WORK/check.log" &&
		[ -n "$priv" ] && [ "$(cat "$out")" = "$priv" ]; then
		ok "the envelope opens with net2's enrollment key only, to net1's hub key"
	else
		not_ok "the envelope opens with net2's enrollment key to net1's hub key"
	fi
	rm -f "$out"
	if printf '%s' "$env" | "$CLI_BIN" ha unseal --port-id "$hub" --key "$(node_dir net1)/repo/enroll.key" --out "$out" 2>>"$WORK/check.log"; then
		not_ok "net1's enrollment key must not open net2's envelope"
	else
		ok "net1's enrollment key does not open it"
	fi
	rm -f "$out"
	if [ -n "$priv" ] && db_dump >"$WORK/db.dump" 2>>"$WORK/check.log" && [ -s "$WORK/db.dump" ] &&
		grep -qF "$env" "$WORK/db.dump" && ! grep -qF "$priv" "$WORK/db.dump"; then
		ok "MariaDB (whole database dump): the envelope, never the hub's private key"
	else
		not_ok "MariaDB holds the envelope and not the private key"
	fi
	rm -f "$WORK/db.dump"
	check "agents' logs: the hub's private key in none" bash -c "! grep -qF -- '$priv' $WORK/logs/net1-wireguard-agent.* $WORK/logs/net2-wireguard-agent.*"
	priv=""

	log "phase ha: removing the HA marking removes net2's copy; deleting the port, net1's"
	api PUT "/ports/$hub" '{"port":{"binding:profile":{"wg_role":"hub"}}}' >/dev/null
	expect_eq "HA marking removed (admin)" 200 "$(code)"
	check "net2's copy removed (link, record, UAPI socket)" wait_until 40 no_copy net2 "$hub"
	expect_eq "net1 keeps the hub, same key" "$k1" "$(hub_pub net1 "$hub")"
	api DELETE "/ports/$spoke" >/dev/null
	api DELETE "/ports/$hub" >/dev/null
	expect_eq "HA hub port deleted" 204 "$(code)"
	check "net1's hub removed (link, record, UAPI socket)" wait_until 40 no_copy net1 "$hub"
	hub=$(mk port '{"port":{"name":"nwgmn-hahub2-'$ID'","project_id":"'$PROJECT'","network_id":"'$net'","binding:host_id":"'$h1'","fixed_ips":[{"subnet_id":"'$sub'","ip_address":"10.201.9.2"}],"binding:profile":{"wg_role":"hub","wireguard_ha":{"hosts":["'$h1'","'$h2'"]}}}}') ||
		{ not_ok "second HA hub port created"; return 1; }
	echo "$hub" >>"$WORK/cleanup-ports"
	check "second HA hub: the same key on both nodes" wait_until 60 both_same_key "$hub"
	api DELETE "/ports/$hub" >/dev/null
	expect_eq "second HA hub port deleted (still marked HA)" 204 "$(code)"
	check "both copies removed (net1 and net2)" wait_until 40 no_copies "$hub"
}

# ---------------------------------------------------------------- main
# (one function, so that bash has parsed all of it before it runs)
main() {
	log "instance $NWG_INSTANCE, port $NEUTRON_PORT, phases: $PHASES, work $WORK"
	if [ ! -x "$CLI_BIN" ] || [ ! -x "$HERE/build/rel/bin/neutron-wireguard-agent" ]; then
		echo "multinode: build first (make)"
		exit 1
	fi
	for b in ovs-vswitchd ovsdb-server ethtool socat nsenter keepalived; do
		command -v "$b" >/dev/null || { echo "multinode: $b missing (scripts/install-deps.sh all)"; exit 1; }
	done
	t0=$(now)
	start_harness || { not_ok "neutron-server (harness $NWG_INSTANCE)"; exit 1; }
	bring_up_nodes || exit 1
	log "set-up (harness + nodes + agents): $(ms "$t0" "$(now)") ms"
	echo "setup_ms=$(ms "$t0" "$(now)")" >>"$WORK/measurements"
	if want_phase ovs; then
		t0=$(now)
		phase_ovs
		log "phase ovs: $(ms "$t0" "$(now)") ms"
	fi
	if want_phase ha; then
		t0=$(now)
		phase_ha
		log "phase ha: $(ms "$t0" "$(now)") ms"
	fi
	if want_phase ha-failover; then
		t0=$(now)
		phase_ha_failover
		log "phase ha-failover: $(ms "$t0" "$(now)") ms"
	fi
	if want_phase ha-bench; then
		t0=$(now)
		phase_ha_bench
		log "phase ha-bench: $(ms "$t0" "$(now)") ms"
	fi
	if want_phase multinode && declare -f phase_multinode >/dev/null; then
		t0=$(now)
		phase_multinode
		log "phase multinode: $(ms "$t0" "$(now)") ms"
	fi
	for n in "${MN_NODES[@]}"; do
		check "$n: no ERROR or traceback from our code in the agents' logs" bash -c \
			"! grep -hE 'ERROR networking_wireguard|networking_wireguard/.*, line' $WORK/logs/$n-*.log"
	done
	cat "$WORK/measurements" 2>/dev/null
	[ $FAIL = 0 ]
}
main; exit
