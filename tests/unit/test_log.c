/* SPDX-License-Identifier: Apache-2.0 */
/* Safe logging: the log file is never a symlink, a hard link, a FIFO or another
 * user's file; text from outside cannot forge a line. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "log/log.h"

static char dir[64], path[128], other[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nwg-test-log.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/agent.log", dir);
	snprintf(other, sizeof(other), "%s/victim", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nwg_log_close();
	unlink(path);
	unlink(other);
	rmdir(dir);
	return 0;
}

static void reset(void)
{
	nwg_log_close();
	unlink(path);
	unlink(other);
	close(open(other, O_WRONLY | O_CREAT, 0600));
}

static void expect_refused(const char *why)
{
	struct nwg_err err = {{0}};
	struct stat st;

	if (nwg_log_open(NWG_LOG_INFO, path, &err) == 0)
		fail_msg("%s: log file accepted", why);
	assert_non_null(strstr(err.msg, path));
	nwg_log(NWG_LOG_ERR, "must not reach the victim");
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(st.st_size, 0);
}

static void test_symlink_refused(void **state)
{
	struct nwg_err err = {{0}};

	(void)state;
	reset();
	assert_int_equal(symlink(other, path), 0);
	assert_true(nwg_log_open(NWG_LOG_INFO, path, &err) < 0);
	assert_non_null(strstr(err.msg, "symbolic link"));
	expect_refused("symlink");
}

static void test_hard_link_refused(void **state)
{
	(void)state;
	reset();
	assert_int_equal(link(other, path), 0);
	expect_refused("hard link");
}

static void test_fifo_refused(void **state)
{
	(void)state;
	reset();
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_refused("fifo");
}

static void test_foreign_owner_refused(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	reset();
	close(open(path, O_WRONLY | O_CREAT, 0600));
	assert_int_equal(chown(path, 65534, 65534), 0);
	expect_refused("owned by nobody");
}

static void test_lines_escaped(void **state)
{
	struct nwg_err err = {{0}};
	char buf[4096] = {0}, esc[16];
	struct stat st;
	ssize_t n;
	int fd;

	(void)state;
	reset();
	assert_int_equal(nwg_log_open(NWG_LOG_INFO, path, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	nwg_log(NWG_LOG_ERR, "remote error: %s",
		"bad\n2026-01-01 00:00:00.000 1 INFO neutron-wireguard-agent: "
		"forged\r\x1b[31m\x7f\xc3");
	nwg_log_close();
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n > 0);
	/* one line, the outside text escaped */
	assert_int_equal(strchr(buf, '\n') - buf, n - 1);
	assert_non_null(strstr(buf, "remote error: bad\\x0a2026-01-01"));
	assert_non_null(strstr(buf, "forged\\x0d\\x1b[31m\\x7f\\xc3\n"));
	/* truncation keeps escapes whole */
	assert_int_equal(nwg_log_escape(esc, 5, "a\n"), 1);
	assert_string_equal(esc, "a");
	assert_int_equal(nwg_log_escape(esc, sizeof(esc), "a\nb"), 6);
	assert_string_equal(esc, "a\\x0ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_symlink_refused), cmocka_unit_test(test_hard_link_refused),
	    cmocka_unit_test(test_fifo_refused),    cmocka_unit_test(test_foreign_owner_refused),
	    cmocka_unit_test(test_lines_escaped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
