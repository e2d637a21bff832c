# shellcheck shell=bash
# Shared by tests/osc, tests/ipv6, tests/rootns: one harness instance in
# NEUTRON_AUTH=headers mode (reused when already up in that mode, stopped
# only by the suite that started it), tests/osc/authproxy.py in front of
# it for the real `openstack` CLI, a WireGuard agent per suite, checks.
# The caller sets SUITE, sources scripts/device-lib.sh, then this file.

export NWG_INSTANCE=${NWG_INSTANCE:-onb}
export NEUTRON_PORT=${NEUTRON_PORT:-9694}
export NEUTRON_AUTH=headers
export NEUTRON_POLICY=$HERE/tests/osc/policy.yaml
PROXY_PORT=${OSC_PROXY_PORT:-$((NEUTRON_PORT + 1))}
# shellcheck disable=SC2034 # used by the suites
CLI=$HERE/build/rel/bin/neutron-wireguard
AGENT=$HERE/build/rel/bin/neutron-wireguard-agent
ID=$$
STATE=$(mktemp -d "/var/tmp/nwg-$SUITE.XXXXXX")
chmod 700 "$STATE"
LOG=$STATE/$SUITE.log
PASS=0 FAILED=0 HARNESS_STARTED=0 PROXY_PID="" AGENT_PID=""
CLEANUP=()     # commands run (reversed) at exit

say() { echo "$SUITE: $*"; }
# shellcheck source=tests/lib/check.sh
. "$HERE/tests/lib/check.sh"
must() {
	check "$@"
	[ "$FAILED" = 0 ] || exit 1
}
at_exit() { CLEANUP+=("$*"); }

# hapi METHOD PATH [JSON]: Neutron as admin (identity headers, no proxy).
hapi() {
	local out code
	out=$(mktemp)
	code=$(curl -s -o "$out" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
		-H 'X-User-Id: nwg-test' -H 'X-Project-Id: nwg-test' -H 'X-Roles: admin' \
		"$OS_ENDPOINT/v2.0$2" ${3:+-d "$3"}) || code=000
	cat "$out"
	rm -f "$out"
	[ "$code" -lt 400 ] 2>/dev/null
}

# osc_as USER CMD...: the real openstack CLI as USER (password USERpw, users.json).
osc_as() {
	local u=$1 p
	shift
	p=$(jq -r --arg u "$u" '.users[] | select(.name == $u) | .project' "$STATE/users.json")
	env -i PATH=/usr/bin:/bin HOME="$STATE" PYTHONPATH="$HERE" \
		OS_AUTH_URL="http://127.0.0.1:$PROXY_PORT/identity/v3" OS_USERNAME="$u" \
		OS_PASSWORD="${u}pw" OS_PROJECT_NAME="$p" OS_USER_DOMAIN_NAME=Default \
		OS_PROJECT_DOMAIN_NAME=Default OS_IDENTITY_API_VERSION=3 openstack "$@"
}
project_id() { printf '%s' "project:$1" | sha256sum | cut -c1-32; }

show_logs() {
	echo "---- $SUITE log (last 40 lines): $LOG"
	tail -n 40 "$LOG"
	echo "---- agent (last 20 lines):"
	cat "$STATE/agent.out" "$STATE/agent.log" 2>/dev/null | tail -n 20
	echo "---- neutron-server ERRORs:"
	grep -E ' (ERROR|CRITICAL) ' "${NEUTRON_LOG:-/nonexistent}" 2>/dev/null | tail -n 10
}

cleanup() {
	set +e
	local i
	for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do eval "${CLEANUP[$i]}" >/dev/null 2>&1; done
	kill_pid "$AGENT_PID" neutron-wireguard-agent
	kill_pid "$PROXY_PID" authproxy.py
	# the namespaces the agent made for this run's projects (it is gone now)
	for p in "pa$ID" "pb$ID" "admin$ID"; do ip netns del "tun-$(project_id "$p")" 2>/dev/null; done
	# NWG_KEEP_HARNESS=1: check-all.sh shares one start-up between the suites
	[ "$HARNESS_STARTED" = 1 ] && [ "${NWG_KEEP_HARNESS:-0}" != 1 ] &&
		scripts/neutron-harness.sh stop >/dev/null 2>&1
	rm -rf "$STATE"
}
kill_pid() {
	[ -n "$1" ] && grep -q "$2" "/proc/$1/cmdline" 2>/dev/null || return 0
	kill -TERM "$1"
	for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
}
finish() {
	[ "$FAILED" = 0 ] || show_logs
	echo "$SUITE: $PASS passed, $FAILED failed"
	cleanup
	trap - EXIT
	[ "$FAILED" = 0 ] && exit 0
	exit 1
}
trap finish EXIT
trap 'FAILED=$((FAILED + 1)); echo "$SUITE: interrupted"; exit 1' INT TERM

