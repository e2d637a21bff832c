#!/usr/bin/env bash
# Operators' kit on the real stack: `neutron-wireguard status`, spoke health
# in Neutron (ACTIVE while the device's handshake is fresh, DOWN once stale)
# and the Prometheus textfile. Harness instance/port from NWG_INSTANCE and
# NEUTRON_PORT (defaults: the harness's default instance).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stack.sh"
need_root
for c in wireguard-go wg jq curl; do need_cmd $c; done
CLI=$ROOT/build/asan/bin/neutron-wireguard
[ -x "$CLI" ] || CLI=$ROOT/build/rel/bin/neutron-wireguard

T=$(mktemp -d /tmp/nwg-agent-health.XXXXXX)
# the metrics directory's parent: open to all, as a node_exporter textfile
# directory's is (with privsep the engine's user writes the metrics, and
# the agent creates the metrics directory for it)
MT=$(mktemp -d /tmp/nwg-agent-health-m.XXXXXX)
chmod 0755 "$MT"
LOG=$T/agent.log
HOST=agt-health-$$
PROJ=agthl$$
NS=tun-$PROJ
DEVNS=nwghd$$
DEVIF=wgh$$
VR=nwghr$$ VD=nwghv$$
X=$((($$ >> 6) % 256)) Y=$((($$ % 64) * 4))
HUB_IP=198.19.$X.$((Y + 1)) DEV_IP=198.19.$X.$((Y + 2))
NET='' HUB='' S1='' HUBIF=''
AGENT_PID=''
STALE=15

cleanup() {
	stop_agent TERM
	"$ROOT/scripts/forget-agents.sh" "$HOST"
	for p in $S1 $HUB; do api DELETE "/ports/$p" >/dev/null 2>&1; done
	[ -n "$NET" ] && api DELETE "/networks/$NET" >/dev/null 2>&1
	[ -n "$HUBIF" ] && del_if "$HUBIF" "$NS"
	del_if "$DEVIF" "$DEVNS"
	ip link del "$VR" 2>/dev/null
	ip netns del "$DEVNS" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	[ "${KEEP_LOG:-0}" = 1 ] && cp -r "$T" "/tmp/nwg-agent-health-$$"
	rm -rf "$T" "$MT"
}
trap cleanup EXIT

stack_up || { echo "  harness did not start"; exit 1; }
write_agent_ini 53500:53599 "health_interval = 2
handshake_stale = $STALE
metrics_textfile = $MT/metrics/wireguard.prom"
[ "${NWG_AGENT_PRIVSEP:-1}" = 1 ] || mkdir -p "$MT/metrics"

device_up
DEVPUB=$(wg pubkey <"$T/dev.key")

echo "status before the agent runs"
OUT=$("$CLI" status --socket "$T/run/agent.sock" 2>&1)
check "agent not running: exit 1 and a clear message" bash -c "[ $? = 1 ] && echo '$OUT' | grep -q 'agent not running'"

start_agent
check "agent alive in the agent list (API)" wait_for 15 agent_alive_in_api
NET=$(api POST /networks "{\"network\": {\"name\": \"$PROJ\", \"project_id\": \"$PROJ\"}}" | jq -r .network.id)
api POST /subnets "{\"subnet\": {\"network_id\": \"$NET\", \"cidr\": \"10.98.0.0/24\", \"ip_version\": 4, \"project_id\": \"$PROJ\", \"gateway_ip\": null}}" >/dev/null
HUB=$(api POST /ports "{\"port\": {\"network_id\": \"$NET\", \"project_id\": \"$PROJ\", \"binding:host_id\": \"$HOST\", \"binding:profile\": {\"wg_role\": \"hub\"}, \"fixed_ips\": [{\"ip_address\": \"10.98.0.1\"}]}}" | jq -r .port.id)
HUBIF=$(ifname_of "$HUB")
hub_realized() { api GET "/ports/$HUB" | jq -e '.port["binding:vif_details"].public_key != null' >/dev/null; }
check "hub realized" wait_for 15 hub_realized
HUBPUB=$(api GET "/ports/$HUB" | jq -r '.port["binding:vif_details"].public_key')
PORT=$(api GET "/ports/$HUB" | jq -r '.port["binding:vif_details"].listen_port')

echo "spoke bound to the agent host"
S1=$(api POST /ports "{\"port\": {\"network_id\": \"$NET\", \"project_id\": \"$PROJ\", \"binding:host_id\": \"$HOST\", \"binding:profile\": {\"wg_role\": \"spoke\", \"public_key\": \"$DEVPUB\", \"peers\": [\"$HUB\"], \"persistent_keepalive\": 1}, \"fixed_ips\": [{\"ip_address\": \"10.98.0.5\"}]}}" | jq -r .port.id)
check "spoke created" [ -n "$S1" ] && [ "$S1" != null ]
has_peer() { wg show "$HUBIF" peers 2>/dev/null | grep -qF "$1"; }
check "spoke becomes a peer" wait_for 20 has_peer "$DEVPUB"
check "spoke DOWN before any handshake" wait_for 10 bash -c "[ \"\$(curl -sf $API/ports/$S1 | jq -r .port.status)\" = DOWN ]"

