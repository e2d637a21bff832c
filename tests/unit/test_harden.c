/* SPDX-License-Identifier: Apache-2.0 */
/* Keys stay in memory: after nwg_harden_process the process is not dumpable
 * and may not write a core file, even after raising its own soft limit. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "privsep/harden.h"

static void test_not_dumpable_no_core(void **state)
{
	struct nwg_harden_result res;
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};

	(void)state;
	assert_int_equal(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	assert_int_equal(nwg_harden_process(&res, NULL), 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
	assert_int_equal(rl.rlim_cur, 0);
	assert_int_equal(rl.rlim_max, 0);
	/* the hard limit is gone too: the soft one cannot come back (without
	 * CAP_SYS_RESOURCE) */
	rl.rlim_cur = 1 << 20;
	if (setrlimit(RLIMIT_CORE, &rl) == 0) {
		assert_int_equal(getrlimit(RLIMIT_CORE, &rl), 0);
		assert_true(rl.rlim_max >= rl.rlim_cur); /* root may raise it back */
	}
	/* ASan builds never lock (the shadow cannot be); otherwise root locks */
#if defined(__SANITIZE_ADDRESS__)
	assert_false(res.locked);
	assert_int_equal(res.lock_errno, ENOTSUP);
#endif
	assert_int_equal(nwg_harden_process(NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_dumpable_no_core),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
