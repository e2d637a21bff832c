#!/usr/bin/env bash
# bench-kernel: full resync of 1,000 hubs with 10 spokes each through the
# library's kernel backend vs the same work done the old way (one `ip`/`wg`
# process per step), both in one QEMU guest booted with Debian's kernel
# (tests/kernel/ktest.sh). TCG slows both alike, so the ratio is what counts.
#
# Long (the old way forks ~17,000 processes under TCG: ~30-40 min), so it
# only runs with BENCH_KERNEL=1; otherwise it says so and exits 77 (skipped,
# as bench/run.sh counts it).
#
#   BENCH_HUBS (1000) BENCH_SPOKES (10) BENCH_PROJECTS (100: hubs per
#   project namespace = HUBS/PROJECTS) BENCH_OLD_HUBS (= BENCH_HUBS; a smaller
#   value measures the old way on fewer hubs and scales it linearly, said so
#   in the output) BENCH_KERNEL_TIMEOUT (VM limit, s, default 7200)
#
# When the agent has its offline mode (--desired-file), its reconcile of the
# same 1,000 hubs is timed too, with its CPU time (getrusage of the child);
# otherwise the library-level equivalent stands in for it (said so).
set -uo pipefail
if [ "${BENCH_KERNEL:-0}" != 1 ]; then
	echo "bench-kernel: SKIPPED (takes ~30-40 min under TCG): run with BENCH_KERNEL=1"
	exit 77
fi
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/kernel/ktest.sh
. tests/kernel/ktest.sh
H=${BENCH_HUBS:-1000} S=${BENCH_SPOKES:-10} P=${BENCH_PROJECTS:-100}
HO=${BENCH_OLD_HUBS:-$H}
AGENT=${B:-build}/rel/bin/neutron-wireguard-agent

agent_offline() {
	[ -x "$AGENT" ] && timeout 5 "$AGENT" --help 2>&1 | grep -q -- '--desired-file'
}

# get_hubs-shaped desired state for the agent: the same hubs and spokes.
desired_json() { # file
	/usr/bin/python3 - "$H" "$S" "$P" >"$1" <<'PY'
import base64, json, sys
h, s, p = (int(x) for x in sys.argv[1:4])
def key(a, b):
    k = bytearray((a * 7919 + b * 104729 + i * 31) & 255 for i in range(32))
    k[0:4] = bytes([a & 255, a >> 8, b & 255, b >> 8])
    return base64.b64encode(bytes(k)).decode()
hubs = []
for i in range(h):
    net = f"10.{100 + i // 250}.{i % 250}"
    hubs.append({
        "port_id": f"{i:08x}-0000-4000-8000-{i:012d}",  # names: wg-<first 11>
        "project_id": f"benchproject{i % p}", "network_id": f"net-{i}",
        "admin_state_up": True, "fixed_ips": [f"{net}.1/24"], "mtu": 1450,
        "root_namespace": False, "public_key": None, "listen_port": None,
        "router_id": None,
        "spokes": [{"port_id": f"11111111-0000-4000-8000-{i:06d}{j:06d}",
                    "public_key": key(i, j), "endpoint": f"192.0.2.{j + 1}:{30000 + i}",
                    "allowed_ips": [f"{net}.{10 + j}/32"], "persistent_keepalive": None}
                   for j in range(s)]})
json.dump({"host": "bench-node", "hubs": hubs}, sys.stdout)
PY
}

guest_script() { # file agent(0/1)
	cat >"$1" <<EOF
#!/bin/sh
# ktest-timeout: $((${BENCH_KERNEL_TIMEOUT:-7200} - 60))
set -e
nwg-kernel-bench lib $H $S $P
nwg-kernel-bench clean $P
EOF
	if [ "$2" = 1 ]; then
		echo "want_hubs=$H" >>"$1"
		cat >>"$1" <<'EOF'
mkdir -p /var/lib/nwg-bench /run/nwg-bench
cat >/tmp/agent.ini <<'INI'
[DEFAULT]
host = bench-node
[AGENT]
report_interval = 0
[wireguard]
WG_HUB_IP = 127.0.0.1
backend = kernel
state_path = /var/lib/nwg-bench
control_socket = /run/nwg-bench/agent.sock
listen_port_range = 20000:29999
resync_interval = 0
INI
rc=0
nwg-kernel-bench rusage -- neutron-wireguard-agent --config-file /tmp/agent.ini \
	--desired-file /tests/bench-desired.json >/tmp/agent.log 2>&1 || rc=$?
grep '^RUSAGE' /tmp/agent.log
[ $rc = 0 ] || { tail -n 20 /tmp/agent.log; exit 1; }
n=$(/usr/sbin/ip -all netns exec wg show all listen-port 2>/dev/null | grep -c '^wg-')
echo "AGENT-HUBS $n"
[ "$n" = "$want_hubs" ] ||
	{ echo "FAIL the agent realized $n hubs"; exit 1; }
for n in $(/usr/sbin/ip netns list | cut -d" " -f1); do /usr/sbin/ip netns del "$n"; done
EOF
	fi
	echo "nwg-kernel-bench old $HO $S $P" >>"$1"
	echo "nwg-kernel-bench clean $P" >>"$1"
}

