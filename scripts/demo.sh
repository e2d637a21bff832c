#!/usr/bin/env bash
# All-in-one demo (root, Debian 12): Neutron with its L2 (linuxbridge) and L3
# agents + the WireGuard agent + a remote device that joins a project network
# over a real WireGuard tunnel, with its config rendered from its Neutron
# spoke port alone; then a router joins the hub's network to a second
# network with a "VM" (a namespace on a compute port) and the device and the
# VM ping each other through the tunnel and the router.
#
#   scripts/demo.sh up     (make demo)       idempotent: a re-run recreates
#   scripts/demo.sh down   (make demo-down)  removes everything the demo made
#
# Environment: NWG_INSTANCE / NEUTRON_PORT (harness instance, default/9696),
# NWG_DEMO_STATE (state dir, /var/tmp/nwg-demo/<instance>),
# NWG_DEMO_KEEP_HARNESS=1 (down: leave the harness running).
set -uo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
cd "$HERE" || exit 1
# shellcheck source=scripts/device-lib.sh
. "$HERE/scripts/device-lib.sh"
# shellcheck source=scripts/lb-firewall-lib.sh
. "$HERE/scripts/lb-firewall-lib.sh"

export NWG_INSTANCE=${NWG_INSTANCE:-default}
export NEUTRON_PORT=${NEUTRON_PORT:-9696}
STATE=${NWG_DEMO_STATE:-/var/tmp/nwg-demo/$NWG_INSTANCE}
CLI=$HERE/build/rel/bin/neutron-wireguard
AGENT=$HERE/build/rel/bin/neutron-wireguard-agent

NODE_HOST=nwgdemo-node        # the agent's [DEFAULT] host
DEV_NS=nwgdemo-dev            # the device
VETH=nwgdemo-inet             # node side of the device's "internet" link
DEV_IF=nwgdemo0               # the device's WireGuard interface
NODE_IP=203.0.113.1           # TEST-NET-3: WG_HUB_IP, the hub's public address
DEV_IP=203.0.113.2
NET=nwgdemo-net SUBNET=nwgdemo-subnet CIDR=10.99.0.0/24 HUB_IP=10.99.0.1
HUB_NAME=nwgdemo-hub SPOKE_NAME=nwgdemo-spoke
PORT_RANGE=51820:51899
VM_NET=nwgdemo-vmnet VM_SUBNET=nwgdemo-vmsubnet VM_CIDR=10.98.0.0/24 VM_GW=10.98.0.1
VM_NS=nwgdemo-vm VM_VETH=nwgdemo-vmv ROUTER=nwgdemo-router
UL=nwgdemo-ul0 UL_PEER=nwgdemo-ul1 UL_IP=198.51.100.254 # underlay "NIC" of the L2 agent (vxlan)
L3_LOCK=/run/nwg-l3-root.lock # root-namespace L2/L3 agents: one stack at a time

T_START=$EPOCHREALTIME
STEP_N=0 T_APT=0
SUMMARY=()
STEP_LOG=/dev/null

el() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
step() {
	STEP_N=$((STEP_N + 1))
	STEP=$1
	STEP_T0=$EPOCHREALTIME
	STEP_LOG=$STATE/step-$STEP_N.log
	: >"$STEP_LOG"
	printf '[%2d] %-52s' "$STEP_N" "$STEP"
}
ok() {
	local d
	d=$(el "$STEP_T0" "$EPOCHREALTIME")
	printf '%6ss  %s\n' "$d" "${1:-}"
	SUMMARY+=("$(printf '  %-52s %6ss' "$STEP" "$d")")
}
show_logs() {
	echo "---- step output ($STEP_LOG):"
	tail -n 25 "$STEP_LOG" 2>/dev/null
	if [ -s "$STATE/agent.log" ] || [ -s "$STATE/agent.out" ]; then
		echo "---- agent log (last 25 lines):"
		cat "$STATE/agent.out" "$STATE/agent.log" 2>/dev/null | tail -n 25
	fi
	if [ -n "${NEUTRON_LOG:-}" ] && [ -f "$NEUTRON_LOG" ]; then
		echo "---- neutron-server ERRORs ($NEUTRON_LOG):"
		grep -E ' (ERROR|CRITICAL) ' "$NEUTRON_LOG" | tail -n 15
	fi
}
fail() {
	echo " FAILED"
	echo "demo: step $STEP_N '$STEP' failed${1:+: $1}"
	show_logs
	echo "demo: state in $STATE; clean up with: make demo-down"
	exit 1
}
# run CMD...: runs CMD with its output in the step log; fails the step.
run() { "$@" >>"$STEP_LOG" 2>&1 || fail "$*"; }

