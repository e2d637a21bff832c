# shellcheck shell=bash
# Helpers of tests/l3/run.sh (sourced). Needs: API (http://127.0.0.1:PORT/v2.0),
# PY, WORK (this run's scratch directory), AGENT_HOST.

PY=${PY:-/usr/bin/python3}
PASS=0
FAIL=0
now() { echo "$EPOCHREALTIME"; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) * 1000 }'; }
log() { printf '[l3 %s] %s\n' "$(date +%T)" "$*"; }
ok() {
	PASS=$((PASS + 1))
	printf 'ok %d - %s\n' "$((PASS + FAIL))" "$*"
}
not_ok() {
	FAIL=$((FAIL + 1))
	printf 'not ok %d - %s\n' "$((PASS + FAIL))" "$*"
}
# check "description" command...: passes when the command succeeds
check() {
	local d=$1
	shift
	if "$@" >>"$WORK/check.log" 2>&1; then ok "$d"; else not_ok "$d"; fi
}
# expect_eq "description" expected actual
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1 ($3)"; else not_ok "$1: expected '$2', got '$3'"; fi
}

# api METHOD PATH [JSON] -> body on stdout; HTTP code in $WORK/last_code.
# Each call writes its own files and renames them into last_body/last_code:
# calls made in parallel (agents started side by side) never read each
# other's answer.
api() {
	local b="$WORK/.body.$BASHPID" c="$WORK/.code.$BASHPID"
	curl -s -o "$b" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
		"$API$2" ${3:+-d "$3"} >"$c" || echo 000 >"$c"
	touch "$b"
	cat "$b"
	mv -f "$b" "$WORK/last_body"
	mv -f "$c" "$WORK/last_code"
}
code() { cat "$WORK/last_code"; }
# jf FIELD.PATH < json  (list indexes are numbers; prints "" when absent)
jf() {
	$PY -c '
import json, sys
try:
    d = json.load(sys.stdin)
    for k in sys.argv[1].split("."):
        d = d[int(k)] if isinstance(d, list) else d[k]
except Exception:
    d = ""
print(json.dumps(d) if isinstance(d, (dict, list)) else ("" if d is None else d))' "$1"
}

# wait_until SECONDS command... -> 0 as soon as the command succeeds
wait_until() {
	local t=$1 end
	shift
	end=$(awk -v n="$(now)" -v t="$t" 'BEGIN { printf "%.3f", n + t }')
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		awk -v n="$(now)" -v e="$end" 'BEGIN { exit !(n > e) }' && return 1
		sleep 0.2
	done
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
# stop_pid PID SECONDS: TERM, then KILL
stop_pid() {
	local p=$1 _
	pid_alive "$p" || return 0
	kill -TERM "$p" 2>/dev/null || true
	for _ in $(seq 1 $(($2 * 10))); do
		pid_alive "$p" || return 0
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null || true
}

# Agents of this run (neutron's own binaries). started_at changes on start.
agent_field() { # binary field
	api GET "/agents?binary=$1&host=$AGENT_HOST" | jf "agents.0.$2"
}
agent_fresh() { # binary old_started_at
	[ "$(agent_field "$1" alive)" = True ] && [ "$(agent_field "$1" started_at)" != "$2" ] &&
		[ -n "$(agent_field "$1" started_at)" ]
}
