#!/usr/bin/env bash
# Agent benchmark (root, userspace backend, release build):
#  1. event latency: port-create API call returned -> hub_realized visible in
#     the API (vif_details.public_key), p50/p95 over BENCH_EVENTS hubs, against
#     the old design's polling floor (2 s interval) as a ratio;
#  2. agent RSS and idle CPU with those hubs realized;
#  3. full resync of BENCH_HUBS hubs x 10 spokes (offline --desired-file):
#     first realization, an in-sync pass (adopt), re-creation after a "reboot".
# Knobs: BENCH_EVENTS (50), BENCH_HUBS (50, up to ~100 with wireguard-go),
# NWG_INSTANCE / NEUTRON_PORT (harness instance).
# BENCH_BASE_REF=<git ref> (opt-in, two restarts of the instance's
# neutron-server): step 1 runs first with neutron-server on that ref's
# networking_wireguard (git archive), then on this tree's, side by side in
# one run (same agent, machine and network), and prints this tree's p50/p95
# as a ratio of the ref's. Without it the server runs this tree's code.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
AGENT=${AGENT:-$HERE/../build/rel/bin/neutron-wireguard-agent}
. "$HERE/../tests/agent/lib.sh"
. "$HERE/../tests/agent/stack.sh"
need_root
for c in wireguard-go wg jq curl; do need_cmd $c; done
EVENTS=${BENCH_EVENTS:-50}
HUBS=${BENCH_HUBS:-50}
POLL_FLOOR_MS=2000

T=$(mktemp -d /tmp/nwg-bench-agent.XXXXXX)
LOG=$T/agent.log
HOST=bench-agt-$$
PROJ=bnch$$
NS=tun-$PROJ
BASE_REF=${BENCH_BASE_REF:-}
NET='' AGENT_PID=''
PORTS=()
IFS_CREATED=()

