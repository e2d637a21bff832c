# shellcheck shell=bash
# Phase ha-bench of tests/multinode/run.sh (make bench-ha-agent, not in make
# check): the agent-driven takeover (doc/ha.md section 7) measured with two
# real agents on the multi-node harness, in the topology of
# tests/multinode/ha_failover.sh (whose helpers it uses).
#   * BENCH_HA_N (10) failovers alternating between net1 and net2, each
#     followed by the crashed node's return as standby; loss = the longest
#     run of lost pings x 50 ms (20 pings per second through the tunnel);
#   * one failover while the device is idle: its first packet leaves right
#     after the crash; loss = pings lost before the first reply;
#   * the baseline, side by side: BENCH_HA_BASELINE_N (2) failovers with the
#     agents' stream off, so the new master knows no endpoint and the device
#     re-handshakes by its own timers (device-driven).
#   * a TCP session device -> VM (cmp1, behind the hub's tenant port that
#     follows VRRP) held across all BENCH_HA_N failovers: a counter every
#     20 ms, echoed; survived = no reset, no gap, every line echoed.
# Ends with RESULT bench-ha-agent failover_ms_p50=... failover_ms_max=...
# tcp_survived=yes|no. Times are printed, never asserted.
# shellcheck disable=SC2086,SC2034 # JSON bodies from our own ids; globals of ha_failover.sh

BENCH_HA_N=${BENCH_HA_N:-10}
BENCH_HA_BASELINE_N=${BENCH_HA_BASELINE_N:-2}

hb_lost_ms() { # tag -> the lost ms hf_failover recorded
	sed -n "s/.*${1}_lost_ms=\([0-9]*\).*/\1/p" "$WORK/measurements" | tail -1
}
hb_stats() { # values... -> "p50 max"
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- -"; exit }
		p = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %d\n", p, v[NR] }'
}
# settled: one host active, the other standby (the restarts moved the VIP)
hb_one_active() {
	ha_states_are "$1" "$(hf_states net1 active net2 standby)" ||
		ha_states_are "$1" "$(hf_states net1 standby net2 active)"
}
hb_restart() { # mode: both agents with the HA ini of that mode
	local n
	for n in net1 net2; do
		hf_ini "$n" "$1"
		stop_agent "$n" wireguard-agent
		hf_agent "$n" || return 1
	done
}
# the device idle at the failure: its first packet right after the crash
hb_idle() { # tag dead hub -> lost ms
	local tag=$1 dead=$2 first
	sleep 2 # (idle: nothing sent for 2 s)
	HF_CRASHED=$dead
	hf_crash "$dead"
	hf_ping_start "$tag"
	wait_until 30 hf_replies_since "$tag" 5
	hf_ping_stop
	first=$(grep -o 'icmp_seq=[0-9]*' "$WORK/hf-ping-$tag.out" | head -1 | cut -d= -f2)
	echo $(((${first:-601} - 1) * HF_PING_MS))
}

