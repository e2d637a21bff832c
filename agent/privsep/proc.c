/* SPDX-License-Identifier: Apache-2.0 */
/* The executor and the engine: fork, and what each keeps of root. */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privsep/proc.h"

#define CAP_LAST 63

int nwg_ps_user_lookup(const char *name, struct nwg_ps_user *u, struct nwg_err *err)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc;

	memset(u, 0, sizeof(*u));
	if (!name || !*name)
		return 0;
	rc = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (rc != 0)
		return nwg_err_set(err, rc, "user %.64s: %s", name, strerror(rc));
	if (!res)
		return 0;
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	u->found = true;
	return 0;
}

static int caps_set(unsigned long long mask, struct nwg_err *err)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)mask;
	d[1].effective = d[1].permitted = (uint32_t)(mask >> 32);
	if (syscall(SYS_capset, &h, d) < 0)
		return nwg_err_set(err, errno, "capset: %s", strerror(errno));
	return 0;
}

int nwg_ps_caps_effective(unsigned long long *mask)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*mask = (unsigned long long)d[1].effective << 32 | d[0].effective;
	return 0;
}

/* Bounding set: keep only mask. EINVAL past the kernel's last capability. */
static int bounding_keep(unsigned long long mask, struct nwg_err *err)
{
	for (int c = 0; c <= CAP_LAST; c++) {
		if (mask & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return nwg_err_set(err, errno, "PR_CAPBSET_DROP %d: %s", c,
					   strerror(errno));
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return nwg_err_set(err, errno, "PR_CAP_AMBIENT_CLEAR_ALL: %s", strerror(errno));
	return 0;
}

int nwg_ps_drop_engine(const struct nwg_ps_user *u, pid_t executor, struct nwg_err *err)
{
	int rc = bounding_keep(0, err);

	if (rc < 0)
		return rc;
	if (u && u->found) {
		if (setgroups(0, NULL) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
		    setresuid(u->uid, u->uid, u->uid) < 0)
			return nwg_err_set(err, errno, "engine: switching to uid %u: %s",
					   (unsigned)u->uid, strerror(errno));
	}
	rc = caps_set(0, err); /* uid 0 without a user: nothing effective either */
	if (rc < 0)
		return rc;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return nwg_err_set(err, errno, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
	/* a credential change reset these two */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
		return nwg_err_set(err, errno, "prctl: %s", strerror(errno));
	if (getppid() != executor) /* it died before the signal was armed again */
		return nwg_err_set(err, ESRCH, "engine: the executor is gone");
	munlockall();
	return 0;
}

int nwg_ps_limit_executor(bool ha, struct nwg_err *err)
{
	unsigned long long caps = NWG_PS_EXECUTOR_CAPS | (ha ? NWG_PS_EXECUTOR_HA_CAPS : 0);
	int rc = bounding_keep(caps, err);

	if (rc < 0)
		return rc;
	rc = caps_set(caps, err);
	if (rc < 0)
		return rc;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return nwg_err_set(err, errno, "PR_SET_DUMPABLE: %s", strerror(errno));
	return 0;
}

int nwg_ps_fork(int *fd, pid_t *peer, struct nwg_err *err)
{
	int sv[2];
	pid_t parent = getpid(), pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return nwg_err_set(err, errno, "socketpair: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		return nwg_err_set(err, e, "fork: %s", strerror(e));
	}
	if (pid > 0) {
		close(sv[1]);
		*fd = sv[0];
		*peer = pid;
		return 0;
	}
	close(sv[0]);
	/* the executor may have died before the death signal was armed */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() != parent)
		_exit(1);
	*fd = sv[1];
	*peer = parent;
	return 1;
}