harness_mode_ok() {
	grep -q '^auth_strategy = keystone' "$NWG_HARNESS_ROOT_DIR/etc/neutron.conf" 2>/dev/null
}
start_stack() {
	eval "$(scripts/neutron-harness.sh env)"
	export OS_ENDPOINT NEUTRON_LOG TRANSPORT_URL
	NWG_HARNESS_ROOT_DIR=${HARNESS_STATE:?}
	if scripts/neutron-harness.sh status >/dev/null 2>&1 && harness_mode_ok; then
		:
	elif scripts/neutron-harness.sh status >/dev/null 2>&1; then
		scripts/neutron-harness.sh restart >>"$LOG" 2>&1 || return 1
	else
		HARNESS_STARTED=1
		scripts/neutron-harness.sh start >>"$LOG" 2>&1 || return 1
	fi
	cat >"$STATE/users.json" <<EOF
{"users": [
 {"name": "admin", "password": "adminpw", "project": "admin", "roles": ["admin", "member", "reader"]},
 {"name": "alice$ID", "password": "alice${ID}pw", "project": "pa$ID", "roles": ["member", "reader"]},
 {"name": "bob$ID", "password": "bob${ID}pw", "project": "pb$ID", "roles": ["member", "reader"]},
 {"name": "rita$ID", "password": "rita${ID}pw", "project": "pa$ID", "roles": ["reader"]}]}
EOF
	setsid /usr/bin/python3 "$HERE/tests/osc/authproxy.py" --listen "$PROXY_PORT" \
		--neutron "$OS_ENDPOINT" --users "$STATE/users.json" >"$STATE/proxy.log" 2>&1 </dev/null &
	PROXY_PID=$!
	(cd "$HERE" && /usr/bin/python3 setup.py -q egg_info >>"$LOG" 2>&1) || return 1
	wait_for 20 proxy_up
}

# start_agent HOST WG_HUB_IP [extra ini lines]
start_agent() {
	install -d -m 700 "$STATE/repo"
	cat >"$STATE/agent.ini" <<EOC
[DEFAULT]
host = $1
transport_url = $TRANSPORT_URL
log_file = $STATE/agent.log
debug = true
[AGENT]
report_interval = 5
[wireguard]
WG_HUB_IP = $2
backend = auto
state_path = $STATE/repo
control_socket = $STATE/agent.sock
listen_port_range = ${AGENT_PORTS:-52900:52999}
hub_up_unrouted = true
health_interval = 2
${3:-}
EOC
	setsid "$AGENT" --config-file "$STATE/agent.ini" >"$STATE/agent.out" 2>&1 </dev/null &
	AGENT_PID=$!
	at_exit "hapi GET '/agents?host=$1' | jq -r '.agents[].id' | while read -r a; do hapi DELETE /agents/\$a; done"
	wait_for 60 agent_alive "$1"
}
proxy_up() { curl -sf -o /dev/null "http://127.0.0.1:$PROXY_PORT/identity/v3"; }
agent_alive() {
	kill -0 "$AGENT_PID" 2>/dev/null || return 99
	hapi GET "/agents?host=$1" | jq -e '.agents[0].alive == true' >/dev/null
}

# hub_realized PORT: the hub's wireguard attribute has key and endpoint.
hub_realized() {
	hapi GET "/ports/$1" | jq -e '.port.wireguard.public_key != null and .port.wireguard.endpoint != null' >/dev/null
}
port_count_named() { hapi GET "/ports?name=$1" | jq '.ports | length'; }
