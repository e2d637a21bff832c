#!/bin/sh
# The agent's reconcile against the kernel backend, offline
# (neutron-wireguard-agent --desired-file FILE: get_hubs-shaped JSON, one
# pass): create, adopt on restart (no change), re-create after the links
# are deleted (same key and port), a spoke pings its hub, delete.
# Checked with wg/ip only. PENDING (rc 77) when the agent binary is not in
# the image (tests/kernel/run.sh adds it once it has --desired-file).
# ktest-timeout: 120
IP=/usr/sbin/ip # busybox ash would run its own "ip" applet
AGENT=neutron-wireguard-agent
if ! command -v $AGENT >/dev/null 2>&1; then
	echo "PENDING: 50-agent: the agent has no offline --desired-file mode in this build"
	exit 77
fi
set -eu
P1=ktproj1 P2=ktproj2 NS1=tun-ktproj1 NS2=tun-ktproj2 NSP=kt-spoke$$
H1=aaaaaaaa-0000-4000-8000-000000000001 H2=aaaaaaaa-0000-4000-8000-000000000002
S1=bbbbbbbb-0000-4000-8000-000000000001 S2=bbbbbbbb-0000-4000-8000-000000000002
S3=bbbbbbbb-0000-4000-8000-000000000003
STATE=/var/lib/nwg-kt$$
cleanup() {
	for n in $NS1 $NS2 $NSP; do $IP netns del "$n" 2>/dev/null || true; done
	$IP link del wg-ktspoke 2>/dev/null || true
	for l in $($IP -o link show type wireguard | cut -d: -f2 | cut -d@ -f1); do $IP link del "$l"; done
	rm -rf "$STATE" /tmp/ks1 /tmp/agent.*
}
trap cleanup EXIT
fail() { echo "FAIL $*"; [ -f /tmp/agent.log ] && tail -n 30 /tmp/agent.log; exit 1; }

mkdir -p /run/nwg-kt
# nwg_agent_privsep=1 on the kernel command line (NWG_AGENT_PRIVSEP=1 on the
# host, tests/kernel/run.sh): the agent splits, its engine runs as nwgkt
PRIVSEP=false
if [ "${nwg_agent_privsep:-0}" = 1 ]; then
	PRIVSEP=true
	grep -q '^nwgkt:' /etc/passwd 2>/dev/null ||
		echo 'nwgkt:x:64999:64999::/nonexistent:/bin/false' >>/etc/passwd
	grep -q '^nwgkt:' /etc/group 2>/dev/null || echo 'nwgkt:x:64999:' >>/etc/group
fi
cat >/tmp/agent.ini <<EOF
[DEFAULT]
host = kt-node
[AGENT]
report_interval = 0
[wireguard]
WG_HUB_IP = 127.0.0.1
backend = kernel
state_path = $STATE
control_socket = /run/nwg-kt/agent.sock
listen_port_range = 51820:51830
resync_interval = 0
hub_up_unrouted = true
privsep = $PRIVSEP
user = nwgkt
# step 5 deletes every hub with one empty full answer, on purpose; the
# mass-deletion guard that would hold it is tested in tests/unit/test_guard.c
mass_delete_percent = 0
EOF
wg genkey >/tmp/ks1
K1=$(wg pubkey </tmp/ks1) K2=$(wg genkey | wg pubkey) K3=$(wg genkey | wg pubkey)
cat >/tmp/agent.desired.json <<EOF
{"host": "kt-node", "hubs": [
 {"port_id": "$H1", "project_id": "$P1", "network_id": "n1", "admin_state_up": true,
  "fixed_ips": ["10.99.1.1/24", "fd99:1::1/64"], "mtu": 1400, "root_namespace": false,
  "public_key": null, "listen_port": null, "router_id": null,
  "spokes": [
   {"port_id": "$S1", "public_key": "$K1", "endpoint": null,
    "allowed_ips": ["10.99.1.5/32", "fd99:1::5/128"], "persistent_keepalive": null},
   {"port_id": "$S2", "public_key": "$K2", "endpoint": "198.51.100.7:51820",
    "allowed_ips": ["10.99.1.6/32"], "persistent_keepalive": 25}]},
 {"port_id": "$H2", "project_id": "$P2", "network_id": "n2", "admin_state_up": true,
  "fixed_ips": ["10.99.2.1/24"], "mtu": 1400, "root_namespace": false,
  "public_key": null, "listen_port": null, "router_id": null,
  "spokes": [
   {"port_id": "$S3", "public_key": "$K3", "endpoint": null,
    "allowed_ips": ["10.99.2.5/32"], "persistent_keepalive": null}]}]}
EOF
echo '{"host": "kt-node", "hubs": []}' >/tmp/agent.empty.json

