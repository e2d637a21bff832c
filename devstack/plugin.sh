#!/usr/bin/env bash
# shellcheck shell=bash
# DevStack plugin for networking-wireguard: the ML2 driver (Python, in
# neutron-server), the C agent neutron-wireguard-agent and the L3 agent
# extension. Phases: stack pre-install|install|post-config|extra, unstack,
# clean.

# Puts $1 first in a comma-separated list, once.
function wg_list_first {
    local item=$1 list=$2 x
    local out=$item
    local IFS=,
    for x in $list; do
        [[ -z $x || $x == "$item" ]] || out+=",$x"
    done
    echo "$out"
}

# Appends $1 to a comma-separated list unless present.
function wg_list_append {
    local item=$1 list=$2
    if [[ -z $list ]]; then
        echo "$item"
    elif [[ ,$list, == *",$item,"* ]]; then
        echo "$list"
    else
        echo "$list,$item"
    fi
}

function install_networking_wireguard {
    # shellcheck disable=SC2086
    install_package $WG_BUILD_DEPS
    setup_develop "$NETWORKING_WIREGUARD_DIR"
    make -C "$NETWORKING_WIREGUARD_DIR"
    sudo make -C "$NETWORKING_WIREGUARD_DIR" install-bin PREFIX="$WG_PREFIX"
}

function configure_networking_wireguard {
    local mech ext
    mech=$(iniget "/$Q_PLUGIN_CONF_FILE" ml2 mechanism_drivers)
    iniset "/$Q_PLUGIN_CONF_FILE" ml2 mechanism_drivers "$(wg_list_first wireguard "$mech")"
    ext=$(iniget "/$Q_PLUGIN_CONF_FILE" ml2 extension_drivers)
    iniset "/$Q_PLUGIN_CONF_FILE" ml2 extension_drivers "$(wg_list_append wireguard "$ext")"

    sudo install -d -m 0755 "$WG_AGENT_CONF_DIR"
    sudo install -d -m 0700 "$WG_STATE_PATH"
    iniset "$WG_AGENT_CONF" wireguard WG_HUB_IP "$WG_HUB_IP"
    iniset "$WG_AGENT_CONF" wireguard backend "$WG_BACKEND"
    iniset "$WG_AGENT_CONF" wireguard state_path "$WG_STATE_PATH"
    iniset "$WG_AGENT_CONF" wireguard namespace_prefix "$WG_NAMESPACE_PREFIX"
    iniset "$WG_AGENT_CONF" wireguard listen_port_range "$WG_LISTEN_PORT_RANGE"

    if is_service_enabled q-l3 neutron-l3; then
        local l3ext
        l3ext=$(iniget "$Q_L3_CONF_FILE" agent extensions)
        iniset "$Q_L3_CONF_FILE" agent extensions "$(wg_list_append wireguard "$l3ext")"
        # hubs as router interfaces: our wrapper of the backend's interface
        # driver, and routers kept on their hubs' node (doc/topology.md)
        case ${Q_AGENT:-openvswitch} in
        openvswitch) iniset "$Q_L3_CONF_FILE" DEFAULT interface_driver wireguard_openvswitch ;;
        linuxbridge) iniset "$Q_L3_CONF_FILE" DEFAULT interface_driver wireguard_linuxbridge ;;
        *) echo "networking-wireguard: no WireGuard L3 interface driver for Q_AGENT=$Q_AGENT:" \
            "hubs cannot be router interfaces with it" ;;
        esac
        iniset "$NEUTRON_CONF" DEFAULT router_scheduler_driver \
            networking_wireguard.l3.scheduler.HubAwareScheduler
    fi
}

# The agent reads neutron.conf, its own file, then the ML2 plugin file, so
# a [wireguard] WG_HUB_IP set by post-config in the plugin file wins.
function wg_agent_command {
    echo "$WG_AGENT_BINARY --config-file $NEUTRON_CONF --config-file $WG_AGENT_CONF --config-file /$Q_PLUGIN_CONF_FILE"
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

if is_service_enabled neutron-wireguard-agent; then
    if [[ $1 == stack && $2 == install ]]; then
        echo_summary "Installing networking-wireguard"
        install_networking_wireguard
    elif [[ $1 == stack && $2 == post-config ]]; then
        echo_summary "Configuring networking-wireguard"
        configure_networking_wireguard
    elif [[ $1 == stack && $2 == extra ]]; then
        echo_summary "Starting neutron-wireguard-agent"
        start_networking_wireguard
    fi
    if [[ $1 == unstack ]]; then
        stop_networking_wireguard
        cleanup_networking_wireguard
    fi
    if [[ $1 == clean ]]; then
        cleanup_networking_wireguard
        sudo rm -rf "$WG_STATE_PATH"
    fi
fi
