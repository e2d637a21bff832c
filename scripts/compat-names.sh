#!/usr/bin/env bash
# Which Neutron / neutron-lib names networking-wireguard uses exist in which
# release (the table of doc/compat.md). Reads two git clones (any with the
# release branches): compat-names.sh NEUTRON_GIT_DIR NEUTRON_LIB_GIT_DIR
# A name exists on a branch when its file there defines it (class/def/
# assignment, module level or one indentation level).
set -u
[ $# = 2 ] || { echo "usage: $0 NEUTRON_GIT_DIR NEUTRON_LIB_GIT_DIR" >&2; exit 2; }
N=$1 L=$2
BRANCHES=${COMPAT_BRANCHES:-unmaintained/zed unmaintained/2024.1 stable/2025.1 stable/2025.2 master}
row() { # repo path name
	local repo=$1 path=$2 name=$3 line br
	line="| \`${path%.py}\`: \`$name\` |"
	for br in $BRANCHES; do
		if git -C "$repo" show "$br:$path" 2>/dev/null |
			grep -Eq "^( {4})?(class $name\b|def $name\b|$name *=)"; then
			line="$line yes |"
		else
			line="$line **no** |"
		fi
	done
	echo "$line"
}
hdr="| name |" sep="|---|"
for br in $BRANCHES; do hdr="$hdr ${br#*/} |" sep="$sep---|"; done
echo "$hdr"
echo "$sep"
while read -r repo path name; do
	[ -n "$repo" ] || continue
	case $repo in n) repo=$N ;; l) repo=$L ;; esac
	row "$repo" "$path" "$name"
done <<'LIST'
n neutron/db/models_v2.py Port
n neutron/db/models_v2.py Network
n neutron/db/models_v2.py Subnet
n neutron/db/models_v2.py IPAllocation
n neutron/db/models/l3.py RouterPort
n neutron/plugins/ml2/models.py PortBinding
n neutron/objects/ports.py PortBinding
n neutron/plugins/ml2/drivers/mech_agent.py AgentMechanismDriverBase
n neutron/api/extensions.py append_api_extensions_path
n neutron/service.py RpcWorker
n neutron/common/utils.py fixed_ip_cidrs
n neutron/agent/linux/interface.py LinuxInterfaceDriver
n neutron/agent/linux/interface.py OVSInterfaceDriver
n neutron/agent/linux/interface.py BridgeInterfaceDriver
n neutron/agent/linux/ip_lib.py IPDevice
n neutron/agent/l3/legacy_router.py LegacyRouter
n neutron/agent/l3/router_info.py internal_network_added
n neutron/agent/l3/router_info.py internal_network_updated
n neutron/agent/l3/router_info.py internal_network_removed
n neutron/agent/l3/l3_agent_extension_api.py register_router
n neutron/db/migration/__init__.py ZED
n neutron/db/migration/cli.py EXPAND_BRANCH
n neutron/db/migration/cli.py CONTRACT_BRANCH
n neutron/db/migration/connection.py DBConnection
l neutron_lib/plugins/ml2/api.py MechanismDriver
l neutron_lib/plugins/ml2/api.py ExtensionDriver
l neutron_lib/services/base.py ServicePluginBase
l neutron_lib/agent/l3_extension.py L3AgentExtension
l neutron_lib/api/extensions.py APIExtensionDescriptor
l neutron_lib/api/definitions/portbindings.py CONNECTIVITY_L3
l neutron_lib/api/definitions/portbindings.py VIF_DETAILS_CONNECTIVITY
l neutron_lib/constants.py ROUTER_INTERFACE_OWNERS
l neutron_lib/db/model_base.py BASEV2
l neutron_lib/db/api.py CONTEXT_WRITER
l neutron_lib/callbacks/registry.py publish
l neutron_lib/callbacks/events.py DBEventPayload
l neutron_lib/rpc.py Connection
l neutron_lib/rpc.py get_client
l neutron_lib/plugins/directory.py get_plugin
LIST
