#!/usr/bin/env bash
# make check-dashboard: the WireGuard panel in Debian's Horizon, driven by a
# real headless Chromium, on the real stack.
#
# neutron-server (harness instance $NWG_INSTANCE, NEUTRON_AUTH=headers, the
# osc suite's policy: members manage spokes) behind tests/dashboard/
# keystone.py (Keystone stand-in + Neutron front), Horizon (Django's server,
# Debian's openstack-dashboard + our panel), neutron-wireguard-agent with an
# unrouted hub, a device namespace with wireguard-go. The admin adds the hub
# in the panel; a member adds a device (key pair made in the browser), the
# QR code is read back from a screenshot with zbarimg and the decoded config
# brings the device up: it handshakes with the hub and pings it.
# Root only. Unique names (PID); the trap cleans up on every exit path.
# Env: NWG_INSTANCE/NEUTRON_PORT (default dashboard/9698: never the demo's),
# DASH_SCREENSHOTS=DIR (copy the panel's screenshots there, e.g. doc/).
set -uo pipefail

HERE=$(cd "$(dirname "$0")/../.." && pwd)
cd "$HERE" || exit 1
# shellcheck source=scripts/device-lib.sh
. scripts/device-lib.sh
[ "$(id -u)" = 0 ] || { echo "dashboard: needs root, skipped"; exit 77; }

export NWG_INSTANCE=${NWG_INSTANCE:-dashboard}
export NEUTRON_PORT=${NEUTRON_PORT:-9698}
[ "$NWG_INSTANCE" = default ] && { echo "dashboard: never on the default (demo) instance" >&2; exit 2; }
PROXY_PORT=$((NEUTRON_PORT + 1)) HORIZON_PORT=$((NEUTRON_PORT + 2))
HARNESS=$HERE/scripts/neutron-harness.sh
ID=$$
WORK=$(mktemp -d "/var/tmp/nwg-dash.$NWG_INSTANCE.XXXXXX")
chmod 700 "$WORK"
AGENT_HOST=nwgdash-$NWG_INSTANCE-$ID
DEV_NS=nwgdashdv$ID DEV_VETH=ndsh$ID DEV_IF=wgdash0
HUB_NAME=hub-$ID DEV_NAME=phone-$ID
CIDR=10.198.$((ID % 200 + 20)).0/24
URL=http://127.0.0.1:$HORIZON_PORT
T0=$EPOCHREALTIME PASS=0 FAIL=0
PROXY_PID="" HORIZON_PID="" WGA_PID="" STARTED_HARNESS=0 NET_ID="" PROJECT=""
PKGS="openstack-dashboard chromium chromium-driver python3-selenium zbar-tools wireguard-go wireguard-tools"

el() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[dash %s] %s\n' "$(date +%T)" "$*"; }
ok() { PASS=$((PASS + 1)); printf 'ok %d - %s\n' "$((PASS + FAIL))" "$*"; }
not_ok() { FAIL=$((FAIL + 1)); printf 'not ok %d - %s\n' "$((PASS + FAIL))" "$*"; }
check() { local d=$1; shift; if "$@" >>"$WORK/check.log" 2>&1; then ok "$d"; else not_ok "$d"; fi; }
die() { not_ok "$*"; exit 1; }
stop_pid() {
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
}

# Neutron as the admin of the test project (headers mode trusts these on
# loopback; the browser goes through the stand-in with real tokens).
uid() { printf '%s' "$1" | sha256sum | cut -c1-32; }
PROJECT=$(uid "project:proj-$ID")
napi() { # METHOD PATH [JSON]
	curl -s -X "$1" -H 'Content-Type: application/json' -H "X-User-Id: $(uid user:admin-$ID)" \
		-H "X-Project-Id: $PROJECT" -H 'X-Roles: admin,member,reader' \
		-H 'X-Identity-Status: Confirmed' "http://127.0.0.1:$NEUTRON_PORT/v2.0$2" ${3:+-d "$3"}
}

cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	set +e
	log "cleanup"
	if [ -n "$NET_ID" ]; then
		for p in $(napi GET "/ports?network_id=$NET_ID" | jget '" ".join(p["id"] for p in d["ports"])'); do
			napi DELETE "/ports/$p" >/dev/null
		done
		[ -n "$WGA_PID" ] && wait_for 15 bash -c "! ls $WORK/repo/*.conf" >/dev/null 2>&1
		napi DELETE "/networks/$NET_ID" >/dev/null
	fi
	stop_pid "$WGA_PID"
	stop_pid "$HORIZON_PID"
	stop_pid "$PROXY_PID"
	dev_wg_stop "$WORK/dev-wg.pid" "$DEV_IF" "$DEV_NS"
	ip netns del "$DEV_NS" 2>/dev/null
	ip link del "$DEV_VETH" 2>/dev/null
	ip netns del "tun-$PROJECT" 2>/dev/null
	[ $STARTED_HARNESS = 1 ] && "$HARNESS" stop >/dev/null 2>&1
	local left=""
	ip netns list | grep -qw "$DEV_NS" && left="$left netns:$DEV_NS"
	ip netns list | grep -qw "tun-$PROJECT" && left="$left netns:tun-$PROJECT"
	ip link show "$DEV_VETH" >/dev/null 2>&1 && left="$left link:$DEV_VETH"
	if [ -n "$NET_ID" ] && [ "$STARTED_HARNESS" = 0 ] &&
		napi GET "/networks/$NET_ID" | grep -q '"network"'; then left="$left network:$NET_ID"; fi
	if [ -z "$left" ]; then ok "cleanup: nothing left"; else not_ok "cleanup left:$left"; fi
	log "dashboard: $PASS passed, $FAIL failed in $(el "$T0") s (work dir $WORK)"
	[ $rc = 0 ] && [ $FAIL -gt 0 ] && rc=1
	[ $rc = 0 ] && rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- set-up
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] || die "packages missing:$missing (scripts/install-deps.sh dash)"
[ -x build/rel/bin/neutron-wireguard-agent ] || die "build first (make)"

log "harness [$NWG_INSTANCE] on $NEUTRON_PORT (NEUTRON_AUTH=headers)"
export NEUTRON_AUTH=headers NEUTRON_POLICY=$HERE/tests/osc/policy.yaml
if "$HARNESS" status >/dev/null 2>&1; then
	eval "$("$HARNESS" env)"
	if ! grep -q '^auth_strategy = keystone' "$HARNESS_STATE/etc/neutron.conf" 2>/dev/null; then
		"$HARNESS" restart >"$WORK/harness.log" 2>&1 || { tail "$WORK/harness.log"; die "harness restart"; }
	fi
else
	"$HARNESS" start >"$WORK/harness.log" 2>&1 || { tail "$WORK/harness.log"; die "harness start"; }
	STARTED_HARNESS=1
fi
eval "$("$HARNESS" env)"
ok "harness [$NWG_INSTANCE] up with Keystone-style auth ($(el "$T0") s)"

cat >"$WORK/users.json" <<EOF
{"users": [{"name": "alice-$ID", "password": "pw-a-$ID", "project": "proj-$ID", "roles": ["member", "reader"]},
           {"name": "admin-$ID", "password": "pw-b-$ID", "project": "proj-$ID", "roles": ["admin", "member", "reader"]}]}
EOF
setsid "$PY" tests/dashboard/keystone.py --listen "$PROXY_PORT" --neutron "http://127.0.0.1:$NEUTRON_PORT" \
	--users "$WORK/users.json" >"$WORK/proxy.log" 2>&1 </dev/null &
PROXY_PID=$!
NWG_DASH_KEYSTONE=http://127.0.0.1:$PROXY_PORT/identity/v3 DJANGO_SETTINGS_MODULE=horizon_settings \
	NWG_DASH_SECRET=$(head -c 32 /dev/urandom | base64) \
	PYTHONPATH=$HERE/tests/dashboard:$HERE:/usr/share/openstack-dashboard \
	setsid "$PY" /usr/share/openstack-dashboard/manage.py runserver "127.0.0.1:$HORIZON_PORT" \
	--noreload --insecure >"$WORK/horizon.log" 2>&1 </dev/null &
HORIZON_PID=$!
horizon_up() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/auth/login/")" = 200 ]; }
wait_for 60 horizon_up || { tail -20 "$WORK/horizon.log"; die "Horizon did not answer on $URL"; }
ok "Horizon with the panel on $URL, Keystone stand-in on $PROXY_PORT"

