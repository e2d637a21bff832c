/* SPDX-License-Identifier: Apache-2.0 */
/* oslo.config-style ini loading and typed getters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/ini.h"
#include "nwg/rtnl.h"

static struct nwg_ini *load(const char *text)
{
	struct nwg_ini *ini = NULL;
	struct nwg_err err = {{0}};

	assert_int_equal(nwg_ini_load_string(&ini, text, "t.ini", &err), 0);
	assert_non_null(ini);
	return ini;
}

static void write_file(char *path, const char *text)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_multi_file_override(void **state)
{
	char a[] = "/tmp/nwg-ini-a.XXXXXX", b[] = "/tmp/nwg-ini-b.XXXXXX";
	const char *paths[] = {a, b};
	struct nwg_ini *ini;
	struct nwg_err err = {{0}};

	(void)state;
	write_file(a, "[DEFAULT]\nhost = one\ndebug = true\n[wireguard]\nwg_hub_ip = 10.0.0.1\n");
	write_file(b, "[DEFAULT]\nHOST = two\n[wireguard]\nwg-hub-ip = 10.0.0.2\n");
	assert_int_equal(nwg_ini_load(&ini, paths, 2, &err), 0);
	assert_string_equal(nwg_ini_get(ini, "DEFAULT", "host"), "two");
	assert_string_equal(nwg_ini_get(ini, "DEFAULT", "debug"), "true");
	assert_string_equal(nwg_ini_get(ini, "wireguard", "WG_HUB_IP"), "10.0.0.2");
	nwg_ini_free(ini);
	unlink(a);
	unlink(b);
}

static void test_case_and_dash(void **state)
{
	struct nwg_ini *ini;

	(void)state;
	ini = load("[DEFAULT]\nTransport-URL = x\n[AGENT]\nreport_interval = 30\n"
		   "[agent]\nreport_interval = 5\n");
	assert_string_equal(nwg_ini_get(ini, "DEFAULT", "transport_url"), "x");
	assert_string_equal(nwg_ini_get(ini, "DEFAULT", "TRANSPORT-url"), "x");
	/* sections are case-sensitive and separate; no fallback to DEFAULT */
	assert_string_equal(nwg_ini_get(ini, "AGENT", "report_interval"), "30");
	assert_string_equal(nwg_ini_get(ini, "agent", "report_interval"), "5");
	assert_null(nwg_ini_get(ini, "Agent", "report_interval"));
	assert_null(nwg_ini_get(ini, "AGENT", "transport_url"));
	nwg_ini_free(ini);
}

static void test_values(void **state)
{
	struct nwg_ini *ini;

	(void)state;
	/* same key twice: last wins; ';' is not an inline comment; long line ok;
	 * indented line continues the value */
	ini = load("; comment\n# comment\n[s]\nk = 1\nk = 2\npw = a ;b #c\n"
		   "multi = first\n  second\n\n[t]\nspaced   =   v  v   \n");
	assert_string_equal(nwg_ini_get(ini, "s", "k"), "2");
	assert_string_equal(nwg_ini_get(ini, "s", "pw"), "a ;b #c");
	assert_string_equal(nwg_ini_get(ini, "s", "multi"), "first\nsecond");
	assert_string_equal(nwg_ini_get(ini, "t", "spaced"), "v  v");
	nwg_ini_free(ini);
}

static void test_long_line(void **state)
{
	size_t n = 4000;
	char *text = malloc(n + 32);
	struct nwg_ini *ini;

	(void)state;
	strcpy(text, "[DEFAULT]\nurl = ");
	memset(text + strlen(text), 'x', n);
	text[16 + n] = '\0';
	ini = load(text);
	assert_int_equal(strlen(nwg_ini_get(ini, "DEFAULT", "url")), n);
	nwg_ini_free(ini);
	free(text);
}

static void test_bools(void **state)
{
	static const char *const yes[] = {"true", "TRUE", "yes", "1", "on", "On"};
	static const char *const no[] = {"false", "False", "no", "0", "off", "OFF"};
	struct nwg_err err = {{0}};
	struct nwg_ini *ini;
	char text[64];
	bool b;

	(void)state;
	for (size_t i = 0; i < 6; i++) {
		snprintf(text, sizeof(text), "[s]\ny = %s\nn = %s\n", yes[i], no[i]);
		ini = load(text);
		assert_int_equal(nwg_ini_get_bool(ini, "s", "y", false, &b, &err), 0);
		assert_true(b);
		assert_int_equal(nwg_ini_get_bool(ini, "s", "n", true, &b, &err), 0);
		assert_false(b);
		nwg_ini_free(ini);
	}
	ini = load("[s]\nbad = maybe\nempty =\n");
	assert_int_equal(nwg_ini_get_bool(ini, "s", "absent", true, &b, &err), 0);
	assert_true(b);
	assert_int_equal(nwg_ini_get_bool(ini, "s", "bad", true, &b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "[s] bad"));
	assert_int_equal(nwg_ini_get_bool(ini, "s", "empty", true, &b, &err), -EINVAL);
	nwg_ini_free(ini);
}

