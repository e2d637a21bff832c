#!/usr/bin/env bash
# shellcheck disable=SC2030,SC2031 # each stack.sh model runs in its own subshell, on purpose
# The DevStack plugin (devstack/settings, devstack/plugin.sh) run through a
# model of stack.sh / unstack.sh / clean.sh (tests/devstack/stubs.sh):
# phases in DevStack's order under errexit, /etc/neutron root-owned until
# configure_neutron, DevStack's list variables and helpers, Neutron's own
# plugin rewriting lists in post-config (before and after ours), the L3
# agent as the stack user. Asserts the resulting files, owners, modes,
# processes and clean-up. DevStack itself cannot run here (no network).
set -u
cd "$(dirname "$0")/../.." || exit 1
REPO=$(pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export T REPO
# NWG_AGENT_PRIVSEP=1 (the default, as the plugin's WG_PRIVSEP): the plugin
# writes privilege separation with the engine's user; NWG_AGENT_PRIVSEP=0 asks
# for WG_PRIVSEP=False and the plugin must write that, and no user
if [ "${NWG_AGENT_PRIVSEP:-1}" = 1 ]; then
	PS_WANT=True PS_USER=stack
else
	export WG_PRIVSEP=False
	PS_WANT=False PS_USER=""
fi
fails=0 passes=0
check() { # description, expected, actual
	if [ "$2" = "$3" ]; then
		echo "ok   $1"
		passes=$((passes + 1))
	else
		echo "FAIL $1: expected [$2] got [$3]"
		fails=$((fails + 1))
	fi
}
contains() { # description, needle, haystack
	case $3 in *"$2"*)
		echo "ok   $1"
		passes=$((passes + 1)) ;;
	*)
		echo "FAIL $1: [$2] not in [$3]"
		fails=$((fails + 1)) ;;
	esac
}
lacks() { # description, needle, haystack
	case $3 in *"$2"*)
		echo "FAIL $1: [$2] found in [$3]"
		fails=$((fails + 1)) ;;
	*)
		echo "ok   $1"
		passes=$((passes + 1)) ;;
	esac
}

reset() {
	command rm -rf "$T/root" "$T/net" "$T/calls.log" "$T/owners" "$T/vars"
	mkdir -p "$T/root/etc" "$T/root/opt/stack/data" "$T/root/usr/local/bin" "$T/net/root"
	printf '/ root\n/opt/stack stack\n' >"$T/owners"
	: >"$T/calls.log"
}

