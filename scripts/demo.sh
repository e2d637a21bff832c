#!/usr/bin/env bash
# All-in-one demo (root, Debian 12): Neutron + the WireGuard agent + a remote
# device that joins a project network over a real WireGuard tunnel, with its
# config rendered from its Neutron spoke port alone.
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
	run scripts/neutron-harness.sh start
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
# The demo has no router yet: address the hub and bring it up in its project
# namespace so the device reaches it (and it the device) without one.
hub_up_unrouted = true
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
	ok "pid $(cat "$STATE/agent.pid"), backend=auto, hub_up_unrouted = true"
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

step_ping() {
	step "ping device -> hub $HUB_IP"
	wait_for 15 ping1 "$DEV_NS" "$HUB_IP" || fail "no answer from the hub"
	run ip netns exec "$DEV_NS" ping -c 3 -i 0.2 -W 2 "$HUB_IP"
	ok "$(grep -o '[0-9]* received' "$STEP_LOG")"
	step "ping hub ($HUB_NS) -> device $SPOKE_IP"
	run ip netns exec "$HUB_NS" ping -c 3 -i 0.2 -W 2 "$SPOKE_IP"
	ok "$(grep -o '[0-9]* received' "$STEP_LOG")"
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
Created: harness [$NWG_INSTANCE] at $OS_ENDPOINT; agent (host $NODE_HOST, pid $(cat "$STATE/agent.pid"),
  hub_up_unrouted = true); network $NET ($CIDR); hub port $HUB_ID ($HUB_IP,
  $HUB_IF in netns $HUB_NS); spoke port $SPOKE_ID ($SPOKE_IP); device netns $DEV_NS
  ($DEV_IP over veth $VETH, wireguard-go pid $(cat "$STATE/dev/wg.pid")).
Look:   ip netns; ip netns exec $DEV_NS wg show; ip netns exec $HUB_NS wg show
        env -i PATH=/usr/bin:/bin openstack --os-auth-type none --os-endpoint $OS_ENDPOINT port list
        $CLI render --neutron $OS_ENDPOINT --port $SPOKE_ID
        logs: $STATE/agent.log, $NEUTRON_LOG
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
	step_internet
	step_agent
	step_network
	step_hub
	step_device_key
	step_spoke
	step_realized
	step_render
	step_device_up
	step_ping
	show_tunnel
	summary
}

# ---- down -----------------------------------------------------------------

# Removes the demo's own resources (not the harness). Quiet, best effort.
teardown() {
	local NET_ID="" HUB_ID="" SPOKE_ID="" HUB_NS="" DEV_NS_SAVED="" id
	if [ -f "$STATE/demo.env" ]; then
		NET_ID=$(sed -n 's/^NET_ID=//p' "$STATE/demo.env")
		HUB_ID=$(sed -n 's/^HUB_ID=//p' "$STATE/demo.env")
		SPOKE_ID=$(sed -n 's/^SPOKE_ID=//p' "$STATE/demo.env")
		HUB_NS=$(sed -n 's/^HUB_NS=//p' "$STATE/demo.env")
		DEV_NS_SAVED=$(sed -n 's/^DEV_NS=//p' "$STATE/demo.env")
	fi
	if [ -n "${OS_ENDPOINT:-}" ] && api GET /networks >/dev/null 2>&1; then
		[ -n "$NET_ID" ] || NET_ID=$(api GET "/networks?name=$NET" | jget \
			'd["networks"][0]["id"] if d["networks"] else None')
		[ -n "$SPOKE_ID" ] && api DELETE "/ports/$SPOKE_ID" >/dev/null
		[ -n "$HUB_ID" ] && api DELETE "/ports/$HUB_ID" >/dev/null
		if [ -n "$NET_ID" ]; then
			for id in $(api GET "/ports?network_id=$NET_ID" | jget \
				'" ".join(p["id"] for p in d["ports"])'); do
				api DELETE "/ports/$id" >/dev/null
			done
			# give the agent a moment to delete the hub interface
			[ -n "$HUB_NS" ] && wait_for 10 hub_gone "$HUB_NS"
			api DELETE "/networks/$NET_ID" >/dev/null
		fi
	fi
	if [ -s "$STATE/agent.pid" ]; then
		local pid
		pid=$(cat "$STATE/agent.pid")
		if grep -q neutron-wireguard-agent "/proc/$pid/cmdline" 2>/dev/null; then
			kill -TERM "$pid"
			for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -KILL "$pid" 2>/dev/null
		fi
		rm -f "$STATE/agent.pid"
	fi
	dev_wg_stop "$STATE/dev/wg.pid" "$DEV_IF" "$DEV_NS"
	ip netns del "${DEV_NS_SAVED:-$DEV_NS}" 2>/dev/null
	ip link del "$VETH" 2>/dev/null
	# the hub's project namespace, if the agent left it empty
	if [ -n "$HUB_NS" ] && ip netns list | grep -qw "$HUB_NS" &&
		[ "$(ip -n "$HUB_NS" -o link show | grep -cv ': lo:')" = 0 ]; then
		ip netns del "$HUB_NS"
	fi
	rm -rf "${STATE:?}"/*
	return 0
}

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
