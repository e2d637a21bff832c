#!/bin/bash
# HA hub topology shared by tests/ha/run.sh (make check-ha) and
# bench/bench-ha.sh (make bench-ha): two simulated network nodes holding the
# same hub (same key, listen port, addresses), keepalived VRRPv3 with
# sub-second adverts moving the hub's endpoint address and its tenant-side
# gateway, a device namespace behind the endpoint and a "VM" namespace.
#
#   hadev (203.0.113.10, wg hd: 10.99.0.2) --+                 +-- havm 10.98.0.10
#                         underlay bridge bru|  hasw (bridges) |brt tenant bridge
#   han1: u0 198.51.100.1 (+VIP .100) -------+                 +--- t0 10.98.0.2 (+VIP .1)
#   han2: u0 198.51.100.2 (+VIP .100) -------+                 +--- t0 10.98.0.3 (+VIP .1)
#   both: wireguard-go hw<N><id> 10.99.0.1/24, port 51820, same key
#
# The node steps go through the node CLI (build/rel/bin/neutron-wireguard
# ha ...): keepalived's notify script calls `ha activate` / `ha deactivate`,
# and each node runs `ha stream` (the endpoint stream, sealed between the
# two nodes' enrollment keys). HA_MODE=baseline makes the notify script skip
# `ha activate`: the device-driven failover, for comparison.
# Callers: source this, set HA_ROOT, call ha_setup, trap ha_teardown.
set -u

HA_ID=${HA_ID:-$$}
HA_ID=$(printf %s "$HA_ID" | tail -c 6) # ${HA_ID: -6} is empty below 6 digits
HA_ROOT=${HA_ROOT:-/var/tmp/nwg-ha-$HA_ID}
HA_MODE=${HA_MODE:-takeover}
HA_ADVERT=${HA_ADVERT:-0.1}
HA_CLI=${HA_CLI:-$(pwd)/build/rel/bin/neutron-wireguard}
NS_SW=hasw$HA_ID NS_DEV=hadev$HA_ID NS_VM=havm$HA_ID
VIP=198.51.100.100 TVIP=10.98.0.1 VM_IP=10.98.0.10 DEV_IP=203.0.113.10
HA_PORT=51820 STREAM_PORT=51900
HA_PORT_ID=${HA_PORT_ID:-$(cat /proc/sys/kernel/random/uuid)}

ha_ns() { echo "han$1$HA_ID"; }
ha_if() { echo "hw$1$HA_ID"; }
ha_log() { echo "[ha $(date +%T.%N | cut -c1-12)] $*"; }

# veth a (in ns A) <-> b (in the switch, enslaved to bridge br)
ha_wire() {
	ip link add "$2" netns "$1" type veth peer name "$3" netns "$NS_SW"
	ip -n "$NS_SW" link set "$3" master "$4" up
	ip -n "$1" link set "$2" up
}

ha_keys() {
	local d=$HA_ROOT
	umask 077
	wg genkey >"$d/dev.key"
	wg pubkey <"$d/dev.key" >"$d/dev.pub"
	"$HA_CLI" ha enroll-pub "$d/n1/enroll.key" >"$d/n1/enroll.pub" || return 1
	"$HA_CLI" ha enroll-pub "$d/n2/enroll.key" >"$d/n2/enroll.pub" || return 1
	# node 1 makes the hub key; it reaches node 2 sealed to node 2's
	# enrollment key, bound to the hub's port id: only hub.sealed moves
	wg genkey >"$d/n1/hub.key"
	wg pubkey <"$d/n1/hub.key" >"$d/hub.pub"
	"$HA_CLI" ha seal --port-id "$HA_PORT_ID" --key "$d/n1/hub.key" \
		--to "$(cat "$d/n2/enroll.pub")" >"$d/hub.sealed" || return 1
	"$HA_CLI" ha unseal --port-id "$HA_PORT_ID" --key "$d/n2/enroll.key" \
		--out "$d/n2/hub.key" <"$d/hub.sealed"
}

