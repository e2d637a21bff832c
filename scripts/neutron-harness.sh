#!/usr/bin/env bash
# Real-Neutron test harness: RabbitMQ + MariaDB + /usr/bin/neutron-server
# (Debian 12, Zed) on loopback with auth_strategy = noauth, the router
# service plugin and our ML2 driver, migrations applied. No systemd here:
# daemons are started by hand and stopped by PID. Idempotent; prints timings.
#
# Usage (root): neutron-harness.sh start|stop [--all]|restart|status|rabbit|env
#   start     install what is missing, start RabbitMQ and MariaDB if not
#             running, write configs, migrate, start neutron-server
#   restart   rewrite configs, re-migrate, restart neutron-server
#   stop      stop this instance's neutron-server; with --all also RabbitMQ
#             and MariaDB, but only if this harness started them
#   status    exit 0 when this instance's neutron-server answers
#   rabbit    only make sure RabbitMQ runs (for messaging tests)
#   env       print shell assignments for tests (endpoint, URLs, paths)
#
# Instances let several test runs share one machine: NWG_INSTANCE=name gives
# its own state dir, database and RabbitMQ vhost; pick NEUTRON_PORT too.
#   NWG_INSTANCE        instance name                  (default)
#   NEUTRON_PORT        API port on 127.0.0.1           (9696)
#   NWG_HARNESS_ROOT    state root                      (/var/tmp/nwg-harness)
#   MECH_DRIVERS        ml2 mechanism_drivers           (wireguard,logger)
#   EXT_DRIVERS         ml2 extension_drivers           (port_security,wireguard)
#   AGENT_DOWN_TIME     server agent_down_time (s)      (75)
#   NEUTRON_DEBUG       true|false                      (false)
#   NWG_SRC             source tree of networking_wireguard (this repo);
#                       "system": the installed package (.deb), no PYTHONPATH
#   NEUTRON_AUTH        noauth|headers                  (noauth)
#                       headers: Keystone's context middleware without token
#                       validation: identity comes from X-User-Id/X-Project-Id/
#                       X-Roles headers set by a trusted front (tests/osc/authproxy.py)
#   NEUTRON_POLICY      a policy.yaml to use (override rules)  (none)
#   NWG_EXTRA_CONF      an extra config file read last by neutron-server and
#                       neutron-db-manage (overrides the harness's values;
#                       copied to etc/extra.conf by start/restart)
#   ROUTER_SCHEDULER    router_scheduler_driver (class path; Neutron's default)
# The package is put on neutron-server's PYTHONPATH from NWG_SRC with its
# egg-info (entry points), so a run never changes the system's Python.
set -euo pipefail

