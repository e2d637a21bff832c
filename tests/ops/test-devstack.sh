#!/usr/bin/env bash
# Sources devstack/settings and devstack/plugin.sh under stubs of the devstack
# functions they call and asserts the resulting ini values, process command
# lines and clean-up actions. DevStack itself cannot run here (no network).
set -u
cd "$(dirname "$0")/../.." || exit 1
REPO=$(pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # description, expected, actual
	if [ "$2" = "$3" ]; then echo "ok   $1"; else
		echo "FAIL $1: expected [$2] got [$3]"
		fails=$((fails + 1))
	fi
}
contains() { # description, needle, haystack
	case $3 in *"$2"*) echo "ok   $1" ;; *)
		echo "FAIL $1: [$2] not in [$3]"
		fails=$((fails + 1)) ;;
	esac
}

cat >"$T/stubs.sh" <<'STUBS'
CALLS=$T/calls.log
ini_py() { /usr/bin/python3 - "$@" <<'PY'
import configparser, sys
op, path, sec, key = sys.argv[1:5]
c = configparser.RawConfigParser(strict=False, interpolation=None)
c.optionxform = str
c.read(path)
if op == "get":
    print(c.get(sec, key, fallback=""))
else:
    if sec != "DEFAULT" and not c.has_section(sec):
        c.add_section(sec)
    c.set(sec, key, sys.argv[5])
    with open(path, "w") as f:
        c.write(f)
PY
}
iniset() { ini_py set "$T/root$1" "$2" "$3" "$4"; }
iniget() { ini_py get "$T/root$1" "$2" "$3"; }
is_service_enabled() { local s; for s in "$@"; do [[ ,$ENABLED_SERVICES, == *",$s,"* ]] && return 0; done; return 1; }
enable_service() { ENABLED_SERVICES+=",$1"; }
define_plugin() { :; }
plugin_requires() { :; }
echo_summary() { :; }
install_package() { echo "install_package $*" >>"$CALLS"; }
setup_develop() { echo "setup_develop $*" >>"$CALLS"; }
make() { echo "make $*" >>"$CALLS"; }
run_process() { echo "run_process|$1|$2|$3|$4" >>"$CALLS"; }
stop_process() { echo "stop_process|$1" >>"$CALLS"; }
sudo() { "$@"; }
install() { :; }
rm() { echo "rm $*" >>"$CALLS"; }
# A fake `ip`: namespaces and links live in files under $T/net.
ip() {
	local ns=root
	if [ "$1" = -n ]; then ns=$2; shift 2; fi
	case "$1 $2" in
	"netns list") ls "$T/net" | grep -v '^root$' ;;
	"netns del") echo "ip netns del $3" >>"$CALLS"; command rm -rf "${T:?}/net/$3" ;;
	"-o link") local n=0 l; for l in $(ls "$T/net/$ns"); do n=$((n + 1)); echo "$n: $l: <UP> mtu 1420"; done ;;
	"link show") echo "2: $4: <NOARP> mtu 1420"; cat "$T/net/$ns/$4" ;;
	"link del") echo "ip -n $ns link del $4" >>"$CALLS"; command rm -f "$T/net/$ns/$4" ;;
	*) echo "unexpected ip $*" >>"$CALLS"; return 1 ;;
	esac
}
STUBS

run_devstack() { # phase args...
	(
		export T
		# shellcheck disable=SC1091
		source "$T/stubs.sh"
		DEST=/opt/stack HOST_IP=192.0.2.10 NEUTRON_CONF=/etc/neutron/neutron.conf
		Q_PLUGIN_CONF_FILE=etc/neutron/plugins/ml2/ml2_conf.ini
		Q_L3_CONF_FILE=/etc/neutron/l3_agent.ini
		Q_ML2_PLUGIN_MECHANISM_DRIVERS=${MECH:-}
		export ENABLED_SERVICES=$SERVICES
		WG_AGENT_CONF_DIR=/etc/neutron/plugins/wireguard
		# shellcheck disable=SC1091
		source "$REPO/devstack/settings"
		echo "$Q_ML2_PLUGIN_MECHANISM_DRIVERS" >"$T/mech"
		# shellcheck disable=SC1091
		source "$REPO/devstack/plugin.sh" "$@"
	)
}

reset() {
	command rm -rf "$T/root" "$T/net" "$T/calls.log"
	mkdir -p "$T/root/etc/neutron/plugins/ml2" "$T/root/etc/neutron/plugins/wireguard" "$T/net/root"
	printf '[ml2]\nmechanism_drivers = openvswitch,wireguard\nextension_drivers = port_security\n' \
		>"$T/root/etc/neutron/plugins/ml2/ml2_conf.ini"
	printf '[agent]\nextensions = port_forwarding\n' >"$T/root/etc/neutron/l3_agent.ini"
	: >"$T/calls.log"
}
ML2=$T/root/etc/neutron/plugins/ml2/ml2_conf.ini
AGENT=$T/root/etc/neutron/plugins/wireguard/wireguard_agent.ini
L3=$T/root/etc/neutron/l3_agent.ini
get() { /usr/bin/python3 -c 'import configparser,sys; c=configparser.RawConfigParser(); c.optionxform=str; c.read(sys.argv[1]); print(c.get(sys.argv[2], sys.argv[3], fallback=""))' "$@"; }

