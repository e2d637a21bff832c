#!/usr/bin/env bash
# The agent on the real stack: neutron-server (harness) + our ML2 driver +
# RabbitMQ, the userspace backend, and a "device" namespace reached over a
# veth running plain wireguard-go + wg. Instance/port from NWG_INSTANCE and
# NEUTRON_PORT (defaults: the harness's default instance).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stack.sh"
need_root
for c in wireguard-go wg jq curl rabbitmqctl; do need_cmd $c; done

T=$(mktemp -d /tmp/nwg-agent-stack.XXXXXX)
LOG=$T/agent.log
HOST=agt-stack-$$
PROJ=agtstk$$
NS=tun-$PROJ
DEVNS=nwgdev$$
DEVIF=wgd$$
VR=nwgvr$$ VD=nwgvd$$
X=$((($$ >> 6) % 256)) Y=$((($$ % 64) * 4))
HUB_IP=198.18.$X.$((Y + 1)) DEV_IP=198.18.$X.$((Y + 2))
NET='' HUB='' S1='' S2='' S3='' HUBIF=''
AGENT_PID=''

cleanup() {
	stop_agent TERM
	"$ROOT/scripts/forget-agents.sh" "$HOST"
	for p in $S1 $S2 $S3 $HUB; do api DELETE "/ports/$p" >/dev/null 2>&1; done
	[ -n "$NET" ] && api DELETE "/networks/$NET" >/dev/null 2>&1
	[ -n "$HUBIF" ] && del_if "$HUBIF" "$NS"
	del_if "$DEVIF" "$DEVNS"
	ip link del "$VR" 2>/dev/null
	ip netns del "$DEVNS" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	[ "${KEEP_LOG:-0}" = 1 ] && cp "$LOG" "/tmp/nwg-agent-stack-$$.log"
	rm -rf "$T"
}
trap cleanup EXIT

stack_up || { echo "  harness did not start"; exit 1; }
write_agent_ini 53400:53499

# the device side: a namespace behind a veth, plain wireguard-go + wg
device_up
DEVPUB=$(wg pubkey <"$T/dev.key")
K2=$(wg genkey | wg pubkey) K3=$(wg genkey | wg pubkey)

echo "agent registers"
start_agent
check "agent alive in the agent list (API)" wait_for 15 agent_alive_in_api
check "openstack network agent list shows it alive" bash -c "env -i PATH=/usr/bin:/bin openstack --os-auth-type none --os-endpoint $OS_ENDPOINT network agent list --host $HOST -f json | jq -e '.[0].Alive == true and .[0][\"Agent Type\"] == \"WireGuard agent\"' >/dev/null"

NET=$(api POST /networks "{\"network\": {\"name\": \"$PROJ\", \"project_id\": \"$PROJ\"}}" | jq -r .network.id)
api POST /subnets "{\"subnet\": {\"network_id\": \"$NET\", \"cidr\": \"10.99.0.0/24\", \"ip_version\": 4, \"project_id\": \"$PROJ\", \"gateway_ip\": null}}" >/dev/null
check "network and subnet" [ -n "$NET" ]

echo "hub realized"
HUB=$(api POST /ports "{\"port\": {\"network_id\": \"$NET\", \"project_id\": \"$PROJ\", \"binding:host_id\": \"$HOST\", \"binding:profile\": {\"wg_role\": \"hub\"}, \"fixed_ips\": [{\"ip_address\": \"10.99.0.1\"}]}}" | jq -r .port.id)
HUBIF=$(ifname_of "$HUB")
hub_realized() { api GET "/ports/$HUB" | jq -e '.port["binding:vif_details"].public_key != null' >/dev/null; }
check "vif_details filled" wait_for 10 hub_realized
check "hub_realized accepted from the bound host (the server checks the host)" grep -q "hub $HUB project .*: reported realized" "$LOG"
check "agent writes no core file (RLIMIT_CORE 0/0)" grep -Eq '^Max core file size +0 +0 ' "/proc/$AGENT_PID/limits"
DETAILS=$(api GET "/ports/$HUB" | jq -c '.port["binding:vif_details"]')
HUBPUB=$(echo "$DETAILS" | jq -r .public_key)
PORT=$(echo "$DETAILS" | jq -r .listen_port)
check "endpoint WG_HUB_IP:port" [ "$(echo "$DETAILS" | jq -r .endpoint)" = "$HUB_IP:$PORT" ]
check "interface and namespace reported" bash -c "[ '$(echo "$DETAILS" | jq -r .interface)' = $HUBIF ] && [ '$(echo "$DETAILS" | jq -r .namespace)' = $NS ]"
check "interface in $NS with our alias" bash -c "ip -n $NS -d link show $HUBIF | grep -q 'alias neutron-wireguard:$HUB'"
check "interface down" bash -c "ip -n $NS link show $HUBIF | grep -q 'state DOWN'"
check "same key on the device" [ "$(wg show "$HUBIF" public-key)" = "$HUBPUB" ]
check "repository record" [ -f "$T/state/$HUB.conf" ]
WGPID=$(wg_pid "$HUBIF")