static void test_ints(void **state)
{
	struct nwg_err err = {{0}};
	struct nwg_ini *ini;
	long v;

	(void)state;
	ini = load("[s]\na = 42\nneg = -7\nbig = 99999999999999999999\nx = 12abc\nf = 1.5\n"
		   "e =\n");
	assert_int_equal(nwg_ini_get_int(ini, "s", "a", 0, 0, 100, &v, &err), 0);
	assert_int_equal(v, 42);
	assert_int_equal(nwg_ini_get_int(ini, "s", "neg", 0, -10, 10, &v, &err), 0);
	assert_int_equal(v, -7);
	assert_int_equal(nwg_ini_get_int(ini, "s", "absent", 9, 0, 5, &v, &err), 0);
	assert_int_equal(v, 9);
	assert_int_equal(nwg_ini_get_int(ini, "s", "a", 0, 0, 41, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "[s] a"));
	assert_non_null(strstr(err.msg, "range"));
	assert_int_equal(nwg_ini_get_int(ini, "s", "neg", 0, 0, 10, &v, &err), -EINVAL);
	assert_int_equal(nwg_ini_get_int(ini, "s", "big", 0, 0, 10, &v, &err), -EINVAL);
	assert_int_equal(nwg_ini_get_int(ini, "s", "x", 0, 0, 100, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not an integer"));
	assert_int_equal(nwg_ini_get_int(ini, "s", "f", 0, 0, 100, &v, &err), -EINVAL);
	assert_int_equal(nwg_ini_get_int(ini, "s", "e", 0, 0, 100, &v, &err), -EINVAL);
	nwg_ini_free(ini);
}

static void test_lists_and_str(void **state)
{
	struct nwg_err err = {{0}};
	struct nwg_ini *ini;
	const char *s;
	char **l;

	(void)state;
	ini = load("[s]\nl = a, b ,,c,\nempty =\n");
	assert_int_equal(nwg_ini_get_list(ini, "s", "l", &l, &err), 0);
	assert_string_equal(l[0], "a");
	assert_string_equal(l[1], "b");
	assert_string_equal(l[2], "c");
	assert_null(l[3]);
	nwg_strv_free(l);
	assert_int_equal(nwg_ini_get_list(ini, "s", "empty", &l, &err), 0);
	assert_null(l[0]);
	nwg_strv_free(l);
	assert_int_equal(nwg_ini_get_list(ini, "s", "absent", &l, &err), 0);
	assert_null(l[0]);
	nwg_strv_free(l);
	assert_int_equal(nwg_ini_get_str(ini, "s", "absent", "def", &s, &err), 0);
	assert_string_equal(s, "def");
	assert_int_equal(nwg_ini_get_str(ini, "s", "empty", "def", &s, &err), 0);
	assert_string_equal(s, "");
	assert_int_equal(nwg_ini_get_str(ini, "s", "l", NULL, NULL, &err), -EINVAL);
	nwg_ini_free(ini);
}

static void expect_syntax(const char *text, const char *where)
{
	struct nwg_ini *ini = (struct nwg_ini *)1;
	struct nwg_err err = {{0}};

	assert_int_equal(nwg_ini_load_string(&ini, text, "bad.ini", &err), -EINVAL);
	assert_null(ini);
	assert_non_null(strstr(err.msg, where));
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_syntax("[s]\na = 1\n[broken\nb = 2\n", "bad.ini:3");
	expect_syntax("[s]\na = 1\njunk line\n", "bad.ini:3");
	expect_syntax("orphan = 1\n", "bad.ini:1");
	expect_syntax("[s]\n = v\n", "bad.ini:2");
}

static void test_missing_file(void **state)
{
	const char *paths[] = {"/nonexistent/nwg/neutron.conf"};
	struct nwg_err err = {{0}};
	struct nwg_ini *ini;
	char p[] = "/tmp/nwg-ini-s.XXXXXX";
	const char *sp[] = {p};

	(void)state;
	assert_int_equal(nwg_ini_load(&ini, paths, 1, &err), -ENOENT);
	assert_null(ini);
	assert_non_null(strstr(err.msg, "/nonexistent/nwg/neutron.conf"));
	write_file(p, "[a]\nx = 1\n\n[b\n");
	assert_int_equal(nwg_ini_load(&ini, sp, 1, &err), -EINVAL);
	assert_non_null(strstr(err.msg, p));
	assert_non_null(strstr(err.msg, ":4"));
	unlink(p);
	assert_int_equal(nwg_ini_load_string(NULL, "", "x", &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_multi_file_override),
	    cmocka_unit_test(test_case_and_dash),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_bools),
	    cmocka_unit_test(test_ints),
	    cmocka_unit_test(test_lists_and_str),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
