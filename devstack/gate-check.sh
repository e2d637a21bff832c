#!/usr/bin/env bash
# Post-run check of the gate jobs (zuul.d/), on a node DevStack stacked with
# networking-wireguard. Root; the openstack CLI with OS_CLOUD (devstack-admin).
#   WG_CHECK_HOST    host whose neutron-wireguard-agent realizes the hub ($(hostname))
#   WG_CHECK_ROUTER  true: attach the hub to a router and check the router
#                    namespace holds it (ML2/OVS with our L3 agent extension)
# Creates a network, a hub, a "device" (network namespace behind a veth,
# kernel WireGuard, its own private key), a spoke for it; renders the
# device's config from its port, pings across, optionally attaches a router;
# removes all of it on every exit path. Not run here (no DevStack).
set -uo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/device-lib.sh
. "$HERE/scripts/device-lib.sh"
HOST=${WG_CHECK_HOST:-$(hostname)}
ROUTED=${WG_CHECK_ROUTER:-false}
CLI=${WG_CLI:-/usr/local/bin/neutron-wireguard}
ID=$$ NS=wgcheck$$ VETH=wgck$$ IF=wgck0
NODE=198.51.100.1 DEV=198.51.100.2
T=$(mktemp -d)
NET="" HUB="" SPOKE="" ROUTER="" FAILED=0
os() { openstack "$@"; }
step() { echo "gate-check: $*"; }
fail() { echo "gate-check: FAIL $*"; FAILED=1; exit 1; }
cleanup() {
	set +e
	[ -n "$ROUTER" ] && [ -n "$HUB" ] && os router remove port "$ROUTER" "$HUB"
	[ -n "$SPOKE" ] && os port delete "$SPOKE"
	[ -n "$HUB" ] && os port delete "$HUB"
	[ -n "$ROUTER" ] && os router delete "$ROUTER"
	[ -n "$NET" ] && os network delete "$NET"
	ip netns del "$NS" 2>/dev/null
	ip link del "$VETH" 2>/dev/null
	rm -rf "$T"
	echo "gate-check: $([ $FAILED = 0 ] && echo PASSED || echo FAILED)"
}
trap cleanup EXIT
vif() { os port show "$HUB" -f json -c binding_vif_details | jget "d['binding_vif_details'].get('$1')"; }
realized() { [ -n "$(vif public_key)" ] && [ -n "$(vif endpoint)" ]; }

step "network, subnet"
NET=$(os network create "wgcheck-$ID" -f value -c id) || fail "network create"
os subnet create "wgcheck-$ID" --network "$NET" --subnet-range 10.251.0.0/24 \
	--gateway 10.251.0.254 --no-dhcp -f value -c id >"$T/subnet" || fail "subnet create"
step "hub on $HOST"
HUB=$(os port create "wgcheck-hub-$ID" --network "$NET" --host "$HOST" \
	--binding-profile wg_role=hub -f value -c id) || fail "hub create"
wait_for 120 realized || fail "hub not realized by the agent on $HOST"
step "device namespace, its key, its spoke"
dev_create "$NS" "$VETH" "$NODE/30" "$DEV/30" "$NODE" || fail "device namespace"
PUB=$(dev_genkey "$NS" "$T/dev.key") || fail "device key"
SPOKE=$(os port create "wgcheck-spoke-$ID" --network "$NET" --binding-profile \
	"{\"wg_role\": \"spoke\", \"public_key\": \"$PUB\", \"peers\": [\"$HUB\"]}" -f value -c id) ||
	fail "spoke create"
url=$(os endpoint list --service network --interface public -f value -c URL | head -1)
token=$(os token issue -f value -c id)
render() {
	(umask 077 && "$CLI" render --neutron "$url" --port "$SPOKE" --token "$token" \
		--private-key-file "$T/dev.key" >"$T/dev.conf")
}
wait_for 60 render || fail "render the device config from its spoke port"
ip -n "$NS" link add "$IF" type wireguard || fail "kernel wireguard in the device"
dev_wg_apply "$NS" "$IF" "$T/dev.conf" || fail "apply the rendered config"
hub_ip=$(os port show "$HUB" -f json -c fixed_ips | jget 'd["fixed_ips"][0]["ip_address"]')
step "ping the hub $hub_ip over the tunnel"
wait_for 30 ip netns exec "$NS" ping -c 1 -W 1 "$hub_ip" || fail "ping device -> hub"
h=$(wg_handshake "$NS" "$IF")
if [ -z "$h" ] || [ "$h" = 0 ]; then fail "no handshake"; fi
if [ "$ROUTED" = true ]; then
	step "router attach"
	ROUTER=$(os router create "wgcheck-$ID" -f value -c id) || fail "router create"
	os router add port "$ROUTER" "$HUB" || fail "router add port"
	in_router() { ip netns exec "qrouter-$ROUTER" wg show interfaces | grep -q .; }
	wait_for 60 in_router || fail "hub not moved into qrouter-$ROUTER"
	wait_for 30 ip netns exec "$NS" ping -c 1 -W 1 "$hub_ip" || fail "ping through the routed hub"
fi
step "all checks passed"
