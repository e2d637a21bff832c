#!/usr/bin/env bash
# bench-scale part 4 (not in make check): 100 hubs x 100 spokes on the real
# stack (harness instance NWG_INSTANCE / NEUTRON_PORT), through the paged
# get_hubs. Creates the ports through the Neutron API (bulk POST
# /v2.0/ports): a network and subnet per hub (bench/bench_pairs.py), the
# hubs with an agent running (bound and realized), then, agent stopped, one
# POST per hub for its spokes (port security off: a spoke is not a VIF);
# then gives the agent a
# fresh node (its links and state removed) and times its first full sync:
# every hub created with its 100 peers and reported. Prints the time, the number of get_hubs frames
# (pages), the agent's RSS, then the next periodic full sync, answered
# "unchanged" hub by hub (get_hubs 1.2). Deletes every port, the networks,
# the links, the agent row and its state on any exit (trap).
# Last line: "pairs_100x100=ok|partial|fail" (ok: every hub has its spokes as
# peers; partial: the same, but PAIRS_BUDGET ran out before every spoke was
# created). Knobs: PAIRS_HUBS (100), PAIRS_SPOKES (100), PAIRS_BUDGET (0 s),
# PAIRS_UNTIL (0; a unix time: no spokes created after it),
# PAIRS_JOBS (2): bulk POSTs in flight, PAIRS_NETWORK (per-hub; "shared":
# one network and /16 subnet for every port, the bench before),
# PAIRS_SPOKE_PORT_SECURITY (0; 1: spokes keep port security and the default
# security group), PAIRS_SERVER (bench; "as-is": the instance as it runs):
# "bench" (re)starts the instance with PAIRS_API_WORKERS (2) API workers
# (a running instance would ignore the setting) and puts it back as it was
# at the end,
# PAIRS_TEARDOWN (api, the default: every port deleted through the API,
# ~1 s a port): "drop" ends a run in a DEDICATED harness instance by
# stopping that instance's neutron-server and dropping that instance's own
# database (neutron_$NWG_INSTANCE) only: never the shared MariaDB server,
# never another schema; the harness re-creates and migrates it at its next
# start. Refused for the default and "check" instances.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
AGENT=${AGENT:-$HERE/../build/rel/bin/neutron-wireguard-agent}
. "$HERE/../tests/agent/lib.sh"
. "$HERE/../tests/agent/stack.sh"
need_root
for c in wireguard-go wg jq curl; do need_cmd $c; done
PY=/usr/bin/python3
HUBS=${PAIRS_HUBS:-100}
SPOKES=${PAIRS_SPOKES:-100}
# PAIRS_BUDGET seconds (0 = none): no spokes are created after that long (a
# shared machine); the figures are then those of the spokes that were.
BUDGET=${PAIRS_BUDGET:-0}
DEADLINE=0
[ "$BUDGET" -gt 0 ] && DEADLINE=$(($(date +%s) + BUDGET))
# PAIRS_UNTIL (unix time): the same as an absolute time (a run that waited
# for a slot on a shared machine still ends in time); the earlier one wins
UNTIL=${PAIRS_UNTIL:-0}
[ "$UNTIL" -gt 0 ] && { [ "$DEADLINE" = 0 ] || [ "$UNTIL" -lt "$DEADLINE" ]; } && DEADLINE=$UNTIL
JOBS=${PAIRS_JOBS:-2}
TEARDOWN=${PAIRS_TEARDOWN:-api}
NETWORK=${PAIRS_NETWORK:-per-hub}
SERVER=${PAIRS_SERVER:-bench}
case "$NETWORK:$SERVER:${PAIRS_SPOKE_PORT_SECURITY:-0}" in
per-hub:bench:[01] | per-hub:as-is:[01] | shared:bench:[01] | shared:as-is:[01]) ;;
*) echo "bench-pairs: PAIRS_NETWORK is per-hub or shared, PAIRS_SERVER bench or as-is, PAIRS_SPOKE_PORT_SECURITY 0 or 1" >&2; exit 2 ;;
esac
case "$TEARDOWN:${NWG_INSTANCE:-check}" in
api:* | drop:?*) ;;
*) echo "bench-pairs: PAIRS_TEARDOWN is api or drop" >&2; exit 2 ;;
esac
case "$TEARDOWN:${NWG_INSTANCE:-check}" in
drop:default | drop:check)
	echo "bench-pairs: PAIRS_TEARDOWN=drop needs a dedicated NWG_INSTANCE (not ${NWG_INSTANCE:-check})" >&2
	exit 2
	;;
esac
T=$(mktemp -d /tmp/nwg-bench-pairs.XXXXXX)
LOG=$T/agent.log
HOST=bench-pairs-$$
PROJ=prs$$
NS=tun-$PROJ
NET='' AGENT_PID='' RESTORE=''

