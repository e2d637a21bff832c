#!/usr/bin/env bash
# The engine's share of one spoke change (bench/bench-plan.c: JSON decode,
# desired parse, the actual state copied out of the per-hub cache, plan;
# offline, no root),
# this tree vs PLAN_BASE_REF (default ee0e272, the planner before the sorted
# index / merge-walk journal check), the same bench source built in both and
# run alternately size by size, printed side by side as ratios. Not asserted.
set -u
cd "$(dirname "$0")/.." || exit 1
BASE_REF=${PLAN_BASE_REF:-ee0e272}
ROUNDS=${PLAN_ROUNDS:-21}
SIZES=${PLAN_SIZES:-100 1000 10000}
BASE_DIR=$(mktemp -d /tmp/nwg-bench-plan-src.XXXXXX)
trap 'rm -rf "$BASE_DIR"' EXIT
NEW_BIN=build/rel/bench/bench-plan
make -s "$NEW_BIN" >/dev/null || exit 1
BASE_BIN=
if git archive "$BASE_REF" 2>/dev/null | tar -x -C "$BASE_DIR" &&
	cp bench/bench-plan.c "$BASE_DIR/bench/" &&
	make -s -C "$BASE_DIR" -j2 build/rel/bench/bench-plan >"$BASE_DIR/build.log" 2>&1; then
	BASE_BIN=$BASE_DIR/build/rel/bench/bench-plan
else
	echo "baseline $BASE_REF: cannot be built here: new code only"
fi
echo "-- one spoke change, engine only (decode + parse + cache copy + plan, median of $ROUNDS): this tree vs $BASE_REF"
for n in $SIZES; do
	base=
	[ -n "$BASE_BIN" ] && base=$("$BASE_BIN" "$ROUNDS" "$n")
	new=$("$NEW_BIN" "$ROUNDS" "$n") || exit 1
	echo "$new"
	[ -n "$base" ] && echo "${base/#plan /base }"
	for k in parse_ms cache_ms plan_ms total_ms; do
		a=$(echo "$new" | sed -E "s/.* $k=([0-9.]+).*/\\1/")
		b=$(echo "$base" | sed -nE "s/.* $k=([0-9.]+).*/\\1/p")
		awk -v n="$n" -v k="$k" -v a="$a" -v b="$b" 'BEGIN {
			if (b == "") { printf "N=%s %-9s %8.2f ms (no baseline)\n", n, k, a; exit }
			printf "N=%s %-9s %8.2f ms vs %8.2f ms baseline (ratio %.3f)\n", n, k, a, b, (b > 0 ? a / b : 0) }'
	done
done