save() { echo "$1=$2" >>"$STATE/demo.env"; }

# ---- up -------------------------------------------------------------------

step_packages() {
	step "packages (scripts/install-deps.sh all)"
	run scripts/install-deps.sh all
	T_APT=$(el "$STEP_T0" "$EPOCHREALTIME")
	ok "$(tail -1 "$STEP_LOG")"
}

step_build() {
	step "build (make)"
	run make -s all
	ok "$(basename "$CLI"), $(basename "$AGENT")"
}

step_harness() {
	step "Neutron harness [$NWG_INSTANCE] (neutron-harness.sh start)"
	export MECH_DRIVERS=wireguard,linuxbridge,logger NEUTRON_AUTH=noauth
	if scripts/neutron-harness.sh status >/dev/null 2>&1; then
		eval "$(scripts/neutron-harness.sh env)"
		# a harness someone started with other drivers or auth: the demo's own
		if ! grep -q "^mechanism_drivers = $MECH_DRIVERS\$" "$ML2_CONF" ||
			! grep -q '^auth_strategy = noauth' "$HARNESS_STATE/etc/neutron.conf"; then
			run scripts/neutron-harness.sh restart
		fi
	elif NEUTRON_AUTH=headers scripts/neutron-harness.sh status >/dev/null 2>&1; then
		run scripts/neutron-harness.sh restart # (a test left it with Keystone-style auth)
	else
		run scripts/neutron-harness.sh start
	fi
	eval "$(scripts/neutron-harness.sh env)"
	export OS_ENDPOINT NEUTRON_LOG TRANSPORT_URL
	ok "$OS_ENDPOINT"
	grep -E '^  ' "$STEP_LOG" | sed 's/^/       /'
}

step_cleanup_previous() {
	step "remove what a previous demo run left"
	teardown >>"$STEP_LOG" 2>&1
	if ! { mkdir -p "$STATE/dev" "$STATE/repo" && chmod 700 "$STATE" "$STATE/dev" "$STATE/repo"; }; then fail; fi
	: >"$STATE/demo.env"
	ok
}

step_internet() {
	step "device namespace $DEV_NS + \"internet\" veth"
	run dev_create "$DEV_NS" "$VETH" "$NODE_IP/30" "$DEV_IP/30" "$NODE_IP"
	save DEV_NS "$DEV_NS"
	ok "node $NODE_IP <-> device $DEV_IP"
}

write_agent_conf() {
	cat >"$STATE/agent.ini" <<EOC
# neutron-wireguard-agent config written by scripts/demo.sh
[DEFAULT]
host = $NODE_HOST
transport_url = $TRANSPORT_URL
log_file = $STATE/agent.log
debug = true

[AGENT]
report_interval = 10

[wireguard]
WG_HUB_IP = $NODE_IP
backend = auto
state_path = $STATE/repo
control_socket = $STATE/agent.sock
listen_port_range = $PORT_RANGE
health_interval = 2
EOC
}

agent_listed() {
	kill -0 "$(cat "$STATE/agent.pid")" 2>/dev/null || return 99
	osc network agent list --host "$NODE_HOST" -f value -c Alive 2>/dev/null | grep -q True
}

