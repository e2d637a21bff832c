#!/usr/bin/env bash
# Runs bench-lib (library vs process-per-step hub realisation) inside a
# scratch namespace, and removes everything it made on any exit.
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=$PWD/build/rel/bench/bench-lib
N=${BENCH_HUBS:-50} PEERS=${BENCH_PEERS:-4}
[ "$(id -u)" = 0 ] || { echo "bench-lib: needs root, skipped"; exit 77; }
for c in wireguard-go wg ip; do
	command -v $c >/dev/null || { echo "bench-lib: missing $c, skipped"; exit 77; }
done
[ -x "$BIN" ] || { echo "bench-lib: missing $BIN (make bench-bins)"; exit 1; }
TAG=$(($$ % 100000))
NODE=nwgbench$$
# tmpfs when there is one: the same filesystem for both sides, no disk noise
BASE=${BENCH_DIR:-/dev/shm}
[ -d "$BASE" ] || BASE=/tmp
WORK=$(mktemp -d "$BASE/nwg-bench.XXXXXX")
cleanup() {
	set +e
	# hubs and namespaces the program left behind if it failed half-way
	for ns in $(ip netns list | awk '{print $1}' | grep -E "^nwgb[lo]${TAG}_[0-9]+\$"); do
		for l in $(ip -n "$ns" -o link show | awk -F': ' '{print $2}' | grep -E "^b[lo]${TAG}_[0-9]+\$"); do
			ip -n "$ns" link del "$l"
		done
		ip netns del "$ns"
	done
	for l in $(ip -n "$NODE" -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E "^b[lo]${TAG}_[0-9]+\$"); do
		ip -n "$NODE" link del "$l"
	done
	ip netns del "$NODE" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$NODE" && ip -n "$NODE" link set lo up || exit 1
ip netns exec "$NODE" "$BIN" "$N" "$PEERS" "$WORK" "$TAG"