# stack SERVICES Q_AGENT ORDER: stack.sh's sequence in one shell (plugin
# variables persist between phases, as in stack.sh). ORDER "neutron-first"
# or "ours-first": the order of the two plugins' post-config steps.
stack() {
	(
		set -e
		# shellcheck source=tests/devstack/stubs.sh
		source "$REPO/tests/devstack/stubs.sh"
		STACK_USER=stack DEST=/opt/stack DATA_DIR=/opt/stack/data HOST_IP=192.0.2.10
		NEUTRON_CONF=/etc/neutron/neutron.conf
		Q_PLUGIN_CONF_PATH=etc/neutron/plugins/ml2
		Q_PLUGIN_CONF_FILE=$Q_PLUGIN_CONF_PATH/ml2_conf.ini
		Q_L3_CONF_FILE=/etc/neutron/l3_agent.ini
		ENABLED_SERVICES=$1 Q_AGENT=$2 L3_AGENT_EXTENSIONS=""
		# lib/neutron_plugins/ml2 (+ ovn_agent), sourced before plugin settings
		if [ "$Q_AGENT" = ovn ]; then
			Q_ML2_PLUGIN_MECHANISM_DRIVERS=ovn Q_ML2_PLUGIN_EXT_DRIVERS=port_security,qos
			Q_SERVICE_PLUGIN_CLASSES=ovn-router
		else
			Q_ML2_PLUGIN_MECHANISM_DRIVERS=$Q_AGENT Q_ML2_PLUGIN_EXT_DRIVERS=port_security
			Q_SERVICE_PLUGIN_CLASSES=router
		fi
		PHASE=source
		# shellcheck source=devstack/settings
		source "$REPO/devstack/settings"
		for ph in pre-install install; do
			PHASE=$ph
			# shellcheck source=devstack/plugin.sh
			source "$REPO/devstack/plugin.sh" stack $ph
		done
		configure_neutron
		PHASE=post-config
		if [ "$3" = neutron-first ]; then
			neutron_plugin_post_config
			source "$REPO/devstack/plugin.sh" stack post-config
		else
			source "$REPO/devstack/plugin.sh" stack post-config
			neutron_plugin_post_config
		fi
		[ "${TWICE:-0}" = 1 ] && source "$REPO/devstack/plugin.sh" stack post-config
		for ph in extra test-config; do
			PHASE=$ph
			source "$REPO/devstack/plugin.sh" stack $ph
		done
		echo "Q_ML2_PLUGIN_MECHANISM_DRIVERS=$Q_ML2_PLUGIN_MECHANISM_DRIVERS" >"$T/vars"
	) >"$T/stack.out" 2>&1
	local rc=$?
	[ $rc = 0 ] || { echo "---- stack.sh model failed:"; tail -5 "$T/stack.out"; }
	return $rc
}
# unstack/clean SERVICES: the plugin's unstack and clean phases.
phase() {
	(
		set -e
		# shellcheck source=tests/devstack/stubs.sh
		source "$REPO/tests/devstack/stubs.sh"
		STACK_USER=stack DEST=/opt/stack DATA_DIR=/opt/stack/data HOST_IP=192.0.2.10
		ENABLED_SERVICES=$2 PHASE=$1
		source "$REPO/devstack/settings"
		source "$REPO/devstack/plugin.sh" "$1"
	) >>"$T/stack.out" 2>&1
}

ML2=$T/root/etc/neutron/plugins/ml2/ml2_conf.ini
AGENT=$T/root/etc/neutron/plugins/wireguard/wireguard_agent.ini
L3=$T/root/etc/neutron/l3_agent.ini
get() { /usr/bin/python3 -c 'import configparser,sys; c=configparser.RawConfigParser(); c.optionxform=str; c.read(sys.argv[1]); print(c.get(sys.argv[2], sys.argv[3], fallback=""))' "$@"; }
calls() { grep "^$1|" "$T/calls.log" | cut -d'|' -f2-; }
own() { awk -v p="$1" '$1 == p { o = $2 " " $3 " " $4 } END { print o }' "$T/owners"; }
count() { tr , '\n' <<<"$2" | grep -cx "$1"; }

