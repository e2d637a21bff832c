#!/usr/bin/env bash
# Installed-packages suite (root, heavy): builds the .debs (make deb, lintian
# clean), installs both with `apt-get install ./*.deb`, runs the real-stack
# end-to-end suite (tests/e2e) from the installed files only — neutron-server
# loads the driver from /usr/lib/python3/dist-packages (no PYTHONPATH), the
# agent and the CLI are /usr/bin's — then removes the packages and shows
# nothing of ours is left (apt-get remove keeps only the conffile; purging
# our own two packages removes it and the agent's state).
# Harness instance: NWG_INSTANCE/NEUTRON_PORT (default nwgdeb/9741).
set -uo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
cd "$HERE" || exit 1
[ "$(id -u)" = 0 ] || { echo "deb: needs root, skipped"; exit 77; }
export NWG_INSTANCE=${NWG_INSTANCE:-nwgdeb}
export NEUTRON_PORT=${NEUTRON_PORT:-9741}
PKGS=(neutron-wireguard-agent python3-networking-wireguard)
APT=(apt-get -o DPkg::Lock::Timeout=600 -y -q)
T=$(mktemp -d /var/tmp/nwg-deb.XXXXXX)
PASS=0 FAILED=0 INSTALLED=0 HARNESS=0

check() {
	local name=$1
	shift
	if "$@" >>"$T/log" 2>&1; then
		PASS=$((PASS + 1))
		echo "  ok    $name"
	else
		FAILED=$((FAILED + 1))
		echo "  FAIL  $name"
	fi
}
installed() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed; }
known() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qv '^not-installed$'; }

cleanup() {
	set +e
	[ $HARNESS = 1 ] && NWG_SRC=system scripts/neutron-harness.sh stop >>"$T/log" 2>&1
	if [ $INSTALLED = 1 ]; then
		for p in "${PKGS[@]}"; do
			known "$p" && "${APT[@]}" purge "$p" >>"$T/log" 2>&1
		done
	fi
	[ "$FAILED" = 0 ] || { echo "---- deb log (last 40 lines)"; tail -n 40 "$T/log"; }
	rm -rf "$T"
}
finish() {
	local rc=0
	[ "$FAILED" = 0 ] || rc=1
	cleanup
	echo "deb: $PASS passed, $FAILED failed"
	trap - EXIT
	exit $rc
}
trap finish EXIT
trap 'exit 1' INT TERM

for p in "${PKGS[@]}"; do
	if known "$p"; then
		echo "deb: $p is already installed here; not touching it (remove it first)"
		FAILED=1
		exit 1
	fi
done

check "make deb (dpkg-buildpackage + lintian clean)" make -s deb
DEBS=("$HERE/build/deb/neutron-wireguard-agent_"*_*.deb "$HERE/build/deb/python3-networking-wireguard_"*_all.deb)
check "two .debs built" test -f "${DEBS[0]}" -a -f "${DEBS[1]}"
check "make still reads its Makefile with build/deb present" make -s --no-print-directory -n all
[ "$FAILED" = 0 ] || exit 1

# A node without Neutron: this machine's package database minus Neutron's
# packages, no archive to fetch them from; apt simulates (-s), so nothing on
# this machine changes. It must refuse, naming what is missing.
no_neutron() {
	local sim=$T/sim out=""
	mkdir -p "$sim/lists/partial" "$sim/cache/archives/partial" "$sim/parts"
	/usr/bin/python3 - "$sim/status" <<'PY'
import re, sys
keep = []
for st in open('/var/lib/dpkg/status').read().split('\n\n'):
    m = re.search(r'^Package: (\S+)', st, re.M)
    if m and re.match(r'^(neutron-.*|python3-neutron|python3-neutron-lib)$',
                      m.group(1)):
        continue
    keep.append(st)
open(sys.argv[1], 'w').write('\n\n'.join(keep))
PY
	out=$(apt-get -s -o Dir::State::status="$sim/status" -o Dir::State::Lists="$sim/lists" \
		-o Dir::Cache="$sim/cache" -o Dir::Etc::SourceList="$sim/none.list" \
		-o Dir::Etc::SourceParts="$sim/parts" -o Debug::NoLocking=1 install "${DEBS[@]}" 2>&1)
	local rc=$?
	echo "$out"
	[ $rc != 0 ] && grep -q 'neutron-wireguard-agent : Depends: neutron-common but it is not installable' <<<"$out" &&
		grep -q 'Depends: python3-neutron but it is not installable' <<<"$out" &&
		! grep -q '^Inst ' <<<"$out"
}
check "node without Neutron: apt refuses, naming neutron-common / python3-neutron" no_neutron
for p in "${PKGS[@]}"; do check "  ... and $p is not half-installed" bash -c "! dpkg-query -W '$p' 2>/dev/null | grep -q ."; done

