#!/usr/bin/env bash
# Reboot with the control plane unreachable: the agent re-creates recorded
# hubs from the repository alone (same key, same port), keeps retrying
# RabbitMQ with backoff, answers status on the control socket meanwhile and
# exits cleanly on SIGTERM, leaving the hubs and their wireguard-go alone.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd wireguard-go
need_cmd wg
need_cmd socat

T=$(mktemp -d /tmp/nwg-agent-restore.XXXXXX)
LOG=$T/agent.log
PROJ=agtres$$
NS=tun-$PROJ
HUB=$(new_uuid) S1=$(new_uuid)
IF=$(ifname_of "$HUB")
K1=$(wg genkey | wg pubkey)
AGENT_PID=''

cleanup() {
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	del_if "$IF" "$NS"
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

cat >"$T/agent.ini" <<INI
[DEFAULT]
host = agt-restore-$$
transport_url = rabbit://guest:guest@127.0.0.1:1/
[wireguard]
WG_HUB_IP = 192.0.2.1
backend = userspace
state_path = $T/state
listen_port_range = 53500:53599
control_socket = $T/run/agent.sock
hub_up_unrouted = true
INI
cat >"$T/desired.json" <<JSON
{"hubs": [{"port_id": "$HUB", "project_id": "$PROJ", "fixed_ips": ["10.99.0.1/24", "fd00:99::1/64"], "mtu": 1400,
  "spokes": [{"port_id": "$S1", "public_key": "$K1", "endpoint": "198.51.100.7:51820", "allowed_ips": ["10.99.0.5/32", "fd00:99::5/128"], "persistent_keepalive": 25}]}]}
JSON
"$AGENT" --config-file "$T/agent.ini" --desired-file "$T/desired.json" >>"$LOG" 2>&1
check "hub created (offline)" ip -n "$NS" link show "$IF" >/dev/null
check "hub_up_unrouted: up" bash -c "ip -n $NS link show $IF | grep -q ',UP'"
check "hub_up_unrouted: addressed (v4 and v6)" bash -c "ip -n $NS addr show $IF | grep -q 10.99.0.1/24 && ip -n $NS addr show $IF | grep -q fd00:99::1/64"
check "mtu 1400" bash -c "ip -n $NS link show $IF | grep -q 'mtu 1400'"
echo "=== again" >>"$LOG"
"$AGENT" --config-file "$T/agent.ini" --desired-file "$T/desired.json" --debug >>"$LOG" 2>&1
check "up and addressed hub adopted unchanged (link-local ignored)" bash -c "sed -n '/^=== again\$/,\$p' $LOG | grep -q 'in sync, adopted unchanged' && ! sed -n '/^=== again\$/,\$p' $LOG | grep -Eq 'created|updated'"
PUB=$(wg show "$IF" public-key)
PORT=$(wg show "$IF" listen-port)

echo "reboot without RabbitMQ"
ip -n "$NS" link del "$IF"
ip netns del "$NS"
wait_for 5 bash -c "[ -z \"\$(pgrep -xf 'wireguard-go -f $IF')\" ]"
setsid "$AGENT" --config-file "$T/agent.ini" >>"$LOG" 2>&1 </dev/null &
AGENT_PID=$!
check "hub restored from the repository" wait_for 10 bash -c "ip -n $NS link show $IF >/dev/null 2>&1"
check "same key" wait_for 5 bash -c "[ \"\$(wg show $IF public-key 2>/dev/null)\" = '$PUB' ]"
check "same port" [ "$(wg show "$IF" listen-port)" = "$PORT" ]
check "peer with allowed IPs and endpoint" bash -c "wg show $IF allowed-ips | grep -q '$K1.*10.99.0.5/32' && wg show $IF endpoints | grep -q 198.51.100.7:51820"
check "addresses and up state restored" bash -c "ip -n $NS addr show $IF | grep -q 10.99.0.1/24 && ip -n $NS link show $IF | grep -q ',UP'"
check "RabbitMQ retried with backoff" wait_for 10 bash -c "[ \$(grep -c 'cannot connect to RabbitMQ' $LOG) -ge 2 ]"
STATUS=$(echo '{"method": "status"}' | socat -t 5 - "UNIX-CONNECT:$T/run/agent.sock")
check "status while disconnected" bash -c "echo '$STATUS' | jq -e '.ok and .result.connected == false and (.result.hubs[0].port_id == \"$HUB\") and .result.hubs[0].up == true and .result.hubs[0].listen_port == $PORT' >/dev/null"
check "status never shows a private key" bash -c "! grep -qF \"\$(sed -n 's/^PrivateKey = //p' $T/state/$HUB.conf)\" <<<'$STATUS'"
WGPID=$(wg_pid "$IF")
kill -TERM "$AGENT_PID"
wait "$AGENT_PID"
check "clean exit on SIGTERM" [ $? = 0 ]
AGENT_PID=''
check "hub and wireguard-go left running" [ "$(wg_pid "$IF")" = "$WGPID" ]
check "control socket removed" [ ! -e "$T/run/agent.sock" ]
check "no private key material in the log" no_keys_in "$T/state" "$LOG"
check "no sanitizer reports" bash -c "! grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' $LOG"
finish