# The daemons started here (RabbitMQ and its epmd, MariaDB, neutron-server)
# live far longer than the caller: they must not inherit its descriptors (a
# test's flock on fd 9 would stay locked for as long as RabbitMQ runs). Every
# descriptor above 2 that is not already close-on-exec is closed first; the
# caller keeps its own copies (and its locks).
close_inherited_fds() {
	local self=$BASHPID p fd flags
	for p in "/proc/$self/fd/"*; do
		fd=${p##*/}
		[ "$fd" -gt 2 ] 2>/dev/null || continue
		flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$self/fdinfo/$fd" 2>/dev/null) || continue
		[ -n "$flags" ] || continue
		(((8#$flags & 8#2000000) == 0)) || continue # O_CLOEXEC: gone at exec anyway
		exec {fd}>&-
	done
}
close_inherited_fds

ACTION=${1:-start}
OPT=${2:-}
HERE=$(cd "$(dirname "$0")/.." && pwd)
NWG_SRC=${NWG_SRC:-$HERE}
NWG_INSTANCE=${NWG_INSTANCE:-default}
case $NWG_INSTANCE in *[!A-Za-z0-9_]*) echo "bad NWG_INSTANCE" >&2; exit 2 ;; esac
NEUTRON_PORT=${NEUTRON_PORT:-9696}
ROOT=${NWG_HARNESS_ROOT:-/var/tmp/nwg-harness}
STATE=$ROOT/$NWG_INSTANCE
LOGS=$STATE/logs
ETC=$STATE/etc
MECH_DRIVERS=${MECH_DRIVERS:-wireguard,logger}
EXT_DRIVERS=${EXT_DRIVERS:-port_security,wireguard}
AGENT_DOWN_TIME=${AGENT_DOWN_TIME:-75}
NEUTRON_DEBUG=${NEUTRON_DEBUG:-false}
NEUTRON_AUTH=${NEUTRON_AUTH:-noauth}
case $NEUTRON_AUTH in noauth | headers) ;; *) echo "bad NEUTRON_AUTH" >&2; exit 2 ;; esac
NEUTRON_POLICY=${NEUTRON_POLICY:-}
DB_PASS=neutronpw
if [ "$NWG_INSTANCE" = default ]; then DB=neutron VHOST=/; else DB=neutron_$NWG_INSTANCE VHOST=nwg_$NWG_INSTANCE; fi
PY=/usr/bin/python3
RABBIT_PIDFILE=/run/rabbitmq/pid
MYSQL_PIDFILE=/run/mysqld/mysqld.pid
MYSQL_SOCK=/run/mysqld/mysqld.sock
NEUTRON_PIDFILE=$STATE/neutron-server.pid
MARK_RABBIT=$ROOT/.rabbit-started-by-harness
MARK_MYSQL=$ROOT/.mariadb-started-by-harness
ENDPOINT=http://127.0.0.1:$NEUTRON_PORT
vhost_enc() { [ "$VHOST" = / ] && echo "" || echo "$VHOST"; }
TRANSPORT_URL="rabbit://guest:guest@127.0.0.1:5672/$(vhost_enc)"

T_ALL=$EPOCHREALTIME
TIMINGS=()
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
step() { STEP_NAME=$1; STEP_T0=$EPOCHREALTIME; }
step_end() {
	local d
	d=$(elapsed "$STEP_T0" "$EPOCHREALTIME")
	TIMINGS+=("$(printf '  %-34s %7ss  %s' "$STEP_NAME" "$d" "${1:-}")")
}
summary() {
	echo "neutron-harness [$NWG_INSTANCE] timings:"
	printf '%s\n' "${TIMINGS[@]}"
	printf '  %-34s %7ss\n' total "$(elapsed "$T_ALL" "$EPOCHREALTIME")"
}
die() { echo "neutron-harness: $*" >&2; exit 1; }
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_dead() {
	local _
	for _ in $(seq 1 $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

need_root() { [ "$(id -u)" = 0 ] || die "run as root"; }

install_packages() {
	step "packages"
	local out
	out=$("$HERE/scripts/install-deps.sh" all 2>&1) || { echo "$out" | tail -20; die "apt failed"; }
	step_end "$(echo "$out" | tail -1)"
}

start_rabbitmq() {
	step "rabbitmq"
	if tcp_open 5672; then step_end "already running"; return; fi
	getent hosts "$(hostname -s)" >/dev/null || echo "127.0.0.1 $(hostname -s)" >>/etc/hosts
	install -d -o rabbitmq -g rabbitmq /run/rabbitmq /var/log/rabbitmq
	rm -f "$RABBIT_PIDFILE"
	mkdir -p "$ROOT"
	setsid su rabbitmq -s /bin/sh -c 'cd /var/lib/rabbitmq &&
		export HOME=/var/lib/rabbitmq RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
		ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_PID_FILE='"$RABBIT_PIDFILE"' \
		RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" &&
		exec /usr/lib/rabbitmq/bin/rabbitmq-server' >"$ROOT/rabbitmq.out" 2>&1 </dev/null &
	for _ in $(seq 1 100); do [ -s "$RABBIT_PIDFILE" ] && break; sleep 0.1; done
	rabbitmqctl wait --timeout 120 "$RABBIT_PIDFILE" >"$ROOT/rabbitmq-wait.out" 2>&1 ||
		{ tail -20 "$ROOT/rabbitmq.out"; die "rabbitmq did not start"; }
	touch "$MARK_RABBIT"
	step_end "pid $(cat "$RABBIT_PIDFILE")"
}

ensure_vhost() {
	[ "$VHOST" = / ] && return 0
	rabbitmqctl -q list_vhosts 2>/dev/null | grep -qx "$VHOST" || rabbitmqctl -q add_vhost "$VHOST" >/dev/null
	rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
}

start_mariadb() {
	step "mariadb"
	if mariadb-admin --socket="$MYSQL_SOCK" ping >/dev/null 2>&1; then
		step_end "already running"
	else
		install -d -o mysql -g mysql /run/mysqld
		[ -d /var/lib/mysql/mysql ] ||
			mariadb-install-db --user=mysql --datadir=/var/lib/mysql >"$ROOT/mariadb-install-db.log" 2>&1
		setsid /usr/sbin/mariadbd --user=mysql --bind-address=127.0.0.1 --port=3306 \
			--socket="$MYSQL_SOCK" --pid-file="$MYSQL_PIDFILE" >"$ROOT/mariadb.out" 2>&1 </dev/null &
		for _ in $(seq 1 120); do
			mariadb-admin --socket="$MYSQL_SOCK" ping >/dev/null 2>&1 && break
			sleep 0.25
		done
		mariadb-admin --socket="$MYSQL_SOCK" ping >/dev/null 2>&1 ||
			{ tail -20 "$ROOT/mariadb.out"; die "mariadb did not start"; }
		touch "$MARK_MYSQL"
		step_end "pid $(cat "$MYSQL_PIDFILE")"
	fi
	mariadb --socket="$MYSQL_SOCK" -e "
		CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8;
		CREATE USER IF NOT EXISTS 'neutron'@'localhost' IDENTIFIED BY '$DB_PASS';
		CREATE USER IF NOT EXISTS 'neutron'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
		GRANT ALL PRIVILEGES ON \`neutron%\`.* TO 'neutron'@'localhost';
		GRANT ALL PRIVILEGES ON \`neutron%\`.* TO 'neutron'@'127.0.0.1';
		FLUSH PRIVILEGES;"
}

have_driver() {
	if [ "$NWG_SRC" = system ]; then
		(cd / && $PY -c 'import networking_wireguard') 2>/dev/null
		return
	fi
	[ -f "$NWG_SRC/setup.cfg" ] && [ -d "$NWG_SRC/networking_wireguard" ]
}

prepare_package() {
	step "package (egg-info)"
	if ! have_driver; then
		MECH_DRIVERS=logger EXT_DRIVERS=port_security
		step_end "no networking_wireguard in $NWG_SRC: stock drivers only"
		return
	fi
	if [ "$NWG_SRC" = system ]; then
		step_end "installed package"
		return
	fi
	(cd "$NWG_SRC" && $PY setup.py -q egg_info >"$LOGS/egg-info.log" 2>&1) ||
		{ tail -20 "$LOGS/egg-info.log"; die "egg_info failed"; }
	step_end "$NWG_SRC on PYTHONPATH"
}

# headers mode: Keystone's pipeline without authtoken (identity headers are
# trusted; only for a loopback harness behind tests/osc/authproxy.py).
write_auth_configs() {
	local strategy=noauth
	AUTH_EXTRA=""
	if [ "$NEUTRON_AUTH" = headers ]; then
		strategy=keystone
		sed 's/ authtoken keystonecontext / keystonecontext /' /etc/neutron/api-paste.ini \
			>"$ETC/api-paste.ini"
		AUTH_EXTRA="api_paste_config = $ETC/api-paste.ini"
	fi
	AUTH_STRATEGY=$strategy
	POLICY_EXTRA=""
	if [ -n "$NEUTRON_POLICY" ]; then
		install -m 0644 "$NEUTRON_POLICY" "$ETC/policy.yaml"
		POLICY_EXTRA="[oslo_policy]
policy_file = $ETC/policy.yaml"
	fi
}

write_configs() {
	mkdir -p "$ETC" "$STATE/lock" "$STATE/state"
	write_auth_configs
	cat >"$ETC/neutron.conf" <<EOF
# written by neutron-harness.sh (instance $NWG_INSTANCE)
[DEFAULT]
core_plugin = ml2
service_plugins = router,wireguard
auth_strategy = $AUTH_STRATEGY
$AUTH_EXTRA
bind_host = 127.0.0.1
bind_port = $NEUTRON_PORT
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 1
transport_url = $TRANSPORT_URL
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
agent_down_time = $AGENT_DOWN_TIME
${ROUTER_SCHEDULER:+router_scheduler_driver = $ROUTER_SCHEDULER}
state_path = $STATE/state
debug = $NEUTRON_DEBUG
log_file = $LOGS/neutron-server.log

[database]
connection = mysql+pymysql://neutron:$DB_PASS@127.0.0.1/$DB

[oslo_concurrency]
lock_path = $STATE/lock

[experimental]
linuxbridge = true

$POLICY_EXTRA
EOF
	write_extra_conf
	cat >"$ETC/ml2_conf.ini" <<EOF
# written by neutron-harness.sh (instance $NWG_INSTANCE)
[ml2]
type_drivers = flat,vxlan,local
tenant_network_types = vxlan
mechanism_drivers = $MECH_DRIVERS
extension_drivers = $EXT_DRIVERS

[ml2_type_flat]
flat_networks = *

[ml2_type_vxlan]
vni_ranges = 1:1000

[securitygroup]
enable_security_group = true
EOF
}

pyenv() {
	if [ "$NWG_SRC" = system ]; then
		echo "PYTHONPATH=${PYTHONPATH:-}"
	else
		echo "PYTHONPATH=$NWG_SRC${PYTHONPATH:+:$PYTHONPATH}"
	fi
}

# --config-file arguments: the harness's two files, then the extra one.
write_extra_conf() {
	if [ -n "${NWG_EXTRA_CONF:-}" ]; then
		[ -r "$NWG_EXTRA_CONF" ] || die "NWG_EXTRA_CONF $NWG_EXTRA_CONF is not readable"
		cp "$NWG_EXTRA_CONF" "$ETC/extra.conf"
	else
		rm -f "$ETC/extra.conf"
	fi
}
CONF_ARGS=()
conf_args() {
	CONF_ARGS=(--config-file "$ETC/neutron.conf" --config-file "$ETC/ml2_conf.ini")
	[ -f "$ETC/extra.conf" ] && CONF_ARGS+=(--config-file "$ETC/extra.conf")
	return 0
}

migrate_db() {
	step "neutron-db-manage upgrade heads"
	conf_args
	env "$(pyenv)" neutron-db-manage "${CONF_ARGS[@]}" upgrade heads >"$LOGS/db-manage.log" 2>&1 ||
		{ tail -30 "$LOGS/db-manage.log"; die "migration failed"; }
	step_end "$(grep -c 'migration\] Running upgrade' "$LOGS/db-manage.log" || true) steps"
}

stop_neutron() {
	pid_alive "$NEUTRON_PIDFILE" || { rm -f "$NEUTRON_PIDFILE"; return 0; }
	step "neutron-server stop"
	local pid
	pid=$(cat "$NEUTRON_PIDFILE")
	kill -TERM "$pid"
	wait_dead "$pid" 30 || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$NEUTRON_PIDFILE"
	step_end "pid $pid"
}

api_up() {
	local h=()
	[ "$NEUTRON_AUTH" = headers ] && h=(-H 'X-User-Id: harness' -H 'X-Project-Id: harness' -H 'X-Roles: admin')
	curl -sf -o /dev/null "${h[@]}" "$ENDPOINT/v2.0/networks"
}

start_neutron() {
	step "neutron-server start"
	if pid_alive "$NEUTRON_PIDFILE" && api_up; then step_end "already running"; return; fi
	tcp_open "$NEUTRON_PORT" && die "port $NEUTRON_PORT is in use by something else"
	conf_args
	env "$(pyenv)" setsid $PY /usr/bin/neutron-server "${CONF_ARGS[@]}" \
		>"$LOGS/neutron-server.out" 2>&1 </dev/null &
	echo $! >"$NEUTRON_PIDFILE"
	local pid=$!
	for _ in $(seq 1 240); do
		api_up && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.25
	done
	if ! api_up; then
		tail -5 "$LOGS/neutron-server.out" >&2
		grep -E ' (ERROR|CRITICAL) ' "$LOGS/neutron-server.log" 2>/dev/null | tail -20 >&2 || true
		die "neutron-server did not come up"
	fi
	step_end "pid $pid, $ENDPOINT"
}

other_instances_up() {
	local f
	for f in "$ROOT"/*/neutron-server.pid; do
		[ -e "$f" ] && [ "$f" != "$NEUTRON_PIDFILE" ] && pid_alive "$f" && return 0
	done
	return 1
}

stop_services() {
	# RabbitMQ and MariaDB are shared by every instance: keep them while
	# another instance's neutron-server still uses them.
	if other_instances_up; then
		step "rabbitmq/mariadb stop"
		step_end "skipped: other instances still running"
		return 0
	fi
	if [ -f "$MARK_MYSQL" ] && pid_alive "$MYSQL_PIDFILE"; then
		step "mariadb stop"
		local p
		p=$(cat "$MYSQL_PIDFILE")
		kill -TERM "$p"
		wait_dead "$p" 60 || kill -KILL "$p" 2>/dev/null || true
		step_end "pid $p"
	fi
	rm -f "$MARK_MYSQL"
	if [ -f "$MARK_RABBIT" ] && pid_alive "$RABBIT_PIDFILE"; then
		step "rabbitmq stop"
		local r
		r=$(cat "$RABBIT_PIDFILE")
		rabbitmqctl stop "$RABBIT_PIDFILE" >/dev/null 2>&1 || kill -TERM "$r"
		wait_dead "$r" 60 || kill -KILL "$r" 2>/dev/null || true
		step_end "pid $r"
		# epmd was daemonised by rabbitmq-server: stop it by its PID
		local e
		e=$(ss -Hltnp 'sport = :4369' 2>/dev/null | grep -o 'epmd",pid=[0-9]*' | head -1 | cut -d= -f2 || true)
		[ -n "$e" ] && { kill -TERM "$e" 2>/dev/null || true; }
	fi
	rm -f "$MARK_RABBIT"
}

print_env() {
	cat <<EOF
NWG_INSTANCE=$NWG_INSTANCE
OS_ENDPOINT=$ENDPOINT
NEUTRON_API=$ENDPOINT/v2.0
TRANSPORT_URL=$TRANSPORT_URL
NEUTRON_CONF=$ETC/neutron.conf
ML2_CONF=$ETC/ml2_conf.ini
NEUTRON_LOG=$LOGS/neutron-server.log
HARNESS_STATE=$STATE
NEUTRON_AUTH=$NEUTRON_AUTH
EOF
}

case "$ACTION" in
start | restart)
	need_root
	mkdir -p "$LOGS"
	install_packages
	start_rabbitmq
	ensure_vhost
	start_mariadb
	# our server, but not answering the way this caller asks (another suite
	# left it in the other NEUTRON_AUTH mode): start it again with ours
	if [ "$ACTION" = start ] && pid_alive "$NEUTRON_PIDFILE" && ! api_up; then
		echo "neutron-harness: instance $NWG_INSTANCE does not answer with NEUTRON_AUTH=$NEUTRON_AUTH: restarting it" >&2
		ACTION=restart
	fi
	[ "$ACTION" = restart ] && stop_neutron
	if [ "$ACTION" = restart ] || ! pid_alive "$NEUTRON_PIDFILE"; then
		prepare_package
		write_configs
		migrate_db
	fi
	start_neutron
	summary
	;;
stop)
	need_root
	stop_neutron
	[ "$OPT" = --all ] && stop_services
	summary
	;;
rabbit)
	need_root
	start_rabbitmq
	ensure_vhost
	summary
	;;
status)
	pid_alive "$NEUTRON_PIDFILE" && api_up && { echo "up: $ENDPOINT (pid $(cat "$NEUTRON_PIDFILE"))"; exit 0; }
	echo "down"
	exit 1
	;;
env) print_env ;;
*)
	echo "usage: $0 start|stop [--all]|restart|status|rabbit|env" >&2
	exit 2
	;;
esac
