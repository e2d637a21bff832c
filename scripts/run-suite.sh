#!/usr/bin/env bash
# Runs one test suite script with a header and a verdict.
# Exit: 0 passed, 1 failed, 77 not present (skipped).
set -u
suite=$1; shift
name=$(basename "$(dirname "$suite")")
if [ ! -x "$suite" ]; then
	echo "== suite $name: not present ($suite), skipped"
	exit 77
fi
# Never in the demo's harness instance ("default", port 9696): unless the
# caller chose another one, suites share the "check" instance.
if [ -z "${NWG_INSTANCE:-}" ] || [ "$NWG_INSTANCE" = default ]; then
	export NWG_INSTANCE=check NEUTRON_PORT=${NWG_CHECK_PORT:-9697}
fi
echo "== suite $name: $suite (harness instance $NWG_INSTANCE)"
t0=$(date +%s.%N)
"$suite" "$@"
rc=$?
dt=$(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo "?")
if [ $rc = 0 ]; then
	echo "== suite $name: PASSED (${dt}s)"
elif [ $rc = 77 ]; then
	echo "== suite $name: SKIPPED (${dt}s)"
else
	echo "== suite $name: FAILED rc=$rc (${dt}s)"
fi
exit $rc