drop_links() {
	local l
	for l in $(ip -n "$NS" -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep '^wg-'); do
		del_if "$l" "$NS"
	done
}
drop_instance() { # this instance's neutron-server, then its database
	local t0
	t0=$(date +%s)
	"$HARNESS" stop >/dev/null 2>&1
	mariadb --socket=/run/mysqld/mysqld.sock -e "DROP DATABASE IF EXISTS \`neutron_$NWG_INSTANCE\`" &&
		echo "bench-pairs: instance $NWG_INSTANCE stopped, database neutron_$NWG_INSTANCE dropped ($(wc -l <"$T/ids" 2>/dev/null || echo 0) ports) in $(($(date +%s) - t0)) s"
}
cleanup() {
	stop_agent TERM # first: the links go below, not one pass per deleted port
	if [ "$TEARDOWN" = drop ]; then
		drop_instance
	else
		[ -s "$T/ids" ] && $PY "$HERE/bench_pairs.py" delete --api "$API" --ids "$T/ids" --net-ids "$T/nets"
		[ -n "$NET" ] && api DELETE "/networks/$NET" >/dev/null 2>&1
		api DELETE "/quotas/$PROJ" >/dev/null 2>&1 # back to the defaults
		"$HERE/../scripts/forget-agents.sh" "$HOST"
		restore_server
	fi
	drop_links
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
	return 0
}
trap cleanup EXIT

write_ini() {
	cat >"$T/agent.ini" <<INI
[DEFAULT]
host = $HOST
transport_url = $TRANSPORT_URL
[AGENT]
report_interval = 10
[wireguard]
WG_HUB_IP = 192.0.2.1
backend = userspace
state_path = $T/state
listen_port_range = 55000:55399
control_socket = $T/agent.sock
${1:-}
INI
}
full_line() { since_mark "$1" | grep -E 'full sync: [0-9]+ hubs desired' | tail -1; }
# peers of this bench's hubs only: `wg show all` also lists every other
# wireguard-go interface of the machine (UAPI sockets are not per namespace)
peers_total() {
	ip netns exec "$NS" wg show all peers 2>/dev/null |
		awk -v links="$(ip -n "$NS" -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1)" \
			'BEGIN { n = split(links, l, "\n"); for (i = 1; i <= n; i++) ours[l[i]] = 1 } ($1 in ours)' |
		wc -l
}
all_peers() { [ "$(peers_total)" = "$NSPOKES" ]; }

# PAIRS_SERVER=bench: the instance restarted with PAIRS_API_WORKERS API
# workers (its mechanism drivers and extra config kept); RESTORE
# (running/stopped) says what to put back at the end
bench_server() {
	local etc
	eval "$("$HARNESS" env)"
	etc=$HARNESS_STATE/etc
	RESTORE=stopped PREV_MECH=''
	if "$HARNESS" status >/dev/null 2>&1; then
		RESTORE=running
		PREV_MECH=$(awk -F' *= *' '/^mechanism_drivers/ {print $2}' "$ML2_CONF")
		[ -f "$etc/extra.conf" ] && cp "$etc/extra.conf" "$T/prev-extra.conf"
	fi
	{
		[ -f "$T/prev-extra.conf" ] && cat "$T/prev-extra.conf"
		printf '\n[DEFAULT]\napi_workers = %d\n' "${PAIRS_API_WORKERS:-2}"
	} >"$T/extra.conf"
	NWG_EXTRA_CONF=$T/extra.conf MECH_DRIVERS=$PREV_MECH "$HARNESS" restart >"$T/harness.log" 2>&1 ||
		{ tail -20 "$T/harness.log"; return 1; }
	echo "bench-pairs: instance $NWG_INSTANCE (re)started with $(pgrep -c -P "$(cat "$HARNESS_STATE/neutron-server.pid")" -f 'api worker') API workers"
}
restore_server() {
	case "$RESTORE" in
	running)
		if [ -f "$T/prev-extra.conf" ]; then
			NWG_EXTRA_CONF=$T/prev-extra.conf MECH_DRIVERS=$PREV_MECH "$HARNESS" restart
		else
			env -u NWG_EXTRA_CONF MECH_DRIVERS="$PREV_MECH" "$HARNESS" restart
		fi >/dev/null 2>&1 || echo "bench-pairs: could not restart $NWG_INSTANCE as it was" >&2
		;;
	stopped) "$HARNESS" stop >/dev/null 2>&1 ;;
	esac
}
if [ "$SERVER" = bench ]; then
	bench_server || exit 1
fi
stack_up || exit 1
write_ini
start_agent first
wait_for 30 agent_alive_in_api || { echo "bench-pairs: the agent did not register"; exit 1; }
# 10,100 ports and 100 networks in one project: above Neutron's default
# quotas (500 ports, 100 networks and subnets)
api PUT "/quotas/$PROJ" '{"quota": {"port": -1, "network": -1, "subnet": -1}}' >/dev/null ||
	{ echo "bench-pairs: cannot lift the quotas of $PROJ"; exit 1; }