ha_notify_script() {
	local n=$1 d=$HA_ROOT/n$1
	cat >"$d/notify.sh" <<NOTIFY
#!/bin/sh
# keepalived notify for node $n: \$1 = master|backup|fault|renew
# renew (notify_master_rx_lower_pri): this master heard a lower-priority
# master, a split brain healed: the devices may hold sessions with the other
# node, so every one gets a fresh handshake from here (one run at a time).
[ "\$1" = renew ] || echo "\$1" >"$d/state"
echo "\$(date +%T.%N) \$1" >>"$d/notify.log"
case "\$1" in
renew)
	[ "$HA_MODE" = baseline ] && exit 0
	exec flock -n "$d/renew.lock" "$HA_CLI" ha activate "$(ha_if "$n")" --renew \
		--keepalive 1 --pace 8 --settle-ms 3000 --restore 0 >>"$d/notify.log" 2>&1 ;;
master)
	[ "$HA_MODE" = baseline ] && exit 0
	exec "$HA_CLI" ha activate "$(ha_if "$n")" --from "$d/endpoints" --keepalive 1 \\
		--pace 8 --settle-ms 3000 --restore 0 >>"$d/notify.log" 2>&1 ;;
*)
	exec "$HA_CLI" ha deactivate "$(ha_if "$n")" >>"$d/notify.log" 2>&1 ;;
esac
NOTIFY
	chmod 0755 "$d/notify.sh"
}

ha_keepalived_conf() {
	local n=$1 d=$HA_ROOT/n$1 prio=$((110 - 10 * $1))
	cat >"$d/keepalived.conf" <<CONF
global_defs {
	router_id han$n$HA_ID
	script_user root
	vrrp_garp_master_delay 0
	vrrp_garp_master_repeat 3
	# a master that hears a higher priority one sends one more advert before
	# it steps down: the winner of a healed split brain always hears a
	# lower-priority advert, so notify_master_rx_lower_pri (renew) runs
	vrrp_higher_prio_send_advert true
}
vrrp_instance hub {
	state BACKUP
	nopreempt
	interface u0
	virtual_router_id 51
	priority $prio
	advert_int $HA_ADVERT
	version 3
	virtual_ipaddress {
		$VIP/24 dev u0
		$TVIP/24 dev t0
	}
	virtual_routes {
		203.0.113.0/24 dev u0 src $VIP
	}
	notify_master "$d/notify.sh master"
	notify_backup "$d/notify.sh backup"
	notify_fault "$d/notify.sh fault"
	notify_master_rx_lower_pri "$d/notify.sh renew"
}
CONF
}

# A node's processes: the hub (silent standby), the stream, keepalived.
ha_node_start() {
	local n=$1 ns d=$HA_ROOT/n$1 ifn o
	ns=$(ha_ns "$n") ifn=$(ha_if "$n") o=$((3 - $1))
	ip -n "$ns" addr flush dev u0 scope global
	ip -n "$ns" addr flush dev t0 scope global
	ip -n "$ns" addr add "198.51.100.$n/24" dev u0
	ip -n "$ns" addr add "10.98.0.$((n + 1))/24" dev t0
	ip -n "$ns" link set u0 up
	ip -n "$ns" link set t0 up
	rm -f "$d/state"
	ip netns exec "$ns" env WG_PROCESS_FOREGROUND=1 LOG_LEVEL="${HA_WG_LOG:-error}" \
		wireguard-go -f "$ifn" </dev/null >>"$d/wg.log" 2>&1 &
	disown $!
	for _ in $(seq 100); do [ -S "/var/run/wireguard/$ifn.sock" ] && wg show "$ifn" >/dev/null 2>&1 && break; sleep 0.05; done
	wg set "$ifn" private-key "$d/hub.key" listen-port "$HA_PORT" \
		peer "$(cat "$HA_ROOT/dev.pub")" allowed-ips 10.99.0.2/32
	ip -n "$ns" addr add 10.99.0.1/24 dev "$ifn"
	ip -n "$ns" link set "$ifn" up
	ip netns exec "$ns" "$HA_CLI" ha stream "$ifn" --hub hub"$HA_ID" --key "$d/enroll.key" \
		--peer-key "$(cat "$HA_ROOT/n$o/enroll.pub")" --bind "198.51.100.$n:$STREAM_PORT" \
		--to "198.51.100.$o:$STREAM_PORT" --cache "$d/endpoints" --interval-ms 300 \
		</dev/null >>"$d/stream.log" 2>&1 &
	disown $!
	ip netns exec "$ns" keepalived -n -l -D -P -f "$d/keepalived.conf" -p "$d/keepalived.pid" \
		-r "$d/vrrp.pid" </dev/null >>"$d/keepalived.log" 2>&1 &
	disown $!
}

