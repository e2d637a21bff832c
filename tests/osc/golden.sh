#!/usr/bin/env bash
# Golden device configs, checked against BOTH renderers: the C
# `neutron-wireguard render` and networking_wireguard.client.config.
# tests/golden/config/NAME.json is a port; NAME.args extra arguments;
# NAME.conf the expected config, or NAME.err the expected error line.
# @PUBLIC_KEY@/@PRIVATE_KEY@/@KEYFILE@ stand for a key pair made per run.
# Usage: golden.sh CLI_BINARY [--update]   (--update rewrites from C output)
set -uo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
CLI=$1
UPDATE=${2:-}
DIR=$HERE/tests/golden/config
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(umask 077 && wg genkey >"$TMP/key")
PRIV=$(cat "$TMP/key")
PUB=$(wg pubkey <"$TMP/key")
pass=0 fail=0
subst() { sed -e "s|@PUBLIC_KEY@|$PUB|g" -e "s|@PRIVATE_KEY@|$PRIV|g" -e "s|@KEYFILE@|$TMP/key|g" "$1"; }
unsubst() { sed -e "s|$PUB|@PUBLIC_KEY@|g" -e "s|$PRIV|@PRIVATE_KEY@|g" -e "s|$TMP/key|@KEYFILE@|g"; }
for j in "$DIR"/*.json; do
	n=$(basename "$j" .json)
	subst "$j" >"$TMP/in.json"
	args=()
	[ -f "$DIR/$n.args" ] && read -ra args < <(subst "$DIR/$n.args")
	for impl in c py; do
		if [ $impl = c ]; then
			"$CLI" render "$TMP/in.json" "${args[@]}" >"$TMP/out" 2>"$TMP/err"
		else
			PYTHONPATH=$HERE /usr/bin/python3 "$HERE/tests/osc/render_py.py" "$TMP/in.json" \
				"${args[@]}" >"$TMP/out" 2>"$TMP/err"
		fi
		rc=$?
		if [ $rc = 0 ]; then got=$TMP/out ext=conf; else got=$TMP/err ext=err; fi
		unsubst <"$got" >"$TMP/got"
		if [ "$UPDATE" = --update ] && [ $impl = c ]; then
			rm -f "$DIR/$n.conf" "$DIR/$n.err"
			cp "$TMP/got" "$DIR/$n.$ext"
		fi
		if [ -f "$DIR/$n.$ext" ] && cmp -s "$TMP/got" "$DIR/$n.$ext"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL golden $n ($impl, exit $rc):"
			if [ -f "$DIR/$n.$ext" ]; then diff -u "$DIR/$n.$ext" "$TMP/got" | head -20; else head -5 "$TMP/got"; fi
		fi
	done
done
echo "golden configs: $pass passed, $fail failed"
[ $fail = 0 ]
