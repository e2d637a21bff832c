#!/usr/bin/env bash
# Lint (make lint): the agent's engine loads no hub record (doc/security.md,
# "Privilege separation"). Only the privileged side may call nwg_repo_load*:
# the local seam (agent/privsep/hostops.c), the HA takeover's implementation
# (agent/ha/takeover.c) and HA's privileged side (agent/ha/priv.c: the
# endpoint stream's seal reads the hub's link), the executor
# (agent/privsep/) and the reconcile executor and actual-state reader that
# both run there (agent/reconcile/exec.c,
# agent/reconcile/actual.c), the L3 placement (agent/attach/l3_place.c: PLACE) and
# SEAL's pinning (agent/privsep/seal_pin.c). A new caller elsewhere fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
allowed='^agent/(ha/(takeover|priv)\.c|attach/l3_place\.c|privsep/[a-z_]+\.c|reconcile/(exec|actual)\.c):'
bad=$(grep -rnE '\bnwg_repo_load(_key)?\(' agent --include='*.c' | grep -vE "$allowed" || true)
if [ -n "$bad" ]; then
	echo "record loads outside the privileged side of the agent (use the seam: hostops.h):"
	echo "$bad"
	exit 1
fi

# Link and address changes (rtnetlink) likewise belong to the privileged
# side (HA's: agent/ha/priv.c, the VIP's release when keepalived died
# holding it). Known callers still in the engine's code, each listed in
# doc/security.md "Not built" 1: attach/ovn_plug.c (the OVN plug),
# sync/sync_link.c (the one-process cached link check; the split agent uses
# sync_link_ps.c). A new one fails here.
net_allowed='^agent/(ha/(takeover|priv)\.c|attach/l3_place\.c|privsep/[a-z_]+\.c|reconcile/(exec|exec_[a-z]+|actual)\.c|attach/ovn_plug\.c|sync/sync_link\.c):'
bad=$(grep -rnE '\b(nwg_rtnl_open|nwg_link_set_up|nwg_addr_(add|del))\(' agent --include='*.c' |
	grep -vE "$net_allowed" || true)
if [ -n "$bad" ]; then
	echo "link/address changes outside the privileged side of the agent (use the seam: hostops.h):"
	echo "$bad"
	exit 1
fi
