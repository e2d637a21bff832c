/* SPDX-License-Identifier: Apache-2.0 */
/* Listen-port ranges and allocation. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "nwg/portalloc.h"

static void expect_range(const char *s, unsigned int first, unsigned int last)
{
	struct nwg_port_range r = {0, 0};

	assert_int_equal(nwg_port_range_parse(s, &r), 0);
	assert_int_equal(r.first, first);
	assert_int_equal(r.last, last);
}

static void test_range_parse(void **state)
{
	static const char *const bad[] = {
	    "",
	    "51820",
	    "51820:",
	    ":52820",
	    "52820:51820",
	    "0:10",
	    "1:65536",
	    "51820::52820",
	    "51820...52820",
	    "51820 : 52820",
	    "051820:52820",
	    "a:b",
	    "51820:52820x",
	    "-1-5",
	    "51820--52820",
	    "+1:2",
	    "1:2:3",
	};
	struct nwg_port_range r = {7, 8};

	(void)state;
	expect_range("51820:52820", 51820, 52820);
	expect_range("51820..52820", 51820, 52820);
	expect_range("51820-52820", 51820, 52820);
	expect_range("1:65535", 1, 65535);
	expect_range("4000..4000", 4000, 4000);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (nwg_port_range_parse(bad[i], &r) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(r.first, 7); /* untouched on failure */
	assert_int_equal(nwg_port_range_parse(NULL, &r), -EINVAL);
}

/* Busy predicate for tests: ports listed in ctx (0-terminated) are busy. */
static bool busy_list(uint16_t port, void *ctx)
{
	for (const uint16_t *p = ctx; *p; p++) {
		if (*p == port)
			return true;
	}
	return false;
}

static void test_alloc_lowest(void **state)
{
	struct nwg_port_range r = {51820, 51830};
	uint16_t busy[] = {51820, 51822, 0}, taken[] = {51821, 51823}, port = 0;

	(void)state;
	assert_int_equal(nwg_port_alloc(&r, NULL, 0, busy_list, (uint16_t[]){0}, &port, NULL), 0);
	assert_int_equal(port, 51820);
	assert_int_equal(nwg_port_alloc(&r, taken, 2, busy_list, busy, &port, NULL), 0);
	assert_int_equal(port, 51824);
}

static void test_alloc_exhausted(void **state)
{
	struct nwg_port_range r = {60000, 60003};
	uint16_t busy[] = {60000, 60002, 0}, taken[] = {60001, 60003}, port = 4242;
	struct nwg_err err = {""};

	(void)state;
	assert_int_equal(nwg_port_alloc(&r, taken, 2, busy_list, busy, &port, &err),
			 -EADDRNOTAVAIL);
	assert_int_equal(port, 4242);
	assert_non_null(strstr(err.msg, "60000..60003"));
	/* Freeing one taken port makes it the answer. */
	assert_int_equal(nwg_port_alloc(&r, taken, 1, busy_list, busy, &port, &err), 0);
	assert_int_equal(port, 60003);
}

static void test_alloc_top_of_range(void **state)
{
	struct nwg_port_range r = {65534, 65535};
	uint16_t busy[] = {65534, 65535, 0}, port = 1;

	(void)state;
	/* Must terminate at 65535 without wrapping. */
	assert_int_equal(nwg_port_alloc(&r, NULL, 0, busy_list, busy, &port, NULL), -EADDRNOTAVAIL);
	busy[1] = 0;
	assert_int_equal(nwg_port_alloc(&r, NULL, 0, busy_list, busy, &port, NULL), 0);
	assert_int_equal(port, 65535);
}

static void test_alloc_args(void **state)
{
	struct nwg_port_range bad = {10, 5};
	uint16_t port;
	struct nwg_err err = {""};

	(void)state;
	assert_int_equal(nwg_port_alloc(&bad, NULL, 0, busy_list, (uint16_t[]){0}, &port, &err),
			 -EINVAL);
	assert_true(strlen(err.msg) > 0);
	assert_int_equal(nwg_port_alloc(NULL, NULL, 0, NULL, NULL, &port, NULL), -EINVAL);
	assert_int_equal(nwg_port_alloc(&bad, NULL, 3, NULL, NULL, &port, NULL), -EINVAL);
}

/* Binds a UDP socket to an ephemeral port on family's wildcard address. */
static int bind_ephemeral(int family, uint16_t *port)
{
	struct sockaddr_storage ss = {0};
	socklen_t len =
	    family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int fd = socket(family, SOCK_DGRAM, 0), one = 1;

	assert_true(fd >= 0);
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void test_busy_default_probe(void **state)
{
	struct nwg_port_range r;
	uint16_t port, got;
	int fd;

	(void)state;
	fd = bind_ephemeral(AF_INET, &port);
	assert_true(nwg_port_busy_default(port, NULL));
	r.first = r.last = port;
	assert_int_equal(nwg_port_alloc(&r, NULL, 0, NULL, NULL, &got, NULL), -EADDRNOTAVAIL);
	close(fd);
	assert_false(nwg_port_busy_default(port, NULL));
	assert_int_equal(nwg_port_alloc(&r, NULL, 0, NULL, NULL, &got, NULL), 0);
	assert_int_equal(got, port);
}

static void test_busy_default_probe_v6(void **state)
{
	int probe = socket(AF_INET6, SOCK_DGRAM, 0);
	uint16_t port;
	int fd;

	(void)state;
	if (probe < 0)
		skip();
	close(probe);
	fd = bind_ephemeral(AF_INET6, &port);
	assert_true(nwg_port_busy_default(port, NULL));
	close(fd);
	assert_false(nwg_port_busy_default(port, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_range_parse),
	    cmocka_unit_test(test_alloc_lowest),
	    cmocka_unit_test(test_alloc_exhausted),
	    cmocka_unit_test(test_alloc_top_of_range),
	    cmocka_unit_test(test_alloc_args),
	    cmocka_unit_test(test_busy_default_probe),
	    cmocka_unit_test(test_busy_default_probe_v6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
