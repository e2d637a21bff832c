/* SPDX-License-Identifier: Apache-2.0 */
/* nwg_wg_alias / nwg_wg_alias_sweep: the UAPI socket of a renamed
 * userspace link, in a scratch socket directory. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "nwg/wg.h"

static void path(char *buf, const char *dir, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", dir, name);
}

static void test_alias(void **state)
{
	char dir[] = "/tmp/nwg-alias.XXXXXX", p[PATH_MAX], t[PATH_MAX];
	struct nwg_backend_opts o = {.kind = NWG_BACKEND_USERSPACE, .uapi_dir = dir};
	struct nwg_backend *b = NULL;
	struct stat st;
	ssize_t n;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(nwg_backend_open(&b, &o, NULL), 0);
	path(p, dir, "wg-aaaaaaaa-00.sock"); /* stands for wireguard-go's socket */
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(nwg_wg_alias(b, "wg-aaaaaaaa-00", "qr-aaaaaaaa-00", true, NULL), 0);
	assert_int_equal(nwg_wg_alias(b, "wg-aaaaaaaa-00", "qr-aaaaaaaa-00", true, NULL), 0);
	path(p, dir, "qr-aaaaaaaa-00.sock");
	n = readlink(p, t, sizeof(t) - 1);
	assert_true(n > 0);
	t[n] = '\0';
	assert_string_equal(t, "wg-aaaaaaaa-00.sock"); /* relative: the same directory */
	nwg_wg_alias_sweep(b);
	assert_int_equal(lstat(p, &st), 0); /* its device is there: kept */
	path(t, dir, "wg-aaaaaaaa-00.sock");
	unlink(t); /* the device is gone */
	nwg_wg_alias_sweep(b);
	assert_int_equal(lstat(p, &st), -1);
	/* back home: the alias goes; removing a missing alias is fine */
	assert_int_equal(nwg_wg_alias(b, "wg-aaaaaaaa-00", "qr-aaaaaaaa-00", true, NULL), 0);
	assert_int_equal(nwg_wg_alias(b, "wg-aaaaaaaa-00", "qr-aaaaaaaa-00", false, NULL), 0);
	assert_int_equal(lstat(p, &st), -1);
	assert_int_equal(nwg_wg_alias(b, "wg-aaaaaaaa-00", "qr-aaaaaaaa-00", false, NULL), 0);
	/* the same name is no alias; bad names are refused */
	assert_int_equal(nwg_wg_alias(b, "wg-x", "wg-x", true, NULL), 0);
	path(p, dir, "wg-x.sock");
	assert_int_equal(lstat(p, &st), -1);
	assert_int_equal(nwg_wg_alias(b, "wg-x", "../etc/passwd", true, NULL), -EINVAL);
	assert_int_equal(nwg_wg_alias(b, "wg-x", "a-name-much-too-long", true, NULL), -EINVAL);
	assert_int_equal(nwg_wg_alias(NULL, "wg-x", "qr-x", true, NULL), -EINVAL);
	nwg_backend_close(b);
	assert_int_equal(rmdir(dir), 0); /* nothing left behind */
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_alias)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