echo "spoke appears as a peer (event driven: the resync timer is far longer than the waits)"
has_peer() { wg show "$HUBIF" peers | grep -qF "$1"; }
S1=$(api POST /ports "{\"port\": {\"network_id\": \"$NET\", \"project_id\": \"$PROJ\", \"binding:profile\": {\"wg_role\": \"spoke\", \"public_key\": \"$DEVPUB\", \"peers\": [\"$HUB\"]}, \"fixed_ips\": [{\"ip_address\": \"10.99.0.5\"}]}}" | jq -r .port.id)
t0=$EPOCHREALTIME
check "spoke 1 becomes a peer" wait_for 20 has_peer "$DEVPUB"
echo "  (spoke 1 peer after $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.2f", b-a}') s; timing goals live in bench/)"
check "spoke 1 allowed IP" bash -c "wg show $HUBIF allowed-ips | grep -q '$DEVPUB.10.99.0.5/32'"
ip netns exec "$DEVNS" wg set "$DEVIF" private-key "$T/dev.key" peer "$HUBPUB" endpoint "$HUB_IP:$PORT" allowed-ips 10.99.0.1/32 persistent-keepalive 1
ip -n "$DEVNS" addr add 10.99.0.5/24 dev "$DEVIF"
ip -n "$DEVNS" link set "$DEVIF" up
hs1() { wg show "$HUBIF" latest-handshakes | awk -v k="$DEVPUB" '$1 == k {print $2}'; }
check "device handshakes with the hub" wait_for 15 bash -c "[ \"\$(wg show $HUBIF latest-handshakes | awk -v k='$DEVPUB' '\$1 == k {print \$2}')\" -gt 0 ]"
S2=$(api POST /ports "{\"port\": {\"network_id\": \"$NET\", \"project_id\": \"$PROJ\", \"binding:profile\": {\"wg_role\": \"spoke\", \"public_key\": \"$K2\", \"peers\": [\"$HUB\"]}, \"fixed_ips\": [{\"ip_address\": \"10.99.0.6\"}]}}" | jq -r .port.id)
check "spoke 2 becomes a peer" wait_for 20 has_peer "$K2"
H1=$(hs1)

echo "spoke update and delete change only that peer"
mark update
api PUT "/ports/$S2" '{"port": {"fixed_ips": [{"ip_address": "10.99.0.7"}]}}' >/dev/null
check "spoke 2 allowed IP updated" wait_for 20 bash -c "wg show $HUBIF allowed-ips | grep -q '$K2.10.99.0.7/32'"
check "only that peer changed" wait_for 15 log_has update 'peers \+0 ~1 -0'
check "spoke 1 handshake survived the update" [ "$(hs1)" = "$H1" ]
STATUS=$(echo '{"method": "status"}' | socat -t 5 - "UNIX-CONNECT:$T/run/agent.sock")
check "control socket status: hub with live handshake" bash -c "echo '$STATUS' | jq -e '.ok and (.result.hubs[] | select(.port_id == \"$HUB\") | .peers[] | select(.port_id == \"$S1\") | .latest_handshake > 0)' >/dev/null"
check "control socket: unknown method" bash -c "echo '{\"method\": \"no-such-method\", \"args\": {}}' | socat -t 5 - UNIX-CONNECT:$T/run/agent.sock | jq -e '.ok == false and .error == \"unknown method\"' >/dev/null"
check "control socket 0600" [ "$(stat -c %a "$T/run/agent.sock")" = 600 ]
mark delete-spoke
api DELETE "/ports/$S2" >/dev/null && S2=
check "spoke 2 removed" wait_for 20 bash -c "! wg show $HUBIF peers | grep -qF '$K2'"
check "only that peer removed" wait_for 15 log_has delete-spoke 'peers \+0 ~0 -1'
check "spoke 1 handshake survived the delete" [ "$(hs1)" = "$H1" ]

echo "kill -9 and restart changes nothing"
stop_agent KILL
mark restart1
start_agent
check "full sync after the restart" wait_for 15 synced_since restart1
check "nothing created or updated" log_lacks restart1 'created|updated|deleted'
check "same wireguard-go process" [ "$(wg_pid "$HUBIF")" = "$WGPID" ]
check "same key and port" bash -c "[ \"\$(wg show $HUBIF public-key)\" = '$HUBPUB' ] && [ \"\$(wg show $HUBIF listen-port)\" = '$PORT' ]"
check "spoke 1 handshake untouched" [ "$(hs1)" = "$H1" ]

echo "garbage on our topic is logged and ignored"
mark garbage
publish_raw "q-wireguard-agent.$HOST" 'this is { not oslo'
publish_raw "q-wireguard-agent.$HOST" '{"oslo.version": "2.0", "oslo.message": "{\"method\": \"hubs_changed\", \"args\": {\"port_ids\": [\"../../x\"]}}"}'
check "undecodable message logged" wait_for 15 log_has garbage 'ignored undecodable message'
check "bad port ids logged" wait_for 15 log_has garbage 'ignored hubs_changed'
check "agent still running" kill -0 "$AGENT_PID"

