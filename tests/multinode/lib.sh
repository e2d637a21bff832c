# shellcheck shell=bash
# Multi-node harness library (sourced by tests/multinode/run.sh).
#
# A simulated node = one "holder" process (unshare) owning
#   * its own network namespace: underlay address on an OVS br-phy, its own
#     loopback (RabbitMQ reached through a socat relay over a unix socket);
#   * its own mount namespace: private tmpfs on /run/netns, /run/wireguard,
#     /run/openvswitch, /var/lib/openvswitch, /etc/openvswitch,
#     /var/log/openvswitch, /run/neutron-wireguard and its own /sys, so that
#     agents use stock paths and never see another node's (or the host's)
#     qrouter-* / tun-* namespaces or UAPI sockets;
#   * its own ovsdb-server + ovs-vswitchd (userspace "netdev" datapath);
#   * its agents with their own `host`: neutron-openvswitch-agent (vxlan),
#     optionally neutron-l3-agent (interface_driver wireguard_openvswitch)
#     and neutron-wireguard-agent.
# Nodes share one neutron-server (scripts/neutron-harness.sh instance) and
# are joined by a Linux bridge in the root namespace (veth per node).
#
# Needs from the caller: ID, WORK, TRANSPORT_URL, NWG_SRC, HERE, PY and the
# helpers of tests/l3/lib.sh (log, api, jf, wait_until, stop_pid, pid_alive).

MN_BR=nmb$ID                  # underlay bridge (root namespace)
MN_UL=10.250.0                # underlay 10.250.0.N/24 (node N), inside nodes only
MN_NODES=()                   # node names, in creation order
declare -A MN_IDX MN_HOLDER MN_HOST

node_dir() { echo "$WORK/nodes/$1"; }
# nx NODE CMD...: CMD in NODE's network and mount namespaces (stock paths).
nx() {
	local n=$1
	shift
	nsenter --target "${MN_HOLDER[$n]}" --mount --net -- "$@"
}
# nn NODE CMD...: CMD in NODE's network namespace, the host's mount namespace
# (so that /run/netns/<name> of the host resolves).
nn() {
	local n=$1
	shift
	nsenter --target "${MN_HOLDER[$n]}" --net -- "$@"
}
node_ip() { echo "$MN_UL.${MN_IDX[$1]}"; }

mn_bridge_up() {
	ip link add "$MN_BR" type bridge || return 1
	ip link set "$MN_BR" up
}

# node_create NAME IDX: holder, underlay veth, OVS daemons, br-phy.
node_create() {
	local n=$1 i=$2 d h ready
	d=$(node_dir "$n")
	mkdir -p "$d/etc" "$d/state" "$d/lock" "$d/repo"
	chmod 700 "$d/repo"
	MN_IDX[$n]=$i
	MN_HOST[$n]=mn$ID-$n
	ready=$d/holder.ready
	# shellcheck disable=SC2016 # expanded by the holder's sh
	setsid unshare --mount --net --propagation private -- sh -c '
		set -e
		mount -t sysfs nwgmn /sys
		for p in /run/netns /run/wireguard /run/openvswitch /var/lib/openvswitch \
			/etc/openvswitch /var/log/openvswitch /run/neutron-wireguard; do
			mkdir -p "$p"; mount -t tmpfs -o mode=0755 nwgmn "$p"
		done
		ip link set lo up
		echo ready >"$1"
		exec sleep 100000' sh "$ready" </dev/null >"$d/holder.out" 2>&1 &
	h=$!
	disown "$h"
	MN_HOLDER[$n]=$h
	MN_NODES+=("$n")
	echo "$h" >"$d/holder.pid"
	wait_until 10 test -s "$ready" || { cat "$d/holder.out"; return 1; }
	# underlay: root end on the bridge, node end in the node, tx checksums off
	ip link add "nm$ID$i" type veth peer name "nu$ID$i" || return 1
	ip link set "nu$ID$i" netns "$h"
	ip link set "nm$ID$i" master "$MN_BR" up
	ethtool -K "nm$ID$i" tx off >/dev/null
	nx "$n" ip link set "nu$ID$i" name eth-u
	nx "$n" ip link set eth-u up
	nx "$n" ethtool -K eth-u tx off >/dev/null
	nx "$n" sysctl -qw net.ipv4.conf.eth-u.arp_ignore=1
	node_ovs_start "$n" || return 1
	nx "$n" ovs-vsctl --timeout=10 add-br br-phy -- set bridge br-phy datapath_type=netdev \
		"other_config:hwaddr=02:00:0a:fa:00:$(printf %02x "$i")" -- add-port br-phy eth-u || return 1
	nx "$n" ip addr add "$(node_ip "$n")/24" dev br-phy
	nx "$n" ip link set br-phy up
	node_relay_start "$n"
}