ALL=q-svc,q-l3,q-agt,neutron-wireguard-agent
for order in neutron-first ours-first; do
	echo "# ML2/OVS all-in-one ($ALL), Neutron's plugin post-config $order"
	reset
	check "stack.sh completes" 0 "$(stack "$ALL" openvswitch $order; echo $?)"
	check "install phase writes nothing under /etc" "" "$(calls install | grep -E '/etc|install-bin')"
	check "nothing denied" "" "$(grep DENIED "$T/calls.log")"
	check "/etc/neutron/plugins is the stack user's" "stack" "$(own /etc/neutron/plugins | cut -d' ' -f1)"
	check "ml2 mechanism_drivers: wireguard first" "wireguard,openvswitch" "$(get "$ML2" ml2 mechanism_drivers)"
	check "ml2 extension_drivers keep port_security + wireguard" "port_security,wireguard" "$(get "$ML2" ml2 extension_drivers)"
	check "service_plugins: router + wireguard (the agents' RPC endpoint)" "router,wireguard" "$(get "$T/root/etc/neutron/neutron.conf" DEFAULT service_plugins)"
	check "l3 agent extensions carry wireguard" "wireguard" "$(get "$L3" AGENT extensions)"
	check "l3 interface_driver wireguard_openvswitch" "wireguard_openvswitch" "$(get "$L3" DEFAULT interface_driver)"
	check "l3 agent finds the control socket" "/opt/stack/data/neutron/wireguard/control/agent.sock" "$(get "$L3" wireguard control_socket)"
	check "agent control_socket under \$DATA_DIR" "/opt/stack/data/neutron/wireguard/control/agent.sock" "$(get "$AGENT" wireguard control_socket)"
	check "agent control_socket_group = the L3 agent user's group" "stack" "$(get "$AGENT" wireguard control_socket_group)"
	check "control socket dir root:stack 0750" "root stack 0750" "$(own /opt/stack/data/neutron/wireguard/control)"
	check "agent state under \$DATA_DIR" "/opt/stack/data/neutron/wireguard/repo" "$(get "$AGENT" wireguard state_path)"
	check "key repository root-only 0700" "root root 0700" "$(own /opt/stack/data/neutron/wireguard/repo)"
	check "agent WG_HUB_IP = HOST_IP" "192.0.2.10" "$(get "$AGENT" wireguard WG_HUB_IP)"
	check "hubs routed (no hub_up_unrouted)" "" "$(get "$AGENT" wireguard hub_up_unrouted)"
	check "agent privsep = WG_PRIVSEP ($PS_WANT)" "$PS_WANT" "$(get "$AGENT" wireguard privsep)"
	check "engine user (privsep only): [$PS_USER]" "$PS_USER" "$(get "$AGENT" wireguard user)"
	check "python package installed" "setup_develop /opt/stack/networking-wireguard" "$(calls install | grep setup_develop)"
	check "agent built as the stack user" "make -C /opt/stack/networking-wireguard all as stack" "$(calls install | grep '^make')"
	check "agent runs as root on neutron.conf + its file" \
		"run_process|neutron-wireguard-agent|/usr/local/bin/neutron-wireguard-agent --config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/wireguard/wireguard_agent.ini||root" \
		"$(calls extra | grep run_process)"
	check "neutron-api needs no file but neutron.conf and ml2_conf.ini" "" "$(grep neutron_server_config_add "$T/calls.log")"
done

echo "# post-config twice: lists hold wireguard once"
reset
TWICE=1 stack "$ALL" openvswitch neutron-first >/dev/null
check "extension_drivers once" 1 "$(count wireguard "$(get "$ML2" ml2 extension_drivers)")"
check "l3 extensions once" 1 "$(count wireguard "$(get "$L3" AGENT extensions)")"
check "mechanism_drivers once" 1 "$(count wireguard "$(get "$ML2" ml2 mechanism_drivers)")"

echo "# DevStack's default: ML2/OVN, no q-l3"
reset
check "stack.sh completes" 0 "$(stack q-svc,ovn-controller,neutron-wireguard-agent ovn neutron-first; echo $?)"
check "ml2 mechanism_drivers: wireguard before ovn" "wireguard,ovn" "$(get "$ML2" ml2 mechanism_drivers)"
check "ml2 extension_drivers" "port_security,qos,wireguard" "$(get "$ML2" ml2 extension_drivers)"
check "OVN service_plugins: ovn-router + wireguard" "ovn-router,wireguard" "$(get "$T/root/etc/neutron/neutron.conf" DEFAULT service_plugins)"
check "OVN: hubs come up unrouted" "True" "$(get "$AGENT" wireguard hub_up_unrouted)"
contains "OVN: says routing a hub is not supported" "routing a hub (router add port) is not supported" "$(cat "$T/stack.out")"
check "OVN: no l3_agent.ini written" "no" "$([ -e "$L3" ] && echo yes || echo no)"
check "OVN: no control_socket_group without an L3 agent" "" "$(get "$AGENT" wireguard control_socket_group)"