echo "RabbitMQ connection closed under the agent"
CONN=$(agent_amqp_conn)
check "found the agent's AMQP connection" [ -n "$CONN" ]
mark rabbit
rabbitmqctl -q close_connection "$CONN" "nwg agent test" >/dev/null 2>&1
check "connection loss noticed" wait_for 10 log_has rabbit 'RabbitMQ connection lost'
check "reconnected" wait_for 20 log_has rabbit 'connected to RabbitMQ'
check "resynced after the reconnect" wait_for 10 synced_since rabbit
S2=$(api POST /ports "{\"port\": {\"network_id\": \"$NET\", \"project_id\": \"$PROJ\", \"binding:profile\": {\"wg_role\": \"spoke\", \"public_key\": \"$K2\", \"peers\": [\"$HUB\"]}, \"fixed_ips\": [{\"ip_address\": \"10.99.0.6\"}]}}" | jq -r .port.id)
check "events flow after the reconnect" wait_for 20 has_peer "$K2"

echo "neutron-server restart"
mark nrestart
"$HARNESS" restart >"$T/harness-restart.log" 2>&1
check "neutron-server back" bash -c "'$HARNESS' status >/dev/null"
# the API answers before the RPC workers consume: wait for our endpoint
vhost=/
[ "$NWG_INSTANCE" = default ] || vhost=nwg_$NWG_INSTANCE
rpc_ready() { rabbitmqctl -q list_queues -p "$vhost" name consumers 2>/dev/null | awk '$1 == "q-wireguard-plugin" && $2 > 0 {f = 1} END {exit !f}'; }
check "server RPC endpoint consuming again" wait_for 90 rpc_ready
S3=$(api POST /ports "{\"port\": {\"network_id\": \"$NET\", \"project_id\": \"$PROJ\", \"binding:profile\": {\"wg_role\": \"spoke\", \"public_key\": \"$K3\", \"peers\": [\"$HUB\"]}, \"fixed_ips\": [{\"ip_address\": \"10.99.0.8\"}]}}" | jq -r .port.id)
check "events flow after the server restart" wait_for 30 has_peer "$K3"
check "agent alive after the server restart" wait_for 10 agent_alive_in_api
check "spoke 1 handshake still up" [ "$(hs1)" -gt 0 ]

echo "reboot: every interface and namespace gone"
stop_agent TERM
check "clean exit on SIGTERM" [ "$AGENT_RC" = 0 ]
check "wireguard-go survives the agent" [ "$(wg_pid "$HUBIF")" = "$WGPID" ]
ip -n "$NS" link del "$HUBIF"
ip netns del "$NS"
wait_for 20 bash -c "[ -z \"\$(pgrep -xf 'wireguard-go -f $HUBIF')\" ]"
mark reboot
start_agent
check "hub re-created" wait_for 15 bash -c "ip -n $NS link show $HUBIF >/dev/null 2>&1"
check "same key after the reboot" wait_for 20 bash -c "[ \"\$(wg show $HUBIF public-key 2>/dev/null)\" = '$HUBPUB' ]"
check "same port after the reboot" [ "$(wg show "$HUBIF" listen-port)" = "$PORT" ]
check "peers restored" wait_for 20 bash -c "[ \$(wg show $HUBIF peers | wc -l) = 3 ]"
# the device's old session is unknown to the new process: it re-handshakes
# once it sends data and hears nothing for 15 s (WireGuard's timers)
ip netns exec "$DEVNS" ping -c 40 -i 1 -W 1 10.99.0.1 >/dev/null 2>&1 &
PING_PID=$!
check "device handshakes again" wait_for 40 bash -c "[ \"\$(wg show $HUBIF latest-handshakes | awk -v k='$DEVPUB' '\$1 == k {print \$2}')\" -gt '$H1' ]"
kill "$PING_PID" 2>/dev/null
wait "$PING_PID" 2>/dev/null
check "vif_details unchanged" [ "$(api GET "/ports/$HUB" | jq -c '.port["binding:vif_details"] | {public_key, listen_port}')" = "$(echo "$DETAILS" | jq -c '{public_key, listen_port}')" ]

echo "hub delete"
mark hubdel
api DELETE "/ports/$HUB" >/dev/null && HUB=
check "interface removed" wait_for 20 bash -c "! ip -n $NS link show $HUBIF >/dev/null 2>&1"
check "repository file removed" wait_for 2 bash -c "! ls $T/state/*.conf >/dev/null 2>&1"
check "project namespace removed with its last hub" wait_for 10 bash -c "! ip netns list | awk '{print \$1}' | grep -qxF $NS"
check "namespace removal logged" log_has hubdel "namespace $NS removed"

stop_agent TERM
check "clean exit" [ "$AGENT_RC" = 0 ]
check "no private key material in the log" no_keys_in "$T/state" "$LOG"
check "no sanitizer reports" bash -c "! grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' $LOG"
finish