cleanup() {
	stop_agent TERM
	"$HERE/../scripts/forget-agents.sh" "$HOST"
	for p in "${PORTS[@]}"; do api DELETE "/ports/$p" >/dev/null 2>&1; done
	[ -n "$NET" ] && api DELETE "/networks/$NET" >/dev/null 2>&1
	for i in "${IFS_CREATED[@]}"; do del_if "$i" "$NS" "${NS}o"; done
	ip netns del "$NS" 2>/dev/null
	ip netns del "${NS}o" 2>/dev/null
	# the instance keeps serving this tree's code, not the baseline's
	[ -n "$BASE_REF" ] && [ "${SERVED:-}" = base ] && use_code "$ROOT" >/dev/null 2>&1
	rm -rf "$T"
	return 0
}
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
stamp() { # stamp VAR: ms since the epoch into VAR, without a fork
	local t=${EPOCHREALTIME/./}
	printf -v "$1" '%d' $((t / 1000))
}
# probe ID: the hub's key is in the API (one request, one process)
probe() {
	local body
	body=$(curl -sf "$API/ports/$1?fields=binding:vif_details") &&
		[[ $body =~ \"public_key\":[[:space:]]*\" ]]
}
pct() { # pct P < numbers
	sort -n | awk -v p="$1" '{a[NR] = $1} END {i = int((NR * p + 99) / 100); if (i < 1) i = 1; print a[i]}'
}

# use_code SRC: restart the instance's neutron-server on SRC's driver code.
use_code() {
	NWG_SRC=$1 "$HARNESS" restart >"$T/harness-restart.log" 2>&1 || {
		tail -20 "$T/harness-restart.log"
		return 1
	}
	eval "$("$HARNESS" env)"
	# shellcheck disable=SC2034 # read by api() (tests/agent/stack.sh)
	API=$NEUTRON_API
	[ -z "$AGENT_PID" ] || wait_for 60 agent_alive_in_api
}

base_tree() { # the baseline's driver code, from git
	mkdir -p "$T/base" &&
		git -C "$ROOT" archive "$BASE_REF" setup.py setup.cfg networking_wireguard |
		tar -x -C "$T/base"
}

setup_latency() {
	stack_up || return 1
	cat >"$T/agent.ini" <<INI
[DEFAULT]
host = $HOST
transport_url = $TRANSPORT_URL
[wireguard]
WG_HUB_IP = 192.0.2.1
backend = userspace
state_path = $T/state
listen_port_range = 54000:54999
control_socket = $T/agent.sock
INI
	start_agent
	wait_for 15 agent_alive_in_api || { echo "agent did not register"; return 1; }
	NET=$(api POST /networks "{\"network\": {\"name\": \"$PROJ\", \"project_id\": \"$PROJ\"}}" | jq -r .network.id)
	api POST /subnets "{\"subnet\": {\"network_id\": \"$NET\", \"cidr\": \"10.98.0.0/16\", \"ip_version\": 4, \"project_id\": \"$PROJ\", \"gateway_ip\": null}}" >/dev/null
}

side_name() { if [ "$1" = base ]; then echo "$BASE_REF (baseline)"; else echo "this tree"; fi; }

# event_latency SIDE: EVENTS hubs created one by one; per hub, from POST
# returned to the end of the first probe that saw vif_details.public_key (an
# upper bound: the key was there when that probe was served). Also: how many
# hubs the first probe already saw, and what one probe costs on its own (a
# GET of a realized hub), the floor of this measurement. Results in
# $T/lat.SIDE, $T/ev.SIDE, $T/probe.SIDE, $T/first.SIDE.
event_latency() {
	local side=$1 i id p0 t0 t1 a b n
	: >"$T/post.$side"
	: >"$T/lat.$side"
	: >"$T/ev.$side"
	: >"$T/probe.$side"
	: >"$T/first.$side"
	for ((i = 0; i < EVENTS; i++)); do
		stamp p0
		id=$(api POST /ports "{\"port\": {\"network_id\": \"$NET\", \"project_id\": \"$PROJ\", \"binding:host_id\": \"$HOST\", \"binding:profile\": {\"wg_role\": \"hub\"}}}" | jq -r .port.id)
		stamp t0
		PORTS+=("$id")
		n=0
		until probe "$id"; do
			n=$((n + 1))
			sleep 0.01
			stamp t1
			[ $((t1 - t0)) -gt 20000 ] && break
		done
		stamp t1
		stamp a
		probe "$id"
		stamp b
		IFS_CREATED+=("$(ifname_of "$id")")
		echo $((t1 - t0)) >>"$T/lat.$side"
		echo $((t0 - p0)) >>"$T/post.$side"
		echo $((b - a)) >>"$T/probe.$side"
		[ $n = 0 ] && echo "$id" >>"$T/first.$side"
		echo "$id $t0 $t1" >>"$T/ev.$side"
	done
	local p50 p95
	p50=$(pct 50 <"$T/lat.$side")
	p95=$(pct 95 <"$T/lat.$side")
	echo "agent event latency (port create returned -> hub_realized in API), $EVENTS hubs, server on $(side_name "$side"):"
	echo "  p50 ${p50} ms, p95 ${p95} ms, max $(pct 100 <"$T/lat.$side") ms"
	echo "  the first probe after POST returned saw the key for $(wc -l <"$T/first.$side") of $EVENTS hubs;" \
		"one probe alone (GET of a realized hub): p50 $(pct 50 <"$T/probe.$side") ms;" \
		"the POST itself: p50 $(pct 50 <"$T/post.$side") ms"
	awk -v a="$p50" -v b="$p95" -v f="$POLL_FLOOR_MS" 'BEGIN {
		printf "  vs old design polling every %d ms (expected wait %d ms, worst %d ms): p50 %.2fx, p95 %.2fx of the floor\n", f, f / 2, f, a / (f / 2), b / f }'
}

compare_sides() {
	local b50 b95 o50 o95
	b50=$(pct 50 <"$T/lat.base") b95=$(pct 95 <"$T/lat.base")
	o50=$(pct 50 <"$T/lat.ours") o95=$(pct 95 <"$T/lat.ours")
	echo "side by side (one run: same agent, network and machine; server code switched):"
	printf '  %-32s %8s %8s %10s %12s %11s\n' server p50_ms p95_ms first_probe probe_p50_ms post_p50_ms \
		"$BASE_REF (baseline)" "$b50" "$b95" "$(wc -l <"$T/first.base")/$EVENTS" "$(pct 50 <"$T/probe.base")" "$(pct 50 <"$T/post.base")" \
		"this tree" "$o50" "$o95" "$(wc -l <"$T/first.ours")/$EVENTS" "$(pct 50 <"$T/probe.ours")" "$(pct 50 <"$T/post.ours")"
	awk -v a="$o50" -v b="$b50" -v c="$o95" -v d="$b95" 'BEGIN {
		printf "  this tree / baseline: p50 %.2fx, p95 %.2fx (goal: p50 <= 100 ms)\n", a / b, c / d }'
}

