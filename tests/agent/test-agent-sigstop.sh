#!/usr/bin/env bash
# neutron-server frozen (SIGSTOP of its whole process group) under a running
# agent for SIGSTOP_SECONDS (default 120): the control socket answers every
# request throughout, the AMQP connection stays up (heartbeats), a SIGHUP and
# a hubs_changed cast that arrive meanwhile are taken at once and their sync
# completes after SIGCONT, and the agent is alive in Neutron again.
# With STALL_PROBE=1 it also probes the control socket for the same time
# while the server runs and prints "stall running_max_ms=.. stopped_max_ms=.."
# (bench/scale-run.sh reads it; no timing is asserted).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stack.sh"
need_root
for c in wireguard-go wg jq curl; do need_cmd $c; done
SECS=${SIGSTOP_SECONDS:-120}
PY=/usr/bin/python3
PROBE=$ROOT/tests/agent/ctl_probe.py

T=$(mktemp -d /tmp/nwg-agent-sigstop.XXXXXX)
LOG=$T/agent.log
HOST=agt-stop-$$
PROJ=agtst$$
NS=tun-$PROJ
X=$((($$ >> 6) % 256)) Y=$((($$ % 64) * 4))
# shellcheck disable=SC2034 # read by write_agent_ini (stack.sh)
HUB_IP=198.19.$X.$((Y + 1))
NET='' HUB='' HUBIF='' NPID='' STOPPED=0
AGENT_PID=''

cleanup() {
	[ "$STOPPED" = 1 ] && kill -CONT -- "-$NPID" 2>/dev/null
	stop_agent TERM
	"$ROOT/scripts/forget-agents.sh" "$HOST"
	[ -n "$HUB" ] && api DELETE "/ports/$HUB" >/dev/null 2>&1
	[ -n "$NET" ] && api DELETE "/networks/$NET" >/dev/null 2>&1
	AID=$(api GET "/agents?host=$HOST" 2>/dev/null | jq -r '.agents[0].id // empty')
	[ -n "$AID" ] && api DELETE "/agents/$AID" >/dev/null 2>&1
	[ -n "$HUBIF" ] && del_if "$HUBIF" "$NS"
	ip netns del "$NS" 2>/dev/null
	[ "${KEEP_LOG:-0}" = 1 ] && cp -r "$T" "/tmp/nwg-agent-sigstop-$$"
	rm -rf "$T"
}
trap cleanup EXIT

stack_up || { echo "  harness did not start"; exit 1; }
NPID=$(cat "$HARNESS_STATE/neutron-server.pid" 2>/dev/null)
[ -n "$NPID" ] && kill -0 "$NPID" || { echo "  no neutron-server pid"; exit 1; }
write_agent_ini 53600:53699
start_agent
check "agent alive in the agent list (API)" wait_for 30 agent_alive_in_api
NET=$(api POST /networks "{\"network\": {\"name\": \"$PROJ\", \"project_id\": \"$PROJ\"}}" | jq -r .network.id)
api POST /subnets "{\"subnet\": {\"network_id\": \"$NET\", \"cidr\": \"10.97.0.0/24\", \"ip_version\": 4, \"project_id\": \"$PROJ\", \"gateway_ip\": null}}" >/dev/null
HUB=$(api POST /ports "{\"port\": {\"network_id\": \"$NET\", \"project_id\": \"$PROJ\", \"binding:host_id\": \"$HOST\", \"binding:profile\": {\"wg_role\": \"hub\"}, \"fixed_ips\": [{\"ip_address\": \"10.97.0.1\"}]}}" | jq -r .port.id)
HUBIF=$(ifname_of "$HUB")
link_there() { ip -n "$NS" link show "$HUBIF" >/dev/null 2>&1; }
check "hub realized" wait_for 30 link_there
check "hub reported" wait_for 30 grep -q 'reported realized' "$LOG"

if [ "${STALL_PROBE:-0}" = 1 ]; then
	RUNNING=$($PY "$PROBE" "$T/run/agent.sock" "$SECS" 20)
	kill -HUP "$AGENT_PID"
fi

echo "neutron-server stopped for $SECS s"
mark stopped
kill -STOP -- "-$NPID" && STOPPED=1
kill -HUP "$AGENT_PID" # a full sync: its get_hubs now waits for a frozen server
BODY=$(jq -cn --arg hub "$HUB" --arg uid "$(new_uuid | tr -d -)" \
	'{"oslo.version": "2.0", "oslo.message": ({method: "hubs_changed", args: {port_ids: [$hub]}, _unique_id: $uid} | tojson)}')
publish_raw "q-wireguard-agent.$HOST" "$BODY"
STOPPED_OUT=$($PY "$PROBE" "$T/run/agent.sock" "$SECS" 20)
echo "  control socket while stopped: $STOPPED_OUT"
check "the control socket answered every request" bash -c "echo '$STOPPED_OUT' | grep -Eq 'n=[1-9][0-9]* failed=0 '"
check "SIGHUP taken while stopped" log_has stopped 'SIGHUP: full resync'
check "hubs_changed taken while stopped" log_has stopped 'hubs_changed: 1 hub'
check "agent running" kill -0 "$AGENT_PID"
check "AMQP connection kept (heartbeats)" log_lacks stopped 'RabbitMQ connection lost'
if [ "$SECS" -gt 65 ]; then
	check "get_hubs timed out (never blocked)" log_has stopped 'get_hubs\(.*\) failed: no reply'
fi

mark resumed
kill -CONT -- "-$NPID" && STOPPED=0
check "full sync after the server resumed" wait_for 120 synced_since resumed
check "agent alive in Neutron again" wait_for 120 agent_alive_in_api
check "hub still in place" link_there
check "no sanitizer report" bash -c "! grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' '$LOG'"
if [ "${STALL_PROBE:-0}" = 1 ]; then
	rmax=$(echo "$RUNNING" | sed -E 's/.*max_ms=([0-9.]+).*/\1/')
	smax=$(echo "$STOPPED_OUT" | sed -E 's/.*max_ms=([0-9.]+).*/\1/')
	echo "stall running_max_ms=$rmax stopped_max_ms=$smax ($RUNNING | $STOPPED_OUT)"
fi
finish