# settings: wireguard goes first in Q_ML2_PLUGIN_MECHANISM_DRIVERS, once
reset; SERVICES=q-svc MECH="" run_devstack stack pre-install
check "settings default mech" "wireguard,openvswitch" "$(cat "$T/mech")"
reset; SERVICES=q-svc MECH=linuxbridge,l2population run_devstack stack pre-install
check "settings prepends" "wireguard,linuxbridge,l2population" "$(cat "$T/mech")"
reset; SERVICES=q-svc MECH=wireguard,openvswitch run_devstack stack pre-install
check "settings idempotent" "wireguard,openvswitch" "$(cat "$T/mech")"

# install: build deps, python package, C programs
reset; SERVICES=q-svc run_devstack stack install
contains "install builds deps" "install_package build-essential" "$(cat "$T/calls.log")"
contains "install python package" "setup_develop /opt/stack/networking-wireguard" "$(cat "$T/calls.log")"
contains "install C programs" "install-bin PREFIX=/usr/local" "$(cat "$T/calls.log")"

# post-config without q-l3
reset; SERVICES=q-svc run_devstack stack post-config
check "ml2 mechanism_drivers wireguard first" "wireguard,openvswitch" "$(get "$ML2" ml2 mechanism_drivers)"
check "ml2 extension_drivers" "port_security,wireguard" "$(get "$ML2" ml2 extension_drivers)"
check "agent WG_HUB_IP = HOST_IP" "192.0.2.10" "$(get "$AGENT" wireguard WG_HUB_IP)"
check "agent backend" "auto" "$(get "$AGENT" wireguard backend)"
check "agent state_path" "/var/lib/neutron/wireguard" "$(get "$AGENT" wireguard state_path)"
check "l3 untouched without q-l3" "port_forwarding" "$(get "$L3" agent extensions)"

# post-config with q-l3, run twice (idempotent), WG_HUB_IP overridden
reset; SERVICES=q-svc,q-l3 run_devstack stack post-config
SERVICES=q-svc,q-l3 WG_HUB_IP=203.0.113.5 run_devstack stack post-config
check "l3 extension added once" "port_forwarding,wireguard" "$(get "$L3" agent extensions)"
check "ml2 still once" "wireguard,openvswitch" "$(get "$ML2" ml2 mechanism_drivers)"
check "WG_HUB_IP honoured" "203.0.113.5" "$(get "$AGENT" wireguard WG_HUB_IP)"

# extra: the agent runs as root with neutron.conf, its file, then the plugin file
reset; SERVICES=q-svc run_devstack stack extra
check "run_process command line" \
	"run_process|neutron-wireguard-agent|/usr/local/bin/neutron-wireguard-agent --config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/wireguard/wireguard_agent.ini --config-file /etc/neutron/plugins/ml2/ml2_conf.ini||root" \
	"$(grep run_process "$T/calls.log")"

# phases the plugin does not use: nothing happens
reset; SERVICES=q-svc run_devstack stack test-config
check "other phases do nothing" "" "$(cat "$T/calls.log")"

# unstack: stop, remove only our links, remove our emptied namespaces
reset
mkdir -p "$T/net/tun-p1" "$T/net/qrouter-r1" "$T/net/other"
echo "    alias neutron-wireguard:1111" >"$T/net/tun-p1/wg-1111"
: >"$T/net/tun-p1/lo"
echo "    alias neutron-wireguard:2222" >"$T/net/qrouter-r1/qr-2222"
echo "    alias something-else" >"$T/net/qrouter-r1/qr-3333"
echo "    alias neutron-wireguard:4444" >"$T/net/other/wg-4444"
echo "    alias neutron-wireguard:5555" >"$T/net/root/wg-5555"
: >"$T/net/root/wg0"
SERVICES=q-svc run_devstack unstack
calls=$(cat "$T/calls.log")
contains "unstack stops the agent" "stop_process|neutron-wireguard-agent" "$calls"
contains "root ns hub removed" "ip -n root link del wg-5555" "$calls"
contains "project ns hub removed" "ip -n tun-p1 link del wg-1111" "$calls"
contains "router ns hub removed" "ip -n qrouter-r1 link del qr-2222" "$calls"
contains "emptied project ns removed" "ip netns del tun-p1" "$calls"
check "foreign link kept" "yes" "$([ -e "$T/net/qrouter-r1/qr-3333" ] && echo yes)"
check "operator wg0 kept" "yes" "$([ -e "$T/net/root/wg0" ] && echo yes)"
check "other namespaces untouched" "yes" "$([ -e "$T/net/other/wg-4444" ] && echo yes)"
check "router ns kept" "yes" "$([ -d "$T/net/qrouter-r1" ] && echo yes)"

# clean: state removed
reset; SERVICES=q-svc run_devstack clean
contains "clean removes state" "rm -rf /var/lib/neutron/wireguard" "$(cat "$T/calls.log")"

if shellcheck -x "$REPO/devstack/plugin.sh" "$REPO/devstack/settings"; then echo "ok   shellcheck"; else
	echo "FAIL shellcheck"; fails=$((fails + 1)); fi
[ $fails = 0 ]