step_agent() {
	step "agent neutron-wireguard-agent (host $NODE_HOST)"
	write_agent_conf
	setsid "$AGENT" --config-file "$STATE/agent.ini" >"$STATE/agent.out" 2>&1 </dev/null &
	echo $! >"$STATE/agent.pid"
	wait_for 60 agent_listed || fail "the agent did not show up in 'openstack network agent list'"
	kill -0 "$(cat "$STATE/agent.pid")" 2>/dev/null || fail "the agent exited"
	ok "pid $(cat "$STATE/agent.pid"), backend=auto"
}

step_network() {
	step "network $NET + subnet $CIDR (openstack)"
	NET_ID=$(osc network create "$NET" -f value -c id 2>>"$STEP_LOG") || fail
	save NET_ID "$NET_ID"
	run osc subnet create "$SUBNET" --network "$NET_ID" --subnet-range "$CIDR" --no-dhcp \
		--gateway none
	ok "$NET_ID"
}

step_hub() {
	step "hub port $HUB_NAME on host $NODE_HOST"
	HUB_ID=$(osc port create "$HUB_NAME" --network "$NET_ID" --host "$NODE_HOST" \
		--fixed-ip "subnet=$SUBNET,ip-address=$HUB_IP" --binding-profile wg_role=hub \
		-f value -c id 2>>"$STEP_LOG") || fail
	save HUB_ID "$HUB_ID"
	ok "$HUB_ID ($HUB_IP)"
}

step_device_key() {
	step "device key pair, generated inside $DEV_NS"
	DEV_PUB=$(dev_genkey "$DEV_NS" "$STATE/dev/private.key" 2>>"$STEP_LOG") || fail
	ok "public $DEV_PUB (private key: $STATE/dev/private.key, 0600)"
}

step_spoke() {
	step "spoke port $SPOKE_NAME (public key, peers = hub)"
	SPOKE_ID=$(osc port create "$SPOKE_NAME" --network "$NET_ID" --binding-profile \
		"{\"wg_role\": \"spoke\", \"public_key\": \"$DEV_PUB\", \"peers\": [\"$HUB_ID\"]}" \
		-f value -c id 2>>"$STEP_LOG") || fail
	save SPOKE_ID "$SPOKE_ID"
	SPOKE_IP=$(api GET "/ports/$SPOKE_ID" | jget 'd["port"]["fixed_ips"][0]["ip_address"]')
	ok "$SPOKE_ID ($SPOKE_IP)"
}

render_ok() { "$CLI" render --neutron "$OS_ENDPOINT" --port "$SPOKE_ID" >/dev/null 2>>"$STEP_LOG"; }

step_realized() {
	step "agent realizes the hub (public key + endpoint)"
	wait_for 60 render_ok || fail "the hub was not realized within 60 s"
	local hub
	hub=$(api GET "/ports/$HUB_ID")
	HUB_IF=$(echo "$hub" | jget 'd["port"]["binding:vif_details"].get("interface")')
	HUB_NS=$(echo "$hub" | jget 'd["port"]["binding:vif_details"].get("namespace")')
	[ -n "$HUB_IF" ] || HUB_IF=wg-${HUB_ID:0:11}
	[ -n "$HUB_NS" ] || HUB_NS=tun-$(echo "$hub" | jget 'd["port"]["project_id"]')
	save HUB_NS "$HUB_NS"
	ok "$HUB_IF in $HUB_NS, endpoint $(echo "$hub" | jget 'd["port"]["binding:vif_details"].get("endpoint")')"
}

step_render() {
	step "render the device config from its spoke port"
	(umask 077 && "$CLI" render --neutron "$OS_ENDPOINT" --port "$SPOKE_ID" \
		--private-key-file "$STATE/dev/private.key" >"$STATE/dev/$DEV_IF.conf") 2>>"$STEP_LOG" ||
		fail
	ok "$STATE/dev/$DEV_IF.conf"
}

step_device_up() {
	step "device up: wireguard-go + wg setconf + ip"
	run dev_wg_start "$DEV_NS" "$DEV_IF" "$STATE/dev/wireguard-go.log" "$STATE/dev/wg.pid"
	run dev_wg_apply "$DEV_NS" "$DEV_IF" "$STATE/dev/$DEV_IF.conf"
	ok "pid $(cat "$STATE/dev/wg.pid")"
}

