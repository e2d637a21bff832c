# shellcheck shell=bash
# Host-side helpers for running tests inside a QEMU guest booted with Debian's
# own kernel (which has wireguard.ko). Sourced by tests/kernel/run.sh and
# bench/bench-kernel.sh. Nothing here is installed on the host except Debian
# packages (qemu-system-x86, busybox-static, kmod, cpio): the kernel package
# is only downloaded and unpacked (dpkg -x), never installed.
#
# Functions set globals prefixed KT_ and return non-zero on failure.
#
# Environment knobs (all optional):
#   NWG_KERNEL_CACHE  cache directory (default /var/cache/nwg-kernel)
#   NWG_KERNEL_PKG    kernel package to use (default: what linux-image-amd64
#                     depends on; falls back to the newest cached one offline)
#   NWG_KERNEL_ACCEL  auto|kvm|tcg (auto: kvm only with VT-x/AMD-V and rw
#                     /dev/kvm; nested "PVM" hosts expose /dev/kvm but hang)
#   NWG_KERNEL_MEM    guest memory, MiB (default 512)
#   NWG_KERNEL_SMP    guest vCPUs (default 1)
#   NWG_KERNEL_LOG    keep the serial log at this path

KT_CACHE=${NWG_KERNEL_CACHE:-/var/cache/nwg-kernel}
# Debian packages this needs on the host (tell install-deps.sh about them).
KT_HOST_PKGS="qemu-system-x86 busybox-static kmod cpio wireguard-tools iproute2 python3-minimal procps"
KT_MODULES="wireguard"
KT_WORK=
KT_QPID=

kt_log() { echo "kernel: $*" >&2; }

# ---- host packages ----------------------------------------------------------
kt_ensure_pkgs() {
	local p missing="" ok
	# shellcheck disable=SC2086
	ok=$(dpkg-query -W -f='${Package} ${Status}\n' $KT_HOST_PKGS 2>/dev/null |
		awk '/ install ok installed$/{print $1}')
	for p in $KT_HOST_PKGS; do
		echo "$ok" | grep -qx "$p" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		kt_log "missing Debian packages:$missing (run as root, or scripts/install-deps.sh all)"
		return 1
	fi
	kt_log "installing:$missing"
	local apt=(apt-get -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends)
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive "${apt[@]}" install $missing >&2 && return 0
	apt-get -o DPkg::Lock::Timeout=600 -q update >&2 || return 1
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive "${apt[@]}" install $missing >&2
}

# ---- kernel: download + dpkg -x, slimmed and cached -----------------------
# Sets KT_KIMG (vmlinux for a PVH boot, else the bzImage), KT_KROOT (the
# slim tree: boot/ + lib/modules/KVER with the module chain), KT_KVER.
kt_kernel_pkg() {
	local pkg
	if [ -n "${NWG_KERNEL_PKG:-}" ]; then
		echo "$NWG_KERNEL_PKG"
		return
	fi
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/{print $2; exit}')
	if [ -z "$pkg" ]; then # offline or no lists: newest cached tree
		# shellcheck disable=SC2012
		pkg=$(ls -1d "$KT_CACHE"/linux-image-*/.complete 2>/dev/null | sort -V | tail -n1 |
			sed 's|.*/\(linux-image-[^/_]*\)_.*|\1|')
	fi
	echo "$pkg"
}

