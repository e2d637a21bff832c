#!/usr/bin/env bash
# `make check`: installs what is missing (as root), builds, runs every suite
# that exists, and ends with "check: N passed, N failed" counted over suites.
set -u
cd "$(dirname "$0")/.." || exit 1
if [ "$(id -u)" = 0 ]; then
	scripts/install-deps.sh all || exit 1
fi
make -s all asan fuzz || { echo "check: 0 passed, 1 failed"; exit 1; }

# The suites share their own harness instance, never the demo's ("default",
# port 9696): run-suite.sh picks the same one.
if [ -z "${NWG_INSTANCE:-}" ] || [ "$NWG_INSTANCE" = default ]; then
	export NWG_INSTANCE=check NEUTRON_PORT=${NWG_CHECK_PORT:-9697}
fi
harness_was_up=0
scripts/neutron-harness.sh status >/dev/null 2>&1 && harness_was_up=1

passed=0 failed=0 skipped=0 failed_names=""
leftovers=$(mktemp -d /tmp/nwg-leftovers.XXXXXX)
scripts/check-leftovers.sh snapshot "$leftovers"
# multinode: check-multinode, which includes check-ovs's phase (one start-up)
# osc ipv6 rootns: one harness instance (onb, headers auth) for the three,
# started by the first, stopped below (NWG_KEEP_HARNESS, tests/osc/lib.sh)
onb_env=(NWG_INSTANCE=onb NEUTRON_PORT=9694)
onb_was_up=0
env "${onb_env[@]}" scripts/neutron-harness.sh status >/dev/null 2>&1 && onb_was_up=1
for s in lint unit fuzz netns driver agent e2e l3 kernel ops devstack deb ovn multinode dashboard osc ipv6 rootns ha; do
	case $s in
	lint) make -s lint ;;
	unit | fuzz) make -s "check-$s" ;;
	osc | ipv6 | rootns) env "${onb_env[@]}" NWG_KEEP_HARNESS=1 scripts/run-suite.sh "tests/$s/run.sh" ;;
	*) scripts/run-suite.sh "tests/$s/run.sh" ;;
	esac
	rc=$?
	case $rc in
	0) passed=$((passed + 1)) ;;
	77) skipped=$((skipped + 1)) ;;
	*) failed=$((failed + 1)); failed_names="$failed_names $s" ;;
	esac
done
if [ $onb_was_up = 0 ]; then
	env "${onb_env[@]}" scripts/neutron-harness.sh stop >/dev/null 2>&1 || true
fi
# hygiene: every suite removes what it made (agent rows, ports, networks,
# namespaces) on every exit path
if scripts/check-leftovers.sh compare "$leftovers"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1)); failed_names="$failed_names leftovers"
fi
rm -rf "$leftovers"
if [ $harness_was_up = 0 ] && [ -x scripts/neutron-harness.sh ]; then
	scripts/neutron-harness.sh stop --all >/dev/null 2>&1 || true
fi
[ -n "$failed_names" ] && echo "failed suites:$failed_names"
echo "check: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
