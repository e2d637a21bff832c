#!/usr/bin/env bash
# End-to-end (root): the demo's flow, asserted. Real neutron-server (harness
# instance NWG_INSTANCE/NEUTRON_PORT, default default/9696), the agent, two
# device namespaces with wireguard-go; spoke configs rendered by the CLI.
# Everything it creates carries $$ and is removed on every exit path.
# Prints "e2e: N passed, M failed" (N, M = assertions).
# shellcheck disable=SC2317 # functions run through check/wait_for
set -uo pipefail

HERE=$(cd "$(dirname "$0")/../.." && pwd)
cd "$HERE" || exit 1
# shellcheck source=scripts/device-lib.sh
. "$HERE/scripts/device-lib.sh"

[ "$(id -u)" = 0 ] || { echo "e2e: needs root, skipped"; exit 77; }
export NWG_INSTANCE=${NWG_INSTANCE:-check} # never the demo's (default/9696)
export NEUTRON_PORT=${NEUTRON_PORT:-9697}
# NWG_CLI / NWG_AGENT: run other builds (the installed .deb: tests/deb).
CLI=${NWG_CLI:-$HERE/build/rel/bin/neutron-wireguard}
AGENT=${NWG_AGENT:-$HERE/build/rel/bin/neutron-wireguard-agent}
for b in "$CLI" "$AGENT"; do [ -x "$b" ] || { echo "e2e: $b missing (make)"; exit 1; }; done

ID=$$
STATE=$(mktemp -d /var/tmp/nwg-e2e.XXXXXX)
LOG=$STATE/e2e.log
PROJECT=nwge2e$ID
NODE_HOST=nwge2e-$ID
NS1=nwge2e$ID-d1 NS2=nwge2e$ID-d2
VETH1=ne2e$ID-1 VETH2=ne2e$ID-2
IF1=e2e${ID}a IF2=e2e${ID}b
NODE1="" DEV1="" NODE2="" DEV2=""
CIDR=10.98.0.0/24 HUB_IP=10.98.0.1
PASS=0 FAILED=0
HARNESS_STARTED=0 AGENT_PID="" NET_ID="" HUB_ID="" SP1="" SP2="" HUB_NS="" HUB_IF=""

say() { echo "e2e: $*"; }
# shellcheck source=tests/lib/check.sh
. "$HERE/tests/lib/check.sh"
# A precondition that must hold for anything after it to make sense.
must() {
	check "$@"
	[ "$FAILED" = 0 ] || finish
}

show_logs() {
	echo "---- e2e log (last 40 lines): $LOG"
	tail -n 40 "$LOG"
	echo "---- agent (last 40 lines):"
	cat "$STATE/agent.out" "$STATE/agent.log" 2>/dev/null | tail -n 40
	echo "---- neutron-server ERRORs:"
	grep -E ' (ERROR|CRITICAL) ' "${NEUTRON_LOG:-/nonexistent}" 2>/dev/null | tail -n 20
	for f in "$STATE"/wg-*.log; do
		[ -s "$f" ] && { echo "---- $f"; tail -n 10 "$f"; }
	done
	echo "---- wg show (all):"
	wg show 2>&1 | sed 's/^/  /' | head -n 60
}

cleanup() {
	set +e
	for p in "$SP1" "$SP2" $(cat "$STATE/bulk" 2>/dev/null) "$HUB_ID"; do
		[ -n "$p" ] && api DELETE "/ports/$p" >/dev/null 2>&1
	done
	[ -n "$NET_ID" ] && api DELETE "/networks/$NET_ID" >/dev/null 2>&1
	if [ -n "$AGENT_PID" ] && grep -q neutron-wireguard-agent "/proc/$AGENT_PID/cmdline" 2>/dev/null; then
		kill -TERM "$AGENT_PID"
		for _ in $(seq 1 50); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$AGENT_PID" 2>/dev/null
	fi
	scripts/forget-agents.sh "$NODE_HOST"
	dev_wg_stop "$STATE/wg1.pid" "$IF1" "$NS1"
	dev_wg_stop "$STATE/wg2.pid" "$IF2" "$NS2"
	for ns in "$NS1" "$NS2" "tun-$PROJECT" ${HUB_NS:+"$HUB_NS"}; do
		ip netns del "$ns" 2>/dev/null
	done
	ip link del "$VETH1" 2>/dev/null
	ip link del "$VETH2" 2>/dev/null
	[ "$HARNESS_STARTED" = 1 ] && scripts/neutron-harness.sh stop >/dev/null 2>&1
	rm -rf "$STATE"
}

