# shellcheck shell=bash
# Helpers for tests on the real stack (sourced after lib.sh): the harness's
# neutron-server + our driver, RabbitMQ, and one agent per test.
HARNESS=$ROOT/scripts/neutron-harness.sh
# never the demo's instance (default/9696): the suites' own
export NWG_INSTANCE=${NWG_INSTANCE:-check}
export NEUTRON_PORT=${NEUTRON_PORT:-9697}

stack_up() {
	[ -d "$ROOT/networking_wireguard" ] || { echo "  no ML2 driver in this tree: skipped"; exit 77; }
	if ! "$HARNESS" status >/dev/null 2>&1; then
		"$HARNESS" start >"$T/harness.log" 2>&1 || { tail -20 "$T/harness.log"; return 1; }
	fi
	eval "$("$HARNESS" env)"
	API=$NEUTRON_API
	VHOST=${TRANSPORT_URL##*/}
	[ -n "$VHOST" ] || VHOST=/
}

api() { # api METHOD PATH [JSON]
	curl -sf -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "$API$2"
}

# start_agent: runs the agent in the background (its own session), PID in AGENT_PID.
start_agent() {
	echo "=== start $*" >>"$LOG"
	setsid "$AGENT" --config-file "$T/agent.ini" --debug >>"$LOG" 2>&1 </dev/null &
	AGENT_PID=$!
}
stop_agent() { # stop_agent [SIGNAL]
	[ -n "${AGENT_PID:-}" ] || return 0
	kill "-${1:-TERM}" "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_RC=$? # read by the tests
	AGENT_PID=
	export AGENT_RC
}
mark() { echo "=== $*" >>"$LOG"; }
since_mark() { sed -n "/^=== $1\$/,\$p" "$LOG"; }
log_has() { since_mark "$1" | grep -Eq "$2"; }
log_lacks() { ! since_mark "$1" | grep -Eq "$2"; }
# A full sync finished after the mark.
synced_since() { log_has "$1" 'full sync: '; }

agent_alive_in_api() {
	api GET "/agents?host=$HOST" | jq -e '.agents | length == 1 and .[0].alive == true and .[0].agent_type == "WireGuard agent" and .[0].binary == "neutron-wireguard-agent"' >/dev/null
}

# The agent's AMQP connection: RabbitMQ's pid for the connection whose peer
# port is the agent's local port.
agent_amqp_conn() {
	local lport pids
	# with privsep the connection is the engine's (a child of the agent)
	pids=$(echo "$AGENT_PID" $(pgrep -P "$AGENT_PID") | tr ' ' '|')
	lport=$(ss -Htnp state established '( dport = :5672 )' 2>/dev/null |
		grep -E "pid=($pids)," | awk '{print $3}' | sed 's/.*://' | head -1)
	[ -n "$lport" ] || return 1
	rabbitmqctl -q list_connections -p "$VHOST" pid peer_port 2>/dev/null |
		awk -v p="$lport" '$2 == p {print $1}' | head -1
}

# Publishes raw bytes to exchange neutron with a routing key (py-amqp).
publish_raw() { # publish_raw ROUTING_KEY BODY
	/usr/bin/python3 - "$VHOST" "$1" "$2" <<'PY'
import sys, amqp
vhost, key, body = sys.argv[1], sys.argv[2], sys.argv[3]
c = amqp.Connection('127.0.0.1:5672', userid='guest', password='guest', virtual_host=vhost)
c.connect()
ch = c.channel()
ch.basic_publish(amqp.Message(body, content_type='application/json'), exchange='neutron', routing_key=key)
c.close()
PY
}

# write_agent_ini PORT_RANGE [EXTRA_LINES]: the agent configuration the
# real-stack tests share ($T/agent.ini; HOST, HUB_IP, T set by the test).
write_agent_ini() {
	cat >"$T/agent.ini" <<INI
[DEFAULT]
host = $HOST
transport_url = $TRANSPORT_URL
[AGENT]
report_interval = 2
[wireguard]
WG_HUB_IP = $HUB_IP
backend = userspace
state_path = $T/state
listen_port_range = $1
control_socket = $T/run/agent.sock
privsep = $([ "${NWG_AGENT_PRIVSEP:-1}" = 1 ] && echo true || echo false)
${2:-}
INI
}

# device_up: the device side the real-stack tests share: namespace $DEVNS
# behind the veth $VR/$VD ($HUB_IP/30 <-> $DEV_IP/30), plain wireguard-go
# $DEVIF, and the device's own private key in $T/dev.key (0600).
device_up() {
	ip netns add "$DEVNS"
	ip link add "$VR" type veth peer name "$VD"
	ip link set "$VD" netns "$DEVNS"
	ip addr add "$HUB_IP/30" dev "$VR"
	ip link set "$VR" up
	ip -n "$DEVNS" addr add "$DEV_IP/30" dev "$VD"
	ip -n "$DEVNS" link set "$VD" up
	ip -n "$DEVNS" link set lo up
	ip netns exec "$DEVNS" wireguard-go "$DEVIF" >/dev/null 2>&1
	(umask 077 && wg genkey >"$T/dev.key")
}
