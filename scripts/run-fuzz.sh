#!/usr/bin/env bash
# Short libFuzzer run of every harness (seconds each); seeds from tests/fuzz/seeds/<name>.
# Longer runs on demand: FUZZ_SECONDS=600 make check-fuzz
set -u
dir=$1 secs=${2:-3}
fail=0 n=0
shopt -s nullglob
for f in "$dir"/fuzz_*; do
	[ -x "$f" ] || continue
	n=$((n + 1))
	name=$(basename "$f")
	corpus=$(mktemp -d)
	seeds=tests/fuzz/seeds/$name
	args=("$corpus")
	[ -d "$seeds" ] && args+=("$seeds")
	echo "-- $name (${secs}s)"
	if ! "$f" -max_total_time="$secs" -print_final_stats=0 -artifact_prefix="$corpus/" \
		"${args[@]}" >"$corpus.log" 2>&1; then
		tail -40 "$corpus.log"
		echo "-- $name: FAILED (artifacts in $corpus)"
		fail=$((fail + 1))
	else
		grep -E '^(#[0-9]+ *DONE|Done)' "$corpus.log" | tail -1
		rm -rf "$corpus" "$corpus.log"
	fi
done
echo "fuzz: $((n - fail)) passed, $fail failed"
[ $fail = 0 ]
