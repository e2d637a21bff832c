#!/usr/bin/env bash
# Port-listing benchmark: N ordinary ports (BENCH_PORTS, "300 3000") listed
# in-process on Neutron's own ML2 test base (SQLite), by Neutron alone and
# with networking-wireguard's mechanism + extension drivers, side by side in
# one run (each side in its own process). Prints the CPU time of one listing
# (median over BENCH_ROUNDS x BENCH_REPEAT listings; the two sides alternate
# round by round, so a change of load hits both), the ratio wireguard/base
# (goal <= 1.05x) and
# the SQL statements one listing makes (must not grow with N). Never asserts
# times; fails only when a side cannot run or the query count differs.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PY=/usr/bin/python3
SIZES=${BENCH_PORTS:-300 3000}
REPEAT=${BENCH_REPEAT:-7}
ROUNDS=${BENCH_ROUNDS:-3}
$PY -c 'import neutron.tests.unit.plugins.ml2.test_plugin' 2>/dev/null || {
	echo "bench-ports: neutron's test modules missing (python3-neutron): skipped"
	exit 77
}
T=$(mktemp -d /tmp/nwg-bench-ports.XXXXXX)
trap 'rm -rf "$T"' EXIT
# entry points (mechanism/extension driver names) from a scratch egg-info
(cd "$ROOT" && $PY setup.py -q egg_info --egg-base "$T" >"$T/egg.log" 2>&1) || {
	cat "$T/egg.log"
	exit 1
}
export PYTHONPATH="$T:$ROOT${PYTHONPATH:+:$PYTHONPATH}"

run_side() { # mode n -> one JSON line per round appended to $T/mode-n.json
	$PY "$HERE/bench_ports.py" --mode "$1" --ports "$2" --repeat "$REPEAT" \
		>>"$T/$1-$2.json" 2>"$T/$1-$2.err" || {
		echo "bench-ports: $1 with $2 ports failed:"
		tail -20 "$T/$1-$2.err"
		return 1
	}
}

rc=0
printf '%-6s %-7s %12s %12s %7s %10s %10s\n' ports listing base_cpu_ms wg_cpu_ms ratio base_sql wg_sql
for n in $SIZES; do
	failed=0
	for _ in $(seq 1 "$ROUNDS"); do
		if ! run_side base "$n" || ! run_side wireguard "$n"; then
			failed=1
			break
		fi
	done
	if [ $failed = 1 ]; then
		rc=1
		continue
	fi
	$PY - "$T/base-$n.json" "$T/wireguard-$n.json" <<'PYEOF' || rc=1
import json, statistics, sys


def merged(path):
    rounds = [json.loads(line) for line in open(path) if line.strip()]
    out = dict(rounds[0])
    for key in out:
        if key.endswith('_ms'):
            out[key] = [v for r in rounds for v in r[key]]
    return out


base, wg = (merged(f) for f in sys.argv[1:3])
ok = True
for name in ('plugin', 'api'):
    b = statistics.median(base[name + '_cpu_ms'])
    w = statistics.median(wg[name + '_cpu_ms'])
    bq, wq = base['queries_' + name], wg['queries_' + name]
    print('%-6d %-7s %12.1f %12.1f %6.2fx %10d %10d' % (
        base['ports'], name, b, w, w / b, bq, wq))
    print('%-6s %-7s wall min %.1f / %.1f ms' % (
        '', '', min(base[name + '_wall_ms']), min(wg[name + '_wall_ms'])))
    ok = ok and bq == wq
if not ok:
    print('bench-ports: the driver adds SQL statements to a listing')
sys.exit(0 if ok else 1)
PYEOF
done
echo "bench-ports: goal <= 1.05x (CPU time; medians of $ROUNDS x $REPEAT listings, sides alternating)"
exit $rc
