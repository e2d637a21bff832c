#!/usr/bin/env bash
# make check-ovn: WireGuard hubs on ML2/OVN, on the real stack (doc/ovn.md).
#
# A private Open vSwitch (userspace datapath) and OVN (NB/SB, ovn-northd,
# ovn-controller) under this run's work dir; Debian's neutron-server through
# scripts/neutron-harness.sh with mechanism_drivers = wireguard,ovn and the
# ovn-router service plugin (NWG_EXTRA_CONF); neutron-wireguard-agent with
# [wireguard_ovn] integration_bridge; a "VM" namespace on one network, the
# hub on another, an OVN logical router between them; a device namespace
# running wireguard-go behind a veth "internet". A second chassis
# (tests/ovn/chassis2.sh, geneve between the chassis) hosts a second VM
# (phase-chassis2.sh) and is the router's gateway chassis (north-south,
# phase-north-south.sh); phase-ipv6.sh makes the networks dual-stack.
#
# Mechanism: the devices' addresses live on a device subnet of the hub's
# network that the router is not attached to; the hub port lists that subnet
# as an allowed address pair (OVN port security) and the router has an extra
# route for it via the hub. Everything through the Neutron API.
#
# Root only. Unique names ($$); the EXIT trap removes ports, router, networks,
# the agent row, namespaces, the OVS/OVN daemons (by pid file) and stops this
# instance's neutron-server (its OVN databases are gone), on every exit path.
# Env: NWG_INSTANCE/NEUTRON_PORT/NWG_HARNESS_ROOT (harness instance),
# OVN_KEEP=1 (leave everything up for debugging), NWG_AGENT_PRIVSEP=1 (the
# agent with privilege separation: the plug goes through its executor).
set -uo pipefail

HERE=$(cd "$(dirname "$0")/../.." && pwd)
cd "$HERE" || exit 1
[ "$(id -u)" = 0 ] || { echo "ovn: needs root, skipped"; exit 77; }
. scripts/device-lib.sh
. tests/ovn/ovn-env.sh
export PY
export -f api jget ovs_env nbctl sbctl vsctl

# own instance by default: the suite restarts neutron-server with ML2/OVN
export NWG_INSTANCE=${NWG_INSTANCE:-ovn}
export NEUTRON_PORT=${NEUTRON_PORT:-9761}
export NWG_SRC=${NWG_SRC:-$HERE}
HARNESS=$HERE/scripts/neutron-harness.sh
AGENT_BIN=$HERE/build/rel/bin/neutron-wireguard-agent
CLI_BIN=$HERE/build/rel/bin/neutron-wireguard
ID=$$
WORK=$(mktemp -d "/var/tmp/nwg-ovn.$NWG_INSTANCE.XXXXXX")
export OVN_D=$WORK/ovs OVN_HOST=nwgovn-$NWG_INSTANCE-$ID OVN_BR=obr$ID
export OVN_SB_SOCK=$OVN_D/run/ovnsb_db.sock
. tests/ovn/chassis2.sh
C2_OK=0
AGENT_HOST=$OVN_HOST
PROJECT=$(printf '%s' "nwgovn-$ID-$(date +%s%N)" | md5sum | cut -c1-32)
HUB_NS=tun-$PROJECT
VM_NS=nwgovnvm$ID DEV_NS=nwgovndv$ID DEV_VETH=novd$ID DEV_IF=wgovn$ID
VM_IF=ovm$ID
WGA_PID="" WGA_SOCK=$WORK/agent.sock
PASS=0 FAIL=0
T_START=$EPOCHREALTIME
mkdir -p "$WORK/etc" "$WORK/logs"
: >"$WORK/check.log"