echo "# controller only (q-svc, no agent)"
reset
check "stack.sh completes" 0 "$(stack q-svc,q-agt openvswitch ours-first; echo $?)"
contains "driver package installed on the controller" "setup_develop" "$(calls install)"
check "mechanism_drivers" "wireguard,openvswitch" "$(get "$ML2" ml2 mechanism_drivers)"
lacks "no agent build on the controller" "make -C" "$(cat "$T/calls.log")"
lacks "no agent started" "run_process" "$(cat "$T/calls.log")"
check "no agent config" "no" "$([ -e "$AGENT" ] && echo yes || echo no)"

echo "# network node (agent + q-l3, no q-svc)"
reset
check "stack.sh completes" 0 "$(stack q-agt,q-l3,neutron-wireguard-agent openvswitch neutron-first; echo $?)"
contains "package installed for the L3 extension" "setup_develop" "$(calls install)"
check "server lists left alone" "Q_ML2_PLUGIN_MECHANISM_DRIVERS=openvswitch" "$(cat "$T/vars")"
check "l3 interface_driver" "wireguard_openvswitch" "$(get "$L3" DEFAULT interface_driver)"

echo "# unstack: stop, remove only our links, remove our emptied namespaces"
reset
mkdir -p "$T/net/tun-p1" "$T/net/qrouter-r1" "$T/net/other"
echo "    alias neutron-wireguard:1111" >"$T/net/tun-p1/wg-1111"
: >"$T/net/tun-p1/lo"
echo "    alias neutron-wireguard:2222" >"$T/net/qrouter-r1/qr-2222"
echo "    alias something-else" >"$T/net/qrouter-r1/qr-3333"
echo "    alias neutron-wireguard:4444" >"$T/net/other/wg-4444"
echo "    alias neutron-wireguard:5555" >"$T/net/root/wg-5555"
: >"$T/net/root/wg0"
phase unstack "$ALL"
c=$(cat "$T/calls.log")
contains "unstack stops the agent" "stop_process|neutron-wireguard-agent" "$c"
contains "root ns hub removed" "ip -n root link del wg-5555" "$c"
contains "project ns hub removed" "ip -n tun-p1 link del wg-1111" "$c"
contains "router ns hub removed" "ip -n qrouter-r1 link del qr-2222" "$c"
contains "emptied project ns removed" "ip netns del tun-p1" "$c"
check "foreign link kept" "yes" "$([ -e "$T/net/qrouter-r1/qr-3333" ] && echo yes)"
check "operator wg0 kept" "yes" "$([ -e "$T/net/root/wg0" ] && echo yes)"
check "other namespaces untouched" "yes" "$([ -e "$T/net/other/wg-4444" ] && echo yes)"

echo "# clean after a full stack: nothing of ours left"
reset
stack "$ALL" openvswitch neutron-first >/dev/null
phase unstack "$ALL"
phase clean "$ALL"
check "clean succeeds" 0 $?
left=$(cd "$T/root" && find . \( -path '*wireguard*' -o -name 'neutron-wireguard*' \) | sort | tr '\n' ' ')
check "no file or directory of ours left" "" "$left"
contains "python package uninstalled" "pip_uninstall networking-wireguard" "$(calls clean)"

echo "# zuul.d/ and playbooks/: static check (no Zuul here)"
if /usr/bin/python3 "$REPO/tests/devstack/zuul_check.py" "$REPO"; then
	echo "ok   zuul jobs and playbooks"
	passes=$((passes + 1))
else
	echo "FAIL zuul jobs and playbooks"
	fails=$((fails + 1))
fi
if shellcheck -x "$REPO/devstack/plugin.sh" "$REPO/devstack/settings" "$REPO/devstack/gate-check.sh" \
	"$REPO/tests/devstack/stubs.sh"; then
	echo "ok   shellcheck"
	passes=$((passes + 1))
else
	echo "FAIL shellcheck"
	fails=$((fails + 1))
fi
echo "devstack: $passes passed, $fails failed"
[ $fails = 0 ]
