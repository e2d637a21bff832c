#!/usr/bin/env bash
# Driver suite (`make check-driver`): networking_wireguard inside neutron-server.
#
#  1. packaging: egg_info (entry points for ML2's stevedore), and a pip
#     install into a scratch target (no PyPI) that must carry the migrations;
#  2. unit tests on Neutron's own ML2 test bases (SQLite, no broker);
#  3. against the real neutron-server of scripts/neutron-harness.sh: the
#     subproject migration, our RPC consumer on RabbitMQ, and
#     tests/driver/test_server.py (bad-input catalogue, fake agent, binding,
#     hub_realized, hubs_changed, router add port).
#
# Harness instance: NWG_INSTANCE / NEUTRON_PORT from the environment (the
# default instance under `make check`). A neutron-server that was already
# running is restarted on this tree's code and left running; otherwise it is
# stopped at the end (with RabbitMQ/MariaDB if this run started them).
# Ends with "driver: N passed, M failed". Run as root.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
HARNESS="$ROOT/scripts/neutron-harness.sh"
cd "$ROOT" || exit 1
[ "$(id -u)" = 0 ] || { echo "driver: run as root"; echo "driver: 0 passed, 1 failed"; exit 1; }

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
LOG=$(mktemp -d /tmp/nwg-driver-suite.XXXXXX)
SCRATCH=$(mktemp -d /tmp/nwg-driver-pip.XXXXXX)
harness_up_before=0 services_up_before=1 harness_started=0
keep_logs=1
cleanup() {
	rm -rf "$SCRATCH"
	if [ $harness_started = 1 ] && [ $harness_up_before = 0 ]; then
		if [ $services_up_before = 0 ]; then
			"$HARNESS" stop --all >"$LOG/harness-stop.out" 2>&1
		else
			"$HARNESS" stop >"$LOG/harness-stop.out" 2>&1
		fi
	fi
	[ $keep_logs = 0 ] && rm -rf "$LOG"
}
trap cleanup EXIT

# ---- 1. packaging ------------------------------------------------------------
echo "-- packaging"
check "setup.py egg_info (entry points)" \
	sh -c "$PY setup.py -q egg_info >'$LOG/egg-info.out' 2>&1"
for ep in "neutron.ml2.mechanism_drivers:wireguard" "neutron.ml2.extension_drivers:wireguard" \
	"neutron.db.alembic_migrations:networking-wireguard" "oslo.config.opts:networking_wireguard"; do
	check "entry point $ep" $PY -c "