kt_kernel() {
	local pkg ver key dir
	pkg=$(kt_kernel_pkg)
	[ -n "$pkg" ] || { kt_log "cannot tell which linux-image package to use"; return 1; }
	ver=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | awk '/^Version:/{print $2; exit}')
	if [ -z "$ver" ]; then
		# shellcheck disable=SC2012
		dir=$(ls -1d "$KT_CACHE/${pkg}_"*/ 2>/dev/null | sort -V | tail -n1)
		ver=$(basename "${dir:-x_}" | sed 's/^[^_]*_//')
	fi
	key=$(echo "$KT_MODULES" | md5sum | cut -c1-8)
	dir=$KT_CACHE/${pkg}_${ver}_$key
	mkdir -p "$KT_CACHE" || return 1
	if [ ! -f "$dir/.complete" ]; then
		# one fetch at a time per machine (parallel `make check` runs)
		(
			flock -w 900 9 || exit 1
			[ -f "$dir/.complete" ] && exit 0
			kt_kernel_fetch "$pkg" "$ver" "$dir"
		) 9>"$KT_CACHE/.lock" || return 1
	fi
	KT_KROOT=$dir
	KT_KVER=$(cat "$dir/.kver")
	KT_KIMG=$dir/boot/vmlinuz-$KT_KVER
	[ -s "$dir/boot/vmlinux-$KT_KVER" ] && [ "${NWG_KERNEL_PVH:-1}" = 1 ] &&
		KT_KIMG=$dir/boot/vmlinux-$KT_KVER
	return 0
}