node_ovs_start() {
	local n=$1 d
	d=$(node_dir "$n")
	nx "$n" ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema || return 1
	nx "$n" ovsdb-server /etc/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock \
		--remote=db:Open_vSwitch,Open_vSwitch,manager_options \
		--pidfile=/run/openvswitch/ovsdb-server.pid -vconsole:off --detach \
		--log-file="$d/ovsdb-server.log" || return 1
	nx "$n" ovs-vsctl --no-wait init
	nx "$n" ovs-vsctl --no-wait set Open_vSwitch . "external_ids:system-id=${MN_HOST[$n]}" \
		"external_ids:hostname=${MN_HOST[$n]}"
	nx "$n" ovs-vswitchd unix:/run/openvswitch/db.sock --pidfile=/run/openvswitch/ovs-vswitchd.pid \
		-vconsole:off --detach --log-file="$d/ovs-vswitchd.log" || return 1
	# a write without --no-wait returns once ovs-vswitchd applied it
	nx "$n" ovs-vsctl --timeout=10 set Open_vSwitch . external_ids:nwgmn=ready
}

# RabbitMQ listens on the host's loopback: one relay host-side (unix socket
# -> 127.0.0.1:5672) and one per node (node's 127.0.0.1:5672 -> unix socket).
mn_relay_root_start() {
	setsid socat "UNIX-LISTEN:$WORK/amqp.sock,fork,unlink-early,mode=600" TCP:127.0.0.1:5672 \
		</dev/null >>"$WORK/logs/relay.log" 2>&1 &
	MN_RELAY_PID=$!
	disown "$MN_RELAY_PID"
	wait_until 5 test -S "$WORK/amqp.sock"
}
node_relay_start() {
	local n=$1
	setsid nsenter --target "${MN_HOLDER[$n]}" --net -- \
		socat TCP-LISTEN:5672,bind=127.0.0.1,reuseaddr,fork "UNIX-CONNECT:$WORK/amqp.sock" \
		</dev/null >>"$WORK/logs/relay.log" 2>&1 &
	disown $!
	wait_until 5 nx "$n" bash -c 'exec 3<>/dev/tcp/127.0.0.1/5672'
}

# ---------------------------------------------------------------- agents
node_common_conf() {
	local n=$1 d
	d=$(node_dir "$n")
	cat >"$d/etc/common.conf" <<EOF
# written by tests/multinode (node $n)
[DEFAULT]
host = ${MN_HOST[$n]}
transport_url = $TRANSPORT_URL
debug = true
state_path = $d/state

[agent]
root_helper = sudo
report_interval = 5

[oslo_concurrency]
lock_path = $d/lock
EOF
	cat >"$d/etc/ovs_agent.ini" <<EOF
[DEFAULT]
log_file = $WORK/logs/$n-ovs-agent.log

[agent]
tunnel_types = vxlan
l2_population = false

[ovs]
datapath_type = netdev
local_ip = $(node_ip "$n")
integration_bridge = br-int
tunnel_bridge = br-tun
ovsdb_connection = unix:/run/openvswitch/db.sock

[securitygroup]
enable_security_group = true
firewall_driver = openvswitch
EOF
	cat >"$d/etc/l3_agent.ini" <<EOF
[DEFAULT]
log_file = $WORK/logs/$n-l3-agent.log
interface_driver = wireguard_openvswitch
agent_mode = legacy
enable_metadata_proxy = false

[agent]
extensions = wireguard

[ovs]
integration_bridge = br-int
datapath_type = netdev
ovsdb_connection = unix:/run/openvswitch/db.sock

[wireguard]
control_socket = /run/neutron-wireguard/agent.sock

[wireguard_l3]
pending_interval = 1.0
EOF
	cat >"$d/etc/wireguard_agent.ini" <<EOF
[DEFAULT]
host = ${MN_HOST[$n]}
transport_url = $TRANSPORT_URL
log_file = $WORK/logs/$n-wireguard-agent.log
debug = true
[AGENT]
report_interval = 5
[wireguard]
WG_HUB_IP = ${MN_INET_IP[$n]:-$(node_ip "$n")}
backend = userspace
state_path = $d/repo
control_socket = /run/neutron-wireguard/agent.sock
listen_port_range = 53600:53699
underlay_mtu = 1500
resync_interval = 5
privsep = $([ "${NWG_AGENT_PRIVSEP:-1}" = 1 ] && echo true || echo false)
EOF
}

agent_row() { # node binary field
	api GET "/agents?binary=$2&host=${MN_HOST[$1]}" | jf "agents.0.$3"
}
agent_fresh_on() { # node binary old_started_at
	[ "$(agent_row "$1" "$2" alive)" = True ] && [ -n "$(agent_row "$1" "$2" started_at)" ] &&
		[ "$(agent_row "$1" "$2" started_at)" != "$3" ]
}