# As a crashed node: its links go down first (a dead machine sends
# nothing: keepalived's VRRP child, told by its dying parent, would otherwise
# still send a priority-0 "I am leaving" advert, a graceful hand-over that
# is faster than a crash), then every process in the node's namespace gets
# SIGKILL.
ha_node_kill() {
	local ns pids
	ns=$(ha_ns "$1")
	ip -n "$ns" link set u0 down
	ip -n "$ns" link set t0 down
	pids=$(ip netns pids "$ns")
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	for _ in $(seq 100); do [ -z "$(ip netns pids "$ns")" ] && break; sleep 0.02; done
	rm -f "/var/run/wireguard/$(ha_if "$1").sock"
}

ha_state() { cat "$HA_ROOT/n$1/state" 2>/dev/null || echo none; }

# Adds $1 more peers to both hubs (random public keys, allowed IPs in
# 10.100.0.0/16): with endpoints $DEV_IP:20000+i on node $2 (the active one,
# as if $1 devices had talked to it), without on the other (the standby).
ha_add_peers() {
	local n=$1 act=$2 d=$HA_ROOT
	/usr/bin/python3 - "$n" "$DEV_IP" "$d/peers-act.conf" "$d/peers-sby.conf" <<'PY' || return 1
import base64, os, sys
n, ip = int(sys.argv[1]), sys.argv[2]
with open(sys.argv[3], "w") as a, open(sys.argv[4], "w") as s:
    for i in range(n):
        k = base64.b64encode(os.urandom(32)).decode()
        aip = "10.100.%d.%d/32" % (i // 250, i % 250 + 1)
        s.write("[Peer]\nPublicKey = %s\nAllowedIPs = %s\n" % (k, aip))
        a.write("[Peer]\nPublicKey = %s\nAllowedIPs = %s\nEndpoint = %s:%d\n"
                % (k, aip, ip, 20000 + i))
PY
	wg addconf "$(ha_if "$act")" "$d/peers-act.conf" &&
		wg addconf "$(ha_if $((3 - act)))" "$d/peers-sby.conf"
}

# Cuts (on) or heals (off) every packet between the two nodes (VRRP adverts
# and the endpoint stream); the device still reaches both.
ha_partition() {
	local n op=-I
	[ "$1" = off ] && op=-D
	for n in 1 2; do
		ip netns exec "$(ha_ns "$n")" iptables -w "$op" INPUT -s "198.51.100.$((3 - n))" -j DROP ||
			return 1
	done
}

# Packets the hub of node $1 delivered (tunnel -> node) so far.
ha_rx() { ip netns exec "$(ha_ns "$1")" cat "/sys/class/net/$(ha_if "$1")/statistics/rx_packets"; }

# Waits up to $2 seconds for node $1 to reach state $3.
ha_wait_state() {
	local i
	for i in $(seq $(($2 * 20))); do
		[ "$(ha_state "$1")" = "$3" ] && return 0
		sleep 0.05
	done
	: "$i"
	return 1
}

ha_setup() {
	local n ns
	mkdir -p "$HA_ROOT/n1" "$HA_ROOT/n2"
	chmod 0700 "$HA_ROOT"
	ip netns add "$NS_SW"
	ip -n "$NS_SW" link add bru type bridge
	ip -n "$NS_SW" link add brt type bridge
	ip -n "$NS_SW" link set bru up
	ip -n "$NS_SW" link set brt up
	ip netns add "$NS_DEV"
	ip netns add "$NS_VM"
	ip -n "$NS_DEV" link set lo up
	ip -n "$NS_VM" link set lo up
	ha_wire "$NS_DEV" dev0 sdev bru
	ha_wire "$NS_VM" vm0 svm brt
	ip -n "$NS_DEV" addr add "$DEV_IP/24" dev dev0
	ip -n "$NS_DEV" route add "$VIP/32" dev dev0 src "$DEV_IP"
	ip -n "$NS_VM" addr add "$VM_IP/24" dev vm0
	ip -n "$NS_VM" route add default via "$TVIP"
	for n in 1 2; do
		ns=$(ha_ns "$n")
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		ha_wire "$ns" u0 "su$n" bru
		ha_wire "$ns" t0 "st$n" brt
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
	done
	ha_keys || { ha_log "hub key distribution failed"; return 1; }
	for n in 1 2; do
		ha_notify_script "$n"
		ha_keepalived_conf "$n"
	done
	ip netns exec "$NS_DEV" env WG_PROCESS_FOREGROUND=1 wireguard-go -f "hd$HA_ID" \
		</dev/null >>"$HA_ROOT/dev-wg.log" 2>&1 &
	disown $!
	for _ in $(seq 100); do wg show "hd$HA_ID" >/dev/null 2>&1 && break; sleep 0.05; done
	wg set "hd$HA_ID" private-key "$HA_ROOT/dev.key" peer "$(cat "$HA_ROOT/hub.pub")" \
		endpoint "$VIP:$HA_PORT" allowed-ips 10.99.0.1/32,10.98.0.0/24
	ip -n "$NS_DEV" addr add 10.99.0.2/24 dev "hd$HA_ID"
	ip -n "$NS_DEV" link set "hd$HA_ID" up
	ip -n "$NS_DEV" route add 10.98.0.0/24 dev "hd$HA_ID"
	ha_node_start 1
	ha_wait_state 1 10 master || { ha_log "node 1 never became master"; return 1; }
	ha_node_start 2
	ha_wait_state 2 10 backup || { ha_log "node 2 never became backup"; return 1; }
	# first contact: the device's first packet makes node 1 learn its endpoint
	ip netns exec "$NS_DEV" ping -c 3 -i 0.2 -W 2 "$VM_IP" >/dev/null ||
		{ ha_log "no traffic through the hub before any failover"; return 1; }
	for _ in $(seq 60); do [ -s "$HA_ROOT/n2/endpoints" ] && return 0; sleep 0.05; done
	ha_log "node 2 never received node 1's endpoints"
	return 1
}

ha_teardown() {
	local n ns pids
	for ns in "$(ha_ns 1)" "$(ha_ns 2)" "$NS_DEV" "$NS_VM" "$NS_SW"; do
		[ -e "/run/netns/$ns" ] || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	done
	sleep 0.2
	for ns in "$(ha_ns 1)" "$(ha_ns 2)" "$NS_DEV" "$NS_VM" "$NS_SW"; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns"
	done
	for n in 1 2; do rm -f "/var/run/wireguard/$(ha_if "$n").sock"; done
	rm -f "/var/run/wireguard/hd$HA_ID.sock"
	[ "${HA_KEEP:-0}" = 1 ] || rm -rf "$HA_ROOT"
	true
}

# Runs a 50 pps ping from the device to the VM for $1 seconds and prints the
# longest run of lost packets, in ms (count x 20 ms), between the first and
# the last reply; $2 = a command run once after 1 s (the failure), $3 = log.
# Prints -1 when no reply came back after the failure.
ha_ping_gap() {
	local secs=$1 action=$2 log=$3 pid
	ip netns exec "$NS_DEV" ping -n -i 0.02 -W 1 -w "$secs" "$VM_IP" >"$log" 2>&1 &
	pid=$!
	sleep 1
	"$action"
	wait "$pid"
	awk -F'icmp_seq=' '/bytes from/ { split($2, a, " "); s = a[1] + 0;
		if (last && s - last - 1 > gap) gap = s - last - 1; last = s }
		/packets transmitted/ { sent = $1 + 0 }
		END { if (!last || last < sent - 50) print -1; else print gap * 20 }' "$log"
}