run_agent() { # desired-file
	$AGENT --config-file /tmp/agent.ini --desired-file "$1" >/tmp/agent.log 2>&1 ||
		fail "agent exited $? on $1"
}
hub_if() { # ns port_id -> ifname (found by its alias)
	$IP -n "$1" -o link show 2>/dev/null | grep "alias neutron-wireguard:$2" |
		cut -d: -f2 | cut -d@ -f1 | tr -d ' '
}
# "ifindex ifname public-key listen-port" of a hub
ident() { # ns port_id
	i=$(hub_if "$1" "$2")
	[ -n "$i" ] || return 1
	echo "$($IP -n "$1" -o link show dev "$i" | cut -d: -f1) $i" \
		"$($IP netns exec "$1" wg show "$i" public-key) $($IP netns exec "$1" wg show "$i" listen-port)"
}
# the configuration the hub must have (peers sorted), in a comparable form
config() { # ns port_id
	i=$(hub_if "$1" "$2")
	$IP netns exec "$1" wg show "$i" dump |
		awk 'NR>1{n=split($4,a,","); for(k=1;k<=n;k++) print $1, $3, a[k], $8}' | sort
	$IP -n "$1" -o addr show dev "$i" scope global | awk '{print $4}' | sort
	$IP -n "$1" -o link show dev "$i" | grep -o 'mtu [0-9]*'
	$IP -n "$1" -o link show dev "$i" | grep -q '[<,]UP[,>]' && echo up
}
want1="$(printf '%s\n' "$K1 (none) 10.99.1.5/32 off" "$K1 (none) fd99:1::5/128 off" \
	"$K2 198.51.100.7:51820 10.99.1.6/32 25" | sort)
10.99.1.1/24
fd99:1::1/64
mtu 1400
up"
want2="$K3 (none) 10.99.2.5/32 off
10.99.2.1/24
mtu 1400
up"

# 1. create
run_agent /tmp/agent.desired.json
id1=$(ident $NS1 $H1) || fail "hub 1 not found in $NS1 after create"
id2=$(ident $NS2 $H2) || fail "hub 2 not found in $NS2 after create"
[ "$(config $NS1 $H1)" = "$want1" ] || fail "hub 1 config: $(config $NS1 $H1)"
[ "$(config $NS2 $H2)" = "$want2" ] || fail "hub 2 config: $(config $NS2 $H2)"
[ $PRIVSEP = false ] || grep -q 'privilege separation: executor pid' /tmp/agent.log ||
	fail "privsep = true, but the agent did not split"
echo "agent: create: hub1 [$id1] hub2 [$id2]"

# 2. restart: adopt, no change (same links, keys, ports)
run_agent /tmp/agent.desired.json
[ "$(ident $NS1 $H1)" = "$id1" ] || fail "hub 1 changed on restart: $(ident $NS1 $H1) vs $id1"
[ "$(ident $NS2 $H2)" = "$id2" ] || fail "hub 2 changed on restart"
[ "$(config $NS1 $H1)" = "$want1" ] || fail "hub 1 config after restart"
! grep -E ': (created|updated|deleted) ' /tmp/agent.log || fail "the agent changed something on restart"
echo "agent: restart: adopted, unchanged"

# 3. a spoke (wg/ip) pings its hub
port1=$(echo "$id1" | cut -d' ' -f4) pub1=$(echo "$id1" | cut -d' ' -f3)
$IP netns add $NSP
$IP link add wg-ktspoke type wireguard
wg set wg-ktspoke private-key /tmp/ks1 peer "$pub1" endpoint "127.0.0.1:$port1" allowed-ips 10.99.1.0/24
$IP link set wg-ktspoke netns $NSP
$IP -n $NSP addr add 10.99.1.5/24 dev wg-ktspoke
$IP -n $NSP link set wg-ktspoke up
$IP netns exec $NSP ping -c 2 -W 5 10.99.1.1 || fail "spoke cannot ping hub 1"
echo "agent: spoke -> hub 1 ping OK"

# 4. links deleted behind the agent's back: re-created with the same key+port
$IP -n $NS1 link del "$(hub_if $NS1 $H1)"
$IP -n $NS2 link del "$(hub_if $NS2 $H2)"
run_agent /tmp/agent.desired.json
n1=$(ident $NS1 $H1) || fail "hub 1 not re-created"
n2=$(ident $NS2 $H2) || fail "hub 2 not re-created"
[ "${n1#* }" = "${id1#* }" ] || fail "hub 1 re-created as [$n1], was [$id1]"
[ "${n2#* }" = "${id2#* }" ] || fail "hub 2 re-created as [$n2], was [$id2]"
[ "$(config $NS1 $H1)" = "$want1" ] || fail "hub 1 config after re-create"
[ "$(config $NS2 $H2)" = "$want2" ] || fail "hub 2 config after re-create"
# The spoke still holds a session with the old link: WireGuard drops its data
# and the spoke re-handshakes after REKEY_TIMEOUT + KEEPALIVE (~15 s).
ok=0
for _ in $(seq 30); do
	$IP netns exec $NSP ping -q -c 1 -W 1 10.99.1.1 >/dev/null 2>&1 && { ok=1; break; }
done
[ $ok = 1 ] || fail "spoke cannot ping the re-created hub 1 within 30 s"
echo "agent: re-create: same key and port, spoke reaches it again"

# 5. delete: no hubs for this host any more
run_agent /tmp/agent.empty.json
[ -z "$(hub_if $NS1 $H1)$(hub_if $NS2 $H2)" ] || fail "hubs still present after delete"
[ -z "$(ls "$STATE"/*.conf 2>/dev/null)" ] || fail "repository records left: $(ls "$STATE")"
echo "agent: delete: hubs and records gone"
echo "agent: create, adopt, re-create, delete against the kernel backend (privsep = $PRIVSEP): OK"