now() { echo "$EPOCHREALTIME"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
log() { printf '[ovn %s] %s\n' "$(date +%T)" "$*"; }
ok() { PASS=$((PASS + 1)); printf 'ok %d - %s\n' "$((PASS + FAIL))" "$*"; }
not_ok() { FAIL=$((FAIL + 1)); printf 'not ok %d - %s\n' "$((PASS + FAIL))" "$*"; }
check() {
	local d=$1
	shift
	if "$@" >>"$WORK/check.log" 2>&1; then ok "$d"; else not_ok "$d"; fi
}
expect_eq() { if [ "$2" = "$3" ]; then ok "$1 ($3)"; else not_ok "$1: expected '$2', got '$3'"; fi; }
# wait_until SECONDS command...
wait_until() {
	local t=$1 end
	shift
	end=$(awk -v n="$(now)" -v t="$t" 'BEGIN { printf "%.3f", n + t }')
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		awk -v n="$(now)" -v e="$end" 'BEGIN { exit !(n > e) }' && return 1
		sleep 0.2
	done
}
pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
stop_pid() {
	local p=$1 i
	pid_alive "$p" || return 0
	kill -TERM "$p" 2>/dev/null
	for i in $(seq 1 $(($2 * 10))); do pid_alive "$p" || return 0; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
}
# mk KIND JSON -> id (remembered for cleanup in $WORK/created)
mk() {
	local id
	id=$(api POST "/$1s" "$2" | jget "d['$1']['id']") || { log "create $1 failed: $2"; return 1; }
	[ -n "$id" ] || return 1
	echo "$1 $id" >>"$WORK/created"
	echo "$id"
}
field() { api GET "/$1s/$2" | jget "d['$1']$3"; }
# api_code METHOD PATH [BODY] -> the HTTP status; the body in $WORK/last_body
api_code() {
	curl -s -o "$WORK/last_body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
		"$OS_ENDPOINT/v2.0$2" ${3:+-d "$3"}
}

# ---------------------------------------------------------------- cleanup
cleanup() {
	local rc=$? kind id left=""
	trap - EXIT INT TERM
	set +e
	if [ "${OVN_KEEP:-0}" = 1 ]; then
		log "OVN_KEEP=1: leaving everything up (work dir $WORK, agent $WGA_PID)"
		return
	fi
	log "cleanup"
	if [ -n "${ROUTER:-}" ]; then
		api PUT "/routers/$ROUTER" '{"router":{"routes":[],"external_gateway_info":{}}}' >/dev/null
		for id in ${ROUTER_SUBNETS:-}; do
			api PUT "/routers/$ROUTER/remove_router_interface" "{\"subnet_id\":\"$id\"}" >/dev/null
		done
	fi
	if [ -s "$WORK/created" ]; then
		for kind in port router subnet network; do
			tac "$WORK/created" | while read -r k id; do
				[ "$k" = "$kind" ] && api DELETE "/${k}s/$id" >/dev/null
			done
		done
	fi
	# the agent deletes the hubs of deleted ports, then their OVS ports (full sync)
	pid_alive "$WGA_PID" && wait_until 20 bash -c "! ls $WORK/repo/*.conf"
	stop_pid "$WGA_PID" 15
	for id in $(pgrep -f "$WORK/etc/wireguard_agent.ini"); do stop_pid "$id" 5; done # ours only
	for id in $(api GET "/agents?host=$AGENT_HOST" | jget '" ".join(a["id"] for a in d["agents"])'); do
		api DELETE "/agents/$id" >/dev/null
	done
	[ -s "$WORK/dev-wg.pid" ] && dev_wg_stop "$WORK/dev-wg.pid" "$DEV_IF" "$DEV_NS"
	chassis2_stop
	ovn_env_stop
	"$HARNESS" stop >>"$WORK/logs/harness.log" 2>&1
	for ns in "$VM_NS" "$DEV_NS" "$HUB_NS"; do ip netns del "$ns" 2>/dev/null; done
	ip link del "$DEV_VETH" 2>/dev/null
	for ns in "$VM_NS" "$DEV_NS" "$HUB_NS" "$C2_NS" "$VM2_NS" "$EXT_NS"; do ip netns list | grep -qw "$ns" && left="$left netns:$ns"; done
	pgrep -f "$C2_D/" >/dev/null && left="$left chassis2-daemons:$(pgrep -f "$C2_D/" | tr '\n' ' ')"
	pgrep -f "$OVN_D/" >/dev/null && left="$left ovs/ovn-daemons:$(pgrep -f "$OVN_D/" | tr '\n' ' ')"
	ip -o link show | grep -qE ": (wo-|$VM_IF|$DEV_VETH|$UL1|$PHY1)" && left="$left links:$(ip -o link show | grep -oE ": (wo-[^:@]*|$VM_IF|$DEV_VETH|$UL1|$PHY1)" | tr -d ': ' | tr '\n' ' ')"
	[ -n "$(api GET "/agents?host=$AGENT_HOST" | jget 'd["agents"]' 2>/dev/null | tr -d '[]')" ] && left="$left agent-rows"
	if [ -z "$left" ]; then ok "cleanup: no namespace, link, daemon or agent row left"; else not_ok "cleanup left:$left"; fi
	log "ovn: $PASS passed, $FAIL failed in $(ms "$T_START" "$(now)") ms (logs: $WORK/logs)"
	[ $FAIL = 0 ] && [ $rc = 0 ] && rm -rf "$WORK"
	[ $rc = 0 ] && [ $FAIL -gt 0 ] && rc=1
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- set-up
start_ovn() {
	local t
	t=$(now)
	if ! { ovs_start && underlay_up && ovn_central_start && ovn_controller_start; } >"$WORK/logs/ovs-start.log" 2>&1; then
		cat "$WORK/logs/ovs-start.log"
		return 1
	fi
	log "OVS + OVN up in $(ms "$t" "$(now)") ms (bridge $OVN_BR, chassis $OVN_HOST, encap $OVN_ENCAP_IP)"
	t=$(now)
	if chassis2_start >"$WORK/logs/chassis2-start.log" 2>&1; then
		C2_OK=1
		log "chassis 2 up in $(ms "$t" "$(now)") ms (netns $C2_NS, encap $UL_NET.2)"
	else
		cat "$WORK/logs/chassis2-start.log"
	fi
}

start_neutron() {
	local t
	t=$(now)
	cat >"$WORK/etc/ovn.conf" <<EOF
[DEFAULT]
service_plugins = ovn-router,wireguard
[ml2]
type_drivers = geneve,flat
tenant_network_types = geneve
mechanism_drivers = wireguard,ovn
extension_drivers = port_security,wireguard
overlay_ip_version = 4
[ml2_type_geneve]
vni_ranges = 1:65536
max_header_size = 38
[ovn]
ovn_nb_connection = unix:$OVN_D/run/ovnnb_db.sock
ovn_sb_connection = unix:$OVN_D/run/ovnsb_db.sock
ovn_l3_scheduler = leastloaded
ovn_metadata_enabled = false
neutron_sync_mode = log
EOF
	"$HARNESS" stop >"$WORK/logs/harness.log" 2>&1
	NWG_EXTRA_CONF=$WORK/etc/ovn.conf MECH_DRIVERS=wireguard,ovn "$HARNESS" start \
		>>"$WORK/logs/harness.log" 2>&1 || { tail -20 "$WORK/logs/harness.log"; return 1; }
	eval "$("$HARNESS" env)"
	export OS_ENDPOINT
	log "neutron-server (ML2/OVN) up in $(ms "$t" "$(now)") ms ($OS_ENDPOINT)"
}

setup_device() {
	local n b
	for n in $(seq 0 62); do
		b=$(((((ID + n) % 63) + 1) * 4))
		if net_free "203.0.113.$((b + 1))/30"; then
			NODE_IP=203.0.113.$((b + 1)) DEV_IP=203.0.113.$((b + 2))
			break
		fi
	done
	[ -n "${NODE_IP:-}" ] || return 1
	dev_create "$DEV_NS" "$DEV_VETH" "$NODE_IP/30" "$DEV_IP/30" "$NODE_IP" &&
		DEV_PUB=$(dev_genkey "$DEV_NS" "$WORK/dev.key") &&
		dev_wg_start "$DEV_NS" "$DEV_IF" "$WORK/logs/dev-wg.log" "$WORK/dev-wg.pid"
}

write_agent_config() {
	install -d -m 700 "$WORK/repo"
	cat >"$WORK/etc/wireguard_agent.ini" <<EOF
[DEFAULT]
host = $AGENT_HOST
transport_url = $TRANSPORT_URL
log_file = $WORK/logs/wireguard-agent.log
debug = true
[AGENT]
report_interval = 5
[wireguard]
WG_HUB_IP = $NODE_IP
backend = userspace
state_path = $WORK/repo
control_socket = $WGA_SOCK
listen_port_range = 53700:53799
resync_interval = 5
privsep = $([ "${NWG_AGENT_PRIVSEP:-1}" = 1 ] && echo true || echo false)
[wireguard_ovn]
integration_bridge = $OVN_BR
ovsdb_connection = unix:$OVN_D/run/db.sock
EOF
}
start_agent() {
	setsid "$AGENT_BIN" --config-file "$WORK/etc/wireguard_agent.ini" \
		>>"$WORK/logs/wireguard-agent.out" 2>&1 </dev/null &
	WGA_PID=$!
	agent_alive() {
		pid_alive "$WGA_PID" &&
			[ "$(api GET "/agents?host=$AGENT_HOST&binary=neutron-wireguard-agent" | jget 'd["agents"][0]["alive"]')" = True ]
	}
	wait_until 30 agent_alive
}

# A "VM": an OVS internal port on the integration bridge bound to a Neutron
# port (what os-vif does), moved into its own namespace.
plug_vm() { # port_id mac cidr gw
	vsctl add-port "$OVN_BR" "$VM_IF" -- set Interface "$VM_IF" type=internal \
		external_ids:iface-id="$1" external_ids:attached-mac="\"$2\"" \
		external_ids:iface-status=active &&
		ip netns add "$VM_NS" && ip -n "$VM_NS" link set lo up &&
		ip link set "$VM_IF" netns "$VM_NS" &&
		ip -n "$VM_NS" link set "$VM_IF" address "$2" mtu 1442 up &&
		ip -n "$VM_NS" addr add "$3" dev "$VM_IF" &&
		ip -n "$VM_NS" route add default via "$4"
}

lsp_up() { [ "$(nbctl get Logical_Switch_Port "$1" up 2>/dev/null)" = true ]; }
bound_on() { [ "$(sbctl --bare --columns=chassis find Port_Binding logical_port="$1")" = "$(sbctl --bare --columns=_uuid find Chassis hostname="$2")" ]; }
bound_here() { bound_on "$1" "$OVN_HOST"; }
dev_ping() { ip netns exec "$DEV_NS" ping -c1 -W1 "$1"; }
vm2_ping() { ip netns exec "$VM2_NS" ping -c1 -W1 "$1"; }
has_geneve() { [ -n "$(geneve_port "$1")" ]; }
vm_ping() { ip netns exec "$VM_NS" ping -c1 -W1 "$1"; }
# tcp_1m FROM_NS TO_NS TO_IP PORT [6]: 1 MB over TCP (IPv6 with 6), byte count checked
tcp_1m() {
	local f=$WORK/tcp.$4 pid n l=TCP-LISTEN c="TCP:$3:$4"
	[ "${5:-4}" = 6 ] && l=TCP6-LISTEN c="TCP6:[$3]:$4"
	rm -f "$f"
	ip netns exec "$2" timeout 20 socat -u "$l:$4,reuseaddr" "CREATE:$f" &
	pid=$!
	sleep 0.3
	head -c 1000000 /dev/urandom | ip netns exec "$1" timeout 15 socat -u - "$c,connect-timeout=5"
	wait "$pid"
	n=$(stat -c %s "$f" 2>/dev/null)
	[ "${n:-0}" = 1000000 ]
}
# ping_start NS IP SECONDS / ping_lost: pings every 0.1 s in the background
# while the caller restarts something (in this shell); LOST = pings lost.
ping_start() {
	PING_OUT=$WORK/ping.$RANDOM
	ip netns exec "$1" ping -i 0.1 -W 1 -w "$3" "$2" >"$PING_OUT" 2>&1 &
	PING_PID=$!
}
# A ping still in flight at SIGINT is not lost: LOST counts the sequence
# numbers without a reply up to the last one answered.
ping_lost() {
	kill -INT "$PING_PID" 2>/dev/null # (ping prints its summary on SIGINT)
	wait "$PING_PID"
	LOST=$(grep -o 'icmp_seq=[0-9]*' "$PING_OUT" | cut -d= -f2 | sort -un |
		awk '{ n++; m = $1 } END { print (n ? m - n : "x") }')
	SENT=$(awk '/packets transmitted/ { print $1 }' "$PING_OUT")
}

# ---------------------------------------------------------------- phases
T0=$(now)
for b in "$AGENT_BIN" "$CLI_BIN"; do [ -x "$b" ] || { not_ok "built: $b (run make)"; exit 1; }; done
for c in ovn-northd ovn-controller ovs-vswitchd wireguard-go socat; do
	command -v "$c" >/dev/null || { not_ok "$c installed (scripts/install-deps.sh all)"; exit 1; }
done
start_ovn || { not_ok "OVS + OVN started"; exit 1; }
ok "OVS (netdev) + OVN central + ovn-controller"
if [ $C2_OK = 1 ]; then ok "chassis 2: own netns, OVS (netdev) + ovn-controller, geneve underlay"; else not_ok "chassis 2 started"; fi
start_neutron || { not_ok "neutron-server with ML2/OVN"; exit 1; }
ok "neutron-server with mechanism_drivers = wireguard,ovn and ovn-router"
check "OVN chassis $OVN_HOST registered" wait_until 15 bash -c \
	"[ \"\$(api GET '/agents?host=$AGENT_HOST&agent_type=OVN%20Controller%20agent' | jget 'd[\"agents\"][0][\"alive\"]')\" = True ]"
setup_device || { not_ok "device namespace and wireguard-go"; exit 1; }
write_agent_config
start_agent || { not_ok "neutron-wireguard-agent alive"; exit 1; }
ok "neutron-wireguard-agent alive (pid $WGA_PID, OVN attach to $OVN_BR)"

# networks: VM network, hub network (router side + device subnet), router
NET_VM=$(mk network '{"network":{"name":"nwgovn-vm-'$ID'","project_id":"'$PROJECT'"}}')
SUB_VM=$(mk subnet '{"subnet":{"project_id":"'$PROJECT'","network_id":"'$NET_VM'","ip_version":4,"cidr":"10.61.1.0/24","enable_dhcp":false}}')
NET_H=$(mk network '{"network":{"name":"nwgovn-hub-'$ID'","project_id":"'$PROJECT'"}}')
SUB_H=$(mk subnet '{"subnet":{"project_id":"'$PROJECT'","network_id":"'$NET_H'","ip_version":4,"cidr":"10.61.2.0/24","enable_dhcp":false}}')
SUB_D=$(mk subnet '{"subnet":{"project_id":"'$PROJECT'","network_id":"'$NET_H'","ip_version":4,"cidr":"10.61.3.0/24","gateway_ip":null,"enable_dhcp":false}}')
ROUTER=$(mk router '{"router":{"name":"nwgovn-'$ID'","project_id":"'$PROJECT'"}}')
[ -n "$SUB_VM" ] && [ -n "$SUB_D" ] && [ -n "$ROUTER" ] || { not_ok "networks, subnets, router"; exit 1; }
ROUTER_SUBNETS="$SUB_VM $SUB_H"
for s in $ROUTER_SUBNETS; do api PUT "/routers/$ROUTER/add_router_interface" "{\"subnet_id\":\"$s\"}" >/dev/null; done
check "OVN logical router with two ports" bash -c "[ \$(nbctl --bare --columns=ports find Logical_Router name=neutron-$ROUTER | wc -w) = 2 ]"
SG=$(api GET "/security-groups?project_id=$PROJECT&name=default" | jget 'd["security_groups"][0]["id"]')
if [ -z "$SG" ]; then
	SG=$(api GET "/security-groups?project_id=$PROJECT" | jget 'd["security_groups"][0]["id"]')
fi
for proto in icmp tcp; do
	api POST /security-group-rules '{"security_group_rule":{"security_group_id":"'$SG'","direction":"ingress","ethertype":"IPv4","protocol":"'$proto'","project_id":"'$PROJECT'"}}' >/dev/null
done

# the VM
VM_PORT=$(mk port '{"port":{"name":"nwgovn-vm-'$ID'","project_id":"'$PROJECT'","network_id":"'$NET_VM'","binding:host_id":"'$AGENT_HOST'","fixed_ips":[{"subnet_id":"'$SUB_VM'","ip_address":"10.61.1.10"}]}}')
VM_MAC=$(field port "$VM_PORT" "['mac_address']")
plug_vm "$VM_PORT" "$VM_MAC" 10.61.1.10/24 10.61.1.1 || not_ok "VM namespace plugged"
check "VM port bound by OVN to this chassis (LSP up)" wait_until 20 lsp_up "$VM_PORT"
check "VM pings its router (10.61.1.1)" wait_until 10 vm_ping 10.61.1.1

# the hub: router side address, device subnet as an allowed address pair
T_HUB=$(now)
HUB=$(mk port '{"port":{"name":"nwgovn-hub-'$ID'","project_id":"'$PROJECT'","network_id":"'$NET_H'","binding:host_id":"'$AGENT_HOST'","fixed_ips":[{"subnet_id":"'$SUB_H'","ip_address":"10.61.2.5"}],"allowed_address_pairs":[{"ip_address":"10.61.3.0/24"}],"binding:profile":{"wg_role":"hub"}}}')
[ -n "$HUB" ] || { not_ok "hub port created"; exit 1; }
api PUT "/routers/$ROUTER" '{"router":{"routes":[{"destination":"10.61.3.0/24","nexthop":"10.61.2.5"}]}}' >/dev/null
HUB_MAC=$(field port "$HUB" "['mac_address']")
WO=wo-${HUB:0:11}
check "hub realized (public key in binding:vif_details)" wait_until 30 bash -c \
	"[ -n \"\$(api GET /ports/$HUB | jget 'd[\"port\"][\"binding:vif_details\"].get(\"public_key\")')\" ]"
check "hub's OVS port $WO is in $HUB_NS with the port's MAC" wait_until 15 bash -c \
	"ip -n $HUB_NS link show $WO | grep -q 'link/ether $HUB_MAC'"
check "hub LSP bound to this chassis by ovn-controller (up, requested-chassis)" wait_until 20 lsp_up "$HUB"
check "hub Port_Binding on our chassis" bound_here "$HUB"
expect_eq "hub LSP port security lists the device subnet" 1 \
	"$(nbctl get Logical_Switch_Port "$HUB" port_security | grep -c 10.61.3.0/24)"
check "router extra route in OVN (10.61.3.0/24 via 10.61.2.5)" bash -c \
	"nbctl lr-route-list neutron-$ROUTER | grep -q '10.61.3.0/24 *10.61.2.5'"
check "hub port ACTIVE" wait_until 20 bash -c "[ \"\$(api GET /ports/$HUB | jget 'd[\"port\"][\"status\"]')\" = ACTIVE ]"
log "hub realized and bound in $(ms "$T_HUB" "$(now)") ms"

# the device's spoke, on the device subnet
SPOKE=$(mk port '{"port":{"name":"nwgovn-spoke-'$ID'","project_id":"'$PROJECT'","network_id":"'$NET_H'","fixed_ips":[{"subnet_id":"'$SUB_D'","ip_address":"10.61.3.7"}],"binding:profile":{"wg_role":"spoke","public_key":"'$DEV_PUB'","peers":["'$HUB'"]}}}')
render() {
	"$CLI_BIN" render --neutron "$OS_ENDPOINT" --port "$SPOKE" --private-key-file "$WORK/dev.key" \
		>"$WORK/dev.conf" 2>"$WORK/logs/render.err" || return 1
	dev_wg_apply "$DEV_NS" "$DEV_IF" "$WORK/dev.conf"
}
check "device config rendered from the spoke and applied" wait_until 30 render
# the router routes the devices' prefix via the hub: its other subnet is
# rendered into the device's AllowedIPs (l3/server.py router_subnet_cidrs)
check "rendered AllowedIPs include the router's other subnet (10.61.1.0/24)" \
	grep -q '^AllowedIPs = .*10\.61\.1\.0/24' "$WORK/dev.conf"
check "hub namespace routes the spoke through the tunnel" wait_until 15 bash -c \
	"ip -n $HUB_NS route show 10.61.3.7 | grep -q 'dev wg-${HUB:0:11}'"
T_PING=$(now)
check "device pings the hub (10.61.2.5)" wait_until 15 dev_ping 10.61.2.5
log "first device -> hub ping (incl. handshake) after $(ms "$T_PING" "$(now)") ms"
check "device pings the OVN router (10.61.2.1)" wait_until 10 dev_ping 10.61.2.1
check "device pings the VM through the OVN router (10.61.1.10)" wait_until 10 dev_ping 10.61.1.10
check "VM pings the device (10.61.3.7)" wait_until 10 vm_ping 10.61.3.7
check "TCP 1 MB device -> VM" tcp_1m "$DEV_NS" "$VM_NS" 10.61.1.10 5701
check "TCP 1 MB VM -> device" tcp_1m "$VM_NS" "$DEV_NS" 10.61.3.7 5702
rtt=$(ip netns exec "$VM_NS" ping -c 20 -i 0.05 -q 10.61.3.7 2>/dev/null | awk -F/ '/rtt/ { print $5 }')
log "VM -> device RTT avg ${rtt:-?} ms (20 pings)"
[ $C2_OK = 1 ] && . tests/ovn/phase-chassis2.sh

# `router add port` with the hub: refused on OVN (409) with the commands that
# connect the router to the hub instead; nothing about the hub changes
OWNER=$(field port "$HUB" "['device_owner']")
expect_eq "router add port with the hub on OVN: refused" 409 \
	"$(api_code PUT "/routers/$ROUTER/add_router_interface" "{\"port_id\":\"$HUB\"}")"
check "the refusal names the steps (router add subnet, allowed address, extra route)" bash -c \
	"grep -q 'router add subnet $ROUTER $SUB_H' $WORK/last_body &&
	 grep -q 'allowed-address ip-address=10.61.3.0/24 $HUB' $WORK/last_body &&
	 grep -q 'route destination=10.61.3.0/24,gateway=10.61.2.5 $ROUTER' $WORK/last_body"
expect_eq "after the refusal: hub port's device_owner unchanged" "$OWNER" "$(field port "$HUB" "['device_owner']")"
expect_eq "after the refusal: OVN router still has two ports" 2 \
	"$(nbctl --bare --columns=ports find Logical_Router name="neutron-$ROUTER" | wc -w)"
check "after the refusal: hub LSP still bound" lsp_up "$HUB"
check "after the refusal: device pings the VM" wait_until 10 dev_ping 10.61.1.10

# restarts: our agent, then ovn-controller
IFIDX=$(ip -n "$HUB_NS" -o link show "$WO" | cut -d: -f1)
ping_start "$VM_NS" 10.61.3.7 8
stop_pid "$WGA_PID" 15
if start_agent; then ok "agent restarted (pid $WGA_PID)"; else not_ok "agent restarted"; fi
ping_lost
expect_eq "VM -> device pings lost while the agent restarts (of ${SENT:-?})" 0 "${LOST:-x}"
expect_eq "agent restart kept the hub's OVS port (same ifindex)" "$IFIDX" \
	"$(ip -n "$HUB_NS" -o link show "$WO" | cut -d: -f1)"
check "device pings the VM after the agent restart" wait_until 10 dev_ping 10.61.1.10
ping_start "$VM_NS" 10.61.3.7 10
ovn_controller_stop
ovn_controller_start >>"$WORK/check.log" 2>&1 || not_ok "ovn-controller restarted"
ping_lost
log "VM -> device pings lost across an ovn-controller restart: ${LOST:-?} of ${SENT:-?}"
check "device pings the VM after an ovn-controller restart" wait_until 15 dev_ping 10.61.1.10
check "hub LSP still bound after the ovn-controller restart" wait_until 15 lsp_up "$HUB"

# a second spoke comes and goes: only that peer changes
ping_start "$VM_NS" 10.61.3.7 60
SPOKE2_PUB=$(wg genkey | wg pubkey)
SPOKE2=$(mk port '{"port":{"name":"nwgovn-spoke2-'$ID'","project_id":"'$PROJECT'","network_id":"'$NET_H'","fixed_ips":[{"subnet_id":"'$SUB_D'","ip_address":"10.61.3.8"}],"binding:profile":{"wg_role":"spoke","public_key":"'$SPOKE2_PUB'","peers":["'$HUB'"]}}}')
check "second spoke added as a peer of the hub" wait_until 15 bash -c "[ \$(wg show wg-${HUB:0:11} peers | grep -c .) = 2 ]"
check "hub namespace routes the second spoke" wait_until 10 bash -c \
	"ip -n $HUB_NS route show 10.61.3.8 | grep -q 'dev wg-${HUB:0:11}'"
api DELETE "/ports/$SPOKE2" >/dev/null
check "deleted spoke removed from the hub's peers" wait_until 15 bash -c "[ \$(wg show wg-${HUB:0:11} peers | grep -c .) = 1 ]"
check "deleted spoke's route removed from the hub namespace" wait_until 15 bash -c \
	"[ -z \"\$(ip -n $HUB_NS route show 10.61.3.8)\" ]"
check "the device's route is still in the hub namespace" bash -c \
	"ip -n $HUB_NS route show 10.61.3.7 | grep -q 'dev wg-${HUB:0:11}'"
ping_lost
expect_eq "VM -> device pings lost while another spoke came and went (of ${SENT:-?})" 0 "${LOST:-x}"
expect_eq "the device's peer is still the hub's only peer" "$DEV_PUB" "$(wg show "wg-${HUB:0:11}" peers)"

# neutron-ovn-db-sync-util in repair mode leaves the hub's OVN objects alone
# (the tool loads the qos service plugin itself, so it needs the qos
# extension driver; it exits 0 on some errors: its log must say it finished)
hub_ovn_state() {
	nbctl get Logical_Switch_Port "$HUB" addresses port_security options:requested-chassis &&
		nbctl lr-route-list "neutron-$ROUTER"
}
ETC_DIR=$(dirname "$NEUTRON_CONF")
printf '[ml2]\nextension_drivers = port_security,wireguard,qos\n' >"$WORK/etc/db-sync.conf"
hub_ovn_state >"$WORK/ovn-before-sync" 2>&1
db_sync() {
	env PYTHONPATH="$NWG_SRC" timeout 300 neutron-ovn-db-sync-util --config-file "$NEUTRON_CONF" \
		--config-file "$ML2_CONF" --config-file "$ETC_DIR/extra.conf" \
		--config-file "$WORK/etc/db-sync.conf" --ovn-neutron_sync_mode repair \
		--log-file "$WORK/logs/db-sync.log" &&
		grep -q 'Sync completed for Southbound db' "$WORK/logs/db-sync.log"
}
check "neutron-ovn-db-sync-util --ovn-neutron_sync_mode repair" db_sync
hub_ovn_state >"$WORK/ovn-after-sync" 2>&1
check "after repair: hub LSP (addresses, port security, requested-chassis) and router routes unchanged" \
	diff "$WORK/ovn-before-sync" "$WORK/ovn-after-sync"
expect_eq "after repair: hub LSP port security still lists the device subnet" 1 \
	"$(nbctl get Logical_Switch_Port "$HUB" port_security | grep -c 10.61.3.0/24)"
check "after repair: router route to the device subnet" bash -c \
	"nbctl lr-route-list neutron-$ROUTER | grep -q '10.61.3.0/24 *10.61.2.5'"
check "after repair: hub LSP up" lsp_up "$HUB"
check "after repair: device pings the VM" wait_until 10 dev_ping 10.61.1.10

# neutron-server restart: not in the data path
ping_start "$VM_NS" 10.61.3.7 600
if NWG_EXTRA_CONF=$WORK/etc/ovn.conf MECH_DRIVERS=wireguard,ovn "$HARNESS" restart \
	>>"$WORK/logs/harness.log" 2>&1; then ok "neutron-server restarted"; else not_ok "neutron-server restarted"; fi
ping_lost
expect_eq "VM -> device pings lost while neutron-server restarts (of ${SENT:-?})" 0 "${LOST:-x}"
check "after the neutron-server restart: agent alive" wait_until 60 agent_alive
check "after the neutron-server restart: hub port ACTIVE" wait_until 30 bash -c \
	"[ \"\$(api GET /ports/$HUB | jget 'd[\"port\"][\"status\"]')\" = ACTIVE ]"
check "after the neutron-server restart: device pings the VM" wait_until 10 dev_ping 10.61.1.10

. tests/ovn/phase-ipv6.sh
[ $C2_OK = 1 ] && . tests/ovn/phase-north-south.sh

# hub delete: the agent removes the link, and the OVS port on its next full sync
api DELETE "/ports/$SPOKE" >/dev/null
api DELETE "/ports/$HUB" >/dev/null
check "hub deleted: no OVS port $WO left on $OVN_BR" wait_until 20 bash -c \
	"! ovs_env ovs-vsctl --db=unix:$OVN_D/run/db.sock list-ports $OVN_BR | grep -q '^$WO\$'"
check "hub deleted: no link left in $HUB_NS" wait_until 10 bash -c \
	"! ip -n $HUB_NS -o link show 2>/dev/null | grep -qE 'wg-${HUB:0:11}|$WO'"
check "hub deleted: repository empty" wait_until 10 bash -c "! ls $WORK/repo/*.conf"
log "phases done in $(ms "$T0" "$(now)") ms"
