#!/usr/bin/env bash
# Lint (make lint): the agent's engine loads no hub record (doc/security.md,
# "Privilege separation"). Only the privileged side may call nwg_repo_load*:
# the local seam (agent/privsep/hostops.c), the HA takeover's implementation
# (agent/ha/takeover.c) and HA's privileged side (agent/ha/priv.c: the
# endpoint stream's seal reads the hub's link), the executor
# (agent/privsep/) and the reconcile executor and actual-state reader that
# both run there (agent/reconcile/exec.c,
# agent/reconcile/actual.c), the L3 placement (agent/attach/l3_place.c: PLACE),
# the OVN plug (agent/attach/ovn_hub.c: OVN_PLUG) and SEAL's pinning
# (agent/privsep/seal_pin.c). A new caller elsewhere fails here.
set -euo pipefail
cd "$(dirname "$0")/.."

# only_in CALLS ALLOWED WHAT: fails when a call matching CALLS (ERE) is made
# in agent/ from a file ALLOWED (ERE on "path:") does not match.
only_in() {
	local bad
	bad=$(grep -rnE "$1" agent --include='*.c' | grep -vE "$2" || true)
	if [ -n "$bad" ]; then
		echo "$3 outside the privileged side of the agent (use the seam: hostops.h):"
		echo "$bad"
		exit 1
	fi
}

allowed='^agent/(ha/(takeover|priv)\.c|attach/(l3_place|ovn_hub)\.c|privsep/[a-z_]+\.c|reconcile/(exec|actual)\.c):'
only_in '\bnwg_repo_load(_key)?\(' "$allowed" "record loads"

# Link and address changes (rtnetlink) likewise belong to the privileged
# side (HA's: agent/ha/priv.c, the VIP's release when keepalived died
# holding it; the OVN plug's: attach/ovn_plug.c, reached through the seam
# only, below; the one-process cached-link check: privsep/link_cached.c).
# No caller is left in the engine's code: a new one fails here.
net_allowed='^agent/(ha/(takeover|priv)\.c|attach/(l3_place|ovn_plug)\.c|privsep/[a-z_]+\.c|reconcile/(exec|exec_[a-z]+|actual)\.c):'
only_in '\b(nwg_rtnl_open|nwg_link_set_up|nwg_addr_(add|del))\(' "$net_allowed" \
	"link/address changes"

# The OVN plug and sweep (ovs-vsctl on the node's OVS database, the port's
# move and addresses) run on the privileged side only: the engine reaches
# them through the seam (hostops.h ovn_plug, ovn_sweep), never directly.
ovn_allowed='^agent/(attach/(ovs|ovn_plug|ovn_hub|ovn_sweep)\.c|privsep/[a-z_]+\.c):'
only_in '\b(nwg_ovs_vsctl|nwg_ovn_plug|nwg_ovn_plug_hub|nwg_ovn_sweep)\(' "$ovn_allowed" \
	"the OVN plug"
