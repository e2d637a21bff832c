#!/usr/bin/env bash
# Runs every bench/bench-*.sh; fails if any fails (77 = skipped).
set -u
cd "$(dirname "$0")" || exit 1
failed=0 ran=0
shopt -s nullglob
for b in bench-*.sh; do
	echo "-- $b"
	bash "$b"
	rc=$?
	case $rc in
	0) ran=$((ran + 1)) ;;
	77) echo "-- $b: skipped" ;;
	*) failed=$((failed + 1)); echo "-- $b: FAILED rc=$rc" ;;
	esac
done
echo "bench: $ran ran, $failed failed"
[ $failed = 0 ] || exit 1
[ $ran -gt 0 ] || exit 77
