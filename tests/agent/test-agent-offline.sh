#!/usr/bin/env bash
# The agent's lifecycle against real wireguard-go, offline (--desired-file):
# create, adopt without touching, peer diff, re-create after a "reboot" and
# after wireguard-go died, ignored and foreign interfaces, dangling removal,
# dry run, malformed desired state, bad configuration, no keys in logs.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd wireguard-go
need_cmd wg

T=$(mktemp -d /tmp/nwg-agent-offline.XXXXXX)
PROJ=agtoff$$
NS=tun-$PROJ
HUB=$(new_uuid) HUB2=$(new_uuid) FOREIGN=wgf$$ DANGLE=$(new_uuid)
IF=$(ifname_of "$HUB") IF2=$(ifname_of "$HUB2") IFD=$(ifname_of "$DANGLE")
S1=$(new_uuid) S2=$(new_uuid) S3=$(new_uuid)
K1=$(wg genkey | wg pubkey) K2=$(wg genkey | wg pubkey) K3=$(wg genkey | wg pubkey)
LOG=$T/agent.log

cleanup() {
	for i in "$IF" "$IF2" "$IFD" "$FOREIGN"; do del_if "$i" "$NS"; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

cat >"$T/agent.ini" <<INI
[DEFAULT]
host = agt-offline-$$
[wireguard]
WG_HUB_IP = 192.0.2.1
backend = userspace
state_path = $T/state
listen_port_range = 53200:53299
control_socket = $T/run/agent.sock
ignored_devices = $IFD
INI

spoke() { echo "{\"port_id\": \"$1\", \"public_key\": \"$2\", \"endpoint\": $3, \"allowed_ips\": [\"$4\"], \"persistent_keepalive\": $5}"; }
hub() { # hub PORT SPOKES...
	local id=$1 s
	shift
	s=$(IFS=,; echo "$*")
	echo "{\"port_id\": \"$id\", \"project_id\": \"$PROJ\", \"network_id\": null, \"admin_state_up\": true, \"fixed_ips\": [\"10.99.0.1/24\"], \"mtu\": 1450, \"root_namespace\": false, \"public_key\": null, \"listen_port\": null, \"router_id\": null, \"spokes\": [$s]}"
}
desired() { local h; h=$(IFS=,; echo "$*"); echo "{\"host\": \"x\", \"hubs\": [$h]}" >"$T/desired.json"; }
run() { "$AGENT" --config-file "$T/agent.ini" --desired-file "$T/desired.json" "$@" >>"$LOG" 2>&1; }
mark() { echo "=== $*" >>"$LOG"; }
since_mark() { sed -n "/^=== $1\$/,\$p" "$LOG"; }
log_has() { since_mark "$1" | grep -Eq "$2"; }
log_lacks() { ! since_mark "$1" | grep -Eq "$2"; }
peers() { wg show "$IF" peers | sort | tr '\n' ' '; }

SP1=$(spoke "$S1" "$K1" null 10.99.0.5/32 25)
SP2=$(spoke "$S2" "$K2" '"198.51.100.7:51820"' 10.99.0.6/32 null)

echo "create"
desired "$(hub "$HUB" "$SP1" "$SP2")"
mark create
run --debug
check "exit 0" [ $? = 0 ]
check "link in $NS" ip -n "$NS" link show "$IF" >/dev/null
check "alias neutron-wireguard:<port>" bash -c "ip -n $NS -d link show $IF | grep -q 'alias neutron-wireguard:$HUB'"
check "not brought up" bash -c "ip -n $NS link show $IF | grep -q 'state DOWN'"
check "mtu 1420" bash -c "ip -n $NS link show $IF | grep -q 'mtu 1420'"
check "listen port from the range" [ "$(wg show "$IF" listen-port)" = 53200 ]
check "two peers" [ "$(wg show "$IF" peers | wc -l)" = 2 ]
check "spoke keepalive" bash -c "wg show $IF persistent-keepalive | grep -q '$K1.25'"
check "spoke endpoint" bash -c "wg show $IF endpoints | grep -q '198.51.100.7:51820'"
check "record 0600 in a 0700 dir" bash -c "[ \$(stat -c %a $T/state/$HUB.conf) = 600 ] && [ \$(stat -c %a $T/state) = 700 ]"
PUB=$(wg show "$IF" public-key)
PID=$(wg_pid "$IF")

echo "adopt"
mark adopt
run
check "exit 0" [ $? = 0 ]
check "nothing changed" log_lacks adopt 'created|updated|deleted' 
check "same wireguard-go process" [ "$(wg_pid "$IF")" = "$PID" ]

echo "peer diff"
SP2b=$(spoke "$S2" "$K2" '"198.51.100.7:51820"' 10.99.0.7/32 null)
SP3=$(spoke "$S3" "$K3" null 10.99.0.8/32 null)
desired "$(hub "$HUB" "$SP1" "$SP2b" "$SP3")"
mark diff
run
check "updated with +1 ~1 -0" bash -c "sed -n '/^=== diff\$/,\$p' $LOG | grep -q 'peers +1 ~1 -0'"
check "spoke 2 allowed ip changed" bash -c "wg show $IF allowed-ips | grep -q '$K2.10.99.0.7/32'"
check "spoke 3 added" bash -c "wg show $IF peers | grep -qF '$K3'"
check "spoke 1 untouched (keepalive kept)" bash -c "wg show $IF persistent-keepalive | grep -q '$K1.25'"
desired "$(hub "$HUB" "$SP1" "$SP2b")"
mark remove
run
check "spoke 3 removed only" bash -c "sed -n '/^=== remove\$/,\$p' $LOG | grep -q 'peers +0 ~0 -1'"
check "two peers left" [ "$(wg show "$IF" peers | wc -l)" = 2 ]
check "same process through the diffs" [ "$(wg_pid "$IF")" = "$PID" ]

echo "reboot: interface and namespace gone"
ip -n "$NS" link del "$IF"
ip netns del "$NS"
wait_for 5 bash -c "[ -z \"\$(pgrep -xf 'wireguard-go -f $IF')\" ]"
mark reboot
run
check "re-created from the repository" bash -c "sed -n '/^=== reboot\$/,\$p' $LOG | grep -q 're-create from repository'"
check "same public key" [ "$(wg show "$IF" public-key)" = "$PUB" ]
check "same listen port" [ "$(wg show "$IF" listen-port)" = 53200 ]
check "back in $NS" ip -n "$NS" link show "$IF" >/dev/null
check "peers restored" [ "$(wg show "$IF" peers | wc -l)" = 2 ]

echo "wireguard-go killed"
kill -9 "$(wg_pid "$IF")"
wait_for 5 bash -c "! ip -n $NS link show $IF >/dev/null 2>&1"
mark killed
run
check "re-created after the process died" bash -c "sed -n '/^=== killed\$/,\$p' $LOG | grep -q 'created $IF'"
check "same public key again" [ "$(wg show "$IF" public-key)" = "$PUB" ]

echo "foreign, ignored and dangling interfaces"
wireguard-go "$FOREIGN" >/dev/null 2>&1
check "foreign interface exists" ip link show "$FOREIGN" >/dev/null
desired "$(hub "$HUB" "$SP1" "$SP2b")" "$(hub "$HUB2")" "$(hub "$DANGLE")"
run
check "second hub created" ip -n "$NS" link show "$IF2" >/dev/null
check "ignored hub not created" bash -c "! ip -n $NS link show $IFD 2>/dev/null"
PORT2=$(wg show "$IF2" listen-port)
check "ports distinct" [ "$PORT2" != 53200 ]
# an ignored interface carrying our alias: never removed
wireguard-go "$IFD" >/dev/null 2>&1
ip link set "$IFD" alias "neutron-wireguard:$DANGLE"
desired "$(hub "$HUB" "$SP1" "$SP2b")"
echo "dry run" && mark dry
sed -i 's/^\[wireguard\]$/[wireguard]\ndry_run = true/' "$T/agent.ini"
run
check "dry run: would delete" bash -c "sed -n '/^=== dry\$/,\$p' $LOG | grep -q 'dry-run: would delete hub $HUB2'"
check "dry run: changed nothing" ip -n "$NS" link show "$IF2" >/dev/null
sed -i '/^dry_run = true$/d' "$T/agent.ini"
mark dangle
run
check "dangling hub removed" bash -c "! ip -n $NS link show $IF2 2>/dev/null"
check "its record removed" [ ! -e "$T/state/$HUB2.conf" ]
check "ignored interface kept" ip link show "$IFD" >/dev/null
check "foreign interface kept" ip link show "$FOREIGN" >/dev/null
check "hub kept" [ "$(wg show "$IF" public-key)" = "$PUB" ]

echo "malformed desired state"
echo "{\"hubs\": [$(hub "$HUB" "$SP1" "$SP2b"), {\"port_id\": \"$HUB2\", \"project_id\": 7}]}" >"$T/desired.json"
mark malformed
run
check "exit 1 (one hub rejected)" [ $? = 1 ]
check "rejection logged with the port id" bash -c "sed -n '/^=== malformed\$/,\$p' $LOG | grep -q 'hub $HUB2: desired state rejected'"
check "good hub untouched" [ "$(wg show "$IF" peers | wc -l)" = 2 ]
echo '{"hubs": [' >"$T/desired.json"
run
check "broken file: exit 2" [ $? = 2 ]

echo "configuration errors"
printf '[wireguard]\nbackend = userspace\n' >"$T/bad.ini"
"$AGENT" --config-file "$T/bad.ini" --desired-file "$T/desired.json" >"$T/out" 2>&1
check "missing WG_HUB_IP: exit 2" [ $? = 2 ]
check "names file, section and option" grep -q "$T/bad.ini.*\[wireguard\] WG_HUB_IP" "$T/out"
printf '[wireguard]\nWG_HUB_IP = not-an-ip\n' >"$T/bad.ini"
"$AGENT" --config-file "$T/bad.ini" >"$T/out" 2>&1
check "bad WG_HUB_IP: exit 2" [ $? = 2 ]
check "bad WG_HUB_IP: reason given" grep -q 'WG_HUB_IP.*is not an IP address' "$T/out"
"$AGENT" --config-file "$T/missing.ini" >"$T/out" 2>&1
check "missing file: exit 2" [ $? = 2 ]
"$AGENT" --bogus >/dev/null 2>&1
check "bad argument: exit 2" [ $? = 2 ]

check "no private key material in the logs" no_keys_in "$T/state" "$LOG"
check "no sanitizer reports" bash -c "! grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' $LOG"
finish
