#!/usr/bin/env bash
# [wireguard] privsep = true: the agent runs as a root executor (the only
# holder of private keys) and an engine as [wireguard] user with no
# capability. Without RabbitMQ: the executor restores a recorded hub, the
# engine answers status; /proc shows the engine unprivileged and the
# executor non-dumpable, the engine under its seccomp allow-list (the
# executor not), without the repository's descriptor; no private key in the engine's memory; either
# process ending ends the other; SIGTERM stops both cleanly.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd wireguard-go
need_cmd wg
need_cmd socat

T=$(mktemp -d /tmp/nwg-agent-privsep.XXXXXX)
LOG=$T/agent.log
PROJ=agtps$$
NS=tun-$PROJ
HUB=$(new_uuid) S1=$(new_uuid) S2=$(new_uuid)
IF=$(ifname_of "$HUB")
K1=$(wg genkey | wg pubkey)
K2=$(wg genkey | wg pubkey)
USER_NAME=neutron
id -u "$USER_NAME" >/dev/null 2>&1 || USER_NAME=nobody
USER_UID=$(id -u "$USER_NAME")
AGENT_PID='' ENGINE=''

stop_agent() {
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	[ -n "$ENGINE" ] && kill -9 "$ENGINE" 2>/dev/null
	AGENT_PID='' ENGINE=''
}
cleanup() {
	stop_agent
	[ "$N_FAIL" != 0 ] && { echo "  --- agent log (last 40 lines)"; tail -40 "$LOG"; }
	del_if "$IF" "$NS"
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

cat >"$T/agent.ini" <<INI
[DEFAULT]
host = agt-privsep-$$
transport_url = rabbit://guest:guest@127.0.0.1:1/
[wireguard]
WG_HUB_IP = 192.0.2.1
backend = userspace
state_path = $T/state
listen_port_range = 53600:53699
control_socket = $T/run/agent.sock
hub_up_unrouted = true
health_interval = 1
INI
cat >"$T/desired.json" <<JSON
{"hubs": [{"port_id": "$HUB", "project_id": "$PROJ", "fixed_ips": ["10.98.0.1/24"], "mtu": 1400,
  "spokes": [{"port_id": "$S1", "public_key": "$K1", "endpoint": "198.51.100.7:51820", "allowed_ips": ["10.98.0.5/32"], "persistent_keepalive": 25}]}]}
JSON
# a privsep user that does not exist stops the agent with a clear error
sed "s/^\[wireguard\]\$/[wireguard]\nprivsep = true\nuser = nwg-no-such-user-$$/" "$T/agent.ini" >"$T/bad.ini"
"$AGENT" --config-file "$T/bad.ini" >"$T/bad.out" 2>&1
check "unknown user refused at start (exit 2)" [ $? = 2 ]
check "  ... saying why" grep -q "\[wireguard\] user: no user nwg-no-such-user-$$" "$T/bad.out"

sed -i "s/^\[wireguard\]\$/[wireguard]\nprivsep = true\nuser = $USER_NAME/" "$T/agent.ini"

echo "offline passes through the split (the engine plans, the executor applies)"
echo "=== offline" >>"$LOG"
"$AGENT" --config-file "$T/agent.ini" --desired-file "$T/desired.json" >>"$LOG" 2>&1
check "pass ok (exit 0)" [ $? = 0 ]
check "  ... split: the engine ran as $USER_NAME" bash -c "sed -n '/^=== offline\$/,\$p' $LOG | grep -q 'engine pid [0-9]*: uid $USER_UID, capabilities 0'"
check "hub created" ip -n "$NS" link show "$IF" >/dev/null
check "  ... with its spoke" bash -c "wg show $IF allowed-ips | grep -q '$K1.*10.98.0.5/32'"
check "record root's, 0600" [ "$(stat -c '%u %a' "$T/state/$HUB.conf")" = "0 600" ]
PUB=$(wg show "$IF" public-key)
PRIV=$(sed -n 's/^PrivateKey = //p' "$T/state/$HUB.conf")
PRIV_HEX=$(echo "$PRIV" | base64 -d | od -An -tx1 | tr -d ' \n')
ENROLL_HEX=$(sed -n 1p "$T/state/enroll.key" 2>/dev/null | base64 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')
HOST_HEX=$(printf 'agt-privsep-%s' $$ | od -An -tx1 | tr -d ' \n')
# keys are base64 ('/' and '+'): '#' delimits
sed "s#\"$S1\", \"public_key\": \"$K1\"#\"$S2\", \"public_key\": \"$K2\"#; s#10.98.0.5/32#10.98.0.6/32#" "$T/desired.json" >"$T/desired2.json"
check "second desired state written" grep -qF "$K2" "$T/desired2.json"
"$AGENT" --config-file "$T/agent.ini" --desired-file "$T/desired2.json" >>"$LOG" 2>&1
check "second pass ok" [ $? = 0 ]
check "spoke added (peer on the link)" bash -c "wg show $IF allowed-ips | grep -q '$K2.*10.98.0.6/32'"
check "spoke removed (peer gone from the link)" bash -c "! wg show $IF peers | grep -qF '$K1'"
check "same hub key" [ "$(wg show "$IF" public-key)" = "$PUB" ]

# start_split: reboot-like start with the split on; sets AGENT_PID, ENGINE.
start_split() {
	local mark=$1 n
	echo "=== $mark" >>"$LOG"
	setsid "$AGENT" --config-file "$T/agent.ini" >>"$LOG" 2>&1 </dev/null &
	AGENT_PID=$!
	wait_for 10 bash -c "sed -n '/^=== $mark\$/,\$p' $LOG | grep -q 'engine pid [0-9]*: uid'" || return 1
	n=$(sed -n "/^=== $mark\$/,\$p" "$LOG" | sed -n 's/.*engine pid \([0-9]*\): uid.*/\1/p' | head -1)
	[ -n "$n" ] && [ "$(awk '/^PPid:/ {print $2}' "/proc/$n/status" 2>/dev/null)" = "$AGENT_PID" ] || return 1
	ENGINE=$n
}

echo "reboot with the split on"
ip -n "$NS" link del "$IF"
ip netns del "$NS"
wait_for 5 bash -c "[ -z \"\$(pgrep -xf 'wireguard-go -f $IF')\" ]"
check "executor and engine started" start_split one
check "hub restored by the executor (same key)" wait_for 10 bash -c "[ \"\$(wg show $IF public-key 2>/dev/null)\" = '$PUB' ]"
check "peer restored" bash -c "wg show $IF allowed-ips | grep -q '$K2.*10.98.0.6/32'"
st=/proc/$ENGINE/status
check "engine: every uid is $USER_NAME's ($USER_UID)" bash -c "awk '/^Uid:/ {exit !(\$2==$USER_UID && \$3==$USER_UID && \$4==$USER_UID && \$5==$USER_UID)}' $st"
check "engine: CapEff 0" grep -q '^CapEff:[[:space:]]*0000000000000000$' "$st"
check "engine: CapPrm 0" grep -q '^CapPrm:[[:space:]]*0000000000000000$' "$st"
check "engine: CapBnd 0" grep -q '^CapBnd:[[:space:]]*0000000000000000$' "$st"
check "engine: NoNewPrivs" grep -q '^NoNewPrivs:[[:space:]]*1$' "$st"
check "engine: not dumpable (/proc/<engine>/status owned by root)" [ "$(stat -c %u "/proc/$ENGINE/status")" = 0 ]
check "engine: seccomp filter on (Seccomp: 2, one filter)" bash -c "grep -q '^Seccomp:[[:space:]]*2\$' $st && grep -q '^Seccomp_filters:[[:space:]]*1\$' $st"
check "  ... logged" bash -c "sed -n '/^=== one\$/,\$p' $LOG | grep -q 'engine pid $ENGINE: .*no_new_privs, seccomp allow-list;'"
# the repository's directory descriptor stays with the executor alone
check "executor holds the repository's directory open" bash -c "ls -l /proc/$AGENT_PID/fd | grep -q ' -> $T/state\$'"
check "engine does not (closed after the drop)" bash -c "! ls -l /proc/$ENGINE/fd | grep -q ' -> $T/state'"
check "executor: not filtered (Seccomp: 0)" grep -q '^Seccomp:[[:space:]]*0$' "/proc/$AGENT_PID/status"
check "executor: CapEff only NET_ADMIN SYS_ADMIN IPC_LOCK KILL" grep -q '^CapEff:[[:space:]]*0000000000205020$' "/proc/$AGENT_PID/status"
check "executor: CapBnd the same" grep -q '^CapBnd:[[:space:]]*0000000000205020$' "/proc/$AGENT_PID/status"
# PR_GET_DUMPABLE answers only for the caller: the executor reads it after
# limiting itself and logs it (a root process's /proc files are root's
# either way). test_privsep_proc proves nwg_ps_limit_executor's effect.
check "executor: not dumpable (its own PR_GET_DUMPABLE)" bash -c "sed -n '/^=== one\$/,\$p' $LOG | grep -q 'executor pid $AGENT_PID (capabilities 205020, not dumpable)'"
STATUS=$(echo '{"method": "status"}' | socat -t 5 - "UNIX-CONNECT:$T/run/agent.sock")
check "status answered by the engine, the hub listed (read through the executor)" bash -c "echo '$STATUS' | jq -e '.ok and .result.connected == false and .result.hubs[0].port_id == \"$HUB\" and .result.hubs[0].public_key == \"$PUB\" and .result.hubs[0].up == true' >/dev/null"
check "status never shows a private key" bash -c "! grep -qF '$PRIV' <<<'$STATUS'"
# the L3 agent's detach of a hub deleted while attached: the executor (root's
# socket directory) sweeps the alias its link left, before it answers
ALIAS=/var/run/wireguard/qr-psd$$.sock
mkdir -p /var/run/wireguard
ln -s "wg-psd$$.sock" "$ALIAS"
GONE=$(cat /proc/sys/kernel/random/uuid)
DET=$(echo "{\"method\": \"detach\", \"args\": {\"port_id\": \"$GONE\"}}" | socat -t 5 - "UNIX-CONNECT:$T/run/agent.sock")
check "detach of an unknown hub: answered, not known" bash -c "echo '$DET' | jq -e '.ok and .result.known == false' >/dev/null"
check "  ... its dangling alias removed by the executor when it answered" [ ! -L "$ALIAS" ]
rm -f "$ALIAS"
PUB_HEX=$(echo "$PUB" | base64 -d | od -An -tx1 | tr -d ' \n')
MEM=$(/usr/bin/python3 "$ROOT/tests/agent/mem_search.py" "$ENGINE" "$HOST_HEX" "$PUB_HEX" "$PRIV_HEX" ${ENROLL_HEX:+"$ENROLL_HEX"})
check "engine memory searched (finds its host name)" grep -q "^found $HOST_HEX" <<<"$MEM"
check "  ... and the hub's public key (32 raw bytes, from the executor)" grep -q "^found $PUB_HEX" <<<"$MEM"
check "no hub private key in the engine's memory" grep -q "^absent $PRIV_HEX" <<<"$MEM"
[ -n "$ENROLL_HEX" ] && check "no enrollment private key in the engine's memory" grep -q "^absent $ENROLL_HEX" <<<"$MEM"

echo "killing the engine ends the executor"
kill -KILL "$ENGINE"
check "executor exits" wait_for 10 bash -c "! kill -0 $AGENT_PID 2>/dev/null"
wait "$AGENT_PID"
check "  ... with a failure code" [ $? != 0 ]
check "  ... saying so once" [ "$(sed -n '/^=== one$/,$p' "$LOG" | grep -c 'engine (pid [0-9]*) ended by signal 9')" = 1 ]
check "  ... control socket removed" [ ! -e "$T/run/agent.sock" ]
AGENT_PID='' ENGINE=''

echo "killing the executor ends the engine"
check "started again" start_split two
E=$ENGINE
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=''
check "engine exits (death signal)" wait_for 10 bash -c "! kill -0 $E 2>/dev/null"
check "  ... saying the executor is gone" wait_for 5 bash -c "sed -n '/^=== two\$/,\$p' $LOG | grep -q 'the executor (pid [0-9]*) is gone'"
ENGINE=''

echo "[wireguard] seccomp = false turns the filter off (debugging)"
sed "s/^\[wireguard\]\$/[wireguard]\nseccomp = false/" "$T/agent.ini" >"$T/noscmp.ini"
echo "=== noscmp" >>"$LOG"
"$AGENT" --config-file "$T/noscmp.ini" --desired-file "$T/desired2.json" >>"$LOG" 2>&1
check "pass ok without the filter" [ $? = 0 ]
check "  ... the engine says it runs without one" bash -c "sed -n '/^=== noscmp\$/,\$p' $LOG | grep -q 'engine pid [0-9]*: uid $USER_UID, .*NO seccomp filter'"

echo "SIGTERM stops both"
check "started again" start_split three
E=$ENGINE
WGPID=$(wg_pid "$IF")
kill -TERM "$AGENT_PID"
wait "$AGENT_PID"
check "clean exit on SIGTERM" [ $? = 0 ]
AGENT_PID=''
check "engine gone" wait_for 5 bash -c "! kill -0 $E 2>/dev/null"
ENGINE=''
check "hub and wireguard-go left running" [ "$(wg_pid "$IF")" = "$WGPID" ]
check "control socket removed" [ ! -e "$T/run/agent.sock" ]
check "no private key material in the log" no_keys_in "$T/state" "$LOG"
check "no system call refused by the engine's filter" bash -c "! grep -q 'is not in its seccomp allow-list' $LOG"
check "no sanitizer reports" bash -c "! grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' $LOG"
finish