SHARED=()
if [ "$NETWORK" = shared ]; then
	NET=$(api POST /networks "{\"network\": {\"name\": \"$PROJ\", \"project_id\": \"$PROJ\"}}" | jq -r .network.id)
	SUBNET=$(api POST /subnets "{\"subnet\": {\"network_id\": \"$NET\", \"cidr\": \"10.200.0.0/16\", \"ip_version\": 4, \"project_id\": \"$PROJ\", \"gateway_ip\": null, \"enable_dhcp\": false}}" | jq -r .subnet.id)
	[ -n "$SUBNET" ] && [ "$SUBNET" != null ] || { echo "bench-pairs: no subnet"; exit 1; }
	SHARED=(--shared-network --network "$NET" --subnet "$SUBNET")
fi
SPOKE_PS=()
[ "${PAIRS_SPOKE_PORT_SECURITY:-0}" = 1 ] && SPOKE_PS=(--spoke-port-security)
pairs() { # pairs PHASE
	$PY "$HERE/bench_pairs.py" create --phase "$1" --api "$API" --ids "$T/ids" \
		--hub-ids "$T/hubs" --net-ids "$T/nets" "${SHARED[@]}" "${SPOKE_PS[@]}" \
		--project "$PROJ" --host "$HOST" \
		--hubs "$HUBS" --spokes "$SPOKES" --deadline "$DEADLINE" --jobs "$JOBS"
}
# which API worker served each spoke POST (neutron-server's log: pid, 3rd field)
posts_by_worker() {
	tail -n +"$1" "$NEUTRON_LOG" | grep '"POST /v2.0/ports HTTP/1.1" status: 201' |
		awk '{n[$3]++} END {for (p in n) printf " pid %s: %d", p, n[p]}'
}
hubs_up() { [ "$(ip -n "$NS" -o link show 2>/dev/null | grep -c ' wg-')" = "$HUBS" ]; }
t0=$(date +%s%N)
pairs hubs || exit 1
wait_for 300 hubs_up || echo "bench-pairs: the running agent has $(ip -n "$NS" -o link show 2>/dev/null | grep -c ' wg-') hubs"
echo "bench-pairs: $HUBS hubs created through the API and realized in $((($(date +%s%N) - t0) / 1000000)) ms"
# the spokes while no agent runs (the API alone), then a fresh node: no
# links, no state; the agent's first full sync builds everything
stop_agent TERM
drop_links
rm -rf "$T/state"
t0=$(date +%s%N)
logline=$(($(wc -l <"$NEUTRON_LOG") + 1))
pairs spokes || exit 1
NSPOKES=$(($(wc -l <"$T/ids") - HUBS))
ms=$((($(date +%s%N) - t0) / 1000000))
echo "bench-pairs: $NSPOKES spokes (asked: $((HUBS * SPOKES))) created through the API in $ms ms ($((ms / (NSPOKES > 0 ? NSPOKES : 1))) ms a spoke, $JOBS POSTs in flight, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "bench-pairs: spoke POSTs served by API worker:$(posts_by_worker "$logline")"
write_ini "resync_interval = 10" # then a periodic pass, answered conditionally
t0=$(date +%s%N)
start_agent fresh
wait_for 900 bash -c "sed -n '/^=== start fresh\$/,\$p' '$LOG' | grep -qE 'full sync: [0-9]+ hubs desired'"
wall=$((($(date +%s%N) - t0) / 1000000))
line=$(full_line "start fresh")
rss=$(agent_rss_kb "$AGENT_PID") # executor + engine with privsep
echo "bench-pairs: fresh node, first full sync: ${line#*full sync: }"
echo "bench-pairs: agent start -> full sync done: $wall ms; peers on the node: $(peers_total) of $NSPOKES"
echo "bench-pairs: agent RSS ${rss:-?} kB at $HUBS hubs, $NSPOKES spokes (goal <= 10 MB)"
result=fail
all_peers && [ -n "$line" ] && [ "$NSPOKES" = $((HUBS * SPOKES)) ] && result=ok
[ "$NSPOKES" != $((HUBS * SPOKES)) ] && all_peers && [ -n "$line" ] && result=partial
mark resync
cond='full sync: [0-9]+ hubs desired, [0-9]+ rejected, [1-9][0-9]* unchanged'
wait_for 120 bash -c "sed -n '/^=== resync\$/,\$p' '$LOG' | grep -qE '$cond'"
echo "bench-pairs: next periodic full sync (conditional get_hubs): $(since_mark resync | grep -E "$cond" | head -1 | sed 's/.*full sync: //')"
echo "pairs_100x100=$result shape=${HUBS}x${SPOKES} frames=$(echo "$line" | sed -nE 's/.* ([0-9]+) page\(s\).*/\1/p') rss_kb=${rss:-?} full_sync_ms=$(echo "$line" | sed -nE 's/.* ([0-9]+) ms$/\1/p')"
[ $result = ok ]
