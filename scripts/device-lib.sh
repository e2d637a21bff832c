# shellcheck shell=bash
# Helpers shared by scripts/demo.sh and tests/e2e/run.sh: a "device" is a
# network namespace that reaches the node only over a veth "internet" link,
# runs its own wireguard-go, and holds its private key itself.
# Sourced; the caller sets -u. Every function returns non-zero on failure.

PY=/usr/bin/python3

# The openstack CLI under noauth, away from pyenv (OS_ENDPOINT must be set).
osc() {
	env -i PATH=/usr/bin:/bin openstack --os-auth-type none --os-endpoint "$OS_ENDPOINT" "$@"
}

# api METHOD PATH [JSON]: raw Neutron API (noauth); prints the body, fails on >= 400.
api() {
	local out code
	out=$(mktemp)
	code=$(curl -s -o "$out" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
		"$OS_ENDPOINT/v2.0$2" ${3:+-d "$3"}) || code=000
	cat "$out"
	rm -f "$out"
	[ "$code" -lt 400 ] 2>/dev/null
}

# jget EXPR: reads JSON on stdin, prints the Python expression EXPR over `d`
# ('' for None). Example: api GET /ports/X | jget 'd["port"]["status"]'
jget() {
	"$PY" -c 'import json,sys
d=json.load(sys.stdin)
v=eval(sys.argv[1])
print("" if v is None else (json.dumps(v) if isinstance(v,(dict,list)) else v))' "$1"
}

# net_free CIDR: no address of the root namespace lies in CIDR and no route
# but the default one covers it (so a demo link never shadows the host's).
net_free() {
	local ip=${1%/*}
	[ -z "$(ip -o addr show to "$1")" ] && [ -z "$(ip -o -6 addr show to "$1" 2>/dev/null)" ] &&
		! ip route show match "$ip" | grep -qv '^default'
}

# dev_create NS VETH_NODE NODE_CIDR DEV_CIDR GW: the namespace and its
# "internet" link (node side VETH_NODE in the root namespace, inet0 inside).
dev_create() {
	local ns=$1 veth=$2 node_cidr=$3 dev_cidr=$4 gw=$5
	if ! net_free "$node_cidr"; then
		echo "$node_cidr is in use on this host (ip addr / ip route): not creating $veth" >&2
		return 1
	fi
	ip netns add "$ns" &&
		ip -n "$ns" link set lo up &&
		ip link add "$veth" type veth peer name inet0 netns "$ns" &&
		ip addr add "$node_cidr" dev "$veth" &&
		ip link set "$veth" up &&
		ip -n "$ns" addr add "$dev_cidr" dev inet0 &&
		ip -n "$ns" link set inet0 up &&
		ip -n "$ns" route add default via "$gw"
}

# dev_genkey NS KEYFILE: generates the device's private key INSIDE the
# device's namespace into KEYFILE (0600); prints the public key.
# shellcheck disable=SC2016 # $1 is expanded by the inner sh
dev_genkey() {
	ip netns exec "$1" sh -c 'umask 077 && wg genkey >"$1"' sh "$2" &&
		ip netns exec "$1" sh -c 'wg pubkey <"$1"' sh "$2"
}

# dev_wg_start NS IFNAME LOG PIDFILE: wireguard-go in the device namespace,
# in the foreground of its own session (the script's child, killed by PID).
dev_wg_start() {
	local ns=$1 ifname=$2 log=$3 pidfile=$4 pid i
	ip netns exec "$ns" env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error \
		setsid wireguard-go -f "$ifname" >"$log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$pidfile"
	for i in $(seq 1 100); do
		ip netns exec "$ns" wg show "$ifname" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "wireguard-go $ifname did not come up (pid $pid, i=$i):" >&2
	cat "$log" >&2
	return 1
}

# dev_wg_stop PIDFILE IFNAME NS: stops the wireguard-go we started, by PID,
# only if that PID still runs wireguard-go for IFNAME; removes the link.
dev_wg_stop() {
	local pidfile=$1 ifname=$2 ns=$3 pid
	[ -n "$ns" ] && ip -n "$ns" link del "$ifname" 2>/dev/null
	[ -s "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	if { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q "wireguard-go -f $ifname "; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$pidfile" "/var/run/wireguard/$ifname.sock"
	return 0
}

# conf_strip CONF: the wg(8) part of a wg-quick config (what `wg-quick strip` prints).
conf_strip() {
	awk '/^\[/ { sec = $0 }
	     sec == "[Interface]" && /^[ \t]*(Address|MTU|DNS|Table|PreUp|PostUp|PreDown|PostDown|SaveConfig)[ \t]*=/ { next }
	     { print }' "$1"
}

# conf_values CONF KEY: the comma-separated values of KEY, one per line.
conf_values() {
	awk -F '=' -v k="$2" '{ key = $1; gsub(/[ \t]/, "", key) }
	     key == k { v = substr($0, index($0, "=") + 1); n = split(v, a, ",");
	                for (i = 1; i <= n; i++) { gsub(/[ \t]/, "", a[i]); if (a[i] != "") print a[i] } }' "$1"
}

# dev_wg_apply NS IFNAME CONF: what wg-quick up does, without resolvconf:
# wg setconf, addresses, MTU, up, a route per AllowedIPs prefix.
dev_wg_apply() {
	local ns=$1 ifname=$2 conf=$3 a mtu
	ip netns exec "$ns" wg setconf "$ifname" <(conf_strip "$conf") || return 1
	ip -n "$ns" addr flush dev "$ifname" || return 1
	for a in $(conf_values "$conf" Address); do
		ip -n "$ns" addr add "$a" dev "$ifname" || return 1
	done
	mtu=$(conf_values "$conf" MTU | head -1)
	[ -n "$mtu" ] && { ip -n "$ns" link set dev "$ifname" mtu "$mtu" || return 1; }
	ip -n "$ns" link set dev "$ifname" up || return 1
	for a in $(conf_values "$conf" AllowedIPs); do
		ip -n "$ns" route replace "$a" dev "$ifname" || return 1
	done
}

# wait_for SECONDS CMD...: retries CMD every 0.5 s; CMD exiting 99 means
# "give up now" (e.g. the process we wait for died).
wait_for() {
	local secs=$1 i rc
	shift
	for i in $(seq 1 $((secs * 2))); do
		"$@"
		rc=$?
		[ $rc = 0 ] && return 0
		[ $rc = 99 ] && return 1
		sleep 0.5
	done
	return 1
}

# wg_handshake NS IFNAME: latest handshake (unix s) of the first peer, 0 if none.
wg_handshake() {
	ip netns exec "$1" wg show "$2" latest-handshakes 2>/dev/null | awk '{ print $2; exit }'
}
