# shellcheck shell=bash
# shellcheck disable=SC2032,SC2033,SC2010,SC2045 # a model: functions stand in for commands
# A model of the parts of DevStack (master, stable/2025.1-2025.2) that the
# plugin meets, sourced by tests/devstack/run.sh. Real DevStack cannot run
# here (no network to clone it), so this models what matters, as DevStack's
# own code does it:
#  - the node's filesystem is $T/root; every absolute path maps into it;
#    each created path records its owner (root under sudo, else the stack
#    user) in $T/owners; a write into a directory the stack user does not own
#    fails, as it does on a real node (iniset without -sudo, mkdir -p);
#  - configure_neutron runs `sudo install -d -o $STACK_USER /etc/neutron`
#    then `mkdir -p /etc/neutron/plugins/ml2` as the stack user (fails when a
#    root-owned directory is already there), and writes the ML2 lists from
#    Q_ML2_PLUGIN_MECHANISM_DRIVERS / Q_ML2_PLUGIN_EXT_DRIVERS;
#  - Neutron's own DevStack plugin, in post-config, rewrites
#    [ml2] extension_drivers and the L3 agent's [AGENT] extensions from
#    Q_ML2_PLUGIN_EXT_DRIVERS / L3_AGENT_EXTENSIONS;
#  - every phase runs under errexit, like stack.sh.
# Calls are logged to $CALLS as "<phase>|<call>".