ping1() { ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }

# ---- Neutron's own L2 and L3 agents (root namespace) ----------------------

step_l3_lock() {
	step "lock $L3_LOCK (L2/L3 agents: one stack per host)"
	# held (shared) by a holder process for as long as the demo is up; test
	# suites that run these agents take it exclusively and wait.
	rm -f "$STATE/lock.ok"
	# shellcheck disable=SC2016 # $1 is expanded by the inner sh
	setsid flock -s -w 600 "$L3_LOCK" sh -c 'echo held >"$1"; exec sleep infinity' sh \
		"$STATE/lock.ok" >/dev/null 2>&1 </dev/null &
	echo $! >"$STATE/lock.pid"
	wait_for 600 lock_held || fail "$L3_LOCK is busy (a test suite runs L2/L3 agents)"
	ok "holder pid $(cat "$STATE/lock.pid")"
}
lock_held() {
	kill -0 "$(cat "$STATE/lock.pid")" 2>/dev/null || return 99
	[ -s "$STATE/lock.ok" ]
}

step_underlay() {
	step "underlay veth $UL ($UL_IP/24, vxlan for the L2 agent)"
	net_free "$UL_IP/24" || fail "$UL_IP/24 is in use on this host"
	run ip link add "$UL" type veth peer name "$UL_PEER"
	run ip addr add "$UL_IP/24" dev "$UL"
	run ip link set "$UL" up
	run ip link set "$UL_PEER" up
	ok
}

write_neutron_agent_confs() {
	mkdir -p "$STATE/etc" "$STATE/nstate" "$STATE/lock"
	cat >"$STATE/etc/common.conf" <<EOC
# written by scripts/demo.sh
[DEFAULT]
host = $NODE_HOST
transport_url = $TRANSPORT_URL
state_path = $STATE/nstate
[agent]
root_helper = sudo
report_interval = 5
[oslo_concurrency]
lock_path = $STATE/lock
EOC
	cat >"$STATE/etc/linuxbridge_agent.ini" <<EOC
[DEFAULT]
log_file = $STATE/linuxbridge-agent.log
[linux_bridge]
physical_interface_mappings = physnet1:$UL
[vxlan]
enable_vxlan = true
local_ip = $UL_IP
l2_population = false
[securitygroup]
enable_security_group = true
firewall_driver = iptables
EOC
	cat >"$STATE/etc/l3_agent.ini" <<EOC
[DEFAULT]
log_file = $STATE/l3-agent.log
interface_driver = wireguard_linuxbridge
agent_mode = legacy
enable_metadata_proxy = false
[agent]
extensions = wireguard
[wireguard]
control_socket = $STATE/agent.sock
[wireguard_l3]
pending_interval = 1.0
EOC
}

# start_nagent NAME BINARY CONF...: Debian's neutron agent, our package on
# its PYTHONPATH (entry points from the harness's egg-info).
start_nagent() {
	local name=$1 bin=$2 args=() c
	shift 2
	for c in "$@"; do args+=(--config-file "$c"); done
	env PYTHONPATH="$HERE" setsid /usr/bin/python3 "/usr/bin/$bin" "${args[@]}" \
		>"$STATE/$name.out" 2>&1 </dev/null &
	echo $! >"$STATE/$name.pid"
	wait_for 90 nagent_alive "$name" "$bin" || fail "$bin did not report alive"
}
nagent_alive() {
	kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null || return 99
	api GET "/agents?host=$NODE_HOST&binary=$2" | jget 'd["agents"][0]["alive"] if d["agents"] else ""' |
		grep -q True
}

step_neutron_agents() {
	step "neutron-linuxbridge-agent + neutron-l3-agent"
	write_neutron_agent_confs
	lb_ebtables_clean
	start_nagent linuxbridge-agent neutron-linuxbridge-agent "$STATE/etc/common.conf" \
		"$STATE/etc/linuxbridge_agent.ini"
	start_nagent l3-agent neutron-l3-agent "$STATE/etc/common.conf" "$STATE/etc/l3_agent.ini"
	ok "pids $(cat "$STATE/linuxbridge-agent.pid"), $(cat "$STATE/l3-agent.pid") (host $NODE_HOST)"
}