finish() {
	[ "$FAILED" = 0 ] || show_logs
	echo "e2e: $PASS passed, $FAILED failed"
	cleanup
	trap - EXIT
	[ "$FAILED" = 0 ] && exit 0
	exit 1
}
trap finish EXIT
trap 'exit 1' INT TERM

# ---- setup -------------------------------------------------------------------

start_harness() {
	scripts/neutron-harness.sh status >/dev/null 2>&1 || HARNESS_STARTED=1
	scripts/neutron-harness.sh start >>"$LOG" 2>&1 || return 1
	eval "$(scripts/neutron-harness.sh env)"
	export OS_ENDPOINT NEUTRON_LOG TRANSPORT_URL
}

start_agent() {
	install -d -m 700 "$STATE/repo"
	cat >"$STATE/agent.ini" <<EOC
[DEFAULT]
host = $NODE_HOST
transport_url = $TRANSPORT_URL
log_file = $STATE/agent.log
debug = true
[AGENT]
report_interval = 5
[wireguard]
WG_HUB_IP = $NODE1
backend = auto
state_path = $STATE/repo
control_socket = $STATE/agent.sock
listen_port_range = 52700:52799
privsep = $([ "${NWG_AGENT_PRIVSEP:-1}" = 1 ] && echo true || echo false)
hub_up_unrouted = true
resync_interval = 5
delta_min_spokes = 1
EOC
	setsid "$AGENT" --config-file "$STATE/agent.ini" >"$STATE/agent.out" 2>&1 </dev/null &
	AGENT_PID=$!
	agent_alive() {
		kill -0 "$AGENT_PID" 2>/dev/null || return 99
		api GET "/agents?host=$NODE_HOST" | jget 'd["agents"][0]["alive"] if d["agents"] else False' | grep -q True
	}
	wait_for 60 agent_alive && kill -0 "$AGENT_PID"
}

create_network() {
	NET_ID=$(api POST /networks "{\"network\": {\"name\": \"nwge2e-$ID\", \"project_id\": \"$PROJECT\"}}" |
		jget 'd["network"]["id"]') || return 1
	api POST /subnets "{\"subnet\": {\"network_id\": \"$NET_ID\", \"project_id\": \"$PROJECT\",
		\"ip_version\": 4, \"cidr\": \"$CIDR\", \"enable_dhcp\": false, \"gateway_ip\": null,
		\"name\": \"nwge2e-$ID\"}}" | jget 'd["subnet"]["id"]' >"$STATE/subnet"
}

create_hub() {
	HUB_ID=$(api POST /ports "{\"port\": {\"network_id\": \"$NET_ID\", \"project_id\": \"$PROJECT\",
		\"name\": \"hub-$ID\", \"binding:host_id\": \"$NODE_HOST\",
		\"fixed_ips\": [{\"subnet_id\": \"$(cat "$STATE/subnet")\", \"ip_address\": \"$HUB_IP\"}],
		\"binding:profile\": {\"wg_role\": \"hub\"}}}" | jget 'd["port"]["id"]')
	[ -n "$HUB_ID" ]
}

# create_spoke PUBKEY STYLE: STYLE "profile" (wg_role) or "owner" (device_owner, tunelo-style)
create_spoke() {
	local role='"wg_role": "spoke", ' owner=""
	[ "$2" = owner ] && role="" owner="\"device_owner\": \"channel:wireguard:spoke\", "
	api POST /ports "{\"port\": {\"network_id\": \"$NET_ID\", \"project_id\": \"$PROJECT\", $owner
		\"binding:profile\": {$role\"public_key\": \"$1\", \"peers\": [\"$HUB_ID\"]}}}" |
		jget 'd["port"]["id"]'
}

hub_field() { api GET "/ports/$HUB_ID" | jget "d[\"port\"][\"binding:vif_details\"].get(\"$1\")"; }

hub_realized() {
	local k
	k=$(hub_field public_key) && [ -n "$k" ] && [ -n "$(hub_field endpoint)" ] || return 1
	HUB_IF=$(hub_field interface)
	HUB_NS=$(hub_field namespace)
	[ -n "$HUB_IF" ] || HUB_IF=wg-${HUB_ID:0:11}
	[ -n "$HUB_NS" ] || HUB_NS=tun-$PROJECT
}

