#!/usr/bin/env bash
# Runs every cmocka unit-test binary in a directory; fails if any fails.
set -u
dir=$1
fail=0 n=0
shopt -s nullglob
for t in "$dir"/test_*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	echo "-- $(basename "$t")"
	if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$t"; then
		echo "-- $(basename "$t"): FAILED"
		fail=$((fail + 1))
	fi
done
echo "unit: $((n - fail)) passed, $fail failed"
[ $n -gt 0 ] && [ $fail = 0 ]
