#!/usr/bin/env bash
# make check-l3: hub ports as router interfaces, on the real stack.
#
# neutron-server (scripts/neutron-harness.sh, instance $NWG_INSTANCE on
# $NEUTRON_PORT, with our ML2 driver before linuxbridge) + Debian's
# neutron-linuxbridge-agent and neutron-l3-agent (our extension and
# interface driver) + neutron-wireguard-agent, all on one agent host name.
# A veth pair stands in for the NIC (no dummy module here), a namespace wired
# to a compute port stands in for a VM, another one runs the remote device
# (wireguard-go). Root only. Unique names (PID), traps clean up on every exit.
#
# Phases: unit tests (Neutron's bases), stack, plain router (VM <-> router),
# then the hub phases (need the driver and the agent from main).
# Env: NWG_INSTANCE/NEUTRON_PORT (harness instance), L3_KEEP=1 (leave the
# stack up on exit for debugging; resources are still listed).
set -uo pipefail

HERE=$(cd "$(dirname "$0")/../.." && pwd)
cd "$HERE" || exit 1
# device helpers (CLI issue) first: lib.sh's api() etc. take precedence
[ -f scripts/device-lib.sh ] && . scripts/device-lib.sh
. tests/l3/lib.sh
. scripts/lb-firewall-lib.sh

[ "$(id -u)" = 0 ] || { echo "l3: needs root, skipped"; exit 77; }
export NWG_INSTANCE=${NWG_INSTANCE:-check} # never the demo's (default/9696)
export NEUTRON_PORT=${NEUTRON_PORT:-9697}
export NWG_SRC=${NWG_SRC:-$HERE}
HARNESS=$HERE/scripts/neutron-harness.sh
T_START=$(now)
ID=$$
WORK=$(mktemp -d "/var/tmp/nwg-l3.$NWG_INSTANCE.XXXXXX")
AGENT_HOST=nwgl3-$NWG_INSTANCE-$ID # per run: stale objects of older runs are never ours
PROJECT=$(printf '%s' "nwgl3-$ID-$(date +%s%N)" | md5sum | cut -c1-32)
UNDERLAY_A=nl3u${ID}a UNDERLAY_B=nl3u${ID}b
UNDERLAY_IP=198.51.100.$((ID % 200 + 20))
VM_NS=nwgl3vm$ID
LB_PID="" L3_PID="" WGA_PID=""
HAVE_DRIVER=0
[ -f "$NWG_SRC/networking_wireguard/ml2/mech_driver.py" ] && HAVE_DRIVER=1
[ $HAVE_DRIVER = 0 ] && export EXT_DRIVERS=port_security
mkdir -p "$WORK/etc" "$WORK/logs" "$WORK/state" "$WORK/lock"
: >"$WORK/check.log"

# ---------------------------------------------------------------- packages
PKGS="neutron-l3-agent neutron-linuxbridge-agent wireguard-go wireguard-tools iputils-ping"
install_packages() {
	local missing="" p
	for p in $PKGS; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	log "installing:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
		--no-install-recommends -o Dpkg::Options::=--force-confdef \
		-o Dpkg::Options::=--force-confold $missing >"$WORK/logs/apt.log" 2>&1 ||
		{ tail -20 "$WORK/logs/apt.log"; return 1; }
}