# From the agent's log: trigger (hubs_changed) -> hub built, and -> hub_realized answered.
agent_share() {
	awk '
	function ms(t, a) { split(t, a, ":"); return (a[1] * 3600 + a[2] * 60 + a[3]) * 1000 }
	/hubs_changed: / { t = ms($2) }
	/: created wg-/ && t { print "b", ms($2) - t }
	/reported realized/ && t { print "r", ms($2) - t; t = 0 }' "$LOG" >"$T/share"
	local b r
	b=$(awk '$1 == "b" {print $2}' "$T/share" | pct 50)
	r=$(awk '$1 == "r" {print $2}' "$T/share" | pct 50)
	echo "  of which (agent log, p50): cast received -> hub built ${b} ms (agent);" \
		"-> hub_realized answered ${r} ms (includes neutron-server's handling of the call)"
}

# Where the time goes, per hub (p50 of each step; clocks: this script, the
# agent's log, neutron-server's log, all on this machine, ms since midnight).
profile() { # profile SIDE
	local side=$1 off
	off=$(date +%z | awk '{ s = substr($1, 1, 1) == "-" ? -1 : 1; print s * (substr($1, 2, 2) * 3600 + substr($1, 4, 2) * 60) * 1000 }')
	{
		awk -v off="$off" '{ print "T", $1, ($2 + off) % 86400000, ($3 + off) % 86400000 }' "$T/ev.$side"
		awk '/ DEBUG neutron-wireguard-agent: hubs_changed: / { print "A cast", $2 }
			/ neutron-wireguard-agent: hub .*: created wg-/ { print "A built", $2, $7 }
			/ neutron-wireguard-agent: hub .*: reported realized/ { print "A reply", $2, $7 }' "$LOG"
		awk '/ Hub [0-9a-f-]+ realized on / { for (i = 1; i <= NF; i++) if ($i == "Hub") print "S saved", $2, $(i + 1) }' "$NEUTRON_LOG"
	} | awk '
	function ms(t, a) { if (t ~ /:/) { split(t, a, ":"); return (a[1] * 3600 + a[2] * 60 + a[3]) * 1000 } return t }
	$1 == "T" { t0[$2] = ms($3); t1[$2] = ms($4); ids[++n] = $2; next }
	$2 == "cast" { cast[++nc] = ms($3); next }
	{ ev[$2, $4] = ms($3) }
	END {
		for (i = 1; i <= n; i++) {
			id = ids[i]; c = ""
			for (k = 1; k <= nc; k++) if (cast[k] >= t0[id] - 2000 && cast[k] <= ev["built", id]) c = cast[k]
			if (c == "" || !ev["built", id] || !ev["saved", id] || !ev["reply", id]) continue
			print "cast", c - t0[id]; print "build", ev["built", id] - c
			print "call", ev["saved", id] - ev["built", id]; print "reply", ev["reply", id] - ev["saved", id]
			print "seen", t1[id] - ev["saved", id]
		}
	}' >"$T/prof"
	local k
	echo "  where the time goes, server on $(side_name "$side") (p50 per hub, ms; t=0: port create returned):"
	for k in cast build call reply seen; do
		printf '    %-6s %6s  %s\n' "$k" "$(awk -v k=$k '$1 == k {print $2}' "$T/prof" | pct 50)" "$(case $k in
			cast) echo "POST returned -> agent got hubs_changed (negative: before the API answered)" ;;
			build) echo "hubs_changed -> hub built (coalescing, get_hubs call, link + wireguard-go)" ;;
			call) echo "hub built -> neutron-server logged the realized hub (hub_realized sent, queued, handled up to its row)" ;;
			reply) echo "-> agent got hub_realized's answer (commit, notifications, spokes)" ;;
			seen) echo "server logged it -> this script saw vif_details.public_key (commit + polling GETs)" ;;
			esac)"
	done
}

