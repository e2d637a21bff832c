#!/usr/bin/env bash
# Bulk spoke creation benchmark (`make bench-bulk`): one bulk POST
# /v2.0/ports of BENCH_BULK_PORTS (100) spokes of one hub, in-process on
# Neutron's own ML2 test base (SQLite), by Neutron alone and with
# networking-wireguard's mechanism + extension drivers, the same request
# body on both sides, side by side in one run: two resident processes POST
# in lockstep, one at a time in alternation (bench_bulk.py --pair), so a
# change of load hits both sides alike. The ports are deleted after each
# POST (untimed). Prints the CPU and wall medians of BENCH_BULK_REPEAT (5)
# POSTs per side, the ratio wireguard/base of the medians, the median of the
# per-pair ratios and the SQL statements of one POST per side. Never asserts
# times; fails only when a side cannot run. BENCH_BULK_BASE_REF (a commit):
# the wireguard side is also run from that tree's drivers (git archive), and
# printed beside this tree's.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PY=/usr/bin/python3
PORTS=${BENCH_BULK_PORTS:-100}
REPEAT=${BENCH_BULK_REPEAT:-5}
$PY -c 'import neutron.tests.unit.plugins.ml2.test_plugin' 2>/dev/null || {
	echo "bench-bulk: neutron's test modules missing (python3-neutron): skipped"
	exit 77
}
T=$(mktemp -d /tmp/nwg-bench-bulk.XXXXXX)
trap 'rm -rf "$T"' EXIT

run_pair() { # label tree -> $T/label.json (one JSON line per mode)
	mkdir -p "$T/$1-egg"
	# entry points (mechanism/extension driver names) from a scratch egg-info
	(cd "$2" && $PY setup.py -q egg_info --egg-base "$T/$1-egg" >"$T/$1-egg.log" 2>&1) || {
		cat "$T/$1-egg.log"
		return 1
	}
	if ! PYTHONPATH="$T/$1-egg:$2" $PY "$HERE/bench_bulk.py" --pair --ports "$PORTS" \
		--repeat "$REPEAT" >"$T/$1.json" 2>"$T/$1.err"; then
		echo "bench-bulk: the $1 pair failed:"
		tail -20 "$T/$1.err"
		return 1
	fi
}

report() { # label
	$PY - "$T/$1.json" "$1" <<'PYEOF'
import json, statistics, sys

sides = {}
for line in open(sys.argv[1]):
    if line.strip():
        r = json.loads(line)
        sides[r['mode']] = r
b, w = sides['base'], sides['wireguard']
for key in ('cpu_ms', 'wall_ms'):
    mb, mw = statistics.median(b[key]), statistics.median(w[key])
    paired = statistics.median(x / y for x, y in zip(w[key], b[key]))
    print('%-12s %-7s %10.0f %10.0f %7.2fx %7.2fx' % (
        sys.argv[2], key[:-3], mb, mw, mw / mb, paired))
print('%-12s SQL statements of one POST: %d (Neutron alone) vs %d (with our drivers): +%.1f per port' % (
    sys.argv[2], b['queries'], w['queries'],
    (w['queries'] - b['queries']) / float(b['ports'])))
PYEOF
}

rc=0
echo "bench-bulk: one bulk POST of $PORTS spokes, Neutron alone (base) vs with our drivers (wireguard)"
printf '%-12s %-7s %10s %10s %8s %8s\n' tree time base_ms wg_ms ratio paired
labels=""
if [ -n "${BENCH_BULK_BASE_REF:-}" ]; then
	mkdir -p "$T/src"
	if git -C "$ROOT" archive "$BENCH_BULK_BASE_REF" | tar -x -C "$T/src"; then
		run_pair "$BENCH_BULK_BASE_REF" "$T/src" && labels="$BENCH_BULK_BASE_REF" || rc=1
	else
		echo "bench-bulk: $BENCH_BULK_BASE_REF: no such commit"
		rc=1
	fi
fi
run_pair this "$ROOT" && labels="$labels this" || rc=1
for l in $labels; do
	report "$l" || rc=1
done
echo "bench-bulk: medians of $REPEAT POSTs per side, sides in lockstep (ratio: of the medians;"
echo "  paired: median of the ratios of POSTs run back to back); not asserted"
exit $rc
