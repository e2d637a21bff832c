# shellcheck shell=bash
# The hub phases of tests/l3/run.sh (sourced after the plain router phase):
# neutron-wireguard-agent, hub ports attached to the router, a device.
# Uses run.sh's state: API, WORK, AGENT_HOST, PROJECT, ROUTER, RNS, VM_NS,
# VM_IP, NET_VM, SUB_B, ID.

AGENT_BIN=$HERE/build/rel/bin/neutron-wireguard-agent
CLI_BIN=$HERE/build/rel/bin/neutron-wireguard
WGA_REPO=$WORK/repo
DEV_NS=nwgl3dv$ID
DEV_VETH=nl3d$ID
DEV_IF=wgdev0
WG_UAPI=/var/run/wireguard

hub_prereqs() {
	[ -x "$AGENT_BIN" ] && [ -x "$CLI_BIN" ] && [ -f "$HERE/scripts/device-lib.sh" ] &&
		[ -f "$HERE/agent/ctl/ctl_l3.c" ]
}

write_wga_config() {
	install -d -m 700 "$WGA_REPO"
	cat >"$WORK/etc/wireguard_agent.ini" <<EOF
[DEFAULT]
host = $AGENT_HOST
transport_url = $TRANSPORT_URL
log_file = $WORK/logs/wireguard-agent.log
debug = true
[AGENT]
report_interval = 5
[wireguard]
WG_HUB_IP = $NODE_IP
backend = userspace
state_path = $WGA_REPO
control_socket = $WGA_SOCK
listen_port_range = 53600:53699
privsep = $([ "${NWG_AGENT_PRIVSEP:-1}" = 1 ] && echo true || echo false)
underlay_mtu = 1500
# the safety-net resync re-creates a vanished hub from the repository
resync_interval = 5
EOF
}
start_wga() {
	setsid "$AGENT_BIN" --config-file "$WORK/etc/wireguard_agent.ini" \
		>>"$WORK/logs/wireguard-agent.out" 2>&1 </dev/null &
	WGA_PID=$!
	wga_alive() {
		pid_alive "$WGA_PID" || return 99
		[ "$(api GET "/agents?host=$AGENT_HOST&binary=neutron-wireguard-agent" | jf agents.0.alive)" = True ] &&
			[ -S "$WGA_SOCK" ]
	}
	wait_until 30 wga_alive
}
stop_wga() { stop_pid "$WGA_PID" 15; WGA_PID=""; }
ctl() { # ctl METHOD JSON-ARGS -> reply line (as the L3 agent would ask)
	$PY - "$WGA_SOCK" "$1" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall((json.dumps({"method": sys.argv[2], "args": json.loads(sys.argv[3])}) + "\n").encode())
b = b""
while b"\n" not in b:
    c = s.recv(65536)
    if not c: break
    b += c
print(b.decode().strip())
PY
}

mk_hub_net() { # name cidr -> "net subnet"
	local net sub
	net=$(mk network '{"network":{"name":"'$1'","project_id":"'$PROJECT'"}}') || return 1
	echo "$net" >>"$WORK/cleanup-networks" # (runs in $(...): no array)
	sub=$(mk subnet '{"subnet":{"project_id":"'$PROJECT'","network_id":"'$net'","ip_version":4,"cidr":"'$2'","gateway_ip":null,"enable_dhcp":false}}') || return 1
	echo "$net $sub"
}
mk_hub() { # net subnet ip -> port id
	local p
	p=$(mk port '{"port":{"name":"nwgl3-hub-'$ID'","project_id":"'$PROJECT'","network_id":"'$1'","binding:host_id":"'$AGENT_HOST'","fixed_ips":[{"subnet_id":"'$2'","ip_address":"'$3'"}],"binding:profile":{"wg_role":"hub"}}}') || return 1
	echo "$p" >>"$WORK/cleanup-ports" # (runs in $(...): no array)
	echo "$p"
}
vif() { api GET "/ports/$1" | jf "port.binding:vif_details.$2"; }
hub_realized() { [ -n "$(vif "$1" public_key)" ] && [ -n "$(vif "$1" listen_port)" ]; }
wg_of() { echo "wg-${1:0:11}"; }
qr_of() { echo "qr-${1:0:11}"; }
hub_pub() { wg show "$(wg_of "$1")" public-key 2>/dev/null; }
hub_lport() { wg show "$(wg_of "$1")" listen-port 2>/dev/null; }
hub_hs() { wg show "$(wg_of "$1")" latest-handshakes 2>/dev/null | awk '{print $2; exit}'; }
attached() { # port ip
	local q
	q=$(qr_of "$1")
	addr_in_ns "$RNS" "$q" "$2" && link_up_in_ns "$RNS" "$q"
}
in_home() { ip -n "tun-$PROJECT" link show "$(wg_of "$1")" >/dev/null 2>&1; }
status_is() { [ "$(port_status "$1")" = "$2" ]; }
repo_file() { [ -f "$WGA_REPO/$1.conf" ]; }
router_state() { api PUT "/routers/$ROUTER" '{"router":{"admin_state_up":'"$1"'}}' >/dev/null; }

