#!/usr/bin/env bash
# bench-scale part 1: one hub with 100 / 1,000 / 10,000 spokes realised by the
# agent's sync pass against real wireguard-go, inside a scratch namespace;
# removes everything it made on any exit. Prints the "scale N=..." lines.
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=${SCALE_BIN:-$PWD/build/rel/bench/bench-scale}
SIZES=${SCALE_SIZES:-100 1000 10000}
[ "$(id -u)" = 0 ] || { echo "scale: needs root, skipped"; exit 77; }
for c in wireguard-go ip; do
	command -v $c >/dev/null || { echo "scale: missing $c, skipped"; exit 77; }
done
[ -x "$BIN" ] || { echo "scale: missing $BIN (make bench-bins)"; exit 1; }
TAG=$(($$ % 100000))
NODE=nwgscale$$
HUBNS=tun-nwgscale$TAG
BASE=/dev/shm
[ -d "$BASE" ] || BASE=/tmp
WORK=$(mktemp -d "$BASE/nwg-scale.XXXXXX")
cleanup() {
	set +e
	for l in $(ip -n "$HUBNS" -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep '^wg-'); do
		ip -n "$HUBNS" link del "$l"
	done
	for l in $(ip -n "$NODE" -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep '^wg-'); do
		ip -n "$NODE" link del "$l"
	done
	ip netns del "$HUBNS" 2>/dev/null
	ip netns del "$NODE" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$NODE" && ip -n "$NODE" link set lo up || exit 1
# shellcheck disable=SC2086 # SIZES is a list
ip netns exec "$NODE" "$BIN" "$WORK" "$TAG" $SIZES 2>"$WORK/agent.log"
rc=$?
[ $rc = 0 ] || tail -20 "$WORK/agent.log"
exit $rc
