/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nwg_route_replace / nwg_route_list / nwg_route_del against a real kernel,
 * in a private network namespace of this test process (unshare: as root, or
 * as a user with unprivileged user namespaces; skipped when neither works).
 * The namespace holds lo and one TUN link "nwgrt0" (its fd stays open for
 * the whole run); nothing outside the process sees them.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "nwg/rtnl.h"

#define LINK "nwgrt0"

static struct nwg_rtnl *rt;
static int tun_fd = -1;

static int tun_create(const char *name)
{
	struct ifreq ifr = {0};
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* Private netns with lo and LINK up, LINK holding 192.0.2.1/24 and
 * 2001:db8:5::1/64 (their kernel routes are not static: never listed). */
static int group_setup(void **state)
{
	struct nwg_err err = {0};

	(void)state;
	if (unshare(CLONE_NEWNET) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return 0; /* no namespace: every test skips */
	if ((tun_fd = tun_create(LINK)) < 0 || nwg_rtnl_open(&rt, NULL, &err) < 0 ||
	    nwg_link_set_up(rt, "lo", true, &err) < 0 ||
	    nwg_link_set_up(rt, LINK, true, &err) < 0 ||
	    nwg_addr_add(rt, LINK, "192.0.2.1/24", &err) < 0 ||
	    nwg_addr_add(rt, LINK, "2001:db8:5::1/64", &err) < 0) {
		print_error("set-up failed: %s (tun %d)\n", err.msg, tun_fd);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	nwg_rtnl_close(rt);
	if (tun_fd >= 0)
		close(tun_fd);
	return 0;
}

/* The listed routes of ifname, sorted into one comma-separated string. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *listed(const char *ifname)
{
	static char out[512];
	struct nwg_err err = {0};
	char **v = NULL;
	int n = nwg_route_list(rt, ifname, &v, &err);

	assert_true(n >= 0);
	assert_non_null(v);
	assert_null(v[n]);
	qsort(v, (size_t)n, sizeof(*v), cmp_str);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i)
			strcat(out, ",");
		assert_true(strlen(out) + strlen(v[i]) + 2 < sizeof(out));
		strcat(out, v[i]);
	}
	nwg_strv_free(v);
	return out;
}

#define NEED_NETNS()                                                                               \
	do {                                                                                       \
		if (!rt)                                                                           \
			skip();                                                                    \
	} while (0)

static void test_list_only_static_routes_of_the_link(void **state)
{
	struct nwg_err err = {0};

	(void)state;
	NEED_NETNS();
	/* only the addresses' kernel routes exist: nothing static */
	assert_string_equal(listed(LINK), "");
	assert_int_equal(nwg_route_replace(rt, "10.9.0.0/24", NULL, LINK, &err), 0);
	assert_int_equal(nwg_route_replace(rt, "10.9.1.5/32", NULL, LINK, &err), 0);
	assert_int_equal(nwg_route_replace(rt, "fd00:9::/64", NULL, LINK, &err), 0);
	assert_int_equal(nwg_route_replace(rt, "0.0.0.0/0", "192.0.2.254", LINK, &err), 0);
	assert_int_equal(nwg_route_replace(rt, "10.8.0.0/16", NULL, "lo", &err), 0);
	/* replacing an existing route adds nothing */
	assert_int_equal(nwg_route_replace(rt, "10.9.0.0/24", NULL, LINK, &err), 0);
	assert_string_equal(listed(LINK), "0.0.0.0/0,10.9.0.0/24,10.9.1.5/32,fd00:9::/64");
	assert_string_equal(listed("lo"), "10.8.0.0/16");
}

static void test_del_removes_one_route_of_its_link(void **state)
{
	struct nwg_err err = {0};

	(void)state;
	NEED_NETNS();
	assert_int_equal(nwg_route_replace(rt, "10.9.0.0/24", NULL, LINK, &err), 0);
	assert_int_equal(nwg_route_replace(rt, "10.9.1.5/32", NULL, LINK, &err), 0);
	assert_int_equal(nwg_route_replace(rt, "fd00:9::/64", NULL, LINK, &err), 0);
	assert_int_equal(nwg_route_replace(rt, "0.0.0.0/0", "192.0.2.254", LINK, &err), 0);
	assert_int_equal(nwg_route_replace(rt, "10.8.0.0/16", NULL, "lo", &err), 0);
	assert_int_equal(nwg_route_del(rt, "10.9.0.0/24", LINK, &err), 0);
	assert_int_equal(nwg_route_del(rt, "fd00:9::/64", LINK, &err), 0);
	assert_string_equal(listed(LINK), "0.0.0.0/0,10.9.1.5/32");
	/* absent: 0, nothing else touched */
	assert_int_equal(nwg_route_del(rt, "10.9.0.0/24", LINK, &err), 0);
	/* the same prefix through another link is not this link's route */
	assert_int_equal(nwg_route_del(rt, "10.8.0.0/16", LINK, &err), 0);
	assert_string_equal(listed("lo"), "10.8.0.0/16");
	assert_string_equal(listed(LINK), "0.0.0.0/0,10.9.1.5/32");
	assert_int_equal(nwg_route_del(rt, "0.0.0.0/0", LINK, &err), 0);
	assert_int_equal(nwg_route_del(rt, "10.9.1.5/32", LINK, &err), 0);
	assert_int_equal(nwg_route_del(rt, "10.8.0.0/16", "lo", &err), 0);
	assert_string_equal(listed(LINK), "");
	assert_string_equal(listed("lo"), "");
}

static void test_bad_arguments(void **state)
{
	struct nwg_err err = {0};
	char **v = NULL;

	(void)state;
	NEED_NETNS();
	assert_int_equal(nwg_route_list(rt, LINK, NULL, &err), -EINVAL);
	assert_int_equal(nwg_route_list(NULL, LINK, &v, &err), -EINVAL);
	assert_int_equal(nwg_route_list(rt, "nwgrt-none", &v, &err), -ENODEV);
	assert_null(v);
	assert_int_equal(nwg_route_del(rt, "10.9.0.0", LINK, &err), -EINVAL);
	assert_int_equal(nwg_route_del(rt, NULL, LINK, &err), -EINVAL);
	assert_int_equal(nwg_route_del(rt, "10.9.0.0/24", "nwgrt-none", &err), -ENODEV);
	assert_int_equal(nwg_route_del(rt, "10.9.0.0/24", "bad/name", &err), -EINVAL);
	assert_int_equal(nwg_route_replace(rt, "10.9.0.0/24", "fd00::1", LINK, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list_only_static_routes_of_the_link),
	    cmocka_unit_test(test_del_removes_one_route_of_its_link),
	    cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