# ---- router, VM -------------------------------------------------------------

step_router() {
	step "router $ROUTER + network $VM_NET ($VM_CIDR)"
	VM_NET_ID=$(osc network create "$VM_NET" -f value -c id 2>>"$STEP_LOG") || fail
	save VM_NET_ID "$VM_NET_ID"
	run osc subnet create "$VM_SUBNET" --network "$VM_NET_ID" --subnet-range "$VM_CIDR" \
		--gateway "$VM_GW" --no-dhcp
	ROUTER_ID=$(osc router create "$ROUTER" -f value -c id 2>>"$STEP_LOG") || fail
	save ROUTER_ID "$ROUTER_ID"
	run osc router add subnet "$ROUTER_ID" "$VM_SUBNET"
	wait_for 30 ns_has_addr "qrouter-$ROUTER_ID" "$VM_GW" || fail "router namespace has no $VM_GW"
	ok "$ROUTER_ID"
}
ns_has_addr() { grep -q "inet $2/" <<<"$(ip -n "$1" -o addr show 2>/dev/null)"; } # not a pipe: grep -q exiting early must not fail ip under pipefail

# A "VM": a compute port bound to this host; its tap (a veth, as os-vif
# would plug it) joins the network's bridge, the peer is the VM's eth0.
step_vm() {
	step "VM namespace $VM_NS on a compute port"
	local p mac br
	p=$(api POST /ports "{\"port\":{\"name\":\"nwgdemo-vm\",\"network_id\":\"$VM_NET_ID\",\"device_owner\":\"compute:nova\",\"device_id\":\"$(cat /proc/sys/kernel/random/uuid)\",\"binding:host_id\":\"$NODE_HOST\",\"port_security_enabled\":false}}") ||
		fail "VM port: $p"
	VM_PORT=$(echo "$p" | jget 'd["port"]["id"]')
	save VM_PORT "$VM_PORT"
	mac=$(echo "$p" | jget 'd["port"]["mac_address"]')
	VM_IP=$(echo "$p" | jget 'd["port"]["fixed_ips"][0]["ip_address"]')
	br=brq${VM_NET_ID:0:11}
	run ip netns add "$VM_NS"
	save VM_NS "$VM_NS"
	run ip link add "tap${VM_PORT:0:11}" type veth peer name "$VM_VETH" netns "$VM_NS"
	run ip -n "$VM_NS" link set "$VM_VETH" name eth0
	run ip -n "$VM_NS" link set eth0 address "$mac"
	run ip -n "$VM_NS" link set lo up
	run ip -n "$VM_NS" addr add "$VM_IP/24" dev eth0
	run ip -n "$VM_NS" link set eth0 up
	run ip -n "$VM_NS" route add default via "$VM_GW"
	run ip link set "tap${VM_PORT:0:11}" up
	wait_for 30 ip link show "$br" >/dev/null 2>&1 || fail "no bridge $br (linuxbridge agent)"
	run ip link set "tap${VM_PORT:0:11}" master "$br"
	wait_for 30 port_active "$VM_PORT" || fail "VM port not ACTIVE"
	wait_for 15 ip netns exec "$VM_NS" ping -c1 -W1 "$VM_GW" >/dev/null 2>&1 || fail "VM cannot ping its router"
	ok "$VM_IP, port $VM_PORT ACTIVE, pings $VM_GW"
}
port_active() { [ "$(api GET "/ports/$1" | jget 'd["port"]["status"]')" = ACTIVE ]; }

step_attach() {
	step "router add port: the hub ($HUB_IP) joins $ROUTER"
	run osc router add port "$ROUTER_ID" "$HUB_ID"
	wait_for 30 ns_has_addr "qrouter-$ROUTER_ID" "$HUB_IP" || fail "hub not attached in qrouter-$ROUTER_ID"
	HUB_NS=qrouter-$ROUTER_ID HUB_IF=qr-${HUB_ID:0:11}
	ok "$HUB_IF in $HUB_NS (the WireGuard link itself)"
}

