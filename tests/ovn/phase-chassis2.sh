# shellcheck shell=bash
# Sourced by tests/ovn/run.sh once the device reaches the VM: a second "VM"
# on the VM network, bound to chassis 2 (tests/ovn/chassis2.sh). The device
# reaches it through the OVN router across the geneve tunnel between the
# chassis (the hub stays on chassis 1), and the tunnel is shown to carry it:
# geneve ports both ways, packet counters of the underlay, tnl_push/tnl_pop
# datapath flows.

check "chassis 2 ($C2_HOST) is an alive OVN Controller agent" wait_until 30 bash -c \
	"[ \"\$(api GET '/agents?host=$C2_HOST&agent_type=OVN%20Controller%20agent' | jget 'd[\"agents\"][0][\"alive\"]')\" = True ]"
check "geneve tunnel port chassis 1 -> chassis 2 ($UL_NET.2)" wait_until 15 has_geneve "$UL_NET.2"
check "geneve tunnel port chassis 2 -> chassis 1 ($UL_NET.1)" wait_until 15 c2 has_geneve "$UL_NET.1"
VM2_PORT=$(mk port '{"port":{"name":"nwgovn-vm2-'$ID'","project_id":"'$PROJECT'","network_id":"'$NET_VM'","binding:host_id":"'$C2_HOST'","fixed_ips":[{"subnet_id":"'$SUB_VM'","ip_address":"10.61.1.20"}]}}')
VM2_MAC=$(field port "$VM2_PORT" "['mac_address']")
plug_vm2 "$VM2_PORT" "$VM2_MAC" 10.61.1.20/24 10.61.1.1 || not_ok "VM2 namespace plugged on chassis 2"
check "VM2 port bound by OVN (LSP up)" wait_until 20 lsp_up "$VM2_PORT"
check "VM2 Port_Binding on chassis 2" bound_on "$VM2_PORT" "$C2_HOST"
check "the hub's Port_Binding still on chassis 1" bound_here "$HUB"
check "device pings VM2 on chassis 2 through the OVN router (10.61.1.20)" wait_until 15 dev_ping 10.61.1.20
check "VM2 pings the device (10.61.3.7)" wait_until 10 vm2_ping 10.61.3.7
TX0=$(ul_count tx_bytes)
check "TCP 1 MB device -> VM2 (chassis 1 -> 2)" tcp_1m "$DEV_NS" "$VM2_NS" 10.61.1.20 5703
TX1=$(ul_count tx_bytes) PUSH=$(tnl_flows tnl_push)
RX0=$(ul_count rx_bytes)
check "TCP 1 MB VM2 -> device (chassis 2 -> 1)" tcp_1m "$VM2_NS" "$DEV_NS" 10.61.3.7 5704
RX1=$(ul_count rx_bytes) POP=$(tnl_flows tnl_pop)
# the megabyte (plus its headers) crossed the underlay, each way
check "underlay carried device -> VM2: $((TX1 - TX0)) bytes out of chassis 1 (> 1000000)" \
	test $((TX1 - TX0)) -gt 1000000
check "underlay carried VM2 -> device: $((RX1 - RX0)) bytes into chassis 1 (> 1000000)" \
	test $((RX1 - RX0)) -gt 1000000
check "chassis 1 datapath encapsulates in geneve (tnl_push flows: $PUSH)" test "$PUSH" -gt 0
check "chassis 1 datapath decapsulates geneve (tnl_pop flows: $POP)" test "$POP" -gt 0
rtt=$(ip netns exec "$VM2_NS" ping -c 20 -i 0.05 -q 10.61.3.7 2>/dev/null | awk -F/ '/rtt/ { print $5 }')
log "VM2 (chassis 2) -> device RTT avg ${rtt:-?} ms (20 pings, geneve + WireGuard)"