INSTALLED=1
check "apt-get install ./*.deb" env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install "${DEBS[@]}"
for p in "${PKGS[@]}"; do check "$p installed" installed "$p"; done
[ "$FAILED" = 0 ] || exit 1
dpkg -L "${PKGS[@]}" | sort -u >"$T/files"
conf=/etc/neutron/plugins/wireguard/wireguard_agent.ini
check "agent conffile registered" bash -c "dpkg-query -W -f='\${Conffiles}' neutron-wireguard-agent | grep -q '$conf'"
check "conffile not world-readable" bash -c "[ \$(stat -c %a '$conf') = 640 ]"
check "systemd unit runs /usr/bin's agent" grep -q '^ExecStart=/usr/bin/neutron-wireguard-agent ' \
	/lib/systemd/system/neutron-wireguard-agent.service
pyfile=$(cd / && /usr/bin/python3 -c 'import networking_wireguard as m; print(m.__file__)' 2>>"$T/log")
check "python3 imports the packaged driver ($pyfile)" \
	test "$pyfile" = /usr/lib/python3/dist-packages/networking_wireguard/__init__.py
check "entry points resolve from the package" bash -c "cd / && /usr/bin/python3 -S '$HERE/tests/ops/load-entry-points.py' /"

# neutron-server on the installed package only (restart: rewrites configs,
# runs the migrations again on the instance's database).
HARNESS=1
log=$(NWG_SRC=system scripts/neutron-harness.sh env | sed -n 's/^NEUTRON_LOG=//p' | tr -d "'\"")
seen=$(wc -l <"$log" 2>/dev/null || echo 0)
check "harness [$NWG_INSTANCE] on the installed package" env NWG_SRC=system scripts/neutron-harness.sh restart
check "neutron-db-manage upgrade heads again: a no-op, exit 0" env NWG_SRC=system scripts/neutron-harness.sh restart
pid=$(cat "${NWG_HARNESS_ROOT:-/var/tmp/nwg-harness}/$NWG_INSTANCE/neutron-server.pid" 2>/dev/null)
check "neutron-server runs without our PYTHONPATH" bash -c "[ -n '$pid' ] && ! tr '\\0' '\\n' </proc/$pid/environ | grep -q '^PYTHONPATH=.*$HERE'"
# only the lines this run's neutron-server wrote
check "neutron-server (this run) loaded the wireguard mechanism driver" \
	bash -c "tail -n +$((seen + 1)) '$log' | grep -q \"Registered mechanism drivers: \\[.*'wireguard'\""

echo "deb: real-stack suite (tests/e2e) with /usr/bin/neutron-wireguard{,-agent}:"
NWG_SRC=system NWG_AGENT=/usr/bin/neutron-wireguard-agent NWG_CLI=/usr/bin/neutron-wireguard \
	tests/e2e/run.sh 2>&1 | tee -a "$T/log" | sed 's/^/    /'
check "e2e suite passed from the installed files" test "${PIPESTATUS[0]}" = 0
NWG_SRC=system scripts/neutron-harness.sh stop >>"$T/log" 2>&1
HARNESS=0

# Remove: only the conffile stays; purge (ours only): nothing at all.
check "apt-get remove" "${APT[@]}" remove "${PKGS[@]}"
left() {
	local f out=""
	while read -r f; do
		# directories (and /lib, a symlink to one) are shared with others
		[ -d "$f" ] && continue
		[ -e "$f" ] || [ -L "$f" ] || continue
		[ "$f" = "$1" ] && continue
		out+=" $f"
	done <"$T/files"
	[ -z "$out" ] || { echo "left behind:$out"; return 1; }
}
check "after remove: no file of ours but the conffile" left "$conf"
check "after remove: python3 no longer finds the driver" \
	bash -c "cd / && ! /usr/bin/python3 -c 'import networking_wireguard'"
check "after remove: no agent on PATH" bash -c "! command -v neutron-wireguard-agent"
check "apt-get purge (our two packages)" "${APT[@]}" purge "${PKGS[@]}"
INSTALLED=0
check "after purge: no file of ours" left ""
check "after purge: /etc/neutron/plugins/wireguard gone" test ! -e /etc/neutron/plugins/wireguard
check "after purge: agent state gone" test ! -e /var/lib/neutron/wireguard
for p in "${PKGS[@]}"; do check "after purge: dpkg knows no $p" bash -c "! dpkg-query -W '$p' 2>/dev/null | grep -q ."; done