idle_cost() {
	local rss each t0 t1 hz
	hz=$(getconf CLK_TCK)
	sleep 2
	each=$(agent_rss_each "$AGENT_PID" | paste -sd+) # executor + engine with privsep
	rss=$((each))
	t0=$(agent_cpu_ticks "$AGENT_PID")
	sleep 10
	t1=$(agent_cpu_ticks "$AGENT_PID")
	echo "agent with $EVENTS hubs: RSS ${rss} kB (${each} kB: the executor, then the engine when split), idle CPU $(awk -v d=$((t1 - t0)) -v hz="$hz" 'BEGIN {printf "%.2f", 100 * d / hz / 10}')% over 10 s"
}

desired_file() { # N hubs x 10 spokes
	local n=$1 h s
	{
		echo '{"hubs": ['
		for ((h = 0; h < n; h++)); do
			[ $h -gt 0 ] && echo ","
			printf '{"port_id": "%s", "project_id": "%s", "fixed_ips": ["10.97.%d.1/24"], "mtu": 1450, "spokes": [' \
				"${RES_IDS[$h]}" "${PROJ}o" "$h"
			for ((s = 0; s < 10; s++)); do
				[ $s -gt 0 ] && printf ','
				printf '{"port_id": "%s", "public_key": "%s", "allowed_ips": ["10.97.%d.%d/32"], "persistent_keepalive": 25}' \
					"$(new_uuid)" "$(wg genkey | wg pubkey)" "$h" $((s + 10))
			done
			printf ']}'
		done
		echo ']}'
	} >"$T/desired.json"
}

run_offline() {
	"$AGENT" --config-file "$T/offline.ini" --desired-file "$T/desired.json" --debug 2>&1 |
		grep 'full sync:' | sed 's/.*full sync: //'
}

resync_time() {
	local h ons=tun-${PROJ}o
	RES_IDS=()
	for ((h = 0; h < HUBS; h++)); do
		RES_IDS+=("$(new_uuid)")
		IFS_CREATED+=("$(ifname_of "${RES_IDS[$h]}")")
	done
	desired_file "$HUBS"
	printf '[wireguard]\nWG_HUB_IP = 192.0.2.1\nbackend = userspace\nstate_path = %s\nlisten_port_range = 55000:55999\ncontrol_socket = %s\n' \
		"$T/state-res" "$T/offline.sock" >"$T/offline.ini"
	echo "full resync, $HUBS hubs x 10 spokes (offline, wireguard-go):"
	echo "  first realization: $(run_offline)"
	echo "  in sync (adopt):   $(run_offline)"
	for h in "${RES_IDS[@]}"; do ip -n "$ons" link del "$(ifname_of "$h")" 2>/dev/null; done
	sleep 1
	echo "  after a reboot:    $(run_offline)"
	for h in "${RES_IDS[@]}"; do del_if "$(ifname_of "$h")" "$ons"; done
	ip netns del "$ons" 2>/dev/null
}

remove_event_hubs() { # frees their wireguard-go processes (inotify instances) first
	local p
	for p in "${PORTS[@]}"; do api DELETE "/ports/$p" >/dev/null 2>&1; done
	PORTS=()
	wait_for 60 bash -c "! ip netns exec $NS ip -o link 2>/dev/null | grep -q ' wg-'"
}

if [ -n "$BASE_REF" ]; then
	git -C "$ROOT" rev-parse -q --verify "$BASE_REF^{commit}" >/dev/null || {
		echo "bench-agent: BENCH_BASE_REF=$BASE_REF is not a commit of $ROOT"
		exit 1
	}
	base_tree || { echo "bench-agent: cannot extract $BASE_REF"; exit 1; }
fi
setup_latency || exit 1
if [ -n "$BASE_REF" ]; then
	SERVED=base
	use_code "$T/base" || { echo "bench-agent: server on $BASE_REF did not come up"; exit 1; }
	event_latency base || exit 1
	profile base
	remove_event_hubs
	use_code "$ROOT" || { echo "bench-agent: server on this tree did not come up"; exit 1; }
	SERVED=ours
else
	# whatever the instance ran before, it serves this tree's code now
	use_code "$ROOT" || { echo "bench-agent: server did not come up"; exit 1; }
fi
event_latency ours || exit 1
[ -n "$BASE_REF" ] && compare_sides
agent_share
profile ours
idle_cost
remove_event_hubs
stop_agent TERM
resync_time
