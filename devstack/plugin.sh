#!/usr/bin/env bash
# shellcheck shell=bash
# DevStack plugin for networking-wireguard.
#
# Services and where their steps run (see devstack/settings for variables):
#   q-svc / neutron-api      the Python package; "wireguard" first in the ML2
#                            mechanism drivers and added to the extension
#                            drivers, through DevStack's own variables so
#                            configure_neutron (and Neutron's plugin, which
#                            rewrites the lists in post-config) write them
#   q-l3 / neutron-l3        the Python package; our L3 agent extension
#                            (plugin_agent_add_l3_agent_extension) and, with
#                            ML2/OVS (or linuxbridge), our interface driver;
#                            the control socket of the agent
#   neutron-wireguard-agent  the C agent: built and installed in `install`,
#                            configured in `post-config`, run as root
# Phases: stack install (before configure_neutron: nothing under /etc),
# stack post-config (after it: /etc/neutron belongs to the stack user),
# stack extra (start), unstack (stop, remove our links and namespaces),
# clean (also binaries, config, state, the Python package).

function wg_is_server {
    is_service_enabled q-svc neutron-api
}

function wg_is_l3 {
    is_service_enabled q-l3 neutron-l3
}

function wg_is_agent {
    is_service_enabled neutron-wireguard-agent
}

# The L3 agent's interface driver for the ML2 backend; empty when the
# backend has no L3 agent of ours to serve (OVN).
function wg_interface_driver {
    case ${Q_AGENT:-} in
    openvswitch) echo wireguard_openvswitch ;;
    linuxbridge) echo wireguard_linuxbridge ;;
    *) echo "" ;;
    esac
}

# True when this node's L3 agent carries our extension and interface driver.
function wg_routes_hubs {
    wg_is_l3 && [[ -n $(wg_interface_driver) ]]
}

# Puts "wireguard" first in $Q_ML2_PLUGIN_MECHANISM_DRIVERS, once. DevStack
# has no helper for mechanism drivers: the variable is its interface, and
# configure_neutron writes it to the ML2 file.
function wg_mechanism_driver_first {
    local d out=wireguard
    local IFS=,
    for d in ${Q_ML2_PLUGIN_MECHANISM_DRIVERS:-}; do
        [[ -z $d || $d == wireguard ]] || out+=",$d"
    done
    Q_ML2_PLUGIN_MECHANISM_DRIVERS=$out
}

# stack install: code only. Runs before configure_neutron, so nothing may be
# created under /etc here (DevStack hands /etc/neutron to the stack user only
# in configure_neutron; a root-owned directory there breaks it).
function install_networking_wireguard {
    if wg_is_server || wg_is_l3; then
        setup_develop "$NETWORKING_WIREGUARD_DIR"
    fi
    if wg_is_server; then
        wg_mechanism_driver_first
        neutron_ml2_extension_driver_add wireguard
        # the agents' RPC endpoint (q-wireguard-plugin) is this service
        # plugin's start_rpc_listeners (doc/driver.md)
        neutron_service_plugin_class_add wireguard
    fi
    if wg_is_l3; then
        plugin_agent_add_l3_agent_extension wireguard
    fi
    if wg_is_agent; then
        # shellcheck disable=SC2086
        install_package $WG_BUILD_DEPS
        make -C "$NETWORKING_WIREGUARD_DIR" all
        sudo install -d -m 0755 "$WG_PREFIX/bin"
        sudo install -m 0755 "$NETWORKING_WIREGUARD_DIR/build/rel/bin/neutron-wireguard-agent" \
            "$NETWORKING_WIREGUARD_DIR/build/rel/bin/neutron-wireguard" "$WG_PREFIX/bin/"
    fi
}

function wg_stack_group {
    id -gn "$STACK_USER"
}

# stack post-config: /etc/neutron is the stack user's now; DevStack's and
# Neutron's files exist. Lists are DevStack's variables, written again here
# for the L3 agent because only Neutron's own plugin writes
# L3_AGENT_EXTENSIONS and it may not be enabled.
function configure_networking_wireguard {
    if wg_is_server; then
        # routers with hubs stay on their hubs' node (doc/topology.md)
        iniset "$NEUTRON_CONF" DEFAULT router_scheduler_driver \
            networking_wireguard.l3.scheduler.HubAwareScheduler
    fi
    if wg_routes_hubs; then
        iniset "$Q_L3_CONF_FILE" DEFAULT interface_driver "$(wg_interface_driver)"
    fi
    if wg_is_l3; then
        iniset "$Q_L3_CONF_FILE" AGENT extensions "$L3_AGENT_EXTENSIONS"
        iniset "$Q_L3_CONF_FILE" wireguard control_socket "$WG_CONTROL_SOCKET"
    fi
    if wg_is_agent; then
        configure_networking_wireguard_agent
    fi
}

