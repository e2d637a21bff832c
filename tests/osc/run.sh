#!/usr/bin/env bash
# `make check-osc`: the `openstack wireguard ...` plugin with the real
# `openstack` CLI against the real stack (neutron-server with Keystone-style
# projects and roles via tests/osc/authproxy.py, RabbitMQ, MariaDB, the C
# agent, wireguard-go in a device namespace). Phase 0 checks the golden
# device configs against both renderers (C and Python).
set -uo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
cd "$HERE" || exit 1
SUITE=osc
# shellcheck source=scripts/device-lib.sh
. "$HERE/scripts/device-lib.sh"
[ "$(id -u)" = 0 ] || { echo "osc: needs root, skipped"; exit 77; }
# shellcheck source=tests/osc/lib.sh
. "$HERE/tests/osc/lib.sh"

NODE=nwgosc-$ID
NS=nwgosc$ID VETH=nosc$ID IF=osc$ID
NODE_IP=203.0.113.241 DEV_IP=203.0.113.242
A=alice$ID B=bob$ID R=rita$ID
KEY=$STATE/dev1.key CONF=$STATE/dev1.conf

say "phase 0: golden configs (C render and Python renderer)"
check "golden configs match both renderers" tests/osc/golden.sh "$CLI"

say "phase 1: stack (harness [$NWG_INSTANCE] in headers mode, auth proxy, agent)"
must "harness + auth proxy up" start_stack
must "agent $NODE alive" start_agent "$NODE" "$NODE_IP"
at_exit "ip link del $VETH; ip netns del $NS"
must "device namespace" dev_create "$NS" "$VETH" "$NODE_IP/30" "$DEV_IP/30" "$NODE_IP"

say "phase 2: hubs"
net_a() {
	NET_A=$(osc_as "$A" network create "neta-$ID" -f value -c id) &&
		osc_as "$A" subnet create "suba-$ID" --network "$NET_A" --subnet-range 10.97.0.0/24 \
			--gateway none -f value -c id >/dev/null &&
		NET_B=$(osc_as "$B" network create "netb-$ID" -f value -c id)
}
must "alice and bob create networks (openstack network create)" net_a
at_exit "hapi DELETE /networks/$NET_A; hapi DELETE /networks/$NET_B"
member_hub() {
	out=$(osc_as "$A" wireguard hub create --network "$NET_A" --host "$NODE" "hubx-$ID" 2>&1) &&
		return 1
	echo "$out"
	echo "$out" | grep -q "policy forbids" && [ "$(port_count_named "hubx-$ID")" = 0 ]
}
check "member: hub create refused by policy, nothing created" member_hub
admin_hub() {
	HUB=$(osc_as admin wireguard hub create --network "$NET_A" --host "$NODE" --fixed-ip 10.97.0.1 \
		"hub-$ID" -f value -c id) || return 1
	at_exit "hapi DELETE /ports/$HUB"
	[ "$(hapi GET "/ports/$HUB" | jq -r .port.project_id)" = "$(project_id "pa$ID")" ]
}
must "admin: hub create for alice's network (hub in alice's project)" admin_hub
must "agent realizes the hub" wait_for 60 hub_realized "$HUB"
hub_show() {
	out=$(osc_as "$A" wireguard hub show "hub-$ID" -f json) || return 1
	echo "$out"
	[ "$(echo "$out" | jq -r .realized)" = yes ] &&
		[ "$(echo "$out" | jq -r .endpoint)" = "$(hapi GET "/ports/$HUB" | jq -r .port.wireguard.endpoint)" ] &&
		echo "$out" | jq -r .endpoint | grep -q "^$NODE_IP:529"
}
check "alice: hub show (realized key/endpoint)" hub_show
check "alice: hub list has the hub" eval "osc_as $A wireguard hub list -f value -c Name | grep -qx hub-$ID"
check "bob: hub list does not show alice's hub" eval "! osc_as $B wireguard hub list -f value -c Name | grep -q hub-$ID"

