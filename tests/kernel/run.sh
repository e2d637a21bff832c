#!/usr/bin/env bash
# `make check-kernel`: the library's kernel WireGuard backend (and the
# agent's reconcile on top of it), proven inside a QEMU guest booted with
# Debian's own kernel. This host's kernel has no WireGuard; nothing is
# installed on the host but Debian packages (qemu-system-x86, busybox-static,
# kmod, cpio): the kernel package is downloaded and unpacked, never installed,
# and cached in /var/cache/nwg-kernel (NWG_KERNEL_CACHE).
#
# Guest tests: tests/kernel/guest/*.sh, run in order by /init (init.sh), each
# with its own wall-clock limit; the whole VM has one too (NWG_KERNEL_TIMEOUT,
# default 240 s). A kernel WARNING/BUG in the guest fails the run.
# Exit: 0 pass, 1 fail (or no verdict from the guest).
#
# Knobs: KTEST_ONLY="10-device 40-tunnel" runs a subset; NWG_KERNEL_STRICT=1
# turns PENDING tests into failures; NWG_AGENT_PRIVSEP=1 runs the guest's
# agent with privilege separation; see ktest.sh for the VM knobs.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
HERE=tests/kernel
B=${B:-build}
# shellcheck source=tests/kernel/ktest.sh
. "$HERE/ktest.sh"

# The agent runs in the guest once it has its offline mode (--desired-file).
agent_offline() {
	local a=$B/rel/bin/neutron-wireguard-agent
	[ -x "$a" ] && timeout 5 "$a" --help 2>&1 | grep -q -- '--desired-file'
}

summary() { # log verdict
	local pass fail pend
	pass=$(grep -c '^KTEST-END .* PASS$' <(tr -d '\r' <"$1"))
	fail=$(grep -c '^KTEST-END .* FAIL' <(tr -d '\r' <"$1"))
	pend=$(grep -c '^KTEST-END .* PENDING$' <(tr -d '\r' <"$1"))
	echo "kernel: ---- guest verdict lines ----"
	tr -d '\r' <"$1" | grep -E '^KTEST-(BOOTED|WIREGUARD|END|KERNEL-WARNING|LEFTOVER|INSMOD|UPTIME)' |
		sed 's/^/kernel:   /'
	tr -d '\r' <"$1" | grep '^PENDING' | sed 's/^/kernel:   /'
	echo "kernel: $pass passed, $fail failed, $pend PENDING; VM wall time ${KT_ELAPSED}s (verdict $2)"
	[ "$pend" -gt 0 ] && echo "kernel: PENDING tests did NOT run: see the PENDING lines above"
	[ "$pend" -gt 0 ] && [ "${NWG_KERNEL_STRICT:-0}" = 1 ] && return 1
	return 0
}

main() {
	local t0 files=() rc
	t0=$(date +%s)
	kt_setup || exit 1
	kt_ensure_pkgs || exit 1
	kt_kernel || exit 1
	kt_log "kernel $KT_KVER ($(cat "$KT_KROOT/.pkg")), ready after $(($(date +%s) - t0))s"
	kt_build_guest || { kt_log "building the guest programs failed"; exit 1; }
	files=("$KT_BUILD"/nwg-kernel-test "$HERE"/guest/*.sh)
	if agent_offline; then
		files+=("$B/rel/bin/neutron-wireguard-agent")
	else
		kt_log "PENDING: the agent has no --desired-file mode yet: 50-agent will report PENDING"
	fi
	kt_initramfs "$KT_WORK/initrd.gz" "${files[@]}" || exit 1
	kt_boot "$KT_WORK/initrd.gz" "${NWG_KERNEL_TIMEOUT:-240}" "${NWG_KERNEL_TEST_TIMEOUT:-120}" \
		"${KTEST_ONLY:+ktest_only=$(echo "$KTEST_ONLY" | tr ' ' ,)}$([ "${NWG_AGENT_PRIVSEP:-1}" = 1 ] && echo ' nwg_agent_privsep=1')"
	rc=$?
	if [ $rc = 2 ]; then
		kt_log "FAILED: no verdict from the guest (serial log above)"
		exit 1
	fi
	summary "$KT_LOG" "$rc" || rc=1
	kt_log "total $(($(date +%s) - t0))s"
	[ $rc = 0 ]
}
main "$@"