setup_device() {
	local n
	for n in $(seq 0 62); do
		local b=$(((((ID + n) % 63) + 1) * 4))
		if net_free "203.0.113.$((b + 1))/30"; then
			NODE_IP=203.0.113.$((b + 1)) DEV_IP=203.0.113.$((b + 2))
			break
		fi
	done
	[ -n "${NODE_IP:-}" ] || return 1
	NAMESPACES+=("$DEV_NS")
	dev_create "$DEV_NS" "$DEV_VETH" "$NODE_IP/30" "$DEV_IP/30" "$NODE_IP" || return 1
	DEV_PUB=$(dev_genkey "$DEV_NS" "$WORK/dev.key") || return 1
	dev_wg_start "$DEV_NS" "$DEV_IF" "$WORK/logs/dev-wg.log" "$WORK/dev-wg.pid"
}
render_device() { # spoke -> applies the rendered config
	"$CLI_BIN" render --neutron "$OS_ENDPOINT" --port "$1" \
		--private-key-file "$WORK/dev.key" >"$WORK/dev.conf" 2>"$WORK/logs/render.err" || return 1
	dev_wg_apply "$DEV_NS" "$DEV_IF" "$WORK/dev.conf"
}
render_routes() {
	render_device "$spoke" && grep -q 10.199.1.0/24 "$WORK/dev.conf" &&
		grep -q 10.199.3.0/24 "$WORK/dev.conf"
}
dev_ping() { ip netns exec "$DEV_NS" ping -c1 -W1 "$1"; }
vm_ping() { ip netns exec "$VM_NS" ping -c1 -W1 "$1"; }