report() { # log
	/usr/bin/python3 - "$1" "$H" "$HO" "$P" <<'PY'
import re, sys
log = open(sys.argv[1], errors="replace").read().replace("\r", "")
h, ho, p = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
b = {}
for m in re.finditer(r"^BENCH (\w+) (\S+) hubs=(\d+) spokes=(\d+) wall=([\d.]+) user=([\d.]+) sys=([\d.]+) procs=(\d+)", log, re.M):
    b[(m[1], m[2])] = dict(hubs=int(m[3]), wall=float(m[5]), cpu=float(m[6]) + float(m[7]), procs=int(m[8]))
if ("lib", "create") not in b or ("old", "create") not in b:
    print("bench-kernel: no results (see the guest log)"); sys.exit(1)
scale = h / ho
if scale != 1:
    print(f"bench-kernel: NOTE old way measured on {ho} hubs, scaled x{scale:g} to {h}")
for phase in ("create", "warm"):
    l, o = b[("lib", phase)], b[("old", phase)]
    ow, oc = o["wall"] * scale, o["cpu"] * scale
    np = o["procs"] if scale == 1 else int((o["procs"] - (p if phase == "create" else 0)) * scale) + (p if phase == "create" else 0)
    print(f"bench-kernel: {phase:6s} {h} hubs: library {l['wall']:.2f}s wall {l['cpu']:.2f}s CPU | "
          f"old way {ow:.1f}s wall {oc:.1f}s CPU ({np} processes) | "
          f"ratio wall {ow / l['wall']:.1f}x CPU {oc / max(l['cpu'], 0.01):.1f}x")
m = re.search(r"^RUSAGE \S+ wall=([\d.]+) user=([\d.]+) sys=([\d.]+) maxrss_kb=(\d+) status=(\d+)", log, re.M)
if m:
    print(f"bench-kernel: agent --desired-file reconcile of {h} hubs: {m[1]}s wall, "
          f"CPU user {m[2]}s sys {m[3]}s, maxrss {int(m[4]) // 1024} MiB, exit {m[5]}; "
          f"ratio vs old way wall {b[('old','create')]['wall'] * scale / float(m[1]):.1f}x")
else:
    l = b[("lib", "create")]
    print(f"bench-kernel: agent offline mode not available: library-level equivalent stands in: "
          f"CPU {l['cpu']:.2f}s (getrusage of the bench process)")
PY
}

main() {
	local files agent=0 rc
	kt_setup || exit 1
	kt_ensure_pkgs || exit 1
	kt_kernel || exit 1
	kt_build_guest || exit 1
	files=("$KT_BUILD/nwg-kernel-bench")
	if agent_offline; then
		agent=1
		desired_json "$KT_WORK/bench-desired.json" || exit 1
		files+=("$AGENT" "$KT_WORK/bench-desired.json")
	else
		kt_log "agent has no --desired-file mode yet: measuring the library path only"
	fi
	guest_script "$KT_WORK/10-bench.sh" "$agent"
	files+=("$KT_WORK/10-bench.sh")
	kt_initramfs "$KT_WORK/initrd.gz" "${files[@]}" || exit 1
	NWG_KERNEL_MEM=${NWG_KERNEL_MEM:-1536} kt_boot "$KT_WORK/initrd.gz" \
		"${BENCH_KERNEL_TIMEOUT:-7200}" "${BENCH_KERNEL_TIMEOUT:-7200}"
	rc=$?
	report "$KT_LOG" || rc=1
	[ $rc = 0 ]
}
main "$@"
