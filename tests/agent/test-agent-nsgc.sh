#!/usr/bin/env bash
# A project's namespace goes with its last hub on the node (offline,
# --desired-file, real wireguard-go): removed when it holds nothing; kept when
# it holds a foreign link or a process; a tun-* namespace that was never a
# deleted hub's home is never touched.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd wireguard-go
need_cmd wg

T=$(mktemp -d /tmp/nwg-agent-nsgc.XXXXXX)
P1=agtgc1$$ P2=agtgc2$$ P3=agtgc3$$ P4=agtgc4$$
NS1=tun-$P1 NS2=tun-$P2 NS3=tun-$P3 NS4=tun-$P4 OTHER=tun-agtgcx$$
A=$(new_uuid) B=$(new_uuid) C=$(new_uuid) D=$(new_uuid) E=$(new_uuid)
VETH=nwgv$$ SLEEPER=
LOG=$T/agent.log

cleanup() {
	[ -n "$SLEEPER" ] && kill "$SLEEPER" 2>/dev/null
	for h in "$A" "$B" "$C" "$D" "$E"; do
		del_if "$(ifname_of "$h")" "$NS1" "$NS2" "$NS3" "$NS4"
	done
	for ns in "$NS1" "$NS2" "$NS3" "$NS4" "$OTHER"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

cat >"$T/agent.ini" <<INI
[DEFAULT]
host = agt-nsgc-$$
[wireguard]
WG_HUB_IP = 192.0.2.1
backend = userspace
state_path = $T/state
listen_port_range = 53300:53399
control_socket = $T/run/agent.sock
mass_delete_percent = 0
quarantine_days = 0
INI

hub() { # hub PORT PROJECT
	echo "{\"port_id\": \"$1\", \"project_id\": \"$2\", \"network_id\": null, \"admin_state_up\": true, \"fixed_ips\": [\"10.98.0.1/24\"], \"mtu\": 1450, \"root_namespace\": false, \"public_key\": null, \"listen_port\": null, \"router_id\": null, \"spokes\": []}"
}
desired() { local h; h=$(IFS=,; echo "$*"); echo "{\"host\": \"x\", \"hubs\": [$h]}" >"$T/desired.json"; }
run() { echo "=== $1" >>"$LOG"; "$AGENT" --config-file "$T/agent.ini" --desired-file "$T/desired.json" >>"$LOG" 2>&1; }
since() { sed -n "/^=== $1\$/,\$p" "$LOG"; }
has_ns() { ip netns list | awk '{print $1}' | grep -qxF "$1"; }

echo "five hubs in four projects"
desired "$(hub "$A" "$P1")" "$(hub "$B" "$P2")" "$(hub "$C" "$P3")" "$(hub "$D" "$P4")" "$(hub "$E" "$P4")"
ip netns add "$OTHER"
run create
check "exit 0" [ $? = 0 ]
for ns in "$NS1" "$NS2" "$NS3" "$NS4"; do check "$ns created" has_ns "$ns"; done

echo "foreign link in $NS2, a process in $NS3"
ip -n "$NS2" link add "$VETH" type veth peer name "${VETH}p"
ip netns exec "$NS3" sleep 120 &
SLEEPER=$!
check "sleeper in $NS3" wait_for 5 bash -c "ip netns pids $NS3 | grep -qx $SLEEPER"

echo "every hub but one of $P4 deleted"
desired "$(hub "$E" "$P4")"
run delete
check "exit 0" [ $? = 0 ]
check "$NS1 (emptied) removed" bash -c "! ip netns list | awk '{print \$1}' | grep -qxF $NS1"
check "removal logged" bash -c "sed -n '/^=== delete\$/,\$p' $LOG | grep -q 'namespace $NS1 removed'"
check "$NS2 kept: foreign link" has_ns "$NS2"
check "foreign link untouched" ip -n "$NS2" link show "$VETH" >/dev/null
check "reason logged (link)" bash -c "sed -n '/^=== delete\$/,\$p' $LOG | grep -q 'namespace $NS2 kept.*holds link $VETH'"
check "$NS3 kept: a process runs in it" has_ns "$NS3"
check "reason logged (process)" bash -c "sed -n '/^=== delete\$/,\$p' $LOG | grep -q 'namespace $NS3 kept.*process $SLEEPER'"
check "$NS4 kept: a hub still lives there" has_ns "$NS4"
check "its hub untouched" ip -n "$NS4" link show "$(ifname_of "$E")" >/dev/null
check "$OTHER (never a hub's home) untouched" has_ns "$OTHER"

echo "last hub of $P4 deleted"
desired
run last
check "exit 0" [ $? = 0 ]
check "$NS4 removed" bash -c "! ip netns list | awk '{print \$1}' | grep -qxF $NS4"
check "$OTHER still untouched" has_ns "$OTHER"

echo "a new hub of $P1 gets its namespace back"
desired "$(hub "$A" "$P1")"
run again
check "$NS1 re-created" ip -n "$NS1" link show "$(ifname_of "$A")" >/dev/null
check "no sanitizer reports" bash -c "! grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' $LOG"
finish