# ---------------------------------------------------------------- cleanup
ROUTERS=() NETWORKS=() PORTS=() NAMESPACES=() HARNESS_RESTORE="" src=""
cleanup() {
	local rc=$? r n p ns
	trap - EXIT INT TERM
	set +e
	if [ "${L3_KEEP:-0}" = 1 ]; then
		log "L3_KEEP=1: leaving the stack up (work dir $WORK, LB $LB_PID, L3 $L3_PID)"
		return
	fi
	log "cleanup"
	declare -f cleanup_hub >/dev/null && cleanup_hub
	# objects created inside $(...) (hub ports, hub networks) are listed in files
	[ -s "$WORK/cleanup-ports" ] && mapfile -t -O "${#PORTS[@]}" PORTS <"$WORK/cleanup-ports"
	[ -s "$WORK/cleanup-networks" ] && mapfile -t -O "${#NETWORKS[@]}" NETWORKS <"$WORK/cleanup-networks"
	for r in "${ROUTERS[@]}"; do
		for p in $(api GET "/ports?device_id=$r" | $PY -c 'import json,sys
for p in json.load(sys.stdin).get("ports", []):
    if p["device_owner"] == "network:router_interface": print(p["id"])' 2>/dev/null); do
			api PUT "/routers/$r/remove_router_interface" "{\"port_id\":\"$p\"}" >/dev/null
		done
		api PUT "/routers/$r" '{"router":{"admin_state_up":true}}' >/dev/null
		api DELETE "/routers/$r" >/dev/null
	done
	for p in "${PORTS[@]}"; do api DELETE "/ports/$p" >/dev/null; done
	for n in "${NETWORKS[@]}"; do api DELETE "/networks/$n" >/dev/null; done
	# let the agents remove their namespaces, bridges and vxlan devices
	for r in "${ROUTERS[@]}"; do
		pid_alive "$L3_PID" && wait_until 15 bash -c "! ip netns list | grep -q qrouter-$r"
	done
	for n in "${NETWORKS[@]}"; do
		pid_alive "$LB_PID" && wait_until 10 bash -c "! ip link show brq${n:0:11}"
	done
	# neutron-wireguard-agent deletes the hubs of the deleted ports first
	pid_alive "$WGA_PID" && wait_until 20 bash -c "! ls $WORK/repo/*.conf"
	stop_pid "$WGA_PID" 15
	stop_pid "$L3_PID" 20
	stop_pid "$LB_PID" 20
	"$HERE/scripts/forget-agents.sh" "$AGENT_HOST" # WireGuard, L3, linuxbridge
	for r in "${ROUTERS[@]}"; do ip netns del "qrouter-$r" 2>/dev/null; done
	for n in "${NETWORKS[@]}"; do ip link del "brq${n:0:11}" 2>/dev/null; done
	# (deleting tun-<project> also ends any hub wireguard-go left: its TUN goes)
	for ns in "${NAMESPACES[@]}" "tun-$PROJECT"; do ip netns del "$ns" 2>/dev/null; done
	ip netns del "$VM_NS" 2>/dev/null
	ip link del "$UNDERLAY_A" 2>/dev/null
	for n in $(ip -o link show type vxlan 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
		[[ "$(ip -d link show "$n")" == *"dev $UNDERLAY_A "* ]] && ip link del "$n"
	done
	lb_ebtables_clean
	lb_iptables_clean
	leftovers() {
		local l="" r
		for ns in "${NAMESPACES[@]}" "$VM_NS" "tun-$PROJECT"; do
			ip netns list | grep -qw "$ns" && l="$l netns:$ns"
		done
		for r in "${ROUTERS[@]}"; do
			ip netns list | grep -qw "qrouter-$r" && l="$l netns:qrouter-$r"
		done
		ip link show "$UNDERLAY_A" >/dev/null 2>&1 && l="$l link:$UNDERLAY_A"
		for p in "${PORTS[@]}"; do
			compgen -G "/var/run/wireguard/*-${p:0:11}.sock" >/dev/null && l="$l sock:${p:0:11}"
			[ "$(api GET "/ports/$p" >/dev/null; code)" = 404 ] || l="$l port:$p"
		done
		for n in "${NETWORKS[@]}"; do
			[ "$(api GET "/networks/$n" >/dev/null; code)" = 404 ] || l="$l network:$n"
		done
		echo "$l"
	}
	left=$(leftovers)
	if [ -z "$left" ]; then ok "cleanup: no namespace, link or UAPI socket left"; else not_ok "cleanup left:$left"; fi
	# The harness keeps linuxbridge in mechanism_drivers (it binds only ports
	# of hosts with a live linuxbridge agent: none once ours stopped);
	# restarting it again would cost ~30 s.
	[ -n "$HARNESS_RESTORE" ] && log "harness [$NWG_INSTANCE] left with mechanism_drivers" \
		"$(awk -F' *= *' '/^mechanism_drivers/{print $2}' "$ML2_CONF") (was $HARNESS_RESTORE)"
	log "l3: $PASS passed, $FAIL failed in $(ms "$T_START" "$(now)") ms (logs: $WORK/logs)"
	[ $rc = 0 ] && [ $FAIL -gt 0 ] && rc=1
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# ---------------------------------------------------------------- harness
start_harness() {
	local want=linuxbridge,logger cur
	[ $HAVE_DRIVER = 1 ] && want=wireguard,linuxbridge,logger
	if "$HARNESS" status >/dev/null 2>&1; then
		eval "$("$HARNESS" env)"
		cur=$(awk -F' *= *' '/^mechanism_drivers/{print $2}' "$ML2_CONF")
		# (neutron-server's setproctitle hides its environment: remember
		# which tree this suite last started it from)
		src=$(cat "$HARNESS_STATE/l3-suite-src" 2>/dev/null)
		if [ "$cur" != "$want" ] || [ "$src" != "$NWG_SRC" ]; then
			log "harness runs mechanism_drivers=$cur from ${src:-?}: restarting with $want from $NWG_SRC"
			HARNESS_RESTORE=$cur
			MECH_DRIVERS=$want "$HARNESS" restart >"$WORK/logs/harness.log" 2>&1 ||
				{ tail -20 "$WORK/logs/harness.log"; return 1; }
		fi
	else
		MECH_DRIVERS=$want "$HARNESS" start >"$WORK/logs/harness.log" 2>&1 ||
			{ tail -20 "$WORK/logs/harness.log"; return 1; }
	fi
	eval "$("$HARNESS" env)"
	echo "$NWG_SRC" >"$HARNESS_STATE/l3-suite-src"
	API=$NEUTRON_API
	grep -q '^mechanism_drivers = .*linuxbridge' "$ML2_CONF" ||
		{ log "harness has no linuxbridge driver: $(grep mechanism_drivers "$ML2_CONF")"; return 1; }
}

# ---------------------------------------------------------------- agents
write_agent_configs() {
	cat >"$WORK/etc/agent-common.conf" <<EOF
# written by tests/l3/run.sh
[DEFAULT]
host = $AGENT_HOST
transport_url = $TRANSPORT_URL
debug = true
state_path = $WORK/state

[agent]
root_helper = sudo
report_interval = 5

[oslo_concurrency]
lock_path = $WORK/lock
EOF
	cat >"$WORK/etc/linuxbridge_agent.ini" <<EOF
[DEFAULT]
log_file = $WORK/logs/linuxbridge-agent.log

[linux_bridge]
physical_interface_mappings = physnet1:$UNDERLAY_A

[vxlan]
enable_vxlan = true
local_ip = $UNDERLAY_IP
l2_population = false

[securitygroup]
enable_security_group = true
firewall_driver = iptables
EOF
	cat >"$WORK/etc/l3_agent.ini" <<EOF
[DEFAULT]
log_file = $WORK/logs/l3-agent.log
interface_driver = wireguard_linuxbridge
agent_mode = legacy
enable_metadata_proxy = false

[agent]
extensions = wireguard

[wireguard]
control_socket = $WGA_SOCK

[wireguard_l3]
pending_interval = 1.0
EOF
}

# The L3 agent finds our extension and interface driver by entry point. When
# the tree's setup.cfg does not declare them (yet), a throw-away egg-info in
# $WORK declares them (nothing is installed into the system's Python).
L3_PYTHONPATH=$NWG_SRC
l3_entry_points() {
	grep -qs 'networking_wireguard.l3.extension:WireGuardL3Extension' \
		"$NWG_SRC"/*.egg-info/entry_points.txt && return 0
	mkdir -p "$WORK/pysrc"
	ln -sfn "$NWG_SRC/networking_wireguard" "$WORK/pysrc/networking_wireguard"
	printf 'import setuptools\nsetuptools.setup()\n' >"$WORK/pysrc/setup.py"
	cat >"$WORK/pysrc/setup.cfg" <<EOF
[metadata]
name = networking-wireguard-l3-test
version = 0.0.0
[options]
packages =
[options.entry_points]
neutron.agent.l3.extensions =
    wireguard = networking_wireguard.l3.extension:WireGuardL3Extension
neutron.interface_drivers =
    wireguard_linuxbridge = networking_wireguard.l3.interface:BridgeInterfaceDriver
EOF
	(cd "$WORK/pysrc" && $PY setup.py -q egg_info >"$WORK/logs/egg-info.log" 2>&1) || return 1
	L3_PYTHONPATH=$WORK/pysrc:$NWG_SRC
	log "entry points from $WORK/pysrc (not in $NWG_SRC/setup.cfg)"
}

start_neutron_agent() { # name binary conf... ; prints the PID
	local name=$1 bin=$2 old args=() c pid
	shift 2
	for c in "$@"; do args+=(--config-file "$c"); done
	old=$(agent_field "$bin" started_at)
	env PYTHONPATH="$L3_PYTHONPATH" setsid $PY "/usr/bin/$bin" "${args[@]}" \
		>>"$WORK/logs/$name.out" 2>&1 </dev/null &
	pid=$!
	if ! wait_until 90 agent_fresh "$bin" "$old"; then
		log "$name did not report as alive"
		tail -20 "$WORK/logs/$name.out" >&2
		stop_pid "$pid" 10
		return 1
	fi
	echo "$pid"
}
start_lb() {
	lb_ebtables_clean
	LB_PID=$(start_neutron_agent linuxbridge-agent neutron-linuxbridge-agent \
		"$WORK/etc/agent-common.conf" "$WORK/etc/linuxbridge_agent.ini") || return 1
}
foreign_qrouters() {
	local ours ns
	ours=$(api GET "/routers?fields=id" | $PY -c 'import json,sys
print(" ".join(r["id"] for r in json.load(sys.stdin)["routers"]))' 2>/dev/null)
	for ns in $(ip netns list | awk '/^qrouter-/{print $1}'); do
		case " $ours " in *" ${ns#qrouter-} "*) ;; *) echo "$ns" ;; esac
	done
}
start_l3() {
	local f
	# The L3 agent deletes every qrouter-* namespace it does not host.
	f=$(foreign_qrouters)
	[ -n "$f" ] && { log "foreign router namespaces ($f): not starting the L3 agent"; return 1; }
	L3_PID=$(start_neutron_agent l3-agent neutron-l3-agent \
		"$WORK/etc/agent-common.conf" "$WORK/etc/l3_agent.ini") || return 1
}
stop_l3() { stop_pid "$L3_PID" 20; L3_PID=""; }

setup_underlay() {
	ip link add "$UNDERLAY_A" type veth peer name "$UNDERLAY_B" || return 1
	ip addr add "$UNDERLAY_IP/24" dev "$UNDERLAY_A"
	ip link set "$UNDERLAY_A" up && ip link set "$UNDERLAY_B" up
}

# ---------------------------------------------------------------- Neutron objects
mk() { # kind json -> id
	local id
	id=$(api POST "/$1s" "$2" | jf "$1.id")
	[ -n "$id" ] || { log "create $1 failed ($(code)): $(cat "$WORK/last_body")"; return 1; }
	echo "$id"
}
create_topology() {
	NET_VM=$(mk network '{"network":{"name":"nwgl3-vm-'$ID'","project_id":"'$PROJECT'"}}') || return 1
	NETWORKS+=("$NET_VM")
	SUB_VM=$(mk subnet '{"subnet":{"project_id":"'$PROJECT'","network_id":"'$NET_VM'","ip_version":4,"cidr":"10.199.1.0/24","gateway_ip":"10.199.1.1","enable_dhcp":false}}') || return 1
	NET_B=$(mk network '{"network":{"name":"nwgl3-b-'$ID'","project_id":"'$PROJECT'"}}') || return 1
	NETWORKS+=("$NET_B")
	SUB_B=$(mk subnet '{"subnet":{"project_id":"'$PROJECT'","network_id":"'$NET_B'","ip_version":4,"cidr":"10.199.3.0/24","gateway_ip":"10.199.3.1","enable_dhcp":false}}') || return 1
	ROUTER=$(mk router '{"router":{"name":"nwgl3-r-'$ID'","project_id":"'$PROJECT'","ha":false,"distributed":false}}') || return 1
	ROUTERS+=("$ROUTER")
	RNS=qrouter-$ROUTER
}

# A "VM": a compute port bound to our host, a veth tap<port[:11]> enslaved to
# brq<net[:11]> (the linuxbridge agent leaves compute taps to nova/os-vif),
# its peer in $VM_NS with the port's MAC and IP. Port security off: no
# ebtables rules (Debian's ebtables-nft pitfall) and no security group.
create_vm() {
	local mac tap br
	VM_PORT=$(mk port '{"port":{"name":"nwgl3-vm-'$ID'","project_id":"'$PROJECT'","network_id":"'$NET_VM'","device_owner":"compute:nova","device_id":"'"$(cat /proc/sys/kernel/random/uuid)"'","binding:host_id":"'$AGENT_HOST'","port_security_enabled":false}}') || return 1
	PORTS+=("$VM_PORT")
	api GET "/ports/$VM_PORT" >"$WORK/vmport.json"
	mac=$(jf port.mac_address <"$WORK/vmport.json")
	VM_IP=$(jf port.fixed_ips.0.ip_address <"$WORK/vmport.json")
	tap=tap${VM_PORT:0:11}
	br=brq${NET_VM:0:11}
	ip netns add "$VM_NS" || return 1
	ip link add "$tap" type veth peer name "nl3v${ID}" || return 1
	ip link set "nl3v${ID}" netns "$VM_NS"
	ip -n "$VM_NS" link set "nl3v${ID}" name eth0
	ip -n "$VM_NS" link set eth0 address "$mac"
	ip -n "$VM_NS" link set lo up
	ip -n "$VM_NS" addr add "$VM_IP/24" dev eth0
	ip -n "$VM_NS" link set eth0 up
	ip -n "$VM_NS" route add default via 10.199.1.1
	ip link set "$tap" up
	wait_until 20 ip link show "$br" || { log "no bridge $br"; return 1; }
	ip link set "$tap" master "$br"
}
port_status() { api GET "/ports/$1" | jf port.status; }
add_subnet() { api PUT "/routers/$1/add_router_interface" "{\"subnet_id\":\"$2\"}" | jf port_id; }
# (no "| grep -q" under pipefail: an early exit of grep fails the pipeline)
addr_in_ns() { [[ "$(ip -n "$1" -o addr show dev "$2" 2>/dev/null)" == *"inet $3/"* ]]; }
link_up_in_ns() { [[ "$(ip -n "$1" link show dev "$2" 2>/dev/null)" == *",UP"* ]]; }

# ---------------------------------------------------------------- phases
unit_start() {
	log "phase: unit tests (Neutron's L3 test bases, fake control socket), in the background"
	PYTHONPATH="$NWG_SRC:$HERE/tests/l3/unit" $PY -m pytest -q -p no:cacheprovider \
		"$HERE/tests/l3/unit" >"$WORK/logs/unit.log" 2>&1 &
	UNIT_PID=$!
}
unit_result() {
	if wait "$UNIT_PID"; then
		ok "unit tests: $(grep -Eo '[0-9]+ passed' "$WORK/logs/unit.log")"
	else
		not_ok "unit tests"
		tail -30 "$WORK/logs/unit.log"
	fi
}

phase_plain_router() {
	log "phase: plain router (VM network, second network)"
	local t0 rp_vm
	t0=$(now)
	rp_vm=$(add_subnet "$ROUTER" "$SUB_VM")
	[ -n "$rp_vm" ] || { not_ok "router add subnet: $(code) $(cat "$WORK/last_body")"; return 1; }
	if wait_until 30 addr_in_ns "$RNS" "qr-${rp_vm:0:11}" 10.199.1.1; then
		ok "router port qr-${rp_vm:0:11} addressed in $RNS after $(ms "$t0" "$(now)") ms"
	else
		not_ok "router port qr-${rp_vm:0:11} addressed in $RNS"
		return 1
	fi
	check "router port on the VM network becomes ACTIVE" wait_until 20 \
		bash -c "[ \"\$(curl -s $API/ports/$rp_vm | $PY -c 'import json,sys; print(json.load(sys.stdin)[\"port\"][\"status\"])')\" = ACTIVE ]"
	create_vm || { not_ok "VM wired"; return 1; }
	check "VM port becomes ACTIVE" wait_until 30 bash -c "[ \"\$(curl -s $API/ports/$VM_PORT | $PY -c 'import json,sys; print(json.load(sys.stdin)[\"port\"][\"status\"])')\" = ACTIVE ]"
	check "VM pings its router (10.199.1.1)" wait_until 15 ip netns exec "$VM_NS" ping -c1 -W1 10.199.1.1
	check "router pings the VM ($VM_IP)" ip netns exec "$RNS" ping -c2 -W2 "$VM_IP"
	RP_B=$(add_subnet "$ROUTER" "$SUB_B")
	check "second network's router port addressed" wait_until 20 addr_in_ns "$RNS" "qr-${RP_B:0:11}" 10.199.3.1
	check "VM pings the router's address on the second network" wait_until 10 \
		ip netns exec "$VM_NS" ping -c1 -W1 10.199.3.1
	check "router ports are veths (Neutron's driver, not ours)" \
		bash -c "ip -n $RNS -d link show qr-${rp_vm:0:11} | grep -q veth"
}

# ---------------------------------------------------------------- main
log "instance $NWG_INSTANCE, port $NEUTRON_PORT, host $AGENT_HOST, work $WORK"
install_packages || { echo "l3: packages missing"; exit 1; }
unit_start
start_harness || exit 1
WGA_SOCK=$WORK/agent.sock
f=$(foreign_qrouters)
if [ -n "$f" ]; then
	log "qrouter namespaces of another stack exist ($f): the L3 agent would delete them; skipped"
	exit 77
fi
l3_entry_points || { not_ok "entry points for the L3 agent"; exit 1; }
write_agent_configs
setup_underlay || { not_ok "underlay veth"; exit 1; }
start_lb || { not_ok "neutron-linuxbridge-agent alive"; exit 1; }
ok "neutron-linuxbridge-agent alive (pid $LB_PID)"
start_l3 || { not_ok "neutron-l3-agent alive"; exit 1; }
ok "neutron-l3-agent alive (pid $L3_PID)"
check "L3 agent loaded the wireguard extension" grep -q "legacy routers are WireGuardLegacyRouter" "$WORK/logs/l3-agent.log"
unit_result
create_topology || { not_ok "topology"; exit 1; }
phase_plain_router

. tests/l3/hub.sh
if [ $HAVE_DRIVER = 1 ] && hub_prereqs; then
	run_hub_phases
else
	log "hub phases SKIPPED: they need the ML2 driver and neutron-wireguard-agent with" \
		"agent/ctl/ctl_l3.c (not in this tree)"
fi
# (Neutron's own privsep "interface not found" debug tracebacks of its
# concurrent namespace clean-ups are not ours, nor is ha_router's DEBUG
# "Error formatting log line ... TypeError" for the HA router of the refusal
# phase, which the agent never gets a keepalived pid for)
check "L3 agent log: no error or traceback from our code, no init_router_port TypeError" \
	bash -c "! grep -E 'ERROR networking_wireguard|networking_wireguard/.*, line|TypeError.*init_router_port|init_router_port.*TypeError' $WORK/logs/l3-agent.log"
[ $FAIL = 0 ]