# the project's network (the admin's job; the panel adds hub and device)
NET_ID=$(napi POST /networks '{"network":{"name":"nwgdash-'$ID'"}}' | jget 'd["network"]["id"]')
[ -n "$NET_ID" ] || die "network"
napi POST /subnets '{"subnet":{"network_id":"'"$NET_ID"'","ip_version":4,"cidr":"'$CIDR'","gateway_ip":null,"enable_dhcp":false}}' |
	grep -q '"subnet"' || die "subnet $CIDR"

# the device's "internet" and the node's public address
for n in $(seq 0 62); do
	b=$(((((ID + n) % 63) + 1) * 4))
	net_free "203.0.113.$((b + 1))/30" && { NODE_IP=203.0.113.$((b + 1)) DEV_IP=203.0.113.$((b + 2)); break; }
done
[ -n "${NODE_IP:-}" ] || die "no free /30 in 203.0.113.0/24"
dev_create "$DEV_NS" "$DEV_VETH" "$NODE_IP/30" "$DEV_IP/30" "$NODE_IP" || die "device namespace"
dev_wg_start "$DEV_NS" "$DEV_IF" "$WORK/dev-wg.log" "$WORK/dev-wg.pid" || die "device wireguard-go"

install -d -m 700 "$WORK/repo"
{
	echo "[DEFAULT]"
	echo "host = $AGENT_HOST"
	echo "transport_url = $TRANSPORT_URL"
	echo "log_file = $WORK/agent.log"
	echo "debug = true"
	echo "[wireguard]"
	echo "WG_HUB_IP = $NODE_IP"
	echo "backend = userspace"
	echo "state_path = $WORK/repo"
	echo "control_socket = $WORK/agent.sock"
	echo "listen_port_range = 53700:53799"
	echo "hub_up_unrouted = true"
	echo "health_interval = 2"
} >"$WORK/agent.ini"
setsid build/rel/bin/neutron-wireguard-agent --config-file "$WORK/agent.ini" >"$WORK/agent.out" 2>&1 </dev/null &
WGA_PID=$!
agent_alive() {
	kill -0 "$WGA_PID" 2>/dev/null || return 99
	napi GET "/agents?host=$AGENT_HOST" | grep -q '"alive": true'
}
wait_for 60 agent_alive || die "neutron-wireguard-agent alive"
ok "set-up: network $CIDR, device namespace, agent $AGENT_HOST ($(el "$T0") s)"

B() { "$PY" tests/dashboard/browser.py "$URL" "$WORK" "$@"; }

# ---------------------------------------------------------------- browser
log "browser: the admin adds the hub"
if B add-hub "admin-$ID" "pw-b-$ID" "$HUB_NAME" "$AGENT_HOST" >"$WORK/hub.json" 2>>"$WORK/check.log" &&
	grep -q "$HUB_NAME" "$WORK/hub.json"; then
	ok "admin: 'Add hub' form made hub $HUB_NAME"
else
	die "admin: 'Add hub' (see $WORK/check.log)"
fi
HUB_ID=$(napi GET "/ports?name=$HUB_NAME" | jget 'd["ports"][0]["id"]')
realized() { napi GET "/ports/$HUB_ID" | jget 'd["port"]["wireguard"]["endpoint"] or ""' | grep -q .; }
check "hub realized by the agent (key + endpoint)" wait_for 30 realized
hub_host=$(napi GET "/ports/$HUB_ID" | jget 'd["port"]["binding:host_id"]')
if [ "$hub_host" = "$AGENT_HOST" ]; then ok "hub bound to $AGENT_HOST"; else not_ok "hub host: $hub_host"; fi

log "browser: the member adds a device"
t=$EPOCHREALTIME
B add-device "alice-$ID" "pw-a-$ID" "$DEV_NAME" "$HUB_NAME" >"$WORK/device.json" 2>>"$WORK/check.log" ||
	die "member: 'Add device' (see $WORK/check.log)"
ok "member: 'Add device' showed config + QR code ($(el "$t") s)"
SPOKE_ID=$(jget 'd["id"]' <"$WORK/device.json")
check ".conf download link (blob:, $DEV_NAME.conf)" grep -q "\"download\": \"$DEV_NAME.conf\", \"href\": \"blob:\"" "$WORK/device.json"
check "member: no 'Add hub' form" grep -q '"hub_form": false' "$WORK/device.json"

