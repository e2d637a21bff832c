#!/usr/bin/env bash
# Agent suite: runs every tests/agent/test-*.sh; a test exiting 77 is skipped.
# Ends with "agent: N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
passed=0 failed=0 skipped=0 names=""
for t in tests/agent/test-*.sh; do
	[ -f "$t" ] || continue
	echo "--- $(basename "$t")"
	bash "$t"
	rc=$?
	case $rc in
	0) passed=$((passed + 1)) ;;
	77) skipped=$((skipped + 1)); echo "--- $(basename "$t"): skipped" ;;
	*) failed=$((failed + 1)); names="$names $(basename "$t")"; echo "--- $(basename "$t"): FAILED (rc=$rc)" ;;
	esac
done
[ -n "$names" ] && echo "failed:$names"
echo "agent: $passed passed, $failed failed${skipped:+, $skipped skipped}"
[ $failed = 0 ] && [ $passed -gt 0 ]
