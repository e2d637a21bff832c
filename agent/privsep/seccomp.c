/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's system-call allow-list (libseccomp). What is not listed
 * traps: the call does not run, one line names it, the engine ends by
 * SIGSYS and the executor stops (doc/security.md). */
#include "privsep/seccomp.h"

#include <errno.h>
#include <linux/netlink.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log/log.h"
#include "privsep/harden.h"

/* Allowed with any argument: what glibc, libsodium, rabbitmq-c, OpenSSL
 * (TLS to the broker), the loop, the control socket, the log and the
 * metrics file call. Names another architecture lacks are skipped. */
static const char *const any_args[] = {
    /* descriptors and files (log, metrics textfile, NSS and resolver files,
     * TLS certificates) */
    "read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "close", "fstat",
    "newfstatat", "stat", "lstat", "statx", "fstatfs", "statfs", "open", "openat", "fcntl", "dup",
    "dup2", "dup3", "pipe2", "access", "faccessat", "faccessat2", "readlink", "readlinkat",
    "getdents64", "getcwd", "rename", "renameat", "renameat2", "unlink", "unlinkat", "fchmod",
    "fsync", "fdatasync", "ftruncate", "umask", "flock",
    /* memory (secure memory is locked and kept out of dumps) */
    "brk", "mmap", "munmap", "mprotect", "mremap", "madvise", "mlock", "mlock2", "munlock",
    "munlockall", "msync",
    /* time and timers */
    "clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
    "timerfd_create", "timerfd_settime", "timerfd_gettime",
    /* waiting */
    "poll", "ppoll", "select", "pselect6", "epoll_create1", "epoll_ctl", "epoll_wait",
    "epoll_pwait", "futex", "sched_yield",
    /* signals (the loop's signalfd; a handler's return) */
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait",
    "sigaltstack", "restart_syscall", "signalfd4",
    /* who and what it is (read only) */
    "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
    "getresgid", "getgroups", "getrlimit", "uname", "sysinfo", "getrusage", "sched_getaffinity",
    "getrandom", "exit", "exit_group",
    /* sockets it has or opens (socket() itself: by family, below); no
     * listen(): the control socket listens before the filter */
    "connect", "bind", "accept", "accept4", "getsockname", "getpeername", "getsockopt",
    "setsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown"};

static int allow(scmp_filter_ctx f, const char *name, unsigned n, const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not a call of this architecture */
	return seccomp_rule_add_array(f, SCMP_ACT_ALLOW, nr, n, cmp);
}