step_rerender() {
	step "re-render the device config (router's subnets)"
	wait_for 30 render_has "$VM_CIDR" || fail "the config has no route to $VM_CIDR"
	run dev_wg_apply "$DEV_NS" "$DEV_IF" "$STATE/dev/$DEV_IF.conf"
	ok "AllowedIPs = $(conf_values "$STATE/dev/$DEV_IF.conf" AllowedIPs | paste -sd, -)"
}
render_has() {
	(umask 077 && "$CLI" render --neutron "$OS_ENDPOINT" --port "$SPOKE_ID" \
		--private-key-file "$STATE/dev/private.key" >"$STATE/dev/$DEV_IF.conf") 2>>"$STEP_LOG" &&
		conf_values "$STATE/dev/$DEV_IF.conf" AllowedIPs | grep -qx "$1"
}

step_handshake() {
	step "handshake device <-> hub (before any router)"
	ip netns exec "$DEV_NS" ping -c1 -W1 "$HUB_IP" >/dev/null 2>&1 # first packet: handshake
	wait_for 15 hs_seen || fail "no handshake"
	ok "latest handshake $(wg_handshake "$DEV_NS" "$DEV_IF") (no route yet: hub unrouted)"
}
hs_seen() { [ "$(wg_handshake "$DEV_NS" "$DEV_IF")" != 0 ]; }

pings() { # NS DST -> "3 received"
	ip netns exec "$1" ping -c 3 -i 0.2 -W 2 "$2" >>"$STEP_LOG" 2>&1 || fail "ping $2 from $1"
	grep -o '[0-9]* received' "$STEP_LOG" | tail -1
}
step_pings() {
	step "ping device -> hub $HUB_IP"
	wait_for 15 ping1 "$DEV_NS" "$HUB_IP" || fail "no answer from the hub"
	ok "$(pings "$DEV_NS" "$HUB_IP")"
	step "ping device -> VM $VM_IP (through the router)"
	wait_for 15 ping1 "$DEV_NS" "$VM_IP" || fail "no answer from the VM"
	ok "$(pings "$DEV_NS" "$VM_IP")"
	step "ping VM -> device $SPOKE_IP"
	wait_for 15 ping1 "$VM_NS" "$SPOKE_IP" || fail "the VM cannot reach the device"
	ok "$(pings "$VM_NS" "$SPOKE_IP")"
}

show_tunnel() {
	echo
	echo "---- the device's config (private key hidden):"
	sed 's/^PrivateKey = .*/PrivateKey = (hidden)/' "$STATE/dev/$DEV_IF.conf" | sed 's/^/  /'
	echo "---- wg show $DEV_IF (device, namespace $DEV_NS):"
	ip netns exec "$DEV_NS" wg show "$DEV_IF" | sed 's/^/  /'
	echo "---- wg show $HUB_IF (hub, namespace $HUB_NS):"
	ip netns exec "$HUB_NS" wg show "$HUB_IF" | sed 's/^/  /'
}

