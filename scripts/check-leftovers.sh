#!/usr/bin/env bash
# Test hygiene for `make check`: what the suites leave behind.
#   check-leftovers.sh snapshot DIR   record the state before the suites
#   check-leftovers.sh compare DIR    list what appeared since; exit 1 if any
# Looks at network namespaces (ip netns) and, when the suites' harness
# instance is up, its agent rows, networks and ports (a dead agent row, a
# port or a namespace nobody deletes is a leak of some suite).
set -u
cd "$(dirname "$0")/.." || exit 1
mode=${1:-} dir=${2:-}
if [ -z "$mode" ] || [ -z "$dir" ]; then
	echo "usage: $0 snapshot|compare DIR" >&2
	exit 2
fi

state() { # -> lines "kind id name"
	ip netns list 2>/dev/null | awk '{print "netns", $1, $1}'
	scripts/neutron-harness.sh status >/dev/null 2>&1 || return 0
	local api
	api=$(scripts/neutron-harness.sh env | sed -n 's/^NEUTRON_API=//p')
	[ -n "$api" ] || return 0
	local kind
	for kind in agents networks ports; do
		curl -sf "$api/$kind" | /usr/bin/python3 -c '
import json, sys
kind = sys.argv[1]
for row in json.load(sys.stdin).get(kind, []):
    name = row.get("host") or row.get("name") or row.get("device_owner") or "-"
    print(kind, row["id"], name.replace(" ", "_") or "-")' "$kind"
	done
}

case $mode in
snapshot)
	mkdir -p "$dir"
	state | sort >"$dir/before"
	;;
compare)
	[ -f "$dir/before" ] || { echo "leftovers: no snapshot in $dir" >&2; exit 2; }
	state | sort >"$dir/after"
	new=$(comm -13 "$dir/before" "$dir/after")
	if [ -n "$new" ]; then
		echo "leftovers: the suites left $(echo "$new" | wc -l) object(s) behind:"
		while read -r line; do echo "  $line"; done <<<"$new"
		exit 1
	fi
	echo "leftovers: none (namespaces, agent rows, networks, ports)"
	;;
*)
	echo "usage: $0 snapshot|compare DIR" >&2
	exit 2
	;;
esac