zbarimg --quiet --raw "$WORK/qr.png" >"$WORK/decoded.conf" 2>>"$WORK/check.log"
check "QR code read back from the screenshot (zbarimg)" grep -q '^\[Peer\]' "$WORK/decoded.conf"
check "QR content = the config shown" diff <(sed '/^$/d' "$WORK/decoded.conf") <(sed '/^$/d' "$WORK/shown.conf")
PRIV=$(conf_values "$WORK/decoded.conf" PrivateKey)
PUB=$(echo "$PRIV" | wg pubkey 2>/dev/null)
port_pub=$(napi GET "/ports/$SPOKE_ID" | jget 'd["port"]["binding:profile"]["public_key"]')
if [ -n "$PUB" ] && [ "$PUB" = "$port_pub" ]; then
	ok "browser-made key pair: the port's public key is the QR private key's"
else
	not_ok "key pair: port $port_pub, QR private key -> '$PUB'"
fi
leaks=""
for f in "$NEUTRON_LOG" "$WORK/horizon.log" "$WORK/proxy.log" "$WORK/agent.log"; do
	[ -n "$PRIV" ] && grep -qF "$PRIV" "$f" 2>/dev/null && leaks="$leaks $f"
done
napi GET "/ports/$SPOKE_ID" | grep -qF "${PRIV:-x}" && leaks="$leaks port"
if [ -z "$leaks" ] && [ -n "$PRIV" ]; then
	ok "the private key reached no server log and no port"
else
	not_ok "private key found in:$leaks"
fi

log "device: wireguard-go from the decoded config"
check "decoded config applied (wg setconf, address, routes)" dev_wg_apply "$DEV_NS" "$DEV_IF" "$WORK/decoded.conf"
HUB_IP=$(napi GET "/ports/$HUB_ID" | jget 'd["port"]["fixed_ips"][0]["ip_address"]')
ping1() { ip netns exec "$DEV_NS" ping -c1 -W1 "$HUB_IP"; }
check "device pings the hub $HUB_IP through the tunnel" wait_for 20 ping1
hs=$(wg_handshake "$DEV_NS" "$DEV_IF")
if [ "${hs:-0}" != 0 ]; then ok "device handshaked with the hub (latest $hs)"; else not_ok "no handshake"; fi

# A member cannot set binding:host_id (admin-only): the admin binds the
# spoke to the hub's host so the agent reports its health (doc/agent.md).
napi PUT "/ports/$SPOKE_ID" '{"port":{"binding:host_id":"'"$AGENT_HOST"'"}}' >/dev/null
status_active() { [ "$(napi GET "/ports/$SPOKE_ID" | jget 'd["port"]["status"]')" = ACTIVE ]; }
check "bound spoke turns ACTIVE (the agent saw the handshake)" wait_for 30 status_active

"$PY" tests/dashboard/badinput.py "$URL" "alice-$ID" "pw-a-$ID" "$HUB_ID" "$SPOKE_ID" >"$WORK/bad.log" 2>&1
while read -r line; do
	case $line in "ok "*) ok "${line#ok }" ;; "not ok "*) not_ok "${line#not ok }" ;; esac
done <"$WORK/bad.log"
grep -q '^ok ' "$WORK/bad.log" || not_ok "bad-input checks did not run: $(tail -3 "$WORK/bad.log")"

log "browser: the member lists, then deletes the device"
B list-delete "alice-$ID" "pw-a-$ID" "$DEV_NAME" >"$WORK/list.json" 2>>"$WORK/check.log"
# shellcheck disable=SC2016
check "panel listed the device ACTIVE, handshake < 3 min" "$PY" -c 'import json,sys
d=json.load(open(sys.argv[1]))["listed"]
sys.exit(0 if any(r[0]==sys.argv[2] and r[4]=="ACTIVE" and "less than 3" in r[5] for r in d["devices"]) else 1)' "$WORK/list.json" "$DEV_NAME"
gone() { napi GET "/ports/$SPOKE_ID" | grep -q 'PortNotFound'; }
check "Delete removed the spoke port" gone
no_peer() { ! napi GET "/ports/$HUB_ID" | grep -q "$SPOKE_ID"; }
check "hub no longer lists the device" wait_for 10 no_peer

if [ -n "${DASH_SCREENSHOTS:-}" ]; then
	cp "$WORK/add.png" "$DASH_SCREENSHOTS/dashboard-add-device.png"
	cp "$WORK/list.png" "$DASH_SCREENSHOTS/dashboard-devices.png"
	log "screenshots copied to $DASH_SCREENSHOTS"
fi
