#!/usr/bin/env bash
# shellcheck disable=SC2016 # check() conditions are eval'd later, on purpose
# Wire compatibility of agent/msg/msg.h (through tests/tools/nwg-msgtool) with the
# real oslo.messaging 14 (Debian, Zed) over RabbitMQ on 127.0.0.1.
# Needs root (starts RabbitMQ if it is not running) and `make asan`.
set -u
cd "$(dirname "$0")/../.." || exit 1
TOOL=${NWG_MSGTOOL:-build/asan/tools/nwg-msgtool}
PY=/usr/bin/python3
PEER=tests/agent/oslo_peer.py
SUF="$$-$RANDOM"
VHOST=nwg-msgtest-$SUF VHOST_MADE=0
URL=rabbit://guest:guest@127.0.0.1:5672/$VHOST
TMP=$(mktemp -d /tmp/nwg-msg-oslo.XXXXXX)
PIDS=()
pass=0 fail=0
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

ok() { pass=$((pass + 1)); echo "ok - $*"; }
nok() { fail=$((fail + 1)); echo "not ok - $*"; }
check() { # check DESC 'CONDITION' : CONDITION is a shell expression (eval'd)
	if eval "$2"; then ok "$1"; else nok "$1"; fi
}

port_open() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }

# RabbitMQ is shared: started (if needed) and owned by the harness, never
# stopped here. Everything this test creates lives in its own vhost, which
# is deleted at the end (queues and exchanges with it).
start_rabbit() {
	port_open || scripts/neutron-harness.sh rabbit >"$TMP/harness.out" 2>&1 ||
		{ tail -20 "$TMP/harness.out"; return 1; }
	rabbitmqctl -q add_vhost "$VHOST" >/dev/null &&
		rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null &&
		VHOST_MADE=1
}

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ "$VHOST_MADE" = 1 ] && rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