summary() {
	local total
	total=$(el "$T_START" "$EPOCHREALTIME")
	cat <<EOS

==== demo is up
Created: harness [$NWG_INSTANCE] at $OS_ENDPOINT; agents on host $NODE_HOST: WireGuard
  (pid $(cat "$STATE/agent.pid")), linuxbridge, L3; network $NET ($CIDR) with hub port $HUB_ID
  ($HUB_IP, $HUB_IF in $HUB_NS) and spoke port $SPOKE_ID ($SPOKE_IP); router $ROUTER to
  $VM_NET ($VM_CIDR) with the VM $VM_IP (netns $VM_NS); device netns $DEV_NS ($DEV_IP over
  veth $VETH, wireguard-go pid $(cat "$STATE/dev/wg.pid")).
Look:   ip netns exec $DEV_NS wg show; ip netns exec $HUB_NS wg show $HUB_IF
        ip netns exec $DEV_NS ping $VM_IP; ip netns exec $VM_NS ping $SPOKE_IP
        ip netns exec $DEV_NS traceroute -n $VM_IP   (device -> hub/router -> VM)
        env -i PATH=/usr/bin:/bin openstack --os-auth-type none --os-endpoint $OS_ENDPOINT port list
        env -i PATH=/usr/bin:/bin openstack --os-auth-type none --os-endpoint $OS_ENDPOINT router show $ROUTER
        $CLI render --neutron $OS_ENDPOINT --port $SPOKE_ID
        logs: $STATE/{agent,l3-agent,linuxbridge-agent}.log, $NEUTRON_LOG
Stop:   make demo-down
Timings:
EOS
	printf '%s\n' "${SUMMARY[@]}"
	printf '  %-52s %6ss\n' "total" "$total" "  of which packages (apt)" "$T_APT" \
		"  the rest" "$(el "$T_APT" "$total")"
}

up() {
	mkdir -p "$STATE" && chmod 700 "$STATE"
	echo "==== networking-wireguard demo (instance $NWG_INSTANCE, state $STATE)"
	step_packages
	step_build
	step_harness
	step_cleanup_previous
	step_l3_lock
	step_underlay
	step_neutron_agents
	step_internet
	step_agent
	step_network
	step_hub
	step_device_key
	step_spoke
	step_realized
	step_render
	step_device_up
	step_handshake
	step_router
	step_vm
	step_attach
	step_rerender
	step_pings
	show_tunnel
	summary
}

# ---- down -----------------------------------------------------------------