say "phase 3: bad input (clear message, nothing half-created)"
# refused CHECK_TEXT USER ARGS...: the command fails, says CHECK_TEXT, creates no port dev-bad.
refused() {
	local text=$1 u=$2 out
	shift 2
	out=$(osc_as "$u" wireguard device add "$@" "dev-bad-$ID" 2>&1) && { echo "$out"; return 1; }
	echo "$out"
	echo "$out" | grep -q -- "$text" && [ "$(port_count_named "dev-bad-$ID")" = 0 ]
}
check "bad public key" refused "is not a WireGuard public key" "$A" --hub "hub-$ID" --public-key abc=
check "no key option" refused "exactly one of" "$A" --hub "hub-$ID"
check "unknown hub" refused "no WireGuard hub" "$A" --hub "nohub-$ID" --public-key "$(wg genkey | wg pubkey)"
check "foreign project's hub (bob)" refused "no WireGuard hub" "$B" --hub "$HUB" --public-key "$(wg genkey | wg pubkey)"
check "not a WireGuard port as hub" refused "not a WireGuard port" "$A" --hub "$(hapi POST /ports "{\"port\": {\"network_id\": \"$NET_A\", \"project_id\": \"$(project_id "pa$ID")\", \"name\": \"plain-$ID\"}}" | jq -r .port.id)" --public-key "$(wg genkey | wg pubkey)"
check "bad keepalive" refused "keepalive must be" "$A" --hub "hub-$ID" --public-key "$(wg genkey | wg pubkey)" --keepalive 70000
check "bad endpoint" refused "is not HOST:PORT" "$A" --hub "hub-$ID" --public-key "$(wg genkey | wg pubkey)" --endpoint nope
reader_denied() {
	refused "policy forbids" "$R" --hub "hub-$ID" --generate-key --private-key-file "$STATE/rita.key" &&
		[ ! -e "$STATE/rita.key" ]
}
check "reader: policy forbids; generated key file removed" reader_denied
touch "$STATE/exists.key"
check "existing key file is never overwritten" refused "exists: not overwriting" "$A" --hub "hub-$ID" --generate-key --private-key-file "$STATE/exists.key"
dup_key() {
	local k
	k=$(hapi GET "/ports/$HUB" | jq -r .port.wireguard.public_key)
	refused "must differ" "$A" --hub "hub-$ID" --public-key "$k" || refused "public_key" "$A" --hub "hub-$ID" --public-key "$k"
}
check "the hub's own key as device key (driver 400 passed on)" dup_key

