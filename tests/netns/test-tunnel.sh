#!/usr/bin/env bash
# A WireGuard tunnel realised through libnwg (userspace backend, nwg-wgtool)
# to a device peer run with plain wireguard-go + wg + ip; the hub moves
# node -> tenant -> router -> tenant and its session survives; 200 peers
# round-trip; a repository file is valid `wg setconf` input; delete leaves no
# process and no socket. Root; everything lives in namespaces named *$$.
set -u
cd "$(dirname "$0")/../.."
TOOL=$PWD/build/asan/tools/nwg-wgtool

[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
for c in wireguard-go wg ip ping; do
	command -v $c >/dev/null || { echo "missing $c"; exit 77; }
done
[ -x "$TOOL" ] || { echo "missing $TOOL (make asan)"; exit 1; }

id=$$
NODE=nwgn$id DEVNS=nwgd$id TEN=nwgt$id RTR=nwgr$id
HUB=nwh$id HUB2=nwk$id DEV=nwd$id VN=nvn$id VD=nvd$id
TMP=$(mktemp -d /tmp/nwg-tunnel.XXXXXX)
DEV_PID="" HUB_PID="" HUB2_PID=""
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

ok=0 bad=0
pass() { ok=$((ok + 1)); echo "ok   - $*"; }
flunk() { bad=$((bad + 1)); echo "FAIL - $*"; }
check() { # check DESC CMD...
	local d=$1; shift
	if "$@"; then pass "$d"; else flunk "$d"; fi
}
not() { ! "$@"; }
tool() { ip netns exec "$NODE" "$TOOL" "$@"; }

# Kills pid only if it is still the wireguard-go we started for ifname.
kill_wg() {
	local pid=$1 ifname=$2
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "wireguard-go.* $ifname" || return 0
	kill "$pid" 2>/dev/null
}

cleanup() {
	set +e
	for ns in "$TEN" "$RTR" "$NODE"; do
		ip -n "$ns" link del "$HUB" 2>/dev/null
		ip -n "$ns" link del "$HUB2" 2>/dev/null
	done
	ip -n "$DEVNS" link del "$DEV" 2>/dev/null
	kill_wg "$HUB_PID" "$HUB"
	kill_wg "$HUB2_PID" "$HUB2"
	kill_wg "$DEV_PID" "$DEV"
	[ -n "$DEV_PID" ] && wait "$DEV_PID" 2>/dev/null
	for ns in "$NODE" "$DEVNS" "$TEN" "$RTR"; do
		ip netns del "$ns" 2>/dev/null
	done
	for s in "$HUB" "$HUB2" "$DEV"; do
		rm -f "/run/wireguard/$s.sock"
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

gone() { # gone PID: exited (absent, or a zombie waiting for PID 1)
	[ ! -e "/proc/$1/stat" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
wait_gone() {
	for _ in $(seq 100); do gone "$1" && return 0; sleep 0.02; done
	return 1
}
peer_field() { # peer_field GET-OUTPUT PUBKEY FIELD
	grep "^peer=$2 " <<<"$1" | tr ' ' '\n' | sed -n "s/^$3=//p"
}
pings() { # pings NS ADDR
	ip netns exec "$1" ping -c 3 -i 0.2 -W 2 "$2" >"$TMP/ping" 2>&1
	local rc=$?
	grep -E 'packets transmitted' "$TMP/ping" | sed 's/^/       /'
	return $rc
}

# ---- topology ---------------------------------------------------------------
set -e
for ns in "$NODE" "$DEVNS" "$TEN" "$RTR"; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip -n "$NODE" link add "$VN" type veth peer name "$VD" netns "$DEVNS"
ip -n "$NODE" addr add 192.0.2.1/24 dev "$VN"
ip -n "$DEVNS" addr add 192.0.2.2/24 dev "$VD"
ip -n "$NODE" link set "$VN" up
ip -n "$DEVNS" link set "$VD" up
set +e

# ---- hub through the library ---------------------------------------------------
out=$(tool create "$HUB")
check "create $HUB (wireguard-go spawned by the library)" test $? = 0
HUB_PID=$(sed -n 's/^pid=//p' <<<"$out")
check "wireguard-go pid reported ($HUB_PID)" test -n "$HUB_PID"
sid=$(ps -o sid= -p "$HUB_PID" | tr -d ' ')
check "wireguard-go leads its own session (setsid: sid=$sid)" test "$sid" = "$HUB_PID"
check "UAPI socket present" test -S "/run/wireguard/$HUB.sock"
check "exists says 1" test "$(tool exists "$HUB" -)" = 1
check "create again is refused" not tool create "$HUB" 2>/dev/null
check "move $HUB node -> tenant" tool move "$HUB" - "$TEN"
check "link now in the tenant namespace" ip -n "$TEN" link show "$HUB" >/dev/null
HUB_PUB=$(tool set-key "$HUB" "$TEN")
check "set-key (public key $HUB_PUB)" test ${#HUB_PUB} = 44
check "set-port 51820" tool set-port "$HUB" "$TEN" 51820

# ---- device peer with plain wireguard-go + wg + ip --------------------------
(umask 077 && wg genkey >"$TMP/dev.key")
DEV_PUB=$(wg pubkey <"$TMP/dev.key")
ip netns exec "$DEVNS" env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error \
	wireguard-go -f "$DEV" >"$TMP/dev.log" 2>&1 &
DEV_PID=$!
for _ in $(seq 250); do wg show "$DEV" >/dev/null 2>&1 && break; sleep 0.02; done
ip netns exec "$DEVNS" wg set "$DEV" private-key "$TMP/dev.key" \
	peer "$HUB_PUB" endpoint 192.0.2.1:51820 allowed-ips 10.99.0.1/32
check "device peer configured with wg" test $? = 0
ip -n "$DEVNS" addr add 10.99.0.2/24 dev "$DEV" && ip -n "$DEVNS" link set "$DEV" up
check "device addressed and up" test $? = 0

check "add-peer (device) on the hub" tool add-peer "$HUB" "$TEN" "$DEV_PUB" 10.99.0.2/32
check "addr 10.99.0.1/24 in tenant" tool addr "$HUB" "$TEN" 10.99.0.1/24
check "up in tenant" tool up "$HUB" "$TEN"

# ---- traffic ------------------------------------------------------------------
check "ping device -> hub" pings "$DEVNS" 10.99.0.1
check "ping tenant -> device" pings "$TEN" 10.99.0.2
g1=$(tool get "$HUB" "$TEN")
echo "$g1" | sed 's/^/       /'
hs1=$(peer_field "$g1" "$DEV_PUB" handshake)
rx1=$(peer_field "$g1" "$DEV_PUB" rx)
tx1=$(peer_field "$g1" "$DEV_PUB" tx)
check "handshake time non-zero ($hs1)" test "${hs1:-0}" -gt 0
check "byte counters non-zero (rx=$rx1 tx=$tx1)" test "${rx1:-0}" -gt 0 -a "${tx1:-0}" -gt 0
check "public key read back matches" grep -qx "public_key=$HUB_PUB" <<<"$g1"
check "listen port read back" grep -qx "listen_port=51820" <<<"$g1"
pings "$DEVNS" 10.99.0.1 >/dev/null
g2=$(tool get "$HUB" "$TEN")
rx2=$(peer_field "$g2" "$DEV_PUB" rx)
tx2=$(peer_field "$g2" "$DEV_PUB" tx)
check "counters grow (rx $rx1 -> $rx2, tx $tx1 -> $tx2)" test "${rx2:-0}" -gt "$rx1" -a "${tx2:-0}" -gt "$tx1"

# ---- router namespace and back: the session survives ---------------------------
check "move tenant -> router" tool move "$HUB" "$TEN" "$RTR"
check "re-address in router" tool addr "$HUB" "$RTR" 10.99.0.1/24
check "up in router" tool up "$HUB" "$RTR"
check "ping router -> device" pings "$RTR" 10.99.0.2
check "ping device -> hub (in router)" pings "$DEVNS" 10.99.0.1
hs=$(peer_field "$(tool get "$HUB" "$RTR")" "$DEV_PUB" handshake)
check "no new handshake in router ($hs1 = $hs)" test "$hs" = "$hs1"
check "move router -> tenant" tool move "$HUB" "$RTR" "$TEN"
check "re-address in tenant" tool addr "$HUB" "$TEN" 10.99.0.1/24
check "up in tenant" tool up "$HUB" "$TEN"
check "ping tenant -> device after the round trip" pings "$TEN" 10.99.0.2
g3=$(tool get "$HUB" "$TEN")
hs=$(peer_field "$g3" "$DEV_PUB" handshake)
rx3=$(peer_field "$g3" "$DEV_PUB" rx)
check "no new handshake after the round trip ($hs1 = $hs), rx $rx2 -> $rx3" \
	test "$hs" = "$hs1" -a "${rx3:-0}" -gt "$rx2"

# ---- a repository file is valid `wg setconf` input -----------------------------
if tool repo-format "$HUB" "$TEN" "$TMP/hub.conf" 2>"$TMP/repo.err"; then
	out=$(ip netns exec "$RTR" "$TOOL" create "$HUB2")
	HUB2_PID=$(sed -n 's/^pid=//p' <<<"$out")
	check "wg setconf accepts nwg_repo_format output" wg setconf "$HUB2" "$TMP/hub.conf"
	g=$(ip netns exec "$RTR" "$TOOL" get "$HUB2" -)
	check "setconf copy has the hub's key and port" \
		grep -qx "public_key=$HUB_PUB" <<<"$g"
	check "setconf copy listens on 51820" grep -qx "listen_port=51820" <<<"$g"
	check "setconf copy has the device peer" \
		test "$(ip netns exec "$RTR" "$TOOL" peers "$HUB2" -)" = "$DEV_PUB 10.99.0.2/32"
	check "delete the setconf copy" ip netns exec "$RTR" "$TOOL" delete "$HUB2" -
	check "its wireguard-go exited" wait_gone "$HUB2_PID"
else
	flunk "repo-format: $(cat "$TMP/repo.err")"
fi

# ---- 200 peers round-trip exactly ---------------------------------------------
tool set-peers-many "$HUB" "$TEN" 200 | sort >"$TMP/want"
check "set 200 peers" test "$(wc -l <"$TMP/want")" = 200
tool peers "$HUB" "$TEN" | sort >"$TMP/got"
check "read back 200 peers exactly (sorted lists equal)" cmp -s "$TMP/want" "$TMP/got"
check "200 peers reported by get" grep -qx "peers=200" <<<"$(tool get "$HUB" "$TEN")"

# ---- delete ------------------------------------------------------------------
check "delete through the library" tool delete "$HUB" "$TEN"
check "wireguard-go $HUB_PID gone" wait_gone "$HUB_PID"
check "UAPI socket gone" test ! -e "/run/wireguard/$HUB.sock"
check "link gone" not ip -n "$TEN" link show "$HUB" 2>/dev/null
check "exists says 0" test "$(tool exists "$HUB" "$TEN")" = 0
check "delete again is -ENODEV" not tool delete "$HUB" "$TEN" 2>/dev/null

echo "tunnel: $ok ok, $bad failed"
[ $bad = 0 ]