wait_line() { # wait_line FILE PATTERN [tenths]
	local _
	for _ in $(seq 1 "${3:-150}"); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

[ -x "$TOOL" ] || { echo "missing $TOOL (run make asan)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "must run as root"; exit 1; }
$PY -c 'import oslo_messaging' 2>/dev/null || { echo "python3-oslo.messaging missing"; exit 1; }
start_rabbit || { echo "RabbitMQ is not available"; exit 1; }

SRV_TOPIC=nwgt-srv-$SUF SRV=srv-$SUF
conf() { printf '[DEFAULT]\ntransport_url = %s\nhost = %s\n[oslo_messaging_rabbit]\nrabbit_transient_queues_ttl = 120\n' "$URL" "$1" >"$TMP/$1.conf"; echo "$TMP/$1.conf"; }
C=$(conf "agent-$SUF")
CS=$(conf "$SRV")
tool() { "$TOOL" -c "$C" "$@"; }

$PY "$PEER" "$URL" server "$SRV_TOPIC" "$SRV" "$TMP/record" >"$TMP/peer.out" 2>&1 &
PIDS+=($!)
wait_line "$TMP/peer.out" ready 300 || { cat "$TMP/peer.out"; echo "oslo server did not start"; exit 1; }

# (a) calls answered by an oslo RPC server
out=$(tool call "$SRV_TOPIC" echo '{"x": [1, "\u00e9"], "y": {"z": null}}' 2>&1)
check "(a) call echo -> result, admin context accepted" \
	'[ "$out" = '\''{"echo":{"x":[1,"é"],"y":{"z":null}},"is_admin":true}'\'' ]'
out=$(tool call "$SRV_TOPIC" add '{"a": 2, "b": 40}' "$SRV" 2>&1)
check "(a) call add to <topic>.<server> -> 42" \
	'[ "$out" = 42 ]'

# (a') asynchronous calls: 50 in flight at once, each answer to its own call
out=$(tool pipeline "$SRV_TOPIC" 50 2>&1)
check "(a') 50 pipelined asynchronous calls, each answered by _msg_id" \
	'[ "$out" = "pipeline 50 ok" ]'

# (b) remote exceptions
out=$(tool call "$SRV_TOPIC" fail '{"why": "x"}' 2>&1); rc=$?
check "(b) call raising ValueError -> EREMOTEIO 'ValueError: boom: x' ($rc)" \
	'[ $rc = 4 ] && [[ "$out" == *"EREMOTEIO: ValueError: boom: x"* ]]'
out=$(tool call "$SRV_TOPIC" no_such_method '{}' 2>&1); rc=$?
check "(b) unknown method -> EREMOTEIO NoSuchMethod" \
	'[ $rc = 4 ] && [[ "$out" == *NoSuchMethod* ]]'

# (c) oslo casts to a topic (and <topic>.<host>) and to a fanout that C consumes
LT=nwgt-topic-$SUF
tool -t 20000 listen-topic "$LT" 2 >"$TMP/lt.out" 2>"$TMP/lt.err" &
lt=$!; PIDS+=("$lt")
wait_line "$TMP/lt.out" ready
$PY "$PEER" "$URL" cast "$LT" hubs_changed '{"port_ids": ["p1"]}' 2>/dev/null
$PY "$PEER" "$URL" cast "$LT" hubs_changed '{"port_ids": ["p2"]}' --server "agent-$SUF" 2>/dev/null
wait "$lt"; rc=$?
check "(c) topic cast from oslo consumed by C" \
	'[ $rc = 0 ] &&
	grep -qx "{\"args\":{\"port_ids\":\[\"p1\"\]},\"method\":\"hubs_changed\",\"reason\":null,\"topic\":\"$LT\"}" "$TMP/lt.out"'
check "(c) <topic>.<host> cast from oslo consumed by C" \
	'grep -q '\''"port_ids":\["p2"\]'\'' "$TMP/lt.out"'

LF=nwgt-fanout-$SUF
tool -t 20000 listen-fanout "$LF" 1 >"$TMP/lf.out" 2>"$TMP/lf.err" &
lf=$!; PIDS+=("$lf")
wait_line "$TMP/lf.out" ready
$PY "$PEER" "$URL" cast "$LF" port_update '{"port": {"id": "p3"}}' --fanout 2>/dev/null
wait "$lf"; rc=$?
check "(c) fanout cast from oslo consumed by C" \
	'[ $rc = 0 ] &&
	grep -q '\''"method":"port_update"'\'' "$TMP/lf.out" && grep -q '\''"id":"p3"'\'' "$TMP/lf.out"'

# (d) C casts to the oslo server
tool cast "$SRV_TOPIC" note '{"k": "v1"}' && tool cast "$SRV_TOPIC" note '{"k": "v2"}' "$SRV"
wait_line "$TMP/record" '"v2"' 100
check "(d) casts from C (topic and <topic>.<server>) reach oslo" \
	'grep -qx '\''{"args": {"k": "v1"}, "method": "note"}'\'' "$TMP/record" &&
	grep -qx '\''{"args": {"k": "v2"}, "method": "note"}'\'' "$TMP/record"'

# (e) no server -> timeout
t0=$(date +%s%N)
out=$(tool -t 1500 call "nwgt-nobody-$SUF" ping '{}' 2>&1); rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "(e) call without server -> ETIMEDOUT after ~1.5 s (${ms} ms)" \
	'[ $rc = 3 ] && [[ "$out" == *ETIMEDOUT* ]] && [ $ms -ge 1400 ] && [ $ms -lt 6000 ]'

# (f) garbage on the C tool's queue is reported and the tool keeps going
LG=nwgt-garbage-$SUF
tool -t 20000 listen-topic "$LG" 4 >"$TMP/lg.out" 2>"$TMP/lg.err" &
lg=$!; PIDS+=("$lg")
wait_line "$TMP/lg.out" ready
$PY "$PEER" "$URL" raw neutron "$LG" 'not json {' 2>/dev/null
$PY "$PEER" "$URL" raw neutron "$LG" '{"oslo.version": "1.0", "oslo.message": "{}"}' 2>/dev/null
$PY "$PEER" "$URL" raw neutron "$LG" '{"oslo.version": "2.0", "oslo.message": "{\"method\": 7}"}' 2>/dev/null
$PY "$PEER" "$URL" cast "$LG" still_alive '{"n": 1}' 2>/dev/null
wait "$lg"; rc=$?
check "(f) 3 bad bodies reported with a reason, then a good cast (rc $rc)" \
	'[ $rc = 0 ] &&
	[ "$(grep -c '\''"method":null,"reason":"'\'' "$TMP/lg.out")" = 3 ] &&
	grep -q '\''"method":"still_alive"'\'' "$TMP/lg.out"'

# (g) our declarations are equivalent to oslo's own (no 406 PRECONDITION_FAILED)
out=$("$TOOL" -c "$CS" listen-topic "$SRV_TOPIC" 0 2>&1); rc=$?
check "(g) C declares oslo's <topic> and <topic>.<server> queues: no 406" \
	'[ $rc = 0 ]'
[ $rc = 0 ] || echo "   $out"
out=$("$TOOL" -c "$CS" listen-fanout "$SRV_TOPIC" 0 2>&1); rc=$?
check "(g) C declares oslo's <topic>_fanout exchange: no 406" \
	'[ $rc = 0 ]'
out=$(tool call "$SRV_TOPIC" add '{"a": 1, "b": 1}' "$SRV" 2>&1)
check "(g) oslo server still answers after C's declarations" \
	'[ "$out" = 2 ]'

# (h) the broker cancels our consumer (queue deleted) -> ECONNRESET
LC=nwgt-cancel-$SUF
tool -t 20000 listen-topic "$LC" 1 >"$TMP/lc.out" 2>"$TMP/lc.err" &
lc=$!; PIDS+=("$lc")
wait_line "$TMP/lc.out" ready
rabbitmqctl delete_queue -q -p "$VHOST" "$LC" >/dev/null 2>&1
wait "$lc"; rc=$?
check "(h) basic.cancel from the broker -> ECONNRESET (rc $rc)" \
	'[ $rc = 5 ] &&
	grep -q "ECONNRESET: .*cancelled" "$TMP/lc.err"'

echo "msg-oslo: $pass passed, $fail failed"
[ $fail = 0 ]