hub_link_exists() { ip -n "$HUB_NS" link show "$HUB_IF" >/dev/null 2>&1; }
# The hub's file in the channel repository (named or mentioning its port id or ifname).
# (Not its quarantine/: a deleted hub's record waits there, doc/agent.md.)
hub_repo_file() {
	find "$STATE/repo" -maxdepth 1 -type f \( -name "*$HUB_ID*" -o -name "*$HUB_IF*" \) 2>/dev/null | grep -q . ||
		grep -lsF -e "$HUB_ID" "$STATE/repo"/* | grep -q .
}
hub_has_peer() { ip netns exec "$HUB_NS" wg show "$HUB_IF" peers | grep -qxF "$1"; }

# device_up N SPOKE_ID: renders from the spoke port and brings the device up.
device_up() {
	local ns=$1 ifname=$2 port=$3 n=$4
	render_ok() { "$CLI" render --neutron "$OS_ENDPOINT" --port "$port" >/dev/null; }
	wait_for 30 render_ok || return 1
	(umask 077 && "$CLI" render --neutron "$OS_ENDPOINT" --port "$port" \
		--private-key-file "$STATE/dev$n.key" >"$STATE/dev$n.conf") || return 1
	if ! ip netns exec "$ns" wg show "$ifname" >/dev/null 2>&1; then
		dev_wg_start "$ns" "$ifname" "$STATE/wg-$n.log" "$STATE/wg$n.pid" || return 1
	fi
	dev_wg_apply "$ns" "$ifname" "$STATE/dev$n.conf"
}

ping_ok() { wait_for "${3:-10}" ip netns exec "$1" ping -c 1 -W 1 "$2"; }
ping_fails() { ! ip netns exec "$1" ping -c 3 -i 0.3 -W 1 "$2"; }
handshake_nonzero() { local h; h=$(wg_handshake "$1" "$2"); [ -n "$h" ] && [ "$h" != 0 ]; }
bytes() { ip netns exec "$1" wg show "$2" transfer | awk '{ rx += $2; tx += $3 } END { print rx + 0, tx + 0 }'; }
counters_grow() {
	local before after
	before=$(bytes "$1" "$2")
	ip netns exec "$3" ping -c 3 -i 0.2 -W 1 "$4" >/dev/null || return 1
	after=$(bytes "$1" "$2")
	echo "transfer $1/$2 before: $before after: $after"
	awk -v b="$before" -v a="$after" 'BEGIN { split(b, x, " "); split(a, y, " "); exit !(y[1] > x[1] && y[2] > x[2]) }'
}

# Two free /30 "internet" links in TEST-NET-3, else TEST-NET-2 (other suites
# may use parts of them on this host: net_free skips those).
pick_links() {
	local p k base n=0
	for p in 203.0.113 198.51.100; do
		for k in $(seq 0 62); do
			base=$(((((ID + k) % 63) + 1) * 4))
			net_free "$p.$((base + 1))/30" || continue
			if [ "$n" = 0 ]; then
				NODE1=$p.$((base + 1)) DEV1=$p.$((base + 2)) n=1
			else
				NODE2=$p.$((base + 1)) DEV2=$p.$((base + 2))
				return 0
			fi
		done
	done
	return 1
}

make_devices() {
	pick_links || return 1
	echo "links: $NODE1-$DEV1, $NODE2-$DEV2"
	dev_create "$NS1" "$VETH1" "$NODE1/30" "$DEV1/30" "$NODE1" &&
		dev_create "$NS2" "$VETH2" "$NODE2/30" "$DEV2/30" "$NODE2"
}
hub_rekeyed() { hub_has_peer "$NEW2" && ! hub_has_peer "$PUB2"; }
both_peers() { hub_has_peer "$PUB1" && hub_has_peer "$PUB2"; }
# insync_unchanged: a periodic full resync (resync_interval) of the hub in
# sync gets it answered "unchanged" by get_hubs 1.2 (no spokes): the pass
# plans nothing for it.
insync_unchanged() {
	local from
	from=$(wc -l <"$STATE/agent.log")
	kill -0 "$AGENT_PID" || return 99
	for _ in $(seq 1 40); do
		tail -n +"$((from + 1))" "$STATE/agent.log" |
			grep -q 'full sync: 0 hubs desired, 0 rejected, 1 unchanged' && return 0
		sleep 0.2
	done
	return 1
}
# get_hubs 1.3 (deltas): BULK more spokes in one POST (random public keys).
bulk_spokes() {
	"$PY" -c 'import base64, json, os, sys
net, project, hub, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
print(json.dumps({"ports": [{"network_id": net, "project_id": project,
    "binding:profile": {"wg_role": "spoke", "peers": [hub],
    "public_key": base64.b64encode(os.urandom(32)).decode()}} for _ in range(n)]}))' \
		"$NET_ID" "$PROJECT" "$HUB_ID" "$BULK" >"$STATE/bulk.json" || return 1
	api POST /ports "$(cat "$STATE/bulk.json")" | jget '"\n".join(p["id"] for p in d["ports"])' >"$STATE/bulk" &&
		[ "$(wc -l <"$STATE/bulk")" = "$BULK" ]
}
hub_peer_count() { [ "$(ip netns exec "$HUB_NS" wg show "$HUB_IF" peers | wc -l)" = "$1" ]; }
# the agent's log since line FROM has LINE (a delta rebuilt: doc/agent.md)
agent_logged() {
	tail -n +"$(($1 + 1))" "$STATE/agent.log" | grep -qF -- "$2"
}
moved_key() { hub_has_peer "$BULK_NEW" && ! hub_has_peer "$BULK_OLD"; }
restore_dev2() { device_up "$NS2" "$IF2" "$SP2" 2 && ping_ok "$NS2" "$HUB_IP" 15; }

# ---- the flow ----------------------------------------------------------------

say "instance $NWG_INSTANCE (port $NEUTRON_PORT), project $PROJECT, agent host $NODE_HOST, state $STATE"
must "harness [$NWG_INSTANCE] up" start_harness
must "device namespaces + internet links" make_devices
must "agent registers (openstack network agent list)" start_agent
must "network + subnet" create_network
must "hub port created (binding:host_id $NODE_HOST, wg_role hub)" create_hub
check "hub realized: public_key + endpoint in binding:vif_details" wait_for 60 hub_realized
check "hub interface $HUB_IF exists in $HUB_NS" hub_link_exists
check "hub saved in the channel repository" hub_repo_file

PUB1=$(dev_genkey "$NS1" "$STATE/dev1.key")
SP1=$(create_spoke "$PUB1" profile)
must "spoke 1 created (key generated in $NS1)" test -n "$SP1"
check "hub has spoke 1 as a peer" wait_for 30 hub_has_peer "$PUB1"
check "device 1 config rendered from its port, device up" device_up "$NS1" "$IF1" "$SP1" 1
SPOKE1_IP=$(api GET "/ports/$SP1" | jget 'd["port"]["fixed_ips"][0]["ip_address"]')
check "ping device 1 -> hub $HUB_IP" ping_ok "$NS1" "$HUB_IP" 15
check "ping hub -> device 1 $SPOKE1_IP" ping_ok "$HUB_NS" "$SPOKE1_IP"
check "device 1: latest handshake non-zero" handshake_nonzero "$NS1" "$IF1"
check "hub: latest handshake non-zero" handshake_nonzero "$HUB_NS" "$HUB_IF"
check "device 1: rx/tx byte counters grow" counters_grow "$NS1" "$IF1" "$NS1" "$HUB_IP"
check "hub: rx/tx byte counters grow" counters_grow "$HUB_NS" "$HUB_IF" "$HUB_NS" "$SPOKE1_IP"

PUB2=$(dev_genkey "$NS2" "$STATE/dev2.key")
SP2=$(create_spoke "$PUB2" owner)
must "spoke 2 created (device_owner channel:wireguard:spoke)" test -n "$SP2"
check "device 2 config rendered, device up" device_up "$NS2" "$IF2" "$SP2" 2
SPOKE2_IP=$(api GET "/ports/$SP2" | jget 'd["port"]["fixed_ips"][0]["ip_address"]')
check "ping device 2 -> hub" ping_ok "$NS2" "$HUB_IP" 15
check "ping hub -> device 2 $SPOKE2_IP" ping_ok "$HUB_NS" "$SPOKE2_IP"
check "device 1 still pings alongside device 2" ping_ok "$NS1" "$HUB_IP"
check "device 1 -> device 2 through the hub" ping_ok "$NS1" "$SPOKE2_IP"
check "periodic resync of the hub in sync: answered unchanged (get_hubs 1.2)" \
	wait_for 10 insync_unchanged
check "after it, the hub still has both spokes as peers" both_peers

api DELETE "/ports/$SP1" >>"$LOG" 2>&1 && SP1=""
check "spoke 1 deleted: hub drops its peer" wait_for 30 not hub_has_peer "$PUB1"
check "device 1 is cut off" ping_fails "$NS1" "$HUB_IP"
check "device 2 still pings" ping_ok "$NS2" "$HUB_IP"

NEW2=$(dev_genkey "$NS2" "$STATE/dev2.key")
ip netns exec "$NS2" wg set "$IF2" private-key "$STATE/dev2.key" >>"$LOG" 2>&1
check "device 2 re-keyed on the device: tunnel broken" ping_fails "$NS2" "$HUB_IP"
api PUT "/ports/$SP2" "{\"port\": {\"binding:profile\": {\"public_key\": \"$NEW2\",
	\"peers\": [\"$HUB_ID\"]}}}" >>"$LOG" 2>&1
check "spoke 2 port updated: hub has the new key, not the old" \
	wait_for 30 hub_rekeyed
check "device 2 re-rendered with its new key: tunnel restored" \
	restore_dev2

# get_hubs 1.3: one spoke of a hub with many changes; only that spoke travels.
# (An unconditional periodic pass, every 4th of resync_interval 5 s, answers
# in full: should one carry the change first, the next spoke is tried.)
BULK=30
check "$BULK more spokes in one bulk POST" bulk_spokes
check "hub has all $((BULK + 1)) spokes as peers" wait_for 60 hub_peer_count $((BULK + 1))
BULK_OLD="" BULK_NEW="" PEERS=$((BULK + 1))
rekey_as_delta() {
	local id from line
	for line in 7 8; do
		id=$(sed -n ${line}p "$STATE/bulk")
		BULK_OLD=$(api GET "/ports/$id" | jget 'd["port"]["binding:profile"]["public_key"]')
		BULK_NEW=$(dev_genkey "$NS1" "$STATE/bulk.key")
		from=$(wc -l <"$STATE/agent.log")
		api PUT "/ports/$id" "{\"port\": {\"binding:profile\": {\"public_key\": \"$BULK_NEW\",
			\"peers\": [\"$HUB_ID\"]}}}" >>"$LOG" 2>&1 || return 1
		wait_for 30 moved_key || return 1
		wait_for 10 agent_logged "$from" "delta of 1 spokes, 0 removed, on $PEERS kept" && return 0
	done
	return 1
}
delete_as_delta() {
	local id from line
	for line in 9 10; do
		id=$(sed -n ${line}p "$STATE/bulk")
		from=$(wc -l <"$STATE/agent.log")
		api DELETE "/ports/$id" >>"$LOG" 2>&1 || return 1
		PEERS=$((PEERS - 1))
		wait_for 30 hub_peer_count "$PEERS" || return 1
		agent_logged "$from" "delta of 0 spokes, 1 removed, on $((PEERS + 1)) kept" && return 0
	done
	return 1
}
check "one of $PEERS spokes re-keyed: the hub has the new key, not the old, and the change travelled as a delta of 1 spoke on $PEERS kept (agent log)" \
	rekey_as_delta
check "the hub still has $PEERS peers" hub_peer_count "$PEERS"
check "a spoke deleted: the hub dropped its peer, the removal travelled as a delta (1 removed)" \
	delete_as_delta
check "device 2 still pings" ping_ok "$NS2" "$HUB_IP"
for p in $(cat "$STATE/bulk"); do api DELETE "/ports/$p" >/dev/null 2>&1; done
rm -f "$STATE/bulk"

api DELETE "/ports/$HUB_ID" >>"$LOG" 2>&1 && HUB_ID_DELETED=1
check "hub deleted: its interface is gone" wait_for 30 not hub_link_exists
check "hub deleted: its repository file is gone" wait_for 10 not hub_repo_file
check "hub deleted: its record is kept in quarantine (0600)" bash -c "[ \"\$(stat -c %a '$STATE/repo/quarantine/$HUB_ID.conf')\" = 600 ]"
[ -n "${HUB_ID_DELETED:-}" ] && HUB_ID=""
finish
