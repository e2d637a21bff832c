#!/bin/sh
# A tunnel between two namespaces, kernel WireGuard on both ends: side A is
# configured through the library (nwg-kernel-test hub-up), side B with wg/ip.
# Ping both ways; each side checks the other's configuration with the other
# tool; both see a handshake.
# ktest-timeout: 60
set -eu
IP=/usr/sbin/ip # busybox ash would run its own "ip" applet
NA=tun-kta$$ NB=kt-b$$ IA=wg-kta IB=wg-ktb
cleanup() {
	nwg-kernel-test down "$NA" "$IA" >/dev/null 2>&1 || true
	$IP netns del "$NB" 2>/dev/null || true
	$IP link del "$IB" 2>/dev/null || true
	rm -f /tmp/ka /tmp/kb
}
trap cleanup EXIT
wg genkey >/tmp/ka
wg genkey >/tmp/kb
PA=$(wg pubkey </tmp/ka)
PB=$(wg pubkey </tmp/kb)

# A: library (link created in root so its UDP socket is on root's loopback)
nwg-kernel-test hub-up "$NA" "$IA" /tmp/ka 51001 10.55.0.1/24 "$PB" 127.0.0.1:51002 10.55.0.2/32
# B: wg + ip
$IP netns add "$NB"
$IP link add "$IB" type wireguard
wg set "$IB" private-key /tmp/kb listen-port 51002 peer "$PA" endpoint 127.0.0.1:51001 \
	allowed-ips 10.55.0.1/32 persistent-keepalive 0
$IP link set "$IB" netns "$NB"
$IP -n "$NB" addr add 10.55.0.2/24 dev "$IB"
$IP -n "$NB" link set "$IB" up

# wg reads what the library wrote on A
got=$($IP netns exec "$NA" wg show "$IA" dump | awk 'NR==1{print $3} NR==2{print $1, $3, $4}')
want="51001
$PB 127.0.0.1:51002 10.55.0.2/32"
[ "$got" = "$want" ] || { echo "FAIL wg sees on A: '$got', expected '$want'"; exit 1; }
[ "$($IP netns exec "$NA" wg show "$IA" public-key)" = "$PA" ] || { echo "FAIL A public key"; exit 1; }

$IP netns exec "$NB" ping -c 3 -W 5 10.55.0.1
$IP netns exec "$NA" ping -c 3 -W 5 10.55.0.2

# B (wg) saw a handshake with A; A (library) saw one with B, with traffic
hs=$($IP netns exec "$NB" wg show "$IB" latest-handshakes | awk '{print $2}')
[ "${hs:-0}" -gt 0 ] || { echo "FAIL no handshake on B"; exit 1; }
nwg-kernel-test hub-check "$NA" "$IA" "$PB"
# the library reads what wg wrote on B
out=$(nwg-kernel-test show "$NB" "$IB")
echo "$out"
echo "$out" | grep -q "^interface $IB public_key $PB listen_port 51002 peers 1$" ||
	{ echo "FAIL library view of B"; exit 1; }
echo "$out" | grep -q "^peer $PA endpoint 127.0.0.1:51001 keepalive 0 .* allowed 10.55.0.1/32$" ||
	{ echo "FAIL library view of B's peer"; exit 1; }
nwg-kernel-test down "$NA" "$IA"
echo "tunnel: library<->wg ping both ways, handshakes both sides: OK"