echo "device handshakes"
mark handshake
ip netns exec "$DEVNS" wg set "$DEVIF" private-key "$T/dev.key" peer "$HUBPUB" endpoint "$HUB_IP:$PORT" allowed-ips 10.98.0.1/32 persistent-keepalive 1
ip -n "$DEVNS" addr add 10.98.0.5/24 dev "$DEVIF"
ip -n "$DEVNS" link set "$DEVIF" up
check "device handshakes with the hub" wait_for 15 bash -c "[ \"\$(wg show $HUBIF latest-handshakes | awk -v k='$DEVPUB' '\$1 == k {print \$2}')\" -gt 0 ]"
check "spoke turns ACTIVE" wait_for $((STALE - 4)) bash -c "[ \"\$(curl -sf $API/ports/$S1 | jq -r .port.status)\" = ACTIVE ]"
check "agent logged the change" log_has handshake "spoke $S1: ACTIVE"

echo "neutron-wireguard status"
OUT=$("$CLI" status --socket "$T/run/agent.sock")
check "status: exit 0" [ $? = 0 ]
echo "$OUT" | sed 's/^/    | /'
check "status: the hub, its project and namespace" bash -c "echo '$OUT' | grep -q '^hub $HUB\$' && echo '$OUT' | grep -q '  project:     $PROJ\$' && echo '$OUT' | grep -q '  namespace:   $NS\$'"
check "status: listen port and key" bash -c "echo '$OUT' | grep -q '  listen port: $PORT\$' && echo '$OUT' | grep -qF '  public key:  $HUBPUB'"
check "status: spoke with a fresh handshake age" bash -c "echo '$OUT' | grep -A2 '    spoke $S1' | grep -Eq 'handshake: [0-9]+s ago'"
check "status: endpoint of the device" bash -c "echo '$OUT' | grep -A1 '    spoke $S1' | grep -qF 'endpoint:  $DEV_IP:'"
rx_json() { "$CLI" status --json --socket "$T/run/agent.sock" | jq -r --arg s "$S1" '.hubs[].peers[] | select(.port_id == $s) | .rx_bytes'; }
check "status --json parses and names the spoke" bash -c "[ \"\$('$CLI' status --json --socket '$T/run/agent.sock' | jq -r '.hubs[0].peers[0].port_id')\" = '$S1' ]"
RX0=$(rx_json)
check "rx counter growing (keepalives)" wait_for 10 bash -c "[ \"\$('$CLI' status --json --socket '$T/run/agent.sock' | jq -r '.hubs[].peers[] | select(.port_id == \"$S1\") | .rx_bytes')\" -gt '$RX0' ]"
check "status --socket to a non-socket: exit 1, clear error" bash -c "'$CLI' status --socket '$T/agent.ini' 2>&1 | grep -q 'agent not running'; [ \${PIPESTATUS[0]} = 1 ]"

if command -v setpriv >/dev/null; then
	check "status as a non-root user: permission denied, exit 1" bash -c "setpriv --reuid=65534 --regid=65534 --clear-groups '$CLI' status --socket '$T/run/agent.sock' 2>&1 | grep -q 'permission denied'; [ \${PIPESTATUS[0]} = 1 ]"
fi

echo "metrics textfile"
M=$MT/metrics/wireguard.prom
if [ "${NWG_AGENT_PRIVSEP:-1}" = 1 ]; then
	check "privsep: the agent created the metrics directory for the engine's user" \
		bash -c "[ \"\$(stat -c %U:%a '$MT/metrics')\" = 'neutron:755' ]"
fi
LBL="interface=\"$HUBIF\",public_key=\"$DEVPUB\",port_id=\"$S1\",hub_port_id=\"$HUB\",project_id=\"$PROJ\""
check "metrics file written" wait_for 5 test -s "$M"
sed 's/^/    | /' "$M" | grep -v '^    | # HELP'
mrx() { grep -F "wireguard_received_bytes_total{$LBL}" "$M" | awk '{print $2}'; }
check "handshake metric with the spoke's labels" bash -c "grep -F 'wireguard_latest_handshake_seconds{$LBL}' '$M' | awk '{exit !(\$2 > 0)}'"
check "sent bytes metric" grep -qF "wireguard_sent_bytes_total{$LBL}" "$M"
check "hubs gauge" grep -qx 'neutron_wireguard_hubs 1' "$M"
check "sync errors counter" grep -qx 'neutron_wireguard_sync_errors_total 0' "$M"
MRX0=$(mrx)
check "received bytes metric growing" wait_for 10 bash -c "[ \"\$(grep -F 'wireguard_received_bytes_total{$LBL}' '$M' | awk '{print \$2}')\" -gt '${MRX0:-0}' ]"
check "no temporary files left" bash -c "[ \$(ls '$MT/metrics' | wc -l) = 1 ]"

echo "device goes away: spoke turns DOWN once the handshake is stale"
mark gone
ip -n "$DEVNS" link del "$DEVIF"
check "spoke turns DOWN" wait_for $((STALE + 30)) bash -c "[ \"\$(curl -sf $API/ports/$S1 | jq -r .port.status)\" = DOWN ]"
check "agent logged the change" log_has gone "spoke $S1: DOWN"
check "reported once, not on every tick" bash -c "sleep 5; [ \$(sed -n '/^=== gone\$/,\$p' '$LOG' | grep -c 'spoke $S1: DOWN') = 1 ]"

stop_agent TERM
check "clean exit" [ "$AGENT_RC" = 0 ]
check "no private key material in the log" no_keys_in "$T/state" "$LOG"
check "no private key material in the metrics" no_keys_in "$T/state" "$M"
check "no sanitizer reports" bash -c "! grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' $LOG"
finish
