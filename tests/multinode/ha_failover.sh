# shellcheck shell=bash
# Phase ha-failover of tests/multinode/run.sh (sourced): the agents run the
# HA takeover themselves (doc/ha.md, "The agent runs the takeover").
#
# net1 and net2's WireGuard agents restart with [wireguard_ha]: each runs its
# own keepalived (VRRPv3, adverts every 100 ms) moving the VIP 198.51.100.100
# on eth-h, a link of both nodes to a bridge where a device lives
# (wireguard-go in its own namespace, 198.51.100.10, config rendered from
# Neutron: endpoint = the VIP). The device pings the hub's address through
# the tunnel at 20 pings per second while:
#   1. net1 (active) crashes: eth-h down, then SIGKILL of its WireGuard agent,
#      keepalived and wireguard-go; net2's agent takes over (streamed
#      endpoint, handshake initiated) and reports itself active;
#   2. net1 comes back (fresh addresses, agent restarted): it rejoins as
#      standby without taking over;
#   3. net2 crashes; net1 takes over (fail back); net2 comes back as standby.
# Lost pings per event are counted and printed (never asserted as times).
# Needs run.sh's helpers and variables.
# shellcheck disable=SC2086 # JSON bodies built from our own ids

HF_BR=nmh$ID HF_NS=nwgmnhd$ID HF_IF=wgh$ID HF_VETH=nhd$ID
HF_VIP=198.51.100.100 HF_NET=10.252.0 HF_HUB_IP=10.201.10.1
HF_PING_MS=50
HF_VM_NS=nwgmnhv$ID HF_VM_IP=10.201.10.20 HF_TCP_PORT=5020

hf_node_ip() { echo "$HF_NET.${MN_IDX[$1]}"; }
hf_other() { [ "$1" = net1 ] && echo net2 || echo net1; }

hf_ini() { # node [baseline]: the extra ini of the HA agents (baseline: no stream)
	local n=$1 prio=100 peer
	[ "$n" = net2 ] && prio=90
	peer=$(hf_node_ip "$(hf_other "$n")")
	[ "${2:-}" = baseline ] && peer=""
	cat >"$(node_dir "$n")/etc/wireguard_ha.ini" <<EOF
[wireguard_ovn]
integration_bridge = br-int
ovsdb_connection = unix:/run/openvswitch/db.sock
[wireguard_ha]
vrrp_interface = eth-h
vip = $HF_VIP/24
virtual_router_id = 61
priority = $prio
advert_interval_ms = 100
stream_peer = $peer
peer_host = ${MN_HOST[$(hf_other "$n")]}
stream_port = 51900
EOF
}

# the bridge, one link per node (eth-h), the device's link
hf_topology() {
	local n i
	ip link add "$HF_BR" type bridge || return 1
	ip link set "$HF_BR" up
	for n in net1 net2; do
		i=${MN_IDX[$n]}
		ip link add "nh$ID$i" type veth peer name "nj$ID$i" || return 1
		ip link set "nj$ID$i" netns "${MN_HOLDER[$n]}"
		ip link set "nh$ID$i" master "$HF_BR" up
		nx "$n" ip link set "nj$ID$i" name eth-h || return 1
		hf_node_addrs "$n" || return 1
		hf_ini "$n"
	done
	ip netns add "$HF_NS" || return 1
	ip -n "$HF_NS" link set lo up
	ip link add "$HF_VETH" type veth peer name inet0 netns "$HF_NS" || return 1
	ip link set "$HF_VETH" master "$HF_BR" up
	ip -n "$HF_NS" addr add 198.51.100.10/24 dev inet0
	ip -n "$HF_NS" link set inet0 up
}
# a node's eth-h as after a boot: its own address only (no VIP)
hf_node_addrs() {
	nx "$1" ip addr flush dev eth-h
	nx "$1" ip addr add "$(hf_node_ip "$1")/24" dev eth-h &&
		nx "$1" ip link set eth-h up
}
hf_teardown() {
	hf_tcp_stop
	[ -s "$WORK/hf-wg.pid" ] && dev_wg_stop "$WORK/hf-wg.pid" "$HF_IF" "$HF_NS"
	ip netns del "$HF_VM_NS" 2>/dev/null
	ip netns del "$HF_NS" 2>/dev/null
	ip link del "$HF_BR" 2>/dev/null
	ip link del "$HF_VETH" 2>/dev/null
	return 0
}

