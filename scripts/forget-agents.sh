#!/usr/bin/env bash
# forget-agents.sh HOST...: delete the agent rows of these hosts from the
# harness instance's Neutron (NWG_INSTANCE/NEUTRON_PORT). Test clean-up: a
# dead agent row misleads every client that picks a host from the agent
# list. Quiet; exit 1 when a row is left (or the API cannot be reached
# while it is up).
set -u
cd "$(dirname "$0")/.." || exit 1
[ $# -gt 0 ] || exit 0
scripts/neutron-harness.sh status >/dev/null 2>&1 || exit 0
api=$(scripts/neutron-harness.sh env | sed -n 's/^NEUTRON_API=//p')
[ -n "$api" ] || exit 1
ids() {
	local q="" h
	for h in "$@"; do q="$q&host=$h"; done
	curl -sf "$api/agents?${q#&}" |
		/usr/bin/python3 -c 'import json, sys
for a in json.load(sys.stdin).get("agents", []):
    print(a["id"])'
}
for id in $(ids "$@"); do
	curl -sf -X DELETE "$api/agents/$id" >/dev/null
done
[ -z "$(ids "$@")" ]
