#!/usr/bin/env bash
# `make install DESTDIR=...` produces the expected tree.
set -u
cd "$(dirname "$0")/../.." || exit 1
REPO=$(pwd)
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
fails=0
expect() { # description, command...
	local d=$1
	shift
	if "$@"; then echo "ok   $d"; else
		echo "FAIL $d"
		fails=$((fails + 1))
	fi
}
target=install-bin
[ -f setup.cfg ] && target=install
make -s $target DESTDIR="$D" PREFIX=/usr >"$D.log" 2>&1 || { cat "$D.log"; rm -f "$D.log"; exit 1; }
rm -f "$D.log"
unit=$D/usr/lib/systemd/system/neutron-wireguard-agent.service
expect "agent binary" test -x "$D/usr/bin/neutron-wireguard-agent"
expect "cli binary" test -x "$D/usr/bin/neutron-wireguard"
expect "systemd unit" test -f "$unit"
expect "unit runs the installed agent" grep -q '^ExecStart=/usr/bin/neutron-wireguard-agent ' "$unit"
expect "unit restarts on failure" grep -q '^Restart=on-failure' "$unit"
expect "unit keeps tunnels on restart" grep -q '^KillMode=process' "$unit"
expect "unit state directory" grep -q '^StateDirectory=neutron/wireguard' "$unit"
# (the bounding set's exact capabilities: test-unit-hardening.sh, the one place)
expect "unit limits capabilities" grep -q '^CapabilityBoundingSet=' "$unit"
expect "unit has no private mount namespace" bash -c "! grep -qE '^(ProtectSystem|PrivateTmp|ProtectHome|ReadWritePaths)=' '$unit'"
expect "unit placeholder substituted" bash -c "! grep -q @BINDIR@ '$unit'"
sample=$D/etc/neutron/plugins/wireguard/wireguard_agent.ini.sample
expect "sample config" test -f "$sample"
for opt in WG_HUB_IP listen_port_range backend state_path namespace_prefix root_namespace \
	hub_up_unrouted underlay_mtu ignored_devices dry_run control_socket report_interval; do
	expect "sample documents $opt" grep -qE "^#? ?$opt ?=" "$sample"
done
if [ $target = install ]; then
	ep=$(find "$D" -path '*networking_wireguard*.dist-info/entry_points.txt' | head -1)
	expect "python package installed" test -n "$ep"
	expect "ml2 driver entry point" grep -q '^wireguard *= *networking_wireguard' "$ep"
	# The package must land in a directory Debian's /usr/bin/python3 searches
	# (Debian's pip scheme once put it under /usr/local/local/...): the scratch
	# root's copies of python3's own sys.path, nothing else, resolve every
	# entry point, and the code comes from the scratch root.
	for prefix in /usr/local /usr; do
		R=$D/root${prefix//\//-}
		make -s install DESTDIR="$R" PREFIX=$prefix >"$D.log" 2>&1 ||
			{ cat "$D.log"; fails=$((fails + 1)); }
		expect "PREFIX=$prefix: entry points resolve from python3's sys.path in the scratch root" \
			bash -c "cd / && /usr/bin/python3 -S - '$R' <'$REPO/tests/ops/load-entry-points.py'"
	done
	rm -f "$D.log"
fi
# A destination the user cannot write: a clear message, nothing written.
if id nobody >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	RO=$(mktemp -d)
	chmod 0755 "$RO"
	out=$(runuser -u nobody -- make -s install DESTDIR="$RO/root" 2>&1)
	rc=$?
	expect "unwritable destination refused" test $rc != 0
	expect "unwritable destination named" grep -q "is not writable" <<<"$out"
	expect "nothing half-installed" test -z "$(ls -A "$RO")"
	rm -rf "$RO"
fi
[ $fails = 0 ]