import sys; from importlib.metadata import entry_points
g, n = sys.argv[1].split(':'); sys.exit(0 if [e for e in entry_points(group=g) if e.name == n] else 1)" "$ep"
done
pip_install() {
	mkdir -p "$SCRATCH/src" && cp -r setup.py setup.cfg networking_wireguard "$SCRATCH/src/" &&
		find "$SCRATCH/src" -name __pycache__ -prune -exec rm -rf {} + &&
		rm -rf "$SCRATCH/src/"*.egg-info &&
		(cd "$SCRATCH/src" && PIP_NO_INPUT=1 $PY -m pip install -q --break-system-packages --no-index \
			--no-build-isolation --no-deps --target "$SCRATCH/target" . >"$LOG/pip.out" 2>&1) &&
		[ -f "$SCRATCH/target/networking_wireguard/db/migration/alembic_migrations/versions/EXPAND_HEAD" ] &&
		ls "$SCRATCH"/target/networking_wireguard/db/migration/alembic_migrations/versions/zed/expand/*.py >/dev/null &&
		grep -q "networking-wireguard = " "$SCRATCH"/target/networking_wireguard-*.dist-info/entry_points.txt
}
check "pip install --no-index (scratch target) carries migrations + entry points" pip_install

# ---- 2. unit tests -----------------------------------------------------------
echo "-- unit tests (Neutron ML2 test bases)"
$PY -m pytest -q -p no:cacheprovider -W ignore networking_wireguard/tests/unit \
	>"$LOG/unit.out" 2>&1
unit_rc=$?
summary=$(grep -E '^[0-9]+ (passed|failed)|[0-9]+ passed|[0-9]+ failed|[0-9]+ error' "$LOG/unit.out" | tail -1)
u_pass=$(echo "$summary" | grep -o '[0-9]* passed' | grep -o '[0-9]*' || true)
u_fail=$(echo "$summary" | grep -o '[0-9]* failed' | grep -o '[0-9]*' || true)
u_err=$(echo "$summary" | grep -o '[0-9]* error' | grep -o '[0-9]*' || true)
u_pass=${u_pass:-0} u_fail=$((${u_fail:-0} + ${u_err:-0}))
[ $unit_rc != 0 ] && [ "$u_fail" = 0 ] && u_fail=1
passed=$((passed + u_pass)) failed=$((failed + u_fail))
echo "unit: $u_pass passed, $u_fail failed ($summary)"
[ "$u_fail" != 0 ] && grep -E '^(FAILED|ERROR) ' "$LOG/unit.out" | head -20

# ---- 3. real neutron-server --------------------------------------------------
echo "-- real neutron-server (harness instance ${NWG_INSTANCE:-default})"
"$HARNESS" status >/dev/null 2>&1 && harness_up_before=1
if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null || ! mariadb-admin --socket=/run/mysqld/mysqld.sock ping >/dev/null 2>&1; then
	services_up_before=0
fi
if [ $harness_up_before = 1 ]; then action=restart; else action=start; fi
harness_started=1
if "$HARNESS" $action >"$LOG/harness.out" 2>&1; then
	ok "harness $action"
	sed -n '/timings:/,$p' "$LOG/harness.out"
else
	bad "harness $action"
	tail -20 "$LOG/harness.out"
	echo "driver: $passed passed, $((failed)) failed"
	exit 1
fi
eval "$("$HARNESS" env)"
export NWG_INSTANCE OS_ENDPOINT NEUTRON_API TRANSPORT_URL NEUTRON_CONF ML2_CONF NEUTRON_LOG

check "neutron-db-manage --subproject networking-wireguard upgrade head" sh -c \
	"env PYTHONPATH='$ROOT' neutron-db-manage --config-file '$NEUTRON_CONF' --config-file '$ML2_CONF' \
	--subproject networking-wireguard upgrade head >'$LOG/db-sub.out' 2>&1 &&
	env PYTHONPATH='$ROOT' neutron-db-manage --config-file '$NEUTRON_CONF' --config-file '$ML2_CONF' \
	--subproject networking-wireguard current 2>&1 | grep -q '$(cat networking_wireguard/db/migration/alembic_migrations/versions/EXPAND_HEAD) (head)'"
vhost=${TRANSPORT_URL##*/}
[ -n "$vhost" ] || vhost=/
rpc_consumer() {
	local _
	for _ in $(seq 1 40); do
		rabbitmqctl -q list_queues -p "$vhost" name consumers 2>/dev/null |
			awk '$1 == "q-wireguard-plugin" && $2 > 0 { found = 1 } END { exit !found }' && return 0
		sleep 0.5
	done
	return 1
}
check "RabbitMQ: q-wireguard-plugin has a consumer (vhost $vhost)" rpc_consumer
check "server log: WireGuard drivers loaded, extension 'wireguard' loaded" sh -c \
	"grep -q 'Registered mechanism drivers: \[.wireguard' '$NEUTRON_LOG' &&
	 grep -q 'Loaded extension: wireguard' '$NEUTRON_LOG'"

$PY "$HERE/test_server.py" 2>&1 | tee "$LOG/server.out" | grep -v '^ok '
s_line=$(grep -E '^server: [0-9]+ passed, [0-9]+ failed' "$LOG/server.out" | tail -1)
if [ -n "$s_line" ]; then
	s_pass=$(echo "$s_line" | awk '{print $2}')
	s_fail=$(echo "$s_line" | awk '{print $4}')
else
	s_pass=0 s_fail=1
fi
passed=$((passed + s_pass)) failed=$((failed + s_fail))

if [ $failed = 0 ]; then keep_logs=0; else echo "logs: $LOG"; fi
echo "driver: $passed passed, $failed failed"
[ $failed = 0 ]
