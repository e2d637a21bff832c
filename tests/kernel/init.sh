#!/bin/sh
# /init of the test guest (busybox ash, runs as root, PID 1).
# Loads the WireGuard module chain, runs /tests/*.sh in lexical order, each
# under a wall-clock limit, scans the kernel log for WARNING/BUG after every
# test, and prints the verdict as the last line:
#   KTEST-EXIT-<nonce>=<0|1>
# The nonce comes from the kernel command line (undotted k=v words become
# init's environment), so no test output can fake the verdict.
# Per test: "KTEST-END <name> rc=<n> <secs>s PASS|FAIL|PENDING"; rc 77 =
# PENDING (not a failure, but reported as such by the host). Limit per test:
# ktest_timeout from the command line, or "# ktest-timeout: N" in the script.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin WG_COLOR_MODE=never
umask 077
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /var/lib /run/netns
# Debian's busybox-static has FEATURE_SH_STANDALONE: ash would run its own
# "ip" applet before PATH. Force iproute2.
ip() { /usr/sbin/ip "$@"; }
: "${ktest_timeout:=120}" "${ktest_nonce:=}" "${ktest_only:=}"
rc=0
up() { cut -d' ' -f1 /proc/uptime; }
echo; echo "KTEST-BOOTED kernel=$(uname -r) uptime=$(up)s"

while read -r m; do
	insmod "/lib/modules/$(uname -r)/$m" || { echo "KTEST-INSMOD-FAILED $m"; rc=1; }
done </etc/modules.load
ip link set lo up
if ip link add ktsmoke type wireguard && ip link del ktsmoke; then
	echo "KTEST-WIREGUARD-OK"
else
	echo "KTEST-WIREGUARD-FAIL"
	rc=1
fi

kernel_warned() {
	dmesg | grep -qE 'WARNING:|BUG:|Oops|Call Trace|general protection|Kernel panic|KASAN|refcount_t'
}

leftovers() { # anything a test forgot: netns, wireguard links
	lo_="$(ip netns list 2>/dev/null)$(ip -o link show type wireguard 2>/dev/null)"
	[ -z "$lo_" ] && return 1
	echo "$lo_" | sed 's/^/KTEST-LEFTOVER /'
	for lo_ in $(ip netns list | cut -d' ' -f1); do ip netns del "$lo_"; done
	for lo_ in $(ip -o link show type wireguard | cut -d: -f2 | cut -d@ -f1); do
		ip link del "$lo_"
	done
	return 0
}

[ $rc = 0 ] && for t in /tests/*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	case ",$ktest_only," in ",,") ;; *",$n,"*) ;; *) continue ;; esac
	# a script may lower/raise its own limit: "# ktest-timeout: SECONDS"
	tmo=$(sed -n 's/^# ktest-timeout: *\([0-9][0-9]*\).*/\1/p' "$t" | head -n1)
	tmo=${tmo:-$ktest_timeout}
	t0=$(up)
	echo "KTEST-BEGIN $n (limit ${tmo}s)"
	(cd /tmp && exec timeout -s KILL "$tmo" /bin/sh "$t")
	trc=$?
	secs=$(awk -v a="$t0" -v b="$(up)" 'BEGIN{printf "%.1f", b-a}')
	if leftovers; then
		echo "KTEST-NOTE $n left namespaces/links behind (cleaned)"
		[ $trc = 0 ] && trc=99
	fi
	if kernel_warned; then
		echo "KTEST-KERNEL-WARNING during $n (dmesg follows)"
		dmesg | tail -n 60
		trc=98
	fi
	case $trc in
	0) echo "KTEST-END $n rc=0 ${secs}s PASS" ;;
	77) echo "KTEST-END $n rc=77 ${secs}s PENDING" ;;
	137) echo "KTEST-END $n rc=137 ${secs}s FAIL (killed after ${tmo}s)"; rc=1 ;;
	*) echo "KTEST-END $n rc=$trc ${secs}s FAIL"; rc=1 ;;
	esac
	kernel_warned && break
done

if kernel_warned; then
	rc=1
fi
echo "KTEST-UPTIME $(up)s"
echo "KTEST-EXIT-$ktest_nonce=$rc"
sync
poweroff -f