hf_agent() { # node: the WireGuard agent with [wireguard_ha]
	local d
	d=$(node_dir "$1")
	node_agent "$1" wireguard-agent "$HERE/build/rel/bin/neutron-wireguard-agent" \
		--config-file "$d/etc/wireguard_agent.ini" --config-file "$d/etc/wireguard_ha.ini" || return 1
	wait_until 10 nx "$1" test -S /run/neutron-wireguard/agent.sock
}
hf_agent_plain() { # node: back to the suite's configuration
	stop_agent "$1" wireguard-agent
	node_wg_agent "$1"
}

# A crashed node: its WireGuard agent dies first (a dead node reports nothing
# to Neutron), then its link goes down (it sends nothing, not even
# keepalived's priority-0 goodbye), then SIGKILL of keepalived and every
# wireguard-go of the node.
hf_crash() {
	local p c
	kill -KILL "$(agent_pid "$1" wireguard-agent)" 2>/dev/null
	nx "$1" ip link set eth-h down
	# (its tenant-side port too: a dead node answers nothing on br-int)
	[ -n "${HF_HUB:-}" ] && nx "$1" ip -n "tun-$PROJECT" link set "wo-${HF_HUB:0:11}" down 2>/dev/null
	for p in $(node_procs "$1"); do
		c=$(cat "/proc/$p/comm" 2>/dev/null)
		case $c in neutron-wiregua* | keepalived | wireguard-go) kill -KILL "$p" 2>/dev/null ;; esac
	done
	for _ in $(seq 50); do
		hf_node_has keepalived || hf_node_has wireguard-go || break
		sleep 0.1
	done
}
hf_node_has() { # comm: runs in the node that hf_crash named last ($HF_CRASHED)
	local p
	for p in $(node_procs "$HF_CRASHED"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && return 0
	done
	return 1
}
# ... and it boots again: fresh addresses, the agent restarted (it restores
# its hubs, starts keepalived, which must stay BACKUP: nopreempt)
hf_reboot() {
	hf_node_addrs "$1" && hf_agent "$1"
}

hf_ping_start() { # tag: 20 pings per second to the hub's address
	ip netns exec "$HF_NS" ping -n -i 0.05 -W 1 "$HF_HUB_IP" >"$WORK/hf-ping-$1.out" 2>&1 &
	HF_PING_PID=$!
}
hf_ping_stop() { kill -INT "$HF_PING_PID" 2>/dev/null; wait "$HF_PING_PID" 2>/dev/null; }
# replies counted from the ping output: "sent received longest-run-lost"
hf_ping_count() {
	awk '/packets transmitted/ { sent = $1 }
	     match($0, /icmp_seq=[0-9]+/) { s = substr($0, RSTART + 9, RLENGTH - 9) + 0
	         if (!(s in got)) { got[s] = 1; n++ }
	         if (n > 1 && s - last - 1 > gap) gap = s - last - 1
	         last = s }
	     END { print sent + 0, n + 0, gap + 0 }' "$WORK/hf-ping-$1.out"
}
hf_replies_since() { # tag count: more than count replies in the output
	[ "$(grep -c 'icmp_seq=' "$WORK/hf-ping-$1.out" 2>/dev/null)" -gt "$2" ]
}
hf_dev_ep() { ip netns exec "$HF_NS" wg show "$HF_IF" endpoints | awk '{print $2}'; }
ha_active_is() { [ "$(api GET "/ports/$1" | jf port.wireguard.ha.active)" = "$2" ]; }
ha_state_of() { # hub host
	api GET "/ports/$1" | jf "port.wireguard.ha.states.$2"
}
ha_state_is() { [ "$(ha_state_of "$1" "$2")" = "$3" ]; }
hf_log_count() { grep -c -- "$2" "$WORK/logs/$1-wireguard-agent.log" 2>/dev/null; }

# one failover: the active node crashes, the other takes over. Prints and
# records the lost pings.
hf_failover() { # tag dead-node hub
	local tag=$1 dead=$2 hub=$3 live sent got gap base0 t0
	live=$(hf_other "$dead")
	base0=$(hf_log_count "$live" "HA hub $hub: took over: 1 of 1 known endpoints set")
	hf_ping_start "$tag"
	check "$tag: pings flow before the crash" wait_until 10 hf_replies_since "$tag" 20
	HF_CRASHED=$dead
	t0=$(now)
	hf_crash "$dead"
	log "$tag: $dead crashed"
	local n0
	n0=$(grep -c 'icmp_seq=' "$WORK/hf-ping-$tag.out")
	if wait_until 30 hf_replies_since "$tag" $((n0 + 20)); then
		ok "$tag: the device's pings resumed through $live ($(ms "$t0" "$(now)") ms after the crash step began, 20 replies later)"
	else
		not_ok "$tag: the device's pings resumed within 30 s of $dead's crash"
	fi
	hf_ping_stop
	read -r sent got gap <<<"$(hf_ping_count "$tag")"
	log "$tag: $sent pings sent, $got answered, longest run lost $gap = $((gap * HF_PING_MS)) ms"
	echo "${tag}_lost_pings=$gap ${tag}_lost_ms=$((gap * HF_PING_MS))" >>"$WORK/measurements"
	check "$tag: $live's agent took over (the streamed endpoint set, handshake initiated)" \
		wait_until 10 hf_count_gt "$live" "HA hub $hub: took over: 1 of 1 known endpoints set" "$base0"
	check "$tag: Neutron shows ${MN_HOST[$live]} active" wait_until 30 ha_state_is "$hub" "${MN_HOST[$live]}" active
	log "$tag: Neutron's states: $(ha_states "$hub")"
	if [ "$tag" = failover1 ]; then # (once: it waits for agent_down_time)
		t0=$(now)
		if wait_until 60 ha_state_is "$hub" "${MN_HOST[$dead]}" fault; then
			ok "$tag: Neutron marks the crashed ${MN_HOST[$dead]} fault once its agent is dead ($(ms "$t0" "$(now)") ms)"
		else
			not_ok "$tag: Neutron marks the crashed ${MN_HOST[$dead]} fault (states: $(ha_states "$hub"))"
		fi
		check "$tag: the hub's active host is ${MN_HOST[$live]}" ha_active_is "$hub" "${MN_HOST[$live]}"
		expect_eq "$tag: the hub port stays ACTIVE (${MN_HOST[$live]} serves it)" ACTIVE "$(port_status "$hub")"
		check "$tag: server log: the dead host's HA state set to fault" \
			grep -q "WireGuard agent on ${MN_HOST[$dead]} is dead .*its HA state of hub port(s) $hub is now fault" "$NEUTRON_LOG"
	fi
	expect_eq "$tag: the device's config unchanged (its endpoint is still the VIP)" \
		"$HF_VIP:$HF_PORT" "$(hf_dev_ep)"
}

hf_rejoin() { # tag node hub
	local tag=$1 n=$2 hub=$3 live sent got gap a0 s0
	live=$(hf_other "$n")
	a0=$(hf_log_count "$live" "VRRP active -> ")
	s0=$(hf_log_count "$n" "HA: VRRP unknown -> standby")
	hf_ping_start "$tag"
	if ! hf_reboot "$n"; then
		not_ok "$tag: $n's agent restarted"
		hf_ping_stop
		return 1
	fi
	ok "$tag: $n's agent restarted (its hub restored)"
	check "$tag: Neutron shows ${MN_HOST[$n]} standby and ${MN_HOST[$live]} active" \
		wait_until 40 ha_states_are "$hub" "$(hf_states "$n" standby "$live" active)"
	check "$tag: the hub's active host is ${MN_HOST[$live]}" ha_active_is "$hub" "${MN_HOST[$live]}"
	check "$tag: $n's agent: VRRP -> standby" wait_until 10 hf_count_gt "$n" "HA: VRRP unknown -> standby" "$s0"
	sleep 2 # (pings go on while the node has rejoined)
	hf_ping_stop
	read -r sent got gap <<<"$(hf_ping_count "$tag")"
	log "$tag: $sent pings sent, $got answered, longest run lost $gap while $n rejoined"
	echo "${tag}_lost_pings=$gap" >>"$WORK/measurements"
	expect_eq "$tag: $live stayed active (no VRRP change on it)" "$a0" "$(hf_log_count "$live" "VRRP active -> ")"
	expect_eq "$tag: $n never took over" 0 \
		"$(awk -v s="$(hf_log_count "$n" "HA: keepalived started")" '/HA: keepalived started/ {k++} k == s && /VRRP .* -> active/ {a++} END {print a + 0}' "$WORK/logs/$n-wireguard-agent.log")"
	expect_eq "$tag: $n is silent (the device's peer without endpoint)" "(none)" "$(peer_ep "$n" "$hub" "$HF_PUB")"
}
# keepalived killed alone on the standby: the agent sees it exit, goes
# silent (fault), restarts it after its back-off; it comes back as standby
hf_keepalived_dies() { # node hub
	local n=$1 hub=$2 e0 s0 p c sent got gap
	e0=$(hf_log_count "$n" "HA: keepalived exited")
	s0=$(hf_log_count "$n" "HA: keepalived started")
	hf_ping_start kad
	check "kad: pings flow" wait_until 10 hf_replies_since kad 10
	for p in $(node_procs "$n"); do
		c=$(cat "/proc/$p/comm" 2>/dev/null)
		[ "$c" = keepalived ] && kill -KILL "$p" 2>/dev/null
	done
	check "kad: $n's agent saw keepalived exit" wait_until 10 hf_count_gt "$n" "HA: keepalived exited" "$e0"
	check "kad: $n's agent restarted keepalived" wait_until 20 hf_count_gt "$n" "HA: keepalived started" "$s0"
	check "kad: Neutron shows $n standby again" wait_until 30 ha_state_is "$hub" "${MN_HOST[$n]}" standby
	sleep 1
	hf_ping_stop
	read -r sent got gap <<<"$(hf_ping_count kad)"
	log "kad: $sent pings sent, $got answered, longest run lost $gap while $n's keepalived restarted"
	expect_eq "kad: ${MN_HOST[$(hf_other "$n")]} still active" active "$(ha_state_of "$hub" "${MN_HOST[$(hf_other "$n")]}")"
}
hf_vip_on() { nx "$1" ip -o addr show dev eth-h | grep -q " $HF_VIP/"; }
hf_vip_only_on() { hf_vip_on "$1" && ! hf_vip_on "$(hf_other "$1")"; }
hf_vip_holders() { local n; for n in net1 net2; do hf_vip_on "$n" && printf '%s ' "$n"; done; }
# keepalived killed alone on the MASTER, every process of it stopped first
# then SIGKILLed (so no process of it runs its SIGTERM path: no priority-0
# advert, its VIP stays on the interface, as after a crash): the agent
# removes the VIP at once, makes its hubs silent (fault, tenant port down)
# and restarts keepalived after its back-off; the other node misses the
# adverts and takes over; the restarted keepalived comes back as BACKUP
# (nopreempt): the other node stays active.
hf_keepalived_dies_master() { # node hub
	local n=$1 hub=$2 other e0 v0 t0 a0 s0 n0 p c sent got gap
	other=$(hf_other "$n")
	e0=$(hf_log_count "$n" "HA: keepalived exited")
	v0=$(hf_log_count "$n" "HA: keepalived left the VIP $HF_VIP/24 on eth-h: removed it")
	s0=$(hf_log_count "$n" "HA: keepalived started")
	a0=$(hf_log_count "$other" "VRRP standby -> active")
	if wait_until 10 hf_vip_only_on "$n"; then
		ok "kam: $n is the master (the VIP there only)"
	else
		not_ok "kam: $n is the master (the VIP on: $(hf_vip_holders))"
	fi
	hf_ping_start kam
	check "kam: pings flow" wait_until 10 hf_replies_since kam 10
	local ka=()
	for p in $(node_procs "$n"); do
		c=$(cat "/proc/$p/comm" 2>/dev/null)
		[ "$c" = keepalived ] && ka+=("$p")
	done
	t0=$(now)
	n0=$(grep -c 'icmp_seq=' "$WORK/hf-ping-kam.out")
	[ ${#ka[@]} -gt 0 ] && kill -STOP "${ka[@]}" 2>/dev/null
	[ ${#ka[@]} -gt 0 ] && kill -KILL "${ka[@]}" 2>/dev/null
	log "kam: SIGSTOP then SIGKILL to $n's keepalived (pids ${ka[*]})"
	check "kam: $n's agent saw keepalived exit" wait_until 10 hf_count_gt "$n" "HA: keepalived exited" "$e0"
	check "kam: $n's agent removed the VIP keepalived left behind" \
		wait_until 5 hf_count_gt "$n" "HA: keepalived left the VIP $HF_VIP/24 on eth-h: removed it" "$v0"
	check "kam: $other took over (it missed the adverts)" wait_until 10 hf_count_gt "$other" "VRRP standby -> active" "$a0"
	if wait_until 30 hf_replies_since kam $((n0 + 20)); then
		ok "kam: the device's pings go on through $other ($(ms "$t0" "$(now)") ms after the kill, 20 replies later)"
	else
		not_ok "kam: the device's pings go on through $other within 30 s"
	fi
	check "kam: $n's agent restarted keepalived" wait_until 20 hf_count_gt "$n" "HA: keepalived started" "$s0"
	check "kam: Neutron shows ${MN_HOST[$other]} active, ${MN_HOST[$n]} standby (nopreempt)" \
		wait_until 30 ha_states_are "$hub" "$(hf_states "$other" active "$n" standby)"
	sleep 1
	hf_ping_stop
	read -r sent got gap <<<"$(hf_ping_count kam)"
	log "kam: $sent pings sent, $got answered, longest run lost $gap = $((gap * HF_PING_MS)) ms when $n's keepalived was killed"
	echo "kam_lost_pings=$gap kam_lost_ms=$((gap * HF_PING_MS))" >>"$WORK/measurements"
	if hf_vip_only_on "$other"; then
		ok "kam: the VIP is on $other only"
	else
		not_ok "kam: the VIP is on $other only (on: $(hf_vip_holders))"
	fi
	expect_eq "kam: $n silent (the device's peer without endpoint)" "(none)" "$(peer_ep "$n" "$hub" "$HF_PUB")"
	expect_eq "kam: $n's tenant port down" down "$(hf_wo_state "$n")"
	expect_eq "kam: $other's tenant port up" up "$(hf_wo_state "$other")"
	if [ -n "${HF_VM_PORT:-}" ]; then
		check "kam: the device reaches the VM through $other" wait_until 10 hf_dev_ping_vm
	fi
}
# The path between the nodes is cut (VRRP adverts and the stream), the device
# still reaches both; then healed. hf_partition on|off
hf_partition() {
	local n op=-I
	[ "$1" = off ] && op=-D
	for n in net1 net2; do
		nx "$n" iptables -w "$op" INPUT -i eth-h -s "$(hf_node_ip "$(hf_other "$n")")" -j DROP || return 1
	done
}
# net1 active, net2 standby: a split brain makes net2 master too (the
# device follows it), the heal makes net2 step down and net1, hearing its
# lower-priority advert, renew every session (doc/ha.md section 5)
hf_split_brain() { # hub
	local hub=$1 a2 r1 n0 sent got gap t0
	a2=$(hf_log_count net2 "VRRP standby -> active")
	r1=$(hf_log_count net1 "HA hub $hub: renewed after a split brain")
	hf_ping_start split
	check "split: pings flow" wait_until 10 hf_replies_since split 10
	hf_partition on || { not_ok "split: partition"; hf_ping_stop; return 1; }
	check "split: net2 becomes master too (it hears no advert)" wait_until 10 hf_count_gt net2 "VRRP standby -> active" "$a2"
	n0=$(grep -c 'icmp_seq=' "$WORK/hf-ping-split.out")
	check "split: the device's pings go on (through net2)" wait_until 20 hf_replies_since split $((n0 + 20))
	hf_ping_stop
	read -r sent got gap <<<"$(hf_ping_count split)"
	log "split: $sent pings sent, $got answered, longest run lost $gap"
	echo "split_lost_pings=$gap" >>"$WORK/measurements"
	hf_ping_start heal
	wait_until 10 hf_replies_since heal 10
	t0=$(now)
	hf_partition off || not_ok "heal: partition removed"
	check "heal: net1 renewed every session (net2's lower-priority advert)" \
		wait_until 10 hf_count_gt net1 "HA hub $hub: renewed after a split brain" "$r1"
	check "heal: net2 steps down" wait_until 10 ha_state_is "$hub" "${MN_HOST[net2]}" standby
	n0=$(grep -c 'icmp_seq=' "$WORK/hf-ping-heal.out")
	if wait_until 20 hf_replies_since heal $((n0 + 20)); then
		ok "heal: the device's pings go on ($(ms "$t0" "$(now)") ms after the heal, 20 replies later)"
	else
		not_ok "heal: the device's pings go on within 20 s of the heal"
	fi
	hf_ping_stop
	read -r sent got gap <<<"$(hf_ping_count heal)"
	log "heal: $sent pings sent, $got answered, longest run lost $gap = $((gap * HF_PING_MS)) ms"
	echo "heal_lost_pings=$gap" >>"$WORK/measurements"
	check "heal: Neutron shows ${MN_HOST[net1]} active, ${MN_HOST[net2]} standby" \
		wait_until 30 ha_states_are "$hub" "$(hf_states net1 active net2 standby)"
	expect_eq "heal: net2 silent (the device's peer without endpoint)" "(none)" "$(peer_ep net2 "$hub" "$HF_PUB")"
}
# The HA hub's tenant-side port (wo-<port>) in a node: "up", "down" or "".
hf_wo_state() { # node
	nx "$1" ip -n "tun-$PROJECT" -o link show "wo-${HF_HUB:0:11}" 2>/dev/null |
		awk '{ print ($3 ~ /(^|[<,])UP([,>]|$)/) ? "up" : "down" }'
}
hf_wo_is() { [ "$(hf_wo_state "$1")" = "$2" ]; }
# The VM: a port on the hub's network bound to cmp1, plugged as os-vif does
# (an internal port on cmp1's br-int moved into its namespace).
hf_vm() { # net subnet
	local mac tap
	HF_VM_PORT=$(mk port '{"port":{"name":"nwgmn-hfvm-'$ID'","project_id":"'$PROJECT'","network_id":"'$1'","fixed_ips":[{"subnet_id":"'$2'","ip_address":"'$HF_VM_IP'"}],"device_owner":"compute:nova","device_id":"'"$(cat /proc/sys/kernel/random/uuid)"'","binding:host_id":"'${MN_HOST[cmp1]}'","port_security_enabled":false}}') || return 1
	echo "$HF_VM_PORT" >>"$WORK/cleanup-ports"
	mac=$(api GET "/ports/$HF_VM_PORT" | jf port.mac_address)
	tap=tap${HF_VM_PORT:0:11}
	ip netns add "$HF_VM_NS" || return 1
	ip -n "$HF_VM_NS" link set lo up
	nx cmp1 ovs-vsctl --timeout=10 add-port br-int "$tap" -- set interface "$tap" type=internal \
		"external_ids:iface-id=$HF_VM_PORT" "external_ids:attached-mac=$mac" \
		external_ids:iface-status=active || return 1
	wait_until 10 nn cmp1 ip link show "$tap" || return 1
	nn cmp1 ip link set "$tap" netns "$HF_VM_NS" || return 1
	ip -n "$HF_VM_NS" link set "$tap" address "$mac" mtu 1450 up
	ip -n "$HF_VM_NS" addr add "$HF_VM_IP/24" dev "$tap"
}
hf_vm_ping() { ip netns exec "$HF_VM_NS" ping -c1 -W1 "$1"; }
hf_dev_ping_vm() { ip netns exec "$HF_NS" ping -c1 -W1 "$HF_VM_IP"; }
# A TCP session device -> VM through the HA hub: a counter every 20 ms,
# echoed by the VM (tests/multinode/tcp_counter.py).
hf_tcp_start() {
	rm -f "$WORK/hf-tcp.stop" "$WORK/hf-tcp-srv.out" "$WORK/hf-tcp-cli.out"
	ip netns exec "$HF_VM_NS" "$PY" "$HERE/tests/multinode/tcp_counter.py" server "$HF_TCP_PORT" \
		"$WORK/hf-tcp-srv.out" >>"$WORK/logs/hf-tcp.log" 2>&1 &
	HF_TCP_SRV=$!
	wait_until 10 hf_tcp_listening || return 1
	ip netns exec "$HF_NS" "$PY" "$HERE/tests/multinode/tcp_counter.py" client "$HF_VM_IP" "$HF_TCP_PORT" \
		"$WORK/hf-tcp-cli.out" "$WORK/hf-tcp.stop" >>"$WORK/logs/hf-tcp.log" 2>&1 &
	HF_TCP_CLI=$!
}
hf_tcp_listening() { ip netns exec "$HF_VM_NS" ss -Hltn "sport = :$HF_TCP_PORT" | grep -q .; }
# ends the session; HF_TCP_RESULT = the client's line, status 0 = it survived
hf_tcp_finish() {
	local rc=1
	HF_TCP_RESULT=""
	[ -n "${HF_TCP_CLI:-}" ] || return 1
	touch "$WORK/hf-tcp.stop"
	# a client that never connected leaves the server waiting for one
	if wait "$HF_TCP_CLI"; then rc=0; else kill "$HF_TCP_SRV" 2>/dev/null; fi
	wait "$HF_TCP_SRV" || rc=1
	HF_TCP_CLI="" HF_TCP_SRV=""
	HF_TCP_RESULT="$(cat "$WORK/hf-tcp-cli.out" 2>/dev/null) / VM: $(cat "$WORK/hf-tcp-srv.out" 2>/dev/null)"
	return $rc
}
hf_tcp_stop() {
	[ -n "${HF_TCP_CLI:-}" ] && kill "$HF_TCP_CLI" 2>/dev/null
	[ -n "${HF_TCP_SRV:-}" ] && kill "$HF_TCP_SRV" 2>/dev/null
	HF_TCP_CLI="" HF_TCP_SRV=""
	return 0
}
hf_both_have() { has_peer net1 "$1" "$2" && has_peer net2 "$1" "$2"; }
hf_no_keepalived() { HF_CRASHED=$1; ! hf_node_has keepalived; }
hf_keepalived_child_of_executor() { # node: a keepalived whose parent is the agent's first process
	local p exe
	exe=$(agent_pid "$1" wireguard-agent)
	for p in $(node_procs "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = keepalived ] || continue
		[ "$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)" = "$exe" ] && return 0
	done
	return 1
}
hf_count_gt() { [ "$(hf_log_count "$1" "$2")" -gt "$3" ]; }
hf_states() { # n1 s1 n2 s2 -> "host=state host=state" sorted by host
	printf '%s=%s\n%s=%s\n' "${MN_HOST[$1]}" "$2" "${MN_HOST[$3]}" "$4" | sort | paste -sd' '
}

phase_ha_failover() {
	local net sub hub spoke h1=${MN_HOST[net1]} h2=${MN_HOST[net2]} t0
	log "phase ha-failover: net1 and net2's agents run VRRP and the endpoint stream"
	hf_topology || { not_ok "ha-failover topology"; return 1; }
	stop_agent net1 wireguard-agent
	stop_agent net2 wireguard-agent
	if ! { hf_agent net1 && hf_agent net2; }; then
		not_ok "agents restarted with [wireguard_ha]"
		return 1
	fi
	read -r net sub <<<"$(mk_net "nwgmn-hf-$ID" 10.201.10.0/24 null)"
	[ -n "${sub:-}" ] || { not_ok "ha-failover network"; return 1; }
	t0=$(now)
	hub=$(mk port '{"port":{"name":"nwgmn-hfhub-'$ID'","project_id":"'$PROJECT'","network_id":"'$net'","binding:host_id":"'$h1'","port_security_enabled":false,"fixed_ips":[{"subnet_id":"'$sub'","ip_address":"'$HF_HUB_IP'"}],"binding:profile":{"wg_role":"hub","wireguard_ha":{"hosts":["'$h1'","'$h2'"]}}}}') ||
		{ not_ok "HA hub port created"; return 1; }
	echo "$hub" >>"$WORK/cleanup-ports"
	HF_HUB=$hub
	check "HA hub: the same key on both nodes" wait_until 60 both_same_key "$hub"
	check "Neutron shows $h1 active, $h2 standby (their VRRP states)" \
		wait_until 30 ha_states_are "$hub" "$h1=active $h2=standby"
	check "net1's agent started keepalived" grep -q "HA: keepalived started" "$WORK/logs/net1-wireguard-agent.log"
	if [ "${NWG_AGENT_PRIVSEP:-1}" = 1 ]; then # the split (doc/ha.md): keepalived is the executor's
		check "net1 (privsep): keepalived is the executor's child" hf_keepalived_child_of_executor net1
		check "net1 (privsep): the engine runs without capabilities" \
			grep -q "engine pid [0-9]*: uid [1-9][0-9]*, capabilities 0," "$WORK/logs/net1-wireguard-agent.log"
	fi
	check "net1's agent: VRRP -> active" grep -q "HA: VRRP .* -> active" "$WORK/logs/net1-wireguard-agent.log"
	check "net2's agent: VRRP -> standby" grep -q "HA: VRRP .* -> standby" "$WORK/logs/net2-wireguard-agent.log"
	expect_eq "net1's keepalived.conf: 0600" 600 "$(stat -c %a "$(node_dir net1)/repo/vrrp/keepalived.conf" 2>/dev/null)"
	check "the VIP is on net1 only" bash -c "nsenter --target ${MN_HOLDER[net1]} --net ip -o addr show dev eth-h | grep -q ' $HF_VIP/' &&
		! nsenter --target ${MN_HOLDER[net2]} --net ip -o addr show dev eth-h | grep -q ' $HF_VIP/'"
	HF_PORT=$(vif "$hub" listen_port)
	expect_eq "Neutron's endpoint of the hub: the VIP" "$HF_VIP:$HF_PORT" "$(vif "$hub" endpoint)"

	log "phase ha-failover: a device behind the VIP"
	HF_PUB=$(dev_genkey "$HF_NS" "$WORK/hf.key") || { not_ok "device key"; return 1; }
	dev_wg_start "$HF_NS" "$HF_IF" "$WORK/logs/hf-wg.log" "$WORK/hf-wg.pid" || { not_ok "device wireguard-go"; return 1; }
	spoke=$(mk port '{"port":{"name":"nwgmn-hfspoke-'$ID'","project_id":"'$PROJECT'","network_id":"'$net'","binding:profile":{"wg_role":"spoke","public_key":"'$HF_PUB'","peers":["'$hub'"]}}}') ||
		{ not_ok "device's spoke created"; return 1; }
	echo "$spoke" >>"$WORK/cleanup-ports"
	check "the spoke on both nodes" wait_until 30 hf_both_have "$hub" "$HF_PUB"
	check "device config rendered from Neutron and applied" wait_until 30 render_to "$spoke" "$HF_NS" "$HF_IF" hf
	check "device config: endpoint = the VIP" grep -q "^Endpoint = $HF_VIP:$HF_PORT\$" "$WORK/hf.conf"
	cp "$WORK/hf.conf" "$WORK/hf.conf.orig"
	check "device pings the hub through the tunnel (net1 active)" wait_until 30 ip netns exec "$HF_NS" ping -c1 -W1 "$HF_HUB_IP"
	check "net2 received the stream (the device's endpoint)" wait_until 20 grep -q "HA stream: hub $hub: first snapshot from the active node (1 endpoints)" "$WORK/logs/net2-wireguard-agent.log"
	expect_eq "net2 (standby): the device's peer without endpoint" "(none)" "$(peer_ep net2 "$hub" "$HF_PUB")"

	log "phase ha-failover: a VM on cmp1 behind the HA hub (its tenant port follows VRRP)"
	check "net1 (active): the hub's tenant port is up on br-int" wait_until 30 hf_wo_is net1 up
	check "net2 (standby): the hub's tenant port is plugged and down" wait_until 30 hf_wo_is net2 down
	check "net1's tenant port: an OVS port of br-int bound to the hub's Neutron port" bash -c \
		"[ \"\$(nsenter --target ${MN_HOLDER[net1]} --mount --net ovs-vsctl get Interface wo-${hub:0:11} external_ids:iface-id)\" = '\"$hub\"' ]"
	if hf_vm "$net" "$sub"; then
		check "VM port on cmp1 ACTIVE" wait_until 40 status_is "$HF_VM_PORT" ACTIVE
		check "the VM (cmp1) pings the hub's address (net1, over VXLAN)" wait_until 30 hf_vm_ping "$HF_HUB_IP"
		check "the device pings the VM through the HA hub" wait_until 30 hf_dev_ping_vm
		check "the VM pings the device (the hub answers ARP for it)" wait_until 10 hf_vm_ping "$(api GET "/ports/$spoke" | jf port.fixed_ips.0.ip_address)"
		if hf_tcp_start; then
			ok "TCP session device -> VM started (a counter every 20 ms, echoed)"
		else
			not_ok "TCP session device -> VM started"
		fi
	else
		not_ok "VM on cmp1 wired"
	fi

	log "phase ha-failover: net1 crashes"
	hf_failover failover1 net1 "$hub"
	log "phase ha-failover: net1 comes back"
	hf_rejoin rejoin1 net1 "$hub"
	log "phase ha-failover: net2 crashes (fail back)"
	hf_failover failover2 net2 "$hub"
	if [ -n "${HF_TCP_CLI:-}" ]; then
		if hf_tcp_finish; then
			ok "TCP session device <-> VM survived net1 -> net2 -> net1: no reset, no gap ($HF_TCP_RESULT)"
		else
			not_ok "TCP session device <-> VM survived both failovers ($HF_TCP_RESULT)"
		fi
		echo "tcp_survived=$([[ $HF_TCP_RESULT == *"reset=0"* && $HF_TCP_RESULT == *"gaps=0"* ]] && echo yes || echo no) tcp_$(grep -o 'max_stall_ms=[0-9]*' "$WORK/hf-tcp-cli.out")" >>"$WORK/measurements"
		check "net2's tenant port went up when it took over" grep -q "HA hub $hub: tenant port wo-.* up" "$WORK/logs/net2-wireguard-agent.log"
	fi
	log "phase ha-failover: net2 comes back"
	hf_rejoin rejoin2 net2 "$hub"
	check "after the fail back: the device still reaches the VM" wait_until 10 hf_dev_ping_vm
	expect_eq "net1 (active): tenant port up" up "$(hf_wo_state net1)"
	expect_eq "net2 (standby): tenant port down" down "$(hf_wo_state net2)"
	log "phase ha-failover: net2's keepalived dies alone; the agent restarts it"
	hf_keepalived_dies net2 "$hub"
	log "phase ha-failover: split brain and heal"
	hf_split_brain "$hub"
	log "phase ha-failover: net1's keepalived (the master's) dies alone"
	hf_keepalived_dies_master net1 "$hub"
	check "the device's config file never re-rendered" cmp -s "$WORK/hf.conf" "$WORK/hf.conf.orig"
	check "agents' logs: no hub private key" bash -c "! grep -qF -- \"\$(nsenter --target ${MN_HOLDER[net1]} --mount --net wg show $(wg_of "$hub") private-key)\" $WORK/logs/net1-wireguard-agent.* $WORK/logs/net2-wireguard-agent.*"

	log "phase ha-failover: clean-up (keepalived stops with the last HA hub)"
	api DELETE "/ports/$spoke" >/dev/null
	api DELETE "/ports/$hub" >/dev/null
	expect_eq "HA hub port deleted" 204 "$(code)"
	check "both copies removed" wait_until 40 no_copies "$hub"
	check "net1's keepalived stopped (no HA hub left)" wait_until 20 hf_no_keepalived net1
	check "net2's keepalived stopped" wait_until 20 hf_no_keepalived net2
	dev_wg_stop "$WORK/hf-wg.pid" "$HF_IF" "$HF_NS"
	if ! { hf_agent_plain net1 && hf_agent_plain net2; }; then
		not_ok "agents back to the suite's configuration"
	fi
}