CALLS=$T/calls.log
PHASE=none
p() { case $1 in /*) echo "$T/root$1" ;; *) echo "$T/root/$1" ;; esac; }
log() { echo "$PHASE|$*" >>"$CALLS"; }

# owner PATH: the recorded owner of PATH or of its nearest recorded parent.
owner() {
	local d=$1 o
	while :; do
		o=$(awk -v p="$d" '$1 == p { o = $2 } END { print o }' "$T/owners")
		[ -n "$o" ] && { echo "$o"; return; }
		[ "$d" = / ] && { echo root; return; }
		d=$(dirname "$d")
	done
}
record() { echo "$1 ${2:-$(whoami_model)} ${3:-} ${4:-}" >>"$T/owners"; }
whoami_model() { if [ "${AS_ROOT:-0}" = 1 ]; then echo root; else echo "$STACK_USER"; fi; }
# may_write PATH: the current user may create or change PATH.
may_write() {
	local d=$1
	[ "${AS_ROOT:-0}" = 1 ] && return 0
	[ -e "$(p "$d")" ] && [ ! -d "$(p "$d")" ] && d=$(dirname "$d")
	while [ ! -e "$(p "$d")" ]; do d=$(dirname "$d"); done
	[ "$(owner "$d")" = "$STACK_USER" ] && return 0
	echo "permission denied: $1 ($d belongs to $(owner "$d"))" >&2
	log "DENIED $1"
	return 1
}

sudo() {
	if [ "$1" = -u ]; then shift 2; fi
	AS_ROOT=1 "$@"
}
mkdir() {
	local a path=""
	for a in "$@"; do case $a in -*) ;; *) path=$a ;; esac; done
	log "mkdir $path as $(whoami_model)"
	may_write "$path" || return 1
	local d=$path todo=()
	while [ ! -e "$(p "$d")" ]; do todo=("$d" "${todo[@]}"); d=$(dirname "$d"); done
	command mkdir -p "$(p "$path")"
	for d in "${todo[@]}"; do record "$d"; done
}
install() {
	local dir=0 mode="" o="" g="" args=()
	while [ $# -gt 0 ]; do
		case $1 in
		-d) dir=1 ;;
		-m) mode=$2; shift ;;
		-o) o=$2; shift ;;
		-g) g=$2; shift ;;
		*) args+=("$1") ;;
		esac
		shift
	done
	log "install dir=$dir mode=$mode owner=${o:-$(whoami_model)} group=$g ${args[*]}"
	if [ $dir = 1 ]; then
		local a
		for a in "${args[@]}"; do
			may_write "$a" || return 1
			local d=$a todo=()
			while [ ! -e "$(p "$d")" ]; do todo=("$d" "${todo[@]}"); d=$(dirname "$d"); done
			command mkdir -p "$(p "$a")"
			for d in "${todo[@]}"; do record "$d"; done
			record "$a" "${o:-$(whoami_model)}" "$g" "$mode"
		done
	else
		local dest=${args[-1]} f
		may_write "$dest" || return 1
		for f in "${args[@]:0:${#args[@]}-1}"; do
			: >"$(p "$dest")/$(basename "$f")"
			record "$dest/$(basename "$f")" "${o:-$(whoami_model)}" "$g" "$mode"
		done
	fi
}
rm() {
	local a
	log "rm $* as $(whoami_model)"
	for a in "$@"; do
		case $a in -*) ;; *) may_write "$a" || return 1; command rm -rf "$(p "$a")" ;; esac
	done
}
id() { [ "$1" = -gn ] && echo "$2"; }

# inc/ini-config: iniset [-sudo] FILE SECTION OPTION VALUE; iniget.
ini_py() {
	/usr/bin/python3 - "$@" <<'PY'
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
iniset() {
	local AS_ROOT=${AS_ROOT:-0}
	if [ "$1" = -sudo ]; then AS_ROOT=1; shift; fi
	log "iniset $1 [$2] $3 = $4 as $(whoami_model)"
	may_write "$1" || return 1
	[ -d "$(p "$(dirname "$1")")" ] || { echo "iniset: no directory for $1" >&2; return 1; }
	[ -e "$(p "$1")" ] || record "$1"
	ini_py set "$(p "$1")" "$2" "$3" "$4"
}
iniget() { ini_py get "$(p "$1")" "$2" "$3"; }

# functions-common / inc/python / lib/neutron helpers.
is_service_enabled() {
	local s
	for s in "$@"; do [[ ,$ENABLED_SERVICES, == *",$s,"* ]] && return 0; done
	return 1
}
enable_service() { ENABLED_SERVICES+=",$1"; }
define_plugin() { :; }
plugin_requires() { :; }
echo_summary() { :; }
install_package() { log "install_package $*"; }
setup_develop() { log "setup_develop $*"; }
pip_uninstall() { log "pip_uninstall $*"; }
# The repo's Makefile: install-bin also creates the sample config's directory.
make() {
	log "make $* as $(whoami_model)"
	if [[ " $* " == *" install-bin "* ]]; then
		mkdir -p /etc/neutron/plugins/wireguard
	fi
}
run_process() { log "run_process|$1|$2|$3|$4"; }
stop_process() { log "stop_process|$1"; }
neutron_server_config_add() { log "neutron_server_config_add $*"; }
neutron_ml2_extension_driver_add() {
	if [[ -z $Q_ML2_PLUGIN_EXT_DRIVERS ]]; then
		Q_ML2_PLUGIN_EXT_DRIVERS=$1
	elif [[ ! ,$Q_ML2_PLUGIN_EXT_DRIVERS, =~ ,$1, ]]; then
		Q_ML2_PLUGIN_EXT_DRIVERS+=",$1"
	fi
}
neutron_service_plugin_class_add() {
	if [[ -z $Q_SERVICE_PLUGIN_CLASSES ]]; then
		Q_SERVICE_PLUGIN_CLASSES=$1
	elif [[ ! ,$Q_SERVICE_PLUGIN_CLASSES, =~ ,$1, ]]; then
		Q_SERVICE_PLUGIN_CLASSES+=",$1"
	fi
}
plugin_agent_add_l3_agent_extension() {
	if [[ -z $L3_AGENT_EXTENSIONS ]]; then
		L3_AGENT_EXTENSIONS=$1
	elif [[ ! ,$L3_AGENT_EXTENSIONS, =~ ,$1, ]]; then
		L3_AGENT_EXTENSIONS+=",$1"
	fi
}

# lib/neutron configure_neutron (the parts that touch what we touch).
configure_neutron() {
	PHASE=configure_neutron
	sudo install -d -o "$STACK_USER" /etc/neutron
	mkdir -p "/$Q_PLUGIN_CONF_PATH"
	iniset "$NEUTRON_CONF" DEFAULT state_path "$DATA_DIR/neutron"
	iniset "$NEUTRON_CONF" DEFAULT service_plugins "$Q_SERVICE_PLUGIN_CLASSES"
	iniset "/$Q_PLUGIN_CONF_FILE" ml2 mechanism_drivers "$Q_ML2_PLUGIN_MECHANISM_DRIVERS"
	iniset "/$Q_PLUGIN_CONF_FILE" ml2 extension_drivers "$Q_ML2_PLUGIN_EXT_DRIVERS"
	if is_service_enabled q-l3 neutron-l3; then
		local ifd=openvswitch
		[ "$Q_AGENT" = linuxbridge ] && ifd=linuxbridge
		iniset "$Q_L3_CONF_FILE" DEFAULT interface_driver "$ifd"
	fi
}
# neutron/devstack/plugin.sh post-config: rewrites the lists from the variables.
neutron_plugin_post_config() {
	iniset "/$Q_PLUGIN_CONF_FILE" ml2 extension_drivers "$Q_ML2_PLUGIN_EXT_DRIVERS"
	if is_service_enabled q-l3 neutron-l3; then
		iniset "$Q_L3_CONF_FILE" AGENT extensions "$L3_AGENT_EXTENSIONS"
	fi
}

# A fake `ip`: namespaces and links live in files under $T/net.
ip() {
	local ns=root
	if [ "$1" = -n ]; then ns=$2; shift 2; fi
	case "$1 $2" in
	"netns list") ls "$T/net" | grep -v '^root$' ;;
	"netns del") log "ip netns del $3"; command rm -rf "${T:?}/net/$3" ;;
	"-o link") local n=0 l; for l in $(ls "$T/net/$ns"); do n=$((n + 1)); echo "$n: $l: <UP> mtu 1420"; done ;;
	"link show") echo "2: $4: <NOARP> mtu 1420"; cat "$T/net/$ns/$4" ;;
	"link del") log "ip -n $ns link del $4"; command rm -f "$T/net/$ns/$4" ;;
	*) log "unexpected ip $*"; return 1 ;;
	esac
}
