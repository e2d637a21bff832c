#!/usr/bin/env bash
# Lint (make lint): the agent's engine loads no hub record (doc/security.md,
# "Privilege separation"). Only the privileged side may call nwg_repo_load*:
# the local seam (agent/hostops.c), the HA takeover's implementation
# (agent/ha/takeover.c), the executor (agent/privsep/) and the reconcile
# executor and actual-state reader that both run there (agent/reconcile/exec.c,
# agent/reconcile/actual.c), the L3 placement (agent/l3_place.c: PLACE) and
# SEAL's pinning (agent/seal_pin.c). A new caller elsewhere fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
allowed='^agent/(hostops\.c|ha/takeover\.c|l3_place\.c|seal_pin\.c|privsep/[a-z_]+\.c|reconcile/(exec|actual)\.c):'
bad=$(grep -rnE '\bnwg_repo_load(_key)?\(' agent --include='*.c' | grep -vE "$allowed" || true)
if [ -n "$bad" ]; then
	echo "record loads outside the privileged side of the agent (use the seam: hostops.h):"
	echo "$bad"
	exit 1
fi