kt_kernel_fetch() { # pkg ver dir
	local pkg=$1 ver=$2 dir=$3 tmp deb kver mods m ko rel
	# we hold the lock: any .fetch.* left is from an interrupted run
	find "$KT_CACHE" -maxdepth 1 -name '.fetch.*' -exec rm -rf {} +
	tmp=$(mktemp -d "$KT_CACHE/.fetch.XXXXXX") || return 1
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" RETURN
	deb=$KT_CACHE/debs/${pkg}_${ver//:/%3a}_amd64.deb
	if [ ! -s "$deb" ]; then
		kt_log "downloading $pkg $ver (~70 MB, once per machine) into $KT_CACHE/debs"
		mkdir -p "$KT_CACHE/debs" && chmod 755 "$KT_CACHE" "$KT_CACHE/debs"
		(cd "$KT_CACHE/debs" && apt-get -q download "$pkg=$ver") >&2 || {
			apt-get -o DPkg::Lock::Timeout=600 -q update >&2 &&
				(cd "$KT_CACHE/debs" && apt-get -q download "$pkg=$ver") >&2
		} || { kt_log "apt-get download $pkg failed"; return 1; }
		[ -s "$deb" ] || { kt_log "apt-get download gave no $deb"; return 1; }
		# keep only this .deb
		find "$KT_CACHE/debs" -name '*.deb' ! -path "$deb" -delete
	fi
	kt_log "unpacking $(basename "$deb")"
	dpkg -x "$deb" "$tmp/x" || return 1
	kver=$(basename "$(find "$tmp/x/lib/modules" -mindepth 1 -maxdepth 1 | head -n1)")
	depmod -b "$tmp/x" "$kver" || return 1
	mkdir -p "$tmp/slim/boot" "$tmp/slim/lib/modules/$kver"
	cp "$tmp/x/boot/vmlinuz-$kver" "$tmp/x/boot/config-$kver" "$tmp/slim/boot/" || return 1
	mods=$(for m in $KT_MODULES; do
		modprobe -d "$tmp/x" -S "$kver" --show-depends "$m" | awk '$1=="insmod"{print $2}'
	done | awk '!seen[$0]++')
	[ -n "$mods" ] || { kt_log "no module chain for: $KT_MODULES"; return 1; }
	: >"$tmp/slim/modules.load"
	for ko in $mods; do
		rel=${ko#"$tmp/x/lib/modules/$kver/"}
		mkdir -p "$tmp/slim/lib/modules/$kver/$(dirname "$rel")"
		cp "$ko" "$tmp/slim/lib/modules/$kver/$rel" || return 1
		echo "$rel" >>"$tmp/slim/modules.load"
	done
	# The bzImage spends ~5 s of TCG time in real-mode setup and xz
	# decompression; Debian's kernel has CONFIG_PVH=y, so the uncompressed
	# ELF vmlinux boots directly through its PVH note. Extract it once.
	/usr/bin/python3 - "$tmp/slim/boot/vmlinuz-$kver" "$tmp/slim/boot/vmlinux-$kver" <<'PY' ||
import lzma, sys
d = open(sys.argv[1], 'rb').read()
i = d.find(b'\xfd7zXZ\x00')  # Debian: CONFIG_KERNEL_XZ=y
assert i >= 0
out = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(d[i:])
assert out[:4] == b'\x7fELF'
open(sys.argv[2], 'wb').write(out)
PY
		{ kt_log "vmlinux extraction failed: booting the bzImage (slower)"; rm -f "$tmp/slim/boot/vmlinux-$kver"; }
	echo "$kver" >"$tmp/slim/.kver"
	echo "$pkg $ver" >"$tmp/slim/.pkg"
	touch "$tmp/slim/.complete"
	rm -rf "$dir" && mv "$tmp/slim" "$dir" || return 1
	# drop older slim trees of other versions/module sets
	find "$KT_CACHE" -maxdepth 1 -name 'linux-image-*' ! -path "$dir" -exec rm -rf {} +
	kt_log "cached $pkg $ver in $dir"
}

# ---- guest programs -------------------------------------------------------------
# tests/kernel/nwg-kernel-*.c -> $B/kernel/: -O2, no sanitizers (ASan under
# TCG is slow), the Makefile's warning flags, linked against the release
# library archive (make $B/rel/libnwg.a; NWG_KERNEL_LIBNWG overrides it).
kt_build_guest() {
	local b=${B:-build} cflags libs lib src
	KT_BUILD=$b/kernel
	lib=${NWG_KERNEL_LIBNWG:-$b/rel/libnwg.a}
	cflags="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wvla -Wformat=2
		-Wno-format-nonliteral -O2 -g -Ilib/include -iquote lib -iquote agent
		$(pkg-config --cflags libmnl libsodium)"
	libs="$(pkg-config --libs libmnl libsodium) -lpthread"
	if [ -z "${NWG_KERNEL_LIBNWG:-}" ]; then
		make -s "$lib" >&2 || { kt_log "cannot build $lib"; return 1; }
	fi
	mkdir -p "$KT_BUILD" || return 1
	for src in tests/kernel/nwg-kernel-*.c; do
		# shellcheck disable=SC2086
		gcc $cflags -o "$KT_BUILD/$(basename "$src" .c)" "$src" -Wl,--as-needed "$lib" $libs ||
			return 1
	done
}

# ---- initramfs ----------------------------------------------------------------
# kt_initramfs OUT TESTFILE... : busybox, ip, wg, the module chain, /init
# (tests/kernel/init.sh) and the given files: ELF programs in /usr/bin (with
# their shared libraries, via ldd), scripts in /tests (run by /init in order). Extra files: KT_EXTRA_BINS="src:dst ...".
kt_copy_libs() { # root elf
	ldd "$2" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r lib; do
		[ -e "$1$lib" ] && continue
		mkdir -p "$1$(dirname "$lib")"
		cp -L "$lib" "$1$lib"
	done
}

kt_add_bin() { # root src dst
	install -m755 -D "$2" "$1$3" && kt_copy_libs "$1" "$2"
}

kt_initramfs() {
	local out=$1 r a f kdir=$KT_KROOT/lib/modules/$KT_KVER here
	shift
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	r=$KT_WORK/root
	rm -rf "$r"
	mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,run,tmp,etc,tests,var/lib} || return 1
	install -m755 /bin/busybox "$r/bin/busybox" || return 1
	for a in $("$r/bin/busybox" --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	kt_add_bin "$r" "$(command -v wg)" /usr/bin/wg || return 1
	kt_add_bin "$r" /usr/sbin/ip /usr/sbin/ip || return 1
	rm -f "$r/bin/ip" && ln -s /usr/sbin/ip "$r/bin/ip"
	mkdir -p "$r/lib/modules/$KT_KVER"
	cp -a "$kdir/." "$r/lib/modules/$KT_KVER/" && cp "$KT_KROOT/modules.load" "$r/etc/" || return 1
	for f in "$@"; do # ELF programs go to /usr/bin, scripts to /tests
		if head -c4 "$f" | grep -q ELF; then
			kt_add_bin "$r" "$f" "/usr/bin/$(basename "$f")" || return 1
		else
			install -m755 "$f" "$r/tests/" || return 1
		fi
	done
	for a in ${KT_EXTRA_BINS:-}; do
		kt_add_bin "$r" "${a%%:*}" "${a#*:}" || return 1
	done
	install -m755 "$here/init.sh" "$r/init" || return 1
	(cd "$r" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -1 >"$out" || return 1
	kt_log "initramfs $(du -h "$out" | cut -f1) ($(wc -l <"$r/etc/modules.load") modules, $# test files)"
}

# ---- boot ---------------------------------------------------------------------
# kt_boot INITRD TIMEOUT_S TEST_TIMEOUT_S [extra cmdline]: boots, streams the
# serial console to stdout (prefixed), and returns the guest's verdict:
# 0 all passed, 1 something failed, 2 no verdict (timeout, boot hang, qemu
# error). Sets KT_LOG (serial log path) and KT_ELAPSED (seconds).
kt_boot() {
	local initrd=$1 tmo=$2 ttmo=$3 extra=${4:-} accel=${NWG_KERNEL_ACCEL:-auto} nonce qrc
	local args=() start verdict tpid
	if [ "$accel" = auto ]; then
		if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
			accel=kvm
		else
			accel=tcg
		fi
	fi
	case $accel in
	kvm) args=(-accel kvm -cpu host) ;;
	tcg) args=(-accel tcg -cpu max) ;;
	*) kt_log "NWG_KERNEL_ACCEL must be auto|kvm|tcg"; return 2 ;;
	esac
	KT_LOG=${NWG_KERNEL_LOG:-$KT_WORK/serial.log}
	nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	kt_log "booting $(basename "$KT_KIMG") accel=$accel, VM limit ${tmo}s, per test ${ttmo}s"
	: >"$KT_LOG" || return 2 # exists before tail -f starts
	start=$(date +%s.%N)
	# -no-reboot + panic=-1: a guest panic (e.g. /init dying) ends qemu at once.
	timeout -k 5 "$tmo" qemu-system-x86_64 "${args[@]}" \
		-m "${NWG_KERNEL_MEM:-512}" -smp "${NWG_KERNEL_SMP:-1}" -M pc \
		-no-reboot -nodefaults -no-user-config -display none -nographic \
		-serial stdio -net none -kernel "$KT_KIMG" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1 ktest_nonce=$nonce ktest_timeout=$ttmo $extra" \
		</dev/null >"$KT_LOG" 2>&1 &
	KT_QPID=$!
	tail -n +1 -f --pid="$KT_QPID" "$KT_LOG" 2>/dev/null |
		sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' \
			-e '/^[[:space:]]*$/d' -e 's/^/  guest| /' &
	tpid=$!
	wait "$KT_QPID"
	qrc=$?
	KT_QPID=
	wait "$tpid" 2>/dev/null
	KT_ELAPSED=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
	verdict=$(tr -d '\r' <"$KT_LOG" | sed -n "s/^KTEST-EXIT-$nonce=\([0-9]*\)\$/\1/p" | tail -n1)
	if [ -z "$verdict" ]; then
		kt_log "NO VERDICT from the guest after ${KT_ELAPSED}s (qemu rc=$qrc$([ "$qrc" = 124 ] && echo ', VM timeout'))"
		kt_log "serial log (last 60 lines):"
		tr -d '\r' <"$KT_LOG" | tail -n 60 | sed 's/^/  serial| /' >&2
		return 2
	fi
	[ "$verdict" = 0 ] && return 0
	return 1
}

kt_setup() {
	KT_WORK=$(mktemp -d -t nwg-kernel.XXXXXX) || return 1
	trap kt_cleanup EXIT
	trap 'exit 2' INT TERM HUP
}

kt_cleanup() {
	local q
	if [ -n "$KT_QPID" ]; then
		# KT_QPID is timeout(1), qemu its only child: TERM both, then KILL
		q="$KT_QPID $(pgrep -P "$KT_QPID" 2>/dev/null | tr '\n' ' ')"
		# shellcheck disable=SC2086
		kill $q 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$KT_QPID" 2>/dev/null || break
			sleep 0.1
		done
		# shellcheck disable=SC2086
		kill -9 $q 2>/dev/null
		KT_QPID=
	fi
	[ -n "$KT_WORK" ] && rm -rf "$KT_WORK"
}
