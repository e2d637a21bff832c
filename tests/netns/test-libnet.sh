#!/usr/bin/env bash
# Root test of lib/netns + lib/rtnl against real kernel objects, driven
# through build/asan/tools/nwg-libnet-test (library calls only) and checked
# with iproute2. Needs root; skips (77) otherwise. Everything it creates has
# $$ in its name and is removed on every exit path.
set -u
cd "$(dirname "$0")/../.." || exit 1
T=${NWG_LIBNET_TEST:-build/asan/tools/nwg-libnet-test}
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if [ "$(id -u)" != 0 ]; then
	echo "test-libnet: needs root, skipped"
	exit 77
fi
[ -x "$T" ] || { echo "test-libnet: $T missing (make asan)"; exit 1; }

NSA=nwgA$$ NSB=nwgB$$ NSV=nwg-veth-$$
VA=nva$$ VB=nvb$$ VR=nvr$$ TUN=ntun$$
pass=0 fail=0

cleanup() {
	ip link del "$VA" 2>/dev/null
	ip link del "$TUN" 2>/dev/null
	for ns in "$NSA" "$NSB" "$NSV"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok   $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
# check DESC CMD...: the command must succeed
check() { local d=$1; shift; if "$@" >/tmp/nwg-libnet.$$ 2>&1; then ok "$d"; else ko "$d"; cat /tmp/nwg-libnet.$$; fi; }
# expect DESC PATTERN CMD...: the command's output must match PATTERN (grep -E)
expect() {
	local d=$1 pat=$2 out; shift 2
	out=$("$@" 2>&1)
	if grep -Eq -- "$pat" <<<"$out"; then ok "$d"; else ko "$d (want /$pat/, got: $out)"; fi
}
# refute DESC PATTERN CMD...: the output must not match
refute() {
	local d=$1 pat=$2 out; shift 2
	out=$("$@" 2>&1)
	if grep -Eq -- "$pat" <<<"$out"; then ko "$d (unexpected /$pat/ in: $out)"; else ok "$d"; fi
}

echo "== namespaces"
check "create $NSA" "$T" ns-create "$NSA"
check "create $NSA again (idempotent)" "$T" ns-create "$NSA"
check "create $NSB" "$T" ns-create "$NSB"
expect "ip netns list sees $NSA" "^$NSA( |$)" ip netns list
expect "ip netns list sees $NSB" "^$NSB( |$)" ip netns list
expect "ip netns exec works in $NSA" "^1: lo" ip netns exec "$NSA" ip -o link
expect "library lists $NSA" "^$NSA$" "$T" ns-list
expect "exists $NSA" "^1$" "$T" ns-exists "$NSA"
expect "exists missing" "^0$" "$T" ns-exists "nwgnone$$"
expect "/run/netns is a shared mount" "shared:" grep -E ' /run/netns ' /proc/self/mountinfo
expect "namespace file is nsfs" "nsfs" stat -f -c %T "/run/netns/$NSA"
a=$(stat -L -c %i "/run/netns/$NSA") b=$(stat -L -c %i "/run/netns/$NSB")
if [ "$a" != "$b" ]; then ok "distinct namespaces"; else ko "same inode for $NSA and $NSB"; fi
expect "ip netns add sees ours as existing" "exists|File exists" ip netns add "$NSA"
check "netns_run enters $NSA, caller thread unchanged" "$T" run "$NSA"
check "netns_run root, caller thread unchanged" "$T" run -
root_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
check "forwarding on in $NSA" "$T" forwarding "$NSA" on
expect "ipv4 forwarding seen in $NSA" "^1$" ip netns exec "$NSA" cat /proc/sys/net/ipv4/ip_forward
expect "ipv6 forwarding seen in $NSA" "^1$" ip netns exec "$NSA" cat /proc/sys/net/ipv6/conf/all/forwarding
expect "root namespace forwarding unchanged" "^$root_fwd$" cat /proc/sys/net/ipv4/ip_forward
expect "forwarding in the root namespace refused" "error=-22" "$T" forwarding - on
check "forwarding off in $NSA" "$T" forwarding "$NSA" off
expect "ipv4 forwarding off in $NSA" "^0$" ip netns exec "$NSA" cat /proc/sys/net/ipv4/ip_forward
expect "invalid name rejected" "error=-22" "$T" ns-create "a/b"
expect "delete missing is -ENOENT" "error=-2 " "$T" ns-delete "nwgnone$$"
expect "open missing is -ENOENT" "error=-2 " "$T" ns-open "nwgnone$$"

echo "== links: veth moved by fd, renamed, alias, mtu, up/down"
ip netns add "$NSV"
ip link add "$VA" type veth peer name "$VB" || { ko "ip link add veth"; exit 1; }
check "move $VA root -> $NSA by fd" "$T" link-move - "$VA" "$NSA"
expect "$VA now in $NSA" "$VA" ip -n "$NSA" -o link show "$VA"
refute "$VA gone from root" "$VA:" ip -o link show
check "rename $VA -> $VR in $NSA" "$T" link-rename "$NSA" "$VA" "$VR"
expect "ip sees $VR" "$VR@" ip -n "$NSA" -o link show "$VR"
check "alias" "$T" link-alias "$NSA" "$VR" "neutron-wireguard:port-$$"
expect "ip sees alias" "alias neutron-wireguard:port-$$" ip -n "$NSA" -d link show "$VR"
check "mtu 1380" "$T" link-mtu "$NSA" "$VR" 1380
expect "ip sees mtu 1380" "mtu 1380" ip -n "$NSA" -o link show "$VR"
check "up" "$T" link-up "$NSA" "$VR" up
expect "ip sees UP flag" "<[^>]*,UP[,>]" ip -n "$NSA" -o link show "$VR"
expect "library get" "name=$VR index=[0-9]+ kind=veth mtu=1380 up=1 alias=neutron-wireguard:port-$$" \
	"$T" link-get "$NSA" "$VR"
expect "library list: kind + alias" "name=$VR .*kind=veth .*alias=neutron-wireguard:port-$$" \
	"$T" link-list "$NSA"
expect "library list: lo" "name=lo .*kind=- " "$T" link-list "$NSA"
check "down" "$T" link-up "$NSA" "$VR" down
refute "ip sees no UP flag" "<[^>]*,UP[,>]" ip -n "$NSA" -o link show "$VR"
check "clear alias" "$T" link-alias "$NSA" "$VR" ""
refute "alias cleared" "alias " ip -n "$NSA" -d link show "$VR"
check "move $VR $NSA -> $NSV" "$T" link-move "$NSA" "$VR" "$NSV"
expect "$VR in $NSV" "$VR" ip -n "$NSV" -o link show "$VR"

echo "== addresses (on a tun device)"
ip tuntap add dev "$TUN" mode tun || { ko "ip tuntap add"; exit 1; }
check "move $TUN -> $NSB" "$T" link-move - "$TUN" "$NSB"
check "up $TUN" "$T" link-up "$NSB" "$TUN" up
expect "get: kind tun" "kind=tun" "$T" link-get "$NSB" "$TUN"
check "addr add 10.77.0.1/24" "$T" addr-add "$NSB" "$TUN" 10.77.0.1/24
check "addr add 10.77.0.1/24 again (EEXIST -> 0)" "$T" addr-add "$NSB" "$TUN" 10.77.0.1/24
check "addr add 10.78.0.1/16" "$T" addr-add "$NSB" "$TUN" 10.78.0.1/16
check "addr add fd00:77::1/64" "$T" addr-add "$NSB" "$TUN" fd00:77::1/64
expect "ip sees 10.77.0.1/24" "inet 10.77.0.1/24" ip -n "$NSB" addr show dev "$TUN"
expect "ip sees 10.78.0.1/16" "inet 10.78.0.1/16" ip -n "$NSB" addr show dev "$TUN"
expect "ip sees fd00:77::1/64" "inet6 fd00:77::1/64" ip -n "$NSB" addr show dev "$TUN"
out=$("$T" addr-list "$NSB" "$TUN" | sort | tr '\n' ' ')
if [ "$out" = "10.77.0.1/24 10.78.0.1/16 fd00:77::1/64 " ] ||
	grep -q "^10.77.0.1/24 10.78.0.1/16 fd00:77::1/64 fe80:" <<<"$out"; then
	ok "library addr list ($out)"
else
	ko "library addr list: $out"
fi
expect "bad cidr is -EINVAL" "error=-22" "$T" addr-add "$NSB" "$TUN" 10.77.0.1/33
expect "cidr without prefix is -EINVAL" "error=-22" "$T" addr-add "$NSB" "$TUN" 10.77.0.1
check "addr flush" "$T" addr-flush "$NSB" "$TUN"
refute "ip sees no inet after flush" "inet" ip -n "$NSB" addr show dev "$TUN"
expect "library addr list empty" "^$" "$T" addr-list "$NSB" "$TUN"

echo "== error paths"
expect "move missing link: -ENODEV + text" "error=-19 msg=move link nwgnone$$: .*No such device" \
	"$T" link-move - "nwgnone$$" "$NSA"
expect "get missing link: -ENODEV" "error=-19 " "$T" link-get "$NSA" "nwgnone$$"
expect "rename missing link: -ENODEV" "error=-19 " "$T" link-rename "$NSA" "nwgnone$$" x
if ip link add "nwgk$$" type wireguard 2>/dev/null; then
	ip link del "nwgk$$"
	echo "skip wireguard extack check: this kernel has WireGuard"
else
	expect "add wireguard link: kernel extack text" \
		"error=-95 msg=add wireguard link nwgwg$$: Unknown device type" \
		"$T" link-add-wg "$NSA" "nwgwg$$"
	expect "kernel backend not available" "^0$" "$T" kernel-available
fi
expect "ifname > 15 bytes is -EINVAL" "error=-22" "$T" link-get "$NSA" "abcdefghijklmnop"
expect "alias > 255 bytes is -EINVAL" "error=-22" "$T" link-alias "$NSB" "$TUN" "$(printf 'a%.0s' {1..256})"
expect "mtu below minimum: kernel text" "error=-22 msg=set mtu 10 on $TUN: .+" "$T" link-mtu "$NSB" "$TUN" 10
expect "rtnl in a missing namespace: -ENOENT" "error=-2 " "$T" link-list "nwgnone$$"

echo "== teardown"
check "delete link $TUN" "$T" link-del "$NSB" "$TUN"
refute "$TUN gone" "$TUN" ip -n "$NSB" -o link
expect "delete missing link: -ENODEV" "error=-19 " "$T" link-del "$NSB" "$TUN"
check "delete $NSA" "$T" ns-delete "$NSA"
check "delete $NSB" "$T" ns-delete "$NSB"
refute "ip netns list no longer has $NSA/$NSB" "^($NSA|$NSB)( |$)" ip netns list
expect "namespace file removed" "No such file" ls "/run/netns/$NSA"
rm -f /tmp/nwg-libnet.$$

echo "test-libnet: $pass passed, $fail failed"
[ "$fail" = 0 ]