run_hub_phases() {
	local t0 hub1 hub2 k1 p1 hs1 spoke dip net2 sub2 r
	hub_prereqs || { log "hub phases: agent/CLI binaries or scripts/device-lib.sh missing"; not_ok "hub phases prerequisites"; return 1; }
	log "phase: neutron-wireguard-agent, hub network, device"
	setup_device || { not_ok "device namespace"; return 1; }
	write_wga_config
	start_wga || { not_ok "neutron-wireguard-agent alive"; return 1; }
	ok "neutron-wireguard-agent alive (pid $WGA_PID)"
	NAMESPACES+=("tun-$PROJECT")
	read -r NET_H SUB_H <<<"$(mk_hub_net "nwgl3-hub-$ID" 10.199.2.0/24)"
	[ -n "${SUB_H:-}" ] || { not_ok "hub network"; return 1; }
	expect_eq "hub network MTU (vxlan)" 1450 "$(api GET "/networks/$NET_H" | jf network.mtu)"
	hub1=$(mk_hub "$NET_H" "$SUB_H" 10.199.2.1) || { not_ok "hub port"; return 1; }
	check "hub realized (public key, listen port in binding:vif_details)" wait_until 30 hub_realized "$hub1"
	k1=$(hub_pub "$hub1") p1=$(hub_lport "$hub1")
	# (vif_details are rewritten while ML2 re-binds: wait for a stable value)
	check "hub key in Neutron = the link's key ($k1)" wait_until 10 \
		bash -c "[ \"\$(curl -s $API/ports/$hub1 | $PY -c 'import json,sys; print(json.load(sys.stdin)[\"port\"][\"binding:vif_details\"].get(\"public_key\"))')\" = '$k1' ]"
	check "unrouted hub is DOWN (port status)" wait_until 15 status_is "$hub1" DOWN
	spoke=$(mk port '{"port":{"name":"nwgl3-spoke-'$ID'","project_id":"'$PROJECT'","network_id":"'$NET_H'","binding:profile":{"wg_role":"spoke","public_key":"'$DEV_PUB'","peers":["'$hub1'"]}}}')
	PORTS+=("$spoke")
	dip=$(api GET "/ports/$spoke" | jf port.fixed_ips.0.ip_address)
	check "device config rendered and applied" wait_until 30 render_device "$spoke"
	ip netns exec "$DEV_NS" ping -c2 -i0.3 -W1 10.199.2.1 >/dev/null 2>&1 # handshake only: hub down
	check "WireGuard session before attach (handshake)" wait_until 15 bash -c "[ \"\$(wg show $(wg_of "$hub1") latest-handshakes | awk '{print \$2}')\" != 0 ]"
	hs1=$(hub_hs "$hub1")

	log "phase: router add port (hub)"
	t0=$(now)
	api PUT "/routers/$ROUTER/add_router_interface" "{\"port_id\":\"$hub1\"}" >/dev/null
	expect_eq "router add port (hub) HTTP" 200 "$(code)"
	if wait_until 20 attached "$hub1" 10.199.2.1; then
		ok "hub is $(qr_of "$hub1") in $RNS, addressed, UP after $(ms "$t0" "$(now)") ms"
	else
		not_ok "hub attached in $RNS"
	fi
	check "hub link is the WireGuard TUN (no veth, no tap, no bridge)" bash -c \
		"ip -n $RNS -d link show $(qr_of "$hub1") | grep -q 'tun type tun' && ! ip link show tap${hub1:0:11} && ! ip link show brq${NET_H:0:11}"
	check "hub no longer in tun-$PROJECT" bash -c "! ip -n tun-$PROJECT link show $(wg_of "$hub1")"
	expect_eq "key unchanged by attach" "$k1" "$(hub_pub "$hub1")"
	expect_eq "listen port unchanged by attach" "$p1" "$(hub_lport "$hub1")"
	expect_eq "session unchanged by attach (latest handshake)" "$hs1" "$(hub_hs "$hub1")"
	expect_eq "hub MTU on a 1450-MTU network" 1420 "$(ip -n "$RNS" -o link show "$(qr_of "$hub1")" | grep -o 'mtu [0-9]*' | cut -d' ' -f2)"
	check "agent log says the MTU was capped" grep -q "hub $hub1.*capped" "$WORK/logs/wireguard-agent.log"
	check "L3 agent log says the MTU was capped" grep -q "hub port $hub1 .*capped" "$WORK/logs/l3-agent.log"
	check "routed hub is ACTIVE (port status)" wait_until 15 status_is "$hub1" ACTIVE
	expect_eq "still bound as wireguard after the router rebind" wireguard "$(api GET "/ports/$hub1" | jf port.binding:vif_type)"
	expect_eq "bound to the router's L3 host" "$AGENT_HOST" "$(api GET "/ports/$hub1" | jf port.binding:host_id)"
	check "repository records the hub in the router namespace" grep -q "$RNS" "$WGA_REPO/$hub1.conf"
	check "wg show works under the router name too" wg show "$(qr_of "$hub1")" public-key
	check "control socket: owns() places the hub in $RNS" bash -c \
		"$(declare -f ctl); PY=$PY WGA_SOCK=$WGA_SOCK ctl owns '{\"port_id\":\"$hub1\"}' | grep -q '\"namespace\":\"$RNS\"'"
	check "control socket: attach() again is 'already attached' (no change)" bash -c \
		"$(declare -f ctl); PY=$PY WGA_SOCK=$WGA_SOCK ctl attach '{\"port_id\":\"$hub1\",\"namespace\":\"$RNS\",\"ifname\":\"$(qr_of "$hub1")\",\"cidrs\":[\"10.199.2.1/24\"],\"mtu\":1450}' | grep -q '\"changed\":false'"

	log "phase: traffic through the router"
	check "rendered config routes the router's other subnets (AllowedIPs)" wait_until 15 render_routes
	ip -n "$DEV_NS" route replace 10.199.1.0/24 dev "$DEV_IF" 2>/dev/null
	check "device pings the hub address" wait_until 10 dev_ping 10.199.2.1
	check "device pings the VM ($VM_IP)" wait_until 10 dev_ping "$VM_IP"
	check "VM pings the device ($dip)" wait_until 10 vm_ping "$dip"
	ip -n "$VM_NS" link set eth0 mtu 1450
	check "VM: DF ping of 1392 bytes reaches the device" ip netns exec "$VM_NS" ping -M "do" -s 1392 -c1 -W2 "$dip"
	check "VM: DF ping of 1393 bytes gets 'fragmentation needed' (mtu 1420)" bash -c \
		"ip netns exec $VM_NS ping -M do -s 1393 -c2 -W2 $dip 2>&1 | grep -Eqi 'frag needed.*1420|message too long.*1420'"

	log "phase: L3 agent restart with the hub attached"
	hs1=$(hub_hs "$hub1")
	stop_l3
	start_l3 || { not_ok "L3 agent restarted"; return 1; }
	check "L3 agent processed the router again (hub already attached)" wait_until 60 grep -q "already attached" "$WORK/logs/l3-agent.log"
	check "hub still attached after the L3 agent restart" attached "$hub1" 10.199.2.1
	check "device still pings the VM" wait_until 10 dev_ping "$VM_IP"
	expect_eq "session survived the L3 agent restart (latest handshake)" "$hs1" "$(hub_hs "$hub1")"
	expect_eq "key unchanged" "$k1" "$(hub_pub "$hub1")"

	log "phase: L3 agent stopped, router disabled, L3 agent started"
	stop_l3
	router_state false
	start_l3 || { not_ok "L3 agent started"; return 1; }
	check "the L3 agent's clean-up parked the hub in tun-$PROJECT (not deleted)" wait_until 60 in_home "$hub1"
	check "L3 log: unplug became a detach" grep -q "parking it instead of deleting it" "$WORK/logs/l3-agent.log"
	expect_eq "hub key unchanged" "$k1" "$(hub_pub "$hub1")"
	expect_eq "hub listen port unchanged" "$p1" "$(hub_lport "$hub1")"
	check "repository file still there" repo_file "$hub1"
	check "disabled router: hub DOWN" wait_until 15 status_is "$hub1" DOWN
	router_state true
	check "re-enabled router: hub attached again" wait_until 30 attached "$hub1" 10.199.2.1
	check "re-enabled router: device pings the VM" wait_until 20 dev_ping "$VM_IP"

	log "phase: the hub vanishes behind Neutron's back (link deleted)"
	ip -n "$RNS" link del "$(qr_of "$hub1")"
	t0=$(now)
	if wait_until 30 attached "$hub1" 10.199.2.1; then
		ok "vanished hub re-created by the agent and attached again after $(ms "$t0" "$(now)") ms"
	else
		not_ok "vanished hub re-created and attached again within 30 s"
	fi
	expect_eq "re-created hub: same key" "$k1" "$(hub_pub "$hub1")"
	expect_eq "re-created hub: same listen port" "$p1" "$(hub_lport "$hub1")"
	check "re-created hub: device pings the VM again" wait_until 20 dev_ping "$VM_IP"

	log "phase: HA / distributed routers refuse hubs"
	read -r net2 sub2 <<<"$(mk_hub_net "nwgl3-hub2-$ID" 10.199.4.0/24)"
	hub2=$(mk_hub "$net2" "$sub2" 10.199.4.1) || { not_ok "second hub port"; return 1; }
	check "second hub realized" wait_until 30 hub_realized "$hub2"
	for kind in ha distributed; do
		r=$(mk router '{"router":{"name":"nwgl3-'$kind'-'$ID'","project_id":"'$PROJECT'","'$kind'":true}}') ||
			{ not_ok "$kind router created"; continue; }
		ROUTERS+=("$r")
		api PUT "/routers/$r/add_router_interface" "{\"port_id\":\"$hub2\"}" >/dev/null
		if [ "$(code)" = 409 ] && grep -q "legacy router" "$WORK/last_body"; then
			ok "hub refused on a $kind router (409: $(jf NeutronError.message <"$WORK/last_body" | grep -o 'port .*'))"
		else
			not_ok "hub refused on a $kind router: HTTP $(code) $(cat "$WORK/last_body")"
		fi
		api DELETE "/routers/$r" >/dev/null
	done

	log "phase: hub realized after router add port (agent started late)"
	stop_wga
	api PUT "/routers/$ROUTER/remove_router_interface" "{\"port_id\":\"$hub2\"}" >/dev/null # never added: 404
	# a hub the agent has not realized yet: a new one while it is down
	read -r net2 sub2 <<<"$(mk_hub_net "nwgl3-hub3-$ID" 10.199.5.0/24)"
	hub2=$(mk_hub "$net2" "$sub2" 10.199.5.1) || { not_ok "third hub port"; return 1; }
	api PUT "/routers/$ROUTER/add_router_interface" "{\"port_id\":\"$hub2\"}" >/dev/null
	expect_eq "router add port while the agent is down" 200 "$(code)"
	check "L3 agent keeps it pending (no veth plugged for it)" wait_until 20 bash -c \
		"grep -q 'hub port $hub2 of router $ROUTER is not attached yet' $WORK/logs/l3-agent.log && ! ip -n $RNS link show $(qr_of "$hub2")"
	t0=$(now)
	start_wga || { not_ok "neutron-wireguard-agent restarted"; return 1; }
	if wait_until 10 attached "$hub2" 10.199.5.1; then
		ok "late hub attached $(ms "$t0" "$(now)") ms after the agent started"
	else
		not_ok "late hub attached within 10 s of the agent start"
	fi
	check "first hub untouched by the agent restart" attached "$hub1" 10.199.2.1

	log "phase: router remove port (hub)"
	api PUT "/routers/$ROUTER/remove_router_interface" "{\"port_id\":\"$hub2\"}" >/dev/null
	expect_eq "router remove port (hub)" 200 "$(code)"
	check "hub port deleted by Neutron" wait_until 5 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $API/ports/$hub2)\" = 404 ]"
	# the detach of the (deleted) hub sweeps its qr- alias itself (in the
	# executor when the agent is split): none left the moment it answered
	check "L3 agent's detach of the removed hub answered" wait_until 20 grep -Eq \
		"hub $hub2 (detached|.*no longer exists)" "$WORK/logs/l3-agent.log"
	check "no dangling UAPI alias right after that detach" bash -c "[ ! -L $WG_UAPI/$(qr_of "$hub2").sock ]"
	check "nothing left: no link in the router or tun namespace, no repository file, no UAPI socket" \
		wait_until 15 bash -c "! ip -n $RNS link show $(qr_of "$hub2") && ! ip -n tun-$PROJECT link show $(wg_of "$hub2") && [ ! -e $WGA_REPO/$hub2.conf ] && [ ! -e $WG_UAPI/$(wg_of "$hub2").sock ] && [ ! -e $WG_UAPI/$(qr_of "$hub2").sock ]"
	check "no wireguard-go left for it" bash -c "! pgrep -f 'wireguard-go.* $(wg_of "$hub2")\$'"
	check "first hub still routes" wait_until 10 dev_ping "$VM_IP"

	log "phase: other router ports behave as before"
	check "VM still pings the router on the second network" vm_ping 10.199.3.1
	check "no ERROR in the wireguard agent log" bash -c "! grep -q ' ERROR ' $WORK/logs/wireguard-agent.log"
	HUB1=$hub1
}

cleanup_hub() {
	[ -n "${HUB1:-}" ] && api PUT "/routers/$ROUTER/remove_router_interface" "{\"port_id\":\"$HUB1\"}" >/dev/null
	[ -s "$WORK/dev-wg.pid" ] && dev_wg_stop "$WORK/dev-wg.pid" "$DEV_IF" "$DEV_NS"
	ip link del "$DEV_VETH" 2>/dev/null
	return 0
}