function configure_networking_wireguard_agent {
    sudo install -d -m 0755 "$WG_DATA_DIR"
    sudo install -d -m 0700 -o root -g root "$WG_STATE_PATH"
    sudo install -d -m 0750 -o root -g "$(wg_stack_group)" "$WG_CONTROL_DIR"
    mkdir -p "$WG_AGENT_CONF_DIR"
    iniset "$WG_AGENT_CONF" wireguard WG_HUB_IP "$WG_HUB_IP"
    iniset "$WG_AGENT_CONF" wireguard backend "$WG_BACKEND"
    iniset "$WG_AGENT_CONF" wireguard state_path "$WG_STATE_PATH"
    iniset "$WG_AGENT_CONF" wireguard namespace_prefix "$WG_NAMESPACE_PREFIX"
    iniset "$WG_AGENT_CONF" wireguard listen_port_range "$WG_LISTEN_PORT_RANGE"
    iniset "$WG_AGENT_CONF" wireguard control_socket "$WG_CONTROL_SOCKET"
    iniset "$WG_AGENT_CONF" wireguard privsep "$WG_PRIVSEP"
    if [[ "${WG_PRIVSEP,,}" == true ]]; then
        # the engine's user (it must exist and not be root)
        iniset "$WG_AGENT_CONF" wireguard user "$WG_PRIVSEP_USER"
    fi
    if wg_is_l3; then
        # The L3 agent runs as $STACK_USER: it reaches the socket through
        # this group (the socket is never world-writable).
        iniset "$WG_AGENT_CONF" wireguard control_socket_group "$(wg_stack_group)"
    fi
    if ! wg_routes_hubs; then
        # No L3 agent of ours on this node (ML2/OVN has none at all): no
        # router can take a hub here. Hubs come up unrouted (devices <-> the
        # hub's network); `router add port` with a hub is not supported on
        # this node/backend until OVN support lands.
        echo "networking-wireguard: Q_AGENT=${Q_AGENT:-} without our L3 agent extension on" \
            "this node: hubs come up unrouted; routing a hub (router add port) is not supported"
        iniset "$WG_AGENT_CONF" wireguard hub_up_unrouted True
    fi
}

# The agent reads neutron.conf (transport URL, host), then its own file.
function wg_agent_command {
    echo "$WG_AGENT_BINARY --config-file $NEUTRON_CONF --config-file $WG_AGENT_CONF"
}

function start_networking_wireguard {
    run_process neutron-wireguard-agent "$(wg_agent_command)" "" root
}

function stop_networking_wireguard {
    stop_process neutron-wireguard-agent
}

# Removes what the agent made: links whose alias is ours (in the root
# namespace and in <prefix>* and qrouter-* namespaces), then our empty
# project namespaces. Interfaces without our alias are never touched.
function wg_remove_links_in {
    local ns=$1 ifname
    local ipns=(sudo ip)
    [[ -n $ns ]] && ipns=(sudo ip -n "$ns")
    for ifname in $("${ipns[@]}" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1); do
        if "${ipns[@]}" link show dev "$ifname" | grep -q 'alias neutron-wireguard:'; then
            "${ipns[@]}" link del dev "$ifname" || true
        fi
    done
}

function cleanup_networking_wireguard {
    local ns
    wg_remove_links_in ""
    for ns in $(sudo ip netns list | awk '{print $1}'); do
        case $ns in
        "$WG_NAMESPACE_PREFIX"* | qrouter-*) wg_remove_links_in "$ns" ;;
        *) continue ;;
        esac
        if [[ $ns == "$WG_NAMESPACE_PREFIX"* ]] &&
            ! sudo ip -n "$ns" -o link show | grep -qv ': lo:'; then
            sudo ip netns del "$ns" || true
        fi
    done
}

# clean: everything `install` and `post-config` put on the node.
function clean_networking_wireguard {
    cleanup_networking_wireguard
    sudo rm -f "$WG_PREFIX/bin/neutron-wireguard-agent" "$WG_PREFIX/bin/neutron-wireguard"
    sudo rm -rf "$WG_DATA_DIR" "$WG_AGENT_CONF_DIR"
    pip_uninstall networking-wireguard
}

if [[ $1 == stack ]]; then
    case $2 in
    install)
        echo_summary "Installing networking-wireguard"
        install_networking_wireguard
        ;;
    post-config)
        echo_summary "Configuring networking-wireguard"
        configure_networking_wireguard
        ;;
    extra)
        if wg_is_agent; then
            echo_summary "Starting neutron-wireguard-agent"
            start_networking_wireguard
        fi
        ;;
    esac
elif [[ $1 == unstack ]]; then
    if wg_is_agent; then
        stop_networking_wireguard
    fi
    cleanup_networking_wireguard
elif [[ $1 == clean ]]; then
    clean_networking_wireguard
fi
