#!/usr/bin/env bash
# The netns suite (root): runs every tests/netns/test-*.sh and reports.
# Exit 0 when all ran tests passed, 1 on any failure, 77 when nothing could run.
set -u
cd "$(dirname "$0")" || exit 1
if [ "$(id -u)" != 0 ]; then
	echo "netns: needs root, skipped"
	exit 77
fi
passed=0 failed=0 skipped=0 failed_names=""
shopt -s nullglob
for t in test-*.sh; do
	echo "-- $t"
	bash "$t"
	rc=$?
	case $rc in
	0) passed=$((passed + 1)); echo "-- $t: PASSED" ;;
	77) skipped=$((skipped + 1)); echo "-- $t: SKIPPED" ;;
	*) failed=$((failed + 1)); failed_names="$failed_names $t"; echo "-- $t: FAILED (rc=$rc)" ;;
	esac
done
[ -n "$failed_names" ] && echo "netns failed:$failed_names"
echo "netns: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ] || exit 1
[ $passed -gt 0 ] || exit 77
exit 0