# node_agent NODE NAME CMD...: starts an agent in the node; waits until
# Neutron shows it alive with a new started_at. Sets AGENT_PID.
node_agent() {
	local n=$1 name=$2 bin old pid
	shift 2
	bin=$(basename "$1")
	[ "$bin" = python3 ] && bin=$(basename "$2")
	old=$(agent_row "$n" "$bin" started_at)
	setsid nsenter --target "${MN_HOLDER[$n]}" --mount --net -- \
		env PYTHONPATH="$NWG_SRC" "$@" >>"$WORK/logs/$n-$name.out" 2>&1 </dev/null &
	pid=$!
	disown "$pid"
	echo "$pid" >"$(node_dir "$n")/$name.pid"
	if ! wait_until 120 agent_fresh_on "$n" "$bin" "$old"; then
		log "$n: $name did not report as alive"
		tail -20 "$WORK/logs/$n-$name.out" >&2
		return 1
	fi
}
node_ovs_agent() {
	local d
	d=$(node_dir "$1")
	node_agent "$1" ovs-agent "$PY" /usr/bin/neutron-openvswitch-agent \
		--config-file "$d/etc/common.conf" --config-file "$d/etc/ovs_agent.ini"
}
# An L3 agent's first full sync auto-schedules every unhosted router to it
# (router_auto_schedule): a router a test creates meanwhile may land on any
# node. Returns once that sync is done (alive alone is not enough).
l3_synced() { # log-file old-count
	[ "$(grep -c 'periodic_sync_routers_task successfully completed' "$1" 2>/dev/null)" -gt "$2" ]
}
node_l3_agent() {
	local d lf n0
	d=$(node_dir "$1")
	lf=$WORK/logs/$1-l3-agent.log
	n0=$(grep -c 'periodic_sync_routers_task successfully completed' "$lf" 2>/dev/null)
	node_agent "$1" l3-agent "$PY" /usr/bin/neutron-l3-agent \
		--config-file "$d/etc/common.conf" --config-file "$d/etc/l3_agent.ini" || return 1
	wait_until 120 l3_synced "$lf" "${n0:-0}" || { log "$1: L3 agent's first full sync did not finish"; return 1; }
}
node_wg_agent() {
	local d
	d=$(node_dir "$1")
	node_agent "$1" wireguard-agent "$HERE/build/rel/bin/neutron-wireguard-agent" \
		--config-file "$d/etc/wireguard_agent.ini" || return 1
	wait_until 10 nx "$1" test -S /run/neutron-wireguard/agent.sock
}
declare -A MN_INET_IP
# agent_pid NODE NAME (ovs-agent, l3-agent, wireguard-agent)
agent_pid() { cat "$(node_dir "$1")/$2.pid" 2>/dev/null; }
stop_agent() { stop_pid "$(agent_pid "$1" "$2")" "${3:-20}"; }

# ---------------------------------------------------------------- teardown
# Every process a node ran: the PIDs we started plus whatever still lives in
# its network namespace (privsep helpers, wireguard-go, dnsmasq...): a
# crashed node takes all of them with it.
node_procs() {
	local ino
	ino=$(readlink "/proc/${MN_HOLDER[$1]}/ns/net" 2>/dev/null) || return 0
	find /proc/[0-9]*/ns/net -maxdepth 0 -lname "net:?${ino//[^0-9]/}?" 2>/dev/null |
		cut -d/ -f3 | grep -vx "${MN_HOLDER[$1]}"
}
node_kill_all() { # node signal
	local p
	for p in $(node_procs "$1"); do kill "-$2" "$p" 2>/dev/null; done
}
MN_LEFT=""
node_destroy() {
	local n=$1 i
	[ -n "${MN_HOLDER[$n]:-}" ] || return 0
	# (everything of a node is private to it: a short grace period, then KILL)
	node_kill_all "$n" TERM
	for i in $(seq 1 8); do
		[ -z "$(node_procs "$n")" ] && break
		sleep 0.25
	done
	node_kill_all "$n" KILL
	sleep 0.2
	# (zombies waiting for a slow init to reap them are gone for our purpose)
	for i in $(node_procs "$n"); do
		grep -q '^State:.*Z' "/proc/$i/status" 2>/dev/null || MN_LEFT="$MN_LEFT $n:pid$i"
	done
	kill -KILL "${MN_HOLDER[$n]}" 2>/dev/null
	ip link del "nm$ID${MN_IDX[$n]}" 2>/dev/null
	MN_HOLDER[$n]=""
	return 0
}
mn_teardown() {
	local n
	for n in "${MN_NODES[@]}"; do node_destroy "$n"; done
	stop_pid "${MN_RELAY_PID:-}" 5
	ip link del "$MN_BR" 2>/dev/null
	return 0
}
