#!/usr/bin/env bash
# hub_realized benchmark: neutron-server's handling of the agent's report,
# in-process on Neutron's own ML2 test base (SQLite), for a baseline's
# driver code (BENCH_BASE_REF, a git ref of this repository, default
# 6a16042: main before the report was made cheap; extracted with git
# archive) and for this tree, side by side in one run, the two sides
# alternating over BENCH_ROUNDS rounds (3) of BENCH_HUBS hubs (10) each.
# Prints, for the first report of a hub and for the same report again (an
# agent's resync): the CPU-time median, the ratio this tree/baseline, the
# SQL statements and the full port reads (plugin get_port) per report.
# Never asserts times; fails when a side cannot run. Without git or the ref
# (a tarball checkout) only this tree's numbers are printed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PY=/usr/bin/python3
REF=${BENCH_BASE_REF:-6a16042}
ROUNDS=${BENCH_ROUNDS:-3}
HUBS=${BENCH_HUBS:-10}
$PY -c 'import neutron.tests.unit.plugins.ml2.test_plugin' 2>/dev/null || {
	echo "bench-realized: neutron's test modules missing (python3-neutron): skipped"
	exit 77
}
T=$(mktemp -d /tmp/nwg-bench-realized.XXXXXX)
trap 'rm -rf "$T"' EXIT

egg_info() { # tree name -> its egg-info (entry points) under $T/egg-<name>
	mkdir -p "$T/egg-$2"
	if ! (cd "$1" && $PY setup.py -q egg_info --egg-base "$T/egg-$2" >"$T/egg-$2.log" 2>&1); then
		cat "$T/egg-$2.log"
		return 1
	fi
}

sides=(ours)
egg_info "$ROOT" ours || exit 1
if git -C "$ROOT" rev-parse -q --verify "$REF^{commit}" >/dev/null 2>&1 &&
	mkdir -p "$T/base" &&
	git -C "$ROOT" archive "$REF" setup.py setup.cfg networking_wireguard | tar -x -C "$T/base"; then
	egg_info "$T/base" base || exit 1
	sides=(base ours)
else
	echo "bench-realized: baseline $REF not available (no git history): this tree only"
fi

run_side() { # side -> one JSON line appended to $T/side.json
	local src=$ROOT
	[ "$1" = base ] && src=$T/base
	(cd "$T" && PYTHONPATH="$T/egg-$1:$src" $PY "$HERE/bench_realized.py" --hubs "$HUBS" \
		>>"$T/$1.json" 2>"$T/$1.err") || {
		echo "bench-realized: $1 failed:"
		tail -20 "$T/$1.err"
		return 1
	}
}

for _ in $(seq 1 "$ROUNDS"); do
	for side in "${sides[@]}"; do
		run_side "$side" || exit 1
	done
done
cd "$T" && $PY - "$REF" "${sides[@]}" <<'PYEOF'
import json, statistics, sys

ref, sides = sys.argv[1], sys.argv[2:]
data = {}
for side in sides:
    rounds = [json.loads(line) for line in open(side + '.json')]
    data[side] = dict(rounds[-1])
    for key in ('first_cpu_ms', 'again_cpu_ms'):
        data[side][key] = [v for r in rounds for v in r[key]]
name = {'base': ref + ' (baseline)', 'ours': 'this tree'}
print('%-22s %-7s %8s %6s %11s' % ('hub_realized', 'report', 'cpu_ms', 'sql',
                                   'port_reads'))
for kind in ('first', 'again'):
    for side in sides:
        d = data[side]
        print('%-22s %-7s %8.1f %6d %11d' % (
            name[side], kind, statistics.median(d[kind + '_cpu_ms']),
            d[kind + '_sql'], d[kind + '_reads']))
    if 'base' in data:
        b = statistics.median(data['base'][kind + '_cpu_ms'])
        o = statistics.median(data['ours'][kind + '_cpu_ms'])
        print('%-22s %-7s %7.2fx' % ('this tree / baseline', kind, o / b))
PYEOF
