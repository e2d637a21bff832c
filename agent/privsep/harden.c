/* SPDX-License-Identifier: Apache-2.0 */
#include "privsep/harden.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* Locking only when it cannot starve later allocations: root (CAP_IPC_LOCK)
 * or an unlimited RLIMIT_MEMLOCK. ASan's shadow cannot be locked. */
static void lock_memory(struct nwg_harden_result *res)
{
#ifdef NWG_SANITIZED
	res->lock_errno = ENOTSUP;
#else
	struct rlimit rl;

	if (geteuid() != 0 &&
	    (getrlimit(RLIMIT_MEMLOCK, &rl) < 0 || rl.rlim_cur != RLIM_INFINITY)) {
		res->lock_errno = EPERM;
		return;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0)
		res->locked = true;
	else
		res->lock_errno = errno;
#endif
}

int nwg_harden_process(struct nwg_harden_result *res, struct nwg_err *err)
{
	struct rlimit none = {0, 0};

	if (!res)
		return nwg_err_set(err, EINVAL, "harden: missing argument");
	memset(res, 0, sizeof(*res));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return nwg_err_set(err, errno, "prctl(PR_SET_DUMPABLE, 0): %s", strerror(errno));
	if (setrlimit(RLIMIT_CORE, &none) < 0)
		return nwg_err_set(err, errno, "setrlimit(RLIMIT_CORE, 0): %s", strerror(errno));
	lock_memory(res);
	return 0;
}