# Removes the demo's own resources (not the harness). Quiet, best effort.
envv() { sed -n "s/^$1=//p" "$STATE/demo.env" 2>/dev/null | tail -1; }
teardown() {
	local NET_ID HUB_ID SPOKE_ID HUB_NS DEV_NS_SAVED VM_NET_ID ROUTER_ID VM_PORT VM_NS_SAVED id n
	NET_ID=$(envv NET_ID) HUB_ID=$(envv HUB_ID) SPOKE_ID=$(envv SPOKE_ID) HUB_NS=$(envv HUB_NS)
	DEV_NS_SAVED=$(envv DEV_NS) VM_NET_ID=$(envv VM_NET_ID) ROUTER_ID=$(envv ROUTER_ID)
	VM_PORT=$(envv VM_PORT) VM_NS_SAVED=$(envv VM_NS)
	if [ -n "${OS_ENDPOINT:-}" ] && api GET /networks >/dev/null 2>&1; then
		[ -n "$ROUTER_ID" ] || ROUTER_ID=$(api GET "/routers?name=$ROUTER" | jget \
			'd["routers"][0]["id"] if d["routers"] else None')
		[ -n "$NET_ID" ] || NET_ID=$(api GET "/networks?name=$NET" | jget \
			'd["networks"][0]["id"] if d["networks"] else None')
		[ -n "$VM_NET_ID" ] || VM_NET_ID=$(api GET "/networks?name=$VM_NET" | jget \
			'd["networks"][0]["id"] if d["networks"] else None')
		if [ -n "$ROUTER_ID" ]; then
			for id in $(api GET "/ports?device_id=$ROUTER_ID" | jget \
				'" ".join(p["id"] for p in d["ports"] if p["device_owner"] == "network:router_interface")'); do
				api PUT "/routers/$ROUTER_ID/remove_router_interface" "{\"port_id\":\"$id\"}" >/dev/null
			done
			api DELETE "/routers/$ROUTER_ID" >/dev/null
			[ -s "$STATE/l3-agent.pid" ] && wait_for 15 no_netns "qrouter-$ROUTER_ID"
		fi
		[ -n "$SPOKE_ID" ] && api DELETE "/ports/$SPOKE_ID" >/dev/null
		[ -n "$HUB_ID" ] && api DELETE "/ports/$HUB_ID" >/dev/null
		for n in $NET_ID $VM_NET_ID; do
			for id in $(api GET "/ports?network_id=$n" | jget \
				'" ".join(p["id"] for p in d["ports"])'); do
				api DELETE "/ports/$id" >/dev/null
			done
		done
		# give the agent a moment to delete the hub interface
		[ -n "$HUB_NS" ] && wait_for 10 hub_gone "$HUB_NS"
		for n in $NET_ID $VM_NET_ID; do api DELETE "/networks/$n" >/dev/null; done
		[ -s "$STATE/linuxbridge-agent.pid" ] && [ -n "$VM_NET_ID" ] &&
			wait_for 10 no_link "brq${VM_NET_ID:0:11}"
	fi
	stop_pidfile "$STATE/agent.pid" neutron-wireguard-agent
	stop_pidfile "$STATE/l3-agent.pid" neutron-l3-agent
	stop_pidfile "$STATE/linuxbridge-agent.pid" neutron-linuxbridge-agent
	[ -n "$ROUTER_ID" ] && ip netns del "qrouter-$ROUTER_ID" 2>/dev/null
	for n in $NET_ID $VM_NET_ID; do ip link del "brq${n:0:11}" 2>/dev/null; done
	[ -n "$VM_PORT" ] && ip link del "tap${VM_PORT:0:11}" 2>/dev/null
	for n in $(ip -o link show type vxlan 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
		[[ "$(ip -d link show "$n")" == *"dev $UL "* ]] && ip link del "$n"
	done
	ip link del "$UL" 2>/dev/null
	lb_ebtables_clean
	lb_iptables_clean
	dev_wg_stop "$STATE/dev/wg.pid" "$DEV_IF" "$DEV_NS"
	ip netns del "${DEV_NS_SAVED:-$DEV_NS}" 2>/dev/null
	ip netns del "${VM_NS_SAVED:-$VM_NS}" 2>/dev/null
	ip link del "$VETH" 2>/dev/null
	# the hub's project namespace, if the agent left it empty
	if [ -n "$HUB_NS" ] && ip netns list | grep -qw "$HUB_NS" &&
		[ "$(ip -n "$HUB_NS" -o link show | grep -cv ': lo:')" = 0 ]; then
		ip netns del "$HUB_NS"
	fi
	# the L2/L3 lock holder: flock and its sleep (its own session)
	if [ -s "$STATE/lock.pid" ]; then
		id=$(cat "$STATE/lock.pid")
		grep -q flock "/proc/$id/cmdline" 2>/dev/null && kill -TERM -- "-$id" 2>/dev/null
	fi
	rm -rf "${STATE:?}"/*
	return 0
}

# stop_pidfile FILE NAME: TERM (then KILL) the PID in FILE if it still runs NAME.
stop_pidfile() {
	local pid
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	if grep -q "$2" "/proc/$pid/cmdline" 2>/dev/null; then
		kill -TERM "$pid"
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$1"
}
no_netns() { ! ip netns list | grep -qw "$1"; }
no_link() { ! ip link show "$1" >/dev/null 2>&1; }
hub_gone() { [ "$(ip -n "$1" -o link show 2>/dev/null | grep -c ': wg-')" = 0 ]; }

down() {
	echo "==== networking-wireguard demo down (instance $NWG_INSTANCE)"
	mkdir -p "$STATE"
	if scripts/neutron-harness.sh status >/dev/null 2>&1; then
		eval "$(scripts/neutron-harness.sh env)"
		export OS_ENDPOINT
	fi
	step "ports, network, agent, device, namespaces, state"
	teardown
	ok
	rm -rf "$STATE"
	if [ "${NWG_DEMO_KEEP_HARNESS:-0}" = 1 ]; then
		echo "harness left running (NWG_DEMO_KEEP_HARNESS=1)"
	else
		scripts/neutron-harness.sh stop --all
	fi
}

[ "$(id -u)" = 0 ] || { echo "demo: run as root" >&2; exit 1; }
case "${1:-up}" in
up) up ;;
down) down ;;
*) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