static int allow_eq(scmp_filter_ctx f, const char *name, unsigned arg, const uint64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct scmp_arg_cmp c = {.arg = arg, .op = SCMP_CMP_EQ, .datum_a = v[i]};
		int rc = allow(f, name, 1, &c);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* socket(): the broker (TCP, IPv4/6), UNIX sockets (nscd, systemd's NSS),
 * NETLINK_ROUTE only (getaddrinfo's address checks; read only without
 * CAP_NET_ADMIN). Never AF_PACKET, raw IP, other netlink families. */
static int allow_sockets(scmp_filter_ctx f)
{
	static const uint64_t fam[] = {AF_UNIX, AF_INET, AF_INET6};
	struct scmp_arg_cmp nl[2] = {{.arg = 0, .op = SCMP_CMP_EQ, .datum_a = AF_NETLINK},
				     {.arg = 2, .op = SCMP_CMP_EQ, .datum_a = NETLINK_ROUTE}};
	static const uint64_t unix_only[] = {AF_UNIX};
	int rc = allow_eq(f, "socket", 0, fam, sizeof(fam) / sizeof(fam[0]));

	if (rc == 0)
		rc = allow(f, "socket", 2, nl);
	if (rc == 0)
		rc = allow_eq(f, "socketpair", 0, unix_only, 1);
	return rc;
}

/* Calls allowed for some arguments only: ioctl (isatty, FIONREAD, FIONBIO),
 * prctl (reads, the thread's name), signals to itself, prlimit reads. */
static int allow_some(scmp_filter_ctx f)
{
	static const uint64_t ioctls[] = {TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO};
	static const uint64_t prctls[] = {PR_GET_DUMPABLE,     PR_GET_NAME,    PR_SET_NAME,
					  PR_GET_NO_NEW_PRIVS, PR_GET_SECCOMP, PR_CAPBSET_READ,
					  PR_GET_PDEATHSIG};
	const uint64_t self[] = {(uint64_t)getpid()};
	struct scmp_arg_cmp ioc = {.arg = 1, .op = SCMP_CMP_MASKED_EQ, .datum_a = 0xffffffffu};
	struct scmp_arg_cmp lim = {.arg = 2, .op = SCMP_CMP_EQ, .datum_a = 0};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(ioctls) / sizeof(ioctls[0]); i++) {
		ioc.datum_b = ioctls[i]; /* the kernel reads the request as 32 bits */
		rc = allow(f, "ioctl", 1, &ioc);
	}
	if (rc == 0)
		rc = allow_eq(f, "prctl", 0, prctls, sizeof(prctls) / sizeof(prctls[0]));
	if (rc == 0)
		rc = allow_eq(f, "tgkill", 0, self, 1); /* raise(), abort() */
	if (rc == 0)
		rc = allow_eq(f, "kill", 0, self, 1);
	if (rc == 0)
		rc = allow(f, "prlimit64", 1, &lim); /* reading a limit, not setting it */
	return rc;
}

/* Sanitizer builds (the tests) only: LeakSanitizer's check at exit makes
 * the process dumpable for a moment, clones a tracer (these flags only) that
 * attaches to its threads, reads their registers and detaches (it lists
 * them with the old getdents). The release
 * build allows none of this. */
static int allow_sanitizer(scmp_filter_ctx f)
{
#ifdef NWG_SANITIZED
	static const uint64_t tracer[] = {0x00800700}; /* CLONE_VM|FS|FILES|UNTRACED */
	static const uint64_t prctls[] = {PR_SET_DUMPABLE, PR_SET_PTRACER, PR_SET_PDEATHSIG};
	static const uint64_t reqs[] = {PTRACE_ATTACH,	PTRACE_CONT,	  PTRACE_DETACH,
					PTRACE_GETREGS, PTRACE_GETFPREGS, PTRACE_GETREGSET,
					PTRACE_PEEKUSER};
	int rc = allow_eq(f, "clone", 0, tracer, 1);

	if (rc == 0)
		rc = allow_eq(f, "prctl", 0, prctls, sizeof(prctls) / sizeof(prctls[0]));
	if (rc == 0)
		rc = allow_eq(f, "ptrace", 0, reqs, sizeof(reqs) / sizeof(reqs[0]));
	if (rc == 0)
		rc = allow(f, "wait4", 0, NULL);
	if (rc == 0) /* the tracer lists /proc/<pid>/task with the old call */
		rc = allow(f, "getdents", 0, NULL);
	return rc;
#else
	(void)f;
	return 0;
#endif
}

/* The trap's handler: async-signal-safe; one line, then the default action
 * (SA_RESETHAND) ends the process by SIGSYS. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	static const char head[] = "neutron-wireguard-agent: engine: system call ";
	static const char tail[] = " is not in its seccomp allow-list (doc/security.md); "
				   "ending the engine\n";
	char line[sizeof(head) + sizeof(tail) + 16], num[12];
	size_t len = 0, n = 0;
	unsigned v = si && si->si_syscall >= 0 ? (unsigned)si->si_syscall : 0;

	(void)uc;
	do
		num[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < sizeof(num));
	memcpy(line, head, sizeof(head) - 1);
	len = sizeof(head) - 1;
	while (n)
		line[len++] = num[--n];
	memcpy(line + len, tail, sizeof(tail) - 1);
	len += sizeof(tail) - 1;
	nwg_log_raw(line, len);
	raise(sig);
}

static int build(scmp_filter_ctx f)
{
	int rc = seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);

	for (size_t i = 0; rc == 0 && i < sizeof(any_args) / sizeof(any_args[0]); i++)
		rc = allow(f, any_args[i], 0, NULL);
	if (rc == 0)
		rc = allow_sockets(f);
	if (rc == 0)
		rc = allow_some(f);
	if (rc == 0)
		rc = allow_sanitizer(f);
	return rc;
}

int nwg_ps_seccomp_engine(struct nwg_err *err)
{
	struct sigaction sa;
	scmp_filter_ctx f;
	int rc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return nwg_err_set(err, errno, "seccomp: sigaction(SIGSYS): %s", strerror(errno));
	f = seccomp_init(SCMP_ACT_TRAP);
	if (!f)
		return nwg_err_set(err, ENOMEM, "seccomp: cannot start a filter");
	rc = build(f);
	if (rc < 0) {
		seccomp_release(f);
		return nwg_err_set(err, -rc, "seccomp: building the allow-list: %s", strerror(-rc));
	}
	rc = seccomp_load(f);
	seccomp_release(f);
	if (rc < 0)
		return nwg_err_set(err, -rc, "seccomp: loading the filter: %s", strerror(-rc));
	return 0;
}
