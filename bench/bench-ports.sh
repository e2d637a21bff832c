#!/usr/bin/env bash
# Port-listing benchmark: N ordinary ports (BENCH_PORTS, "300 3000") listed
# in-process on Neutron's own ML2 test base (SQLite), by Neutron alone and
# with networking-wireguard's mechanism + extension drivers, side by side in
# one run: two resident processes list in lockstep, one listing at a time in
# alternation, so a change of load hits both sides alike (bench_ports.py
# --pair; the test base's objects are frozen out of the garbage collector,
# whose full passes of ~200 ms otherwise land in random listings). Prints
# the CPU time of one listing (median over BENCH_ROUNDS x BENCH_REPEAT
# listings per side), the ratio wireguard/base of those medians and the
# median of the per-pair ratios (listing i of each side ran back to back;
# goal <= 1.05x), the Python function calls of one listing per side (counted
# apart, untimed: a measure of the work that load does not change) and
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

run_pair() { # n -> one JSON line per mode in $T/base-n.json, $T/wireguard-n.json
	if ! $PY "$HERE/bench_ports.py" --pair --ports "$1" --repeat $((ROUNDS * REPEAT)) \
		>"$T/pair-$1.json" 2>"$T/pair-$1.err"; then
		echo "bench-ports: the pair with $1 ports failed:"
		tail -20 "$T/pair-$1.err"
		return 1
	fi
	grep '"mode": "base"' "$T/pair-$1.json" >"$T/base-$1.json"
	grep '"mode": "wireguard"' "$T/pair-$1.json" >"$T/wireguard-$1.json"
}

rc=0
printf '%-6s %-7s %12s %12s %7s %7s %9s %9s\n' ports listing base_cpu_ms wg_cpu_ms ratio paired base_sql wg_sql
for n in $SIZES; do
	if ! run_pair "$n"; then
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
    # lockstep: listing i of each side ran back to back, under one load
    paired = statistics.median(
        x / y for x, y in zip(wg[name + '_cpu_ms'], base[name + '_cpu_ms']))
    print('%-6d %-7s %12.1f %12.1f %6.2fx %6.2fx %9d %9d' % (
        base['ports'], name, b, w, w / b, paired, bq, wq))
    print('%-6s %-7s wall min %.1f / %.1f ms; Python calls %d / %d, %.3fx' % (
        '', '', min(base[name + '_wall_ms']), min(wg[name + '_wall_ms']),
        base['calls_' + name], wg['calls_' + name],
        wg['calls_' + name] / base['calls_' + name]))
    ok = ok and bq == wq
if not ok:
    print('bench-ports: the driver adds SQL statements to a listing')
sys.exit(0 if ok else 1)
PYEOF
done
echo "bench-ports: goal <= 1.05x (CPU time; medians of $ROUNDS x $REPEAT listings per side, sides in lockstep;"
echo "  ratio: of the two medians; paired: median of the ratios of listings run back to back;"
echo "  Python calls: function calls of one listing, counted apart (cProfile), which load does not change)"
exit $rc