phase_ha_bench() {
	local net sub hub spoke h1=${MN_HOST[net1]} h2=${MN_HOST[net2]} i dead ms all=() base=() idle idle_b tcp
	log "phase ha-bench: $BENCH_HA_N agent-driven failovers, $BENCH_HA_BASELINE_N device-driven"
	hf_topology || { not_ok "ha-bench topology"; return 1; }
	hb_restart takeover || { not_ok "agents with [wireguard_ha]"; return 1; }
	read -r net sub <<<"$(mk_net "nwgmn-hb-$ID" 10.201.10.0/24 null)"
	[ -n "${sub:-}" ] || { not_ok "ha-bench network"; return 1; }
	hub=$(mk port '{"port":{"name":"nwgmn-hbhub-'$ID'","project_id":"'$PROJECT'","network_id":"'$net'","binding:host_id":"'$h1'","port_security_enabled":false,"fixed_ips":[{"subnet_id":"'$sub'","ip_address":"'$HF_HUB_IP'"}],"binding:profile":{"wg_role":"hub","wireguard_ha":{"hosts":["'$h1'","'$h2'"]}}}}') ||
		{ not_ok "HA hub port created"; return 1; }
	echo "$hub" >>"$WORK/cleanup-ports"
	HF_HUB=$hub
	check "HA hub on both nodes, net1 active" wait_until 60 ha_states_are "$hub" "$h1=active $h2=standby"
	HF_PORT=$(vif "$hub" listen_port)
	HF_PUB=$(dev_genkey "$HF_NS" "$WORK/hf.key") || { not_ok "device key"; return 1; }
	dev_wg_start "$HF_NS" "$HF_IF" "$WORK/logs/hf-wg.log" "$WORK/hf-wg.pid" || { not_ok "device wireguard-go"; return 1; }
	spoke=$(mk port '{"port":{"name":"nwgmn-hbspoke-'$ID'","project_id":"'$PROJECT'","network_id":"'$net'","binding:profile":{"wg_role":"spoke","public_key":"'$HF_PUB'","peers":["'$hub'"]}}}') ||
		{ not_ok "device's spoke created"; return 1; }
	echo "$spoke" >>"$WORK/cleanup-ports"
	check "the spoke on both nodes" wait_until 30 hf_both_have "$hub" "$HF_PUB"
	check "device config rendered from Neutron" wait_until 30 render_to "$spoke" "$HF_NS" "$HF_IF" hf
	check "device pings the hub" wait_until 30 ip netns exec "$HF_NS" ping -c1 -W1 "$HF_HUB_IP"
	tcp=no
	if hf_vm "$net" "$sub" && wait_until 40 status_is "$HF_VM_PORT" ACTIVE &&
		wait_until 30 hf_dev_ping_vm && hf_tcp_start; then
		ok "VM on cmp1 reached through the hub; TCP session device -> VM started"
	else
		not_ok "VM on cmp1 reached through the hub, TCP session started"
	fi
	dead=net1
	for i in $(seq 1 "$BENCH_HA_N"); do
		check "bench $i: stream reached $(hf_other "$dead")" wait_until 20 grep -q "HA stream: hub $hub: first snapshot" "$WORK/logs/$(hf_other "$dead")-wireguard-agent.log"
		hf_failover "bf$i" "$dead" "$hub"
		ms=$(hb_lost_ms "bf$i")
		all+=("${ms:-0}")
		hf_rejoin "br$i" "$dead" "$hub"
		dead=$(hf_other "$dead")
	done
	if hf_tcp_finish; then
		tcp=yes
		ok "TCP session survived $BENCH_HA_N failovers ($HF_TCP_RESULT)"
	else
		not_ok "TCP session survived $BENCH_HA_N failovers ($HF_TCP_RESULT)"
	fi
	idle=$(hb_idle bidle "$dead" "$hub")
	hf_rejoin bidler "$dead" "$hub"
	log "phase ha-bench: baseline (the agents' stream off: device-driven)"
	hb_restart baseline || { not_ok "agents without the stream"; return 1; }
	check "baseline: one node active, the other standby" wait_until 60 hb_one_active "$hub"
	# The restarts moved the VIP while the device was idle: with the stream
	# off the new master knows no endpoint, so the device's session is with
	# the other node until its own timers re-handshake (~15 s). A failover
	# before that finds no pings flowing and the loss before the first reply
	# is not a gap between replies (the 0 ms samples of earlier runs).
	check "baseline: the device reaches the active node again (its own re-handshake)" \
		wait_until 40 ip netns exec "$HF_NS" ping -c1 -W1 "$HF_HUB_IP"
	dead=net1
	ha_state_is "$hub" "$h2" active && dead=net2
	for i in $(seq 1 "$BENCH_HA_BASELINE_N"); do
		hf_ping_start "bb$i"
		if ! wait_until 10 hf_replies_since "bb$i" 20; then
			log "baseline $i: no pings flow before the crash: sample dropped"
			hf_ping_stop
			continue
		fi
		HF_CRASHED=$dead
		hf_crash "$dead"
		wait_until 40 hf_replies_since "bb$i" $(($(grep -c 'icmp_seq=' "$WORK/hf-ping-bb$i.out") + 20))
		hf_ping_stop
		read -r _ _ ms <<<"$(hf_ping_count "bb$i")"
		base+=($((ms * HF_PING_MS)))
		hf_reboot "$dead"
		wait_until 40 ha_state_is "$hub" "${MN_HOST[$dead]}" standby
		dead=$(hf_other "$dead")
	done
	idle_b=$(hb_idle bbidle "$dead" "$hub")
	hf_reboot "$dead"
	read -r p50 max <<<"$(hb_stats "${all[@]}")"
	read -r bp50 bmax <<<"$(hb_stats "${base[@]}")"
	echo
	echo "bench-ha-agent: two real agents, keepalived adverts 100 ms, 20 pings/s through the tunnel"
	printf '%-34s %-28s %s\n' "" "agent-driven (stream on)" "device-driven (stream off)"
	printf '%-34s %-28s %s\n' failovers "${#all[@]}" "${#base[@]}"
	printf '%-34s %-28s %s\n' "p50 loss (ms)" "$p50" "$bp50"
	printf '%-34s %-28s %s\n' "max loss (ms)" "$max" "$bmax"
	printf '%-34s %-28s %s\n' all "${all[*]}" "${base[*]}"
	printf '%-34s %-28s %s\n' "idle device, from its next packet" "$idle" "$idle_b"
	awk -v a="$p50" -v b="$bp50" 'BEGIN { if (a > 0) printf "ratio device-driven / agent-driven at p50: %.1fx\n", b / a }'
	echo "tcp session device -> VM across the $BENCH_HA_N failovers: $HF_TCP_RESULT"
	echo "RESULT bench-ha-agent failover_ms_p50=$p50 failover_ms_max=$max idle_ms=$idle baseline_ms_p50=$bp50 tcp_survived=$tcp"
	api DELETE "/ports/$spoke" >/dev/null
	api DELETE "/ports/$hub" >/dev/null
	check "hub deleted, copies removed" wait_until 40 no_copies "$hub"
}
