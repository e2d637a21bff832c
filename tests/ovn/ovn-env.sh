#!/usr/bin/env bash
# Sourced by tests/ovn/run.sh: a private Open vSwitch (userspace datapath)
# and a private OVN (NB/SB ovsdb-servers, ovn-northd, ovn-controller), all
# state under $OVN_D, daemons stopped through their own pid files only.
# Needs: OVN_D (state dir), OVN_HOST (chassis hostname = Neutron host),
# OVN_BR (integration bridge name). Optional: OVN_NETNS (run the node's
# daemons and tools in that network namespace; `ip netns exec` also gives
# them their own mount namespace with that namespace's /sys), OVN_SB_SOCK
# (the central SB ovsdb-server's socket, default under OVN_D), OVN_ENCAP_IP
# (the chassis' geneve endpoint, default 127.0.0.1).

ovs_env() {
	${OVN_NETNS:+ip netns exec "$OVN_NETNS"} env OVS_RUNDIR="$OVN_D/run" OVS_DBDIR="$OVN_D/db" OVS_LOGDIR="$OVN_D/log" \
		OVS_SYSCONFDIR="$OVN_D/etc" OVN_RUNDIR="$OVN_D/run" OVN_DBDIR="$OVN_D/db" \
		OVN_LOGDIR="$OVN_D/log" OVN_SYSCONFDIR="$OVN_D/etc" "$@"
}
vsctl() { ovs_env ovs-vsctl --db="unix:$OVN_D/run/db.sock" --timeout=10 "$@"; }
nbctl() { ovs_env ovn-nbctl --db="unix:$OVN_D/run/ovnnb_db.sock" "$@"; }
sbctl() { ovs_env ovn-sbctl --db="unix:$OVN_D/run/ovnsb_db.sock" "$@"; }

ovs_start() {
	mkdir -p "$OVN_D"/{run,db,log,etc}
	chmod 700 "$OVN_D"
	ovsdb-tool create "$OVN_D/db/conf.db" /usr/share/openvswitch/vswitch.ovsschema
	ovs_env ovsdb-server "$OVN_D/db/conf.db" --remote="punix:$OVN_D/run/db.sock" \
		--pidfile="$OVN_D/run/ovsdb-server.pid" --unixctl="$OVN_D/run/ovsdb-server.ctl" \
		-vconsole:off --detach --log-file="$OVN_D/log/ovsdb-server.log"
	vsctl --no-wait init
	vsctl --no-wait set Open_vSwitch . external_ids:system-id="$OVN_HOST" \
		external_ids:hostname="$OVN_HOST"
	vswitchd_start
}

vswitchd_start() {
	ovs_env ovs-vswitchd "unix:$OVN_D/run/db.sock" --pidfile="$OVN_D/run/ovs-vswitchd.pid" \
		--unixctl="$OVN_D/run/ovs-vswitchd.ctl" -vconsole:off --detach \
		--log-file="$OVN_D/log/ovs-vswitchd.log"
	vsctl set Open_vSwitch . external_ids:hostname="$OVN_HOST"
}

ovn_central_start() {
	local d
	for d in nb sb; do
		ovsdb-tool create "$OVN_D/db/ovn${d}_db.db" "/usr/share/ovn/ovn-$d.ovsschema"
		ovs_env ovsdb-server "$OVN_D/db/ovn${d}_db.db" --remote="punix:$OVN_D/run/ovn${d}_db.sock" \
			--pidfile="$OVN_D/run/ovn${d}_db.pid" --unixctl="$OVN_D/run/ovn${d}_db.ctl" \
			-vconsole:off --detach --log-file="$OVN_D/log/ovsdb-server-$d.log"
	done
	nbctl --no-wait init
	ovs_env ovn-northd --ovnnb-db="unix:$OVN_D/run/ovnnb_db.sock" \
		--ovnsb-db="unix:$OVN_D/run/ovnsb_db.sock" --pidfile="$OVN_D/run/ovn-northd.pid" \
		--unixctl="$OVN_D/run/ovn-northd.ctl" -vconsole:off --detach \
		--log-file="$OVN_D/log/ovn-northd.log"
}

ovn_controller_start() {
	vsctl set Open_vSwitch . external_ids:ovn-remote="unix:${OVN_SB_SOCK:-$OVN_D/run/ovnsb_db.sock}" \
		external_ids:ovn-encap-type=geneve external_ids:ovn-encap-ip="${OVN_ENCAP_IP:-127.0.0.1}" \
		external_ids:ovn-bridge="$OVN_BR" external_ids:ovn-bridge-datapath-type=netdev
	ovs_env ovn-controller "unix:$OVN_D/run/db.sock" --pidfile="$OVN_D/run/ovn-controller.pid" \
		-vconsole:off --detach \
		--log-file="$OVN_D/log/ovn-controller.log"
	local _
	for _ in $(seq 100); do vsctl br-exists "$OVN_BR" 2>/dev/null && return 0; sleep 0.1; done
	echo "ovn-controller did not create $OVN_BR" >&2
	return 1
}

# Stops the daemon whose pid file is $OVN_D/run/$1.pid, if its command is $2.
stop_pidfile() {
	local f=$OVN_D/run/$1.pid pid i
	pid=$(cat "$f" 2>/dev/null) || return 0 # (a daemon that exits removes its own)
	[ -n "$pid" ] || return 0
	if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$2" ]; then
		kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
		[ "$i" ] || true
	fi
	rm -f "$f"
}

ovn_controller_stop() {
	# --restart keeps the chassis and its bindings in the SB (an upgrade/restart);
	# OVN_GONE=1: a plain exit, the chassis leaves the SB
	local f=$OVN_D/run/ovn-controller.pid pid how=(--restart)
	[ -n "${OVN_GONE:-}" ] && how=()
	pid=$(cat "$f" 2>/dev/null)
	[ -n "$pid" ] && [ -S "$OVN_D/run/ovn-controller.$pid.ctl" ] &&
		ovs_env ovs-appctl -t "$OVN_D/run/ovn-controller.$pid.ctl" exit "${how[@]}" 2>/dev/null
	stop_pidfile ovn-controller ovn-controller
}

ovn_env_stop() {
	ovn_controller_stop
	if [ -S "$OVN_D/run/db.sock" ]; then
		vsctl --if-exists del-br "$OVN_BR" 2>/dev/null || true
	fi
	stop_pidfile ovn-northd ovn-northd
	stop_pidfile ovnnb_db ovsdb-server
	stop_pidfile ovnsb_db ovsdb-server
	stop_pidfile ovs-vswitchd ovs-vswitchd
	stop_pidfile ovsdb-server ovsdb-server
}