say "phase 4: alice onboards a device"
add_dev() {
	out=$(osc_as "$A" wireguard device add --hub "hub-$ID" --generate-key --private-key-file "$KEY" \
		--keepalive 5 "dev1-$ID" -f json) || return 1
	echo "$out"
	DEV=$(echo "$out" | jq -r .id)
	at_exit "hapi DELETE /ports/$DEV"
	[ "$(echo "$out" | jq -r .public_key)" = "$(wg pubkey <"$KEY")" ]
}
must "device add --generate-key (public key on the port = wg pubkey of the file)" add_dev
check "private key file is 0600" eval "[ \"\$(stat -c %a $KEY)\" = 600 ]"
no_leak() {
	local priv
	priv=$(cat "$KEY")
	! hapi GET "/ports/$DEV" | grep -qF "$priv" && ! grep -qF "$priv" "$NEUTRON_LOG" "$STATE/proxy.log"
}
check "private key never reached Neutron (port, server log, proxy log)" no_leak
config_same() {
	osc_as "$A" wireguard device config "dev1-$ID" --private-key-file "$KEY" --output "$CONF" || return 1
	[ "$(stat -c %a "$CONF")" = 600 ] || return 1
	hapi GET "/ports/$DEV" | "$CLI" render - --private-key-file "$KEY" >"$STATE/c.conf" || return 1
	diff -u "$STATE/c.conf" "$CONF"
}
check "device config --output (0600) == neutron-wireguard render" config_same
check "config without key has the placeholder" eval "osc_as $A wireguard device config dev1-$ID | grep -q '^PrivateKey = REPLACE_WITH_THE_DEVICE_PRIVATE_KEY'"
wrong_key() {
	(umask 077 && wg genkey >"$STATE/other.key")
	out=$(osc_as "$A" wireguard device config "dev1-$ID" --private-key-file "$STATE/other.key" 2>&1) && return 1
	echo "$out" | grep -q "does not belong to spoke port"
}
check "config with another device's key refused" wrong_key
qr_roundtrip() {
	command -v zbarimg >/dev/null || { echo "zbarimg missing"; return 1; }
	osc_as "$A" wireguard device config "dev1-$ID" --qr >"$STATE/qr.txt" || return 1
	# terminal half blocks -> PBM -> zbarimg: the QR decodes to the config
	/usr/bin/python3 - "$STATE/qr.txt" "$STATE/qr.pbm" <<'PY' || return 1
import sys
rows = open(sys.argv[1], encoding='utf-8').read().rstrip('\n').split('\n')
up, lo = {'\u2588': (1, 1), '\u2580': (1, 0), '\u2584': (0, 1), ' ': (0, 0)}, None
m = []
for r in rows:
    m.append([up[c][0] for c in r]); m.append([up[c][1] for c in r])
w, s = max(len(r) for r in m), 8
m = [r + [0] * (w - len(r)) for r in m]
with open(sys.argv[2], 'w') as f:
    f.write('P1\n%d %d\n' % ((w + 8) * s, (len(m) + 8) * s))
    pad = [0] * 4
    for r in [[0] * w] * 4 + m + [[0] * w] * 4:
        line = ' '.join(str(v) for v in pad + r + pad for _ in range(s))
        for _ in range(s):
            f.write(line + '\n')
PY
	zbarimg -q --raw "$STATE/qr.pbm" >"$STATE/qr.dec" 2>>"$LOG" || return 1
	osc_as "$A" wireguard device config "dev1-$ID" >"$STATE/plain.conf" &&
		diff <(sed '/^$/d' "$STATE/plain.conf") <(sed '/^$/d' "$STATE/qr.dec")
}
check "device config --qr decodes (zbarimg) to the config" qr_roundtrip
tunnel_up() {
	dev_wg_start "$NS" "$IF" "$STATE/wg.log" "$STATE/wg.pid" || { cat "$STATE/wg.log"; return 1; }
	at_exit "dev_wg_stop $STATE/wg.pid $IF $NS"
	dev_wg_apply "$NS" "$IF" "$CONF"
}
must "wireguard-go device up from the rendered config" tunnel_up
check "config keeps the device's keepalive (member view)" grep -qx 'PersistentKeepalive = 5' "$CONF"
hs() { [ "$(wg_handshake "$NS" "$IF")" -gt 0 ] 2>/dev/null || { ip netns exec "$NS" ping -c1 -W1 10.97.0.1 >/dev/null; return 1; }; }
check "device handshakes with the hub" wait_for 30 hs
check "device -> hub ping through the tunnel" ip netns exec "$NS" ping -c 2 -W 2 10.97.0.1
DEV_ADDR=$(hapi GET "/ports/$DEV" | jq -r '.port.fixed_ips[0].ip_address')
check "hub -> device ping through the tunnel" ip netns exec "tun-$(project_id "pa$ID")" ping -c 2 -W 2 "$DEV_ADDR"
dev_active() { osc_as "$A" wireguard device list -f value -c Name -c Status | grep "^dev1-$ID " | grep -q ACTIVE; }
bind_status() {
	# an admin binds the spoke to the hub's node: the agent reports its handshake status
	hapi PUT "/ports/$DEV" "{\"port\": {\"binding:host_id\": \"$NODE\"}}" >/dev/null || return 1
	wait_for 40 dev_active
}
check "device list shows ACTIVE (recent handshake) once bound" bind_status
check "device show" eval "osc_as $A wireguard device show dev1-$ID -f json | jq -e '.hubs == \"$HUB\" and .persistent_keepalive == 5'"
check "hub show lists the device" eval "osc_as $A wireguard hub show hub-$ID -f value -c devices | grep -q $DEV"
check "bob cannot see or configure alice's device" eval "! osc_as $B wireguard device config $DEV"

say "phase 5: deletes and routers"
del_hub_refused() {
	out=$(osc_as "$A" wireguard device delete "hub-$ID" 2>&1) && return 1
	echo "$out" | grep -q "is a WireGuard hub, not a WireGuard device" && hapi GET "/ports/$HUB" >/dev/null
}
check "device delete refuses a hub (hub kept)" del_hub_refused
check "device delete" eval "osc_as $A wireguard device delete dev1-$ID && ! hapi GET /ports/$DEV"
router_hub() {
	RT=$(osc_as "$A" router create "rt-$ID" -f value -c id) || return 1
	at_exit "hapi DELETE /routers/$RT"
	H2=$(osc_as admin wireguard hub create --network "$NET_A" --host "$NODE" --router "$RT" \
		"hub2-$ID" -f value -c id) || return 1
	at_exit "hapi PUT /routers/$RT/remove_router_interface '{\"port_id\": \"$H2\"}'"
	[ "$(hapi GET "/ports/$H2" | jq -r .port.device_id)" = "$RT" ]
}
check "hub create --router attaches the hub" router_hub
router_fail() {
	# a second port on the same subnet of that router is refused by Neutron
	out=$(osc_as admin wireguard hub create --network "$NET_A" --host "$NODE" --router "rt-$ID" \
		"hub3-$ID" 2>&1) && return 1
	echo "$out"
	echo "$out" | grep -q "attaching hub" && [ "$(port_count_named "hub3-$ID")" = 0 ]
}
check "failed router attach deletes the new hub (nothing half-created)" router_fail
