/* SPDX-License-Identifier: Apache-2.0 */
/* The device model, allowed IPs and endpoints. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "nwg/wg.h"

static void expect_aip(const char *in, int family, const char *addr, unsigned int cidr,
		       const char *canon)
{
	struct nwg_allowedip a;
	uint8_t want[16];
	char out[64];

	assert_int_equal(nwg_allowedip_parse(&a, in), 0);
	assert_int_equal(a.family, family);
	assert_int_equal(a.cidr, cidr);
	assert_int_equal(inet_pton(family, addr, want), 1);
	assert_memory_equal(&a.ip6, want, family == AF_INET ? 4 : 16);
	assert_int_equal(nwg_allowedip_format(&a, out, sizeof(out)), (int)strlen(canon));
	assert_string_equal(out, canon);
}

static void test_allowedip_good(void **state)
{
	(void)state;
	expect_aip("10.0.0.2/32", AF_INET, "10.0.0.2", 32, "10.0.0.2/32");
	expect_aip("10.99.0.0/24", AF_INET, "10.99.0.0", 24, "10.99.0.0/24");
	expect_aip("0.0.0.0/0", AF_INET, "0.0.0.0", 0, "0.0.0.0/0");
	expect_aip("192.168.128.0/17", AF_INET, "192.168.128.0", 17, "192.168.128.0/17");
	expect_aip("fd00::2/128", AF_INET6, "fd00::2", 128, "fd00::2/128");
	expect_aip("fd00:0:0::/48", AF_INET6, "fd00::", 48, "fd00::/48");
	expect_aip("::/0", AF_INET6, "::", 0, "::/0");
	expect_aip("2001:db8::8000/113", AF_INET6, "2001:db8::8000", 113, "2001:db8::8000/113");
}

static void test_allowedip_bad(void **state)
{
	static const char *const bad[] = {
	    "",
	    "10.0.0.2",
	    "10.0.0.2/",
	    "/32",
	    "10.0.0.2/33",
	    "10.0.0.1/24",
	    "10.0.0.2/032",
	    "10.0.0.2/-1",
	    "10.0.0.2/+32",
	    "10.0.0.2/ 32",
	    " 10.0.0.2/32",
	    "10.0.0.2/32 ",
	    "10.0.0.2/32x",
	    "10.0.0/24",
	    "010.0.0.2/32",
	    "10.0.0.256/32",
	    "fd00::1/129",
	    "fd00::1/64",
	    "fd00::/00",
	    "fe80::1%lo/128",
	    "host/32",
	    "10.0.0.2/3/2",
	    "fd00:::1/128",
	    "192.168.129.0/17",
	    "1111:2222:3333:4444:5555:6666:7777:8888:9999/128",
	};
	struct nwg_allowedip a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&a, 0x5a, sizeof(a));
		if (nwg_allowedip_parse(&a, bad[i]) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(a.family, 0);
	}
	assert_int_equal(nwg_allowedip_parse(&a, NULL), -EINVAL);
	assert_int_equal(nwg_allowedip_parse(NULL, "10.0.0.0/8"), -EINVAL);
}

static void test_allowedip_format_errors(void **state)
{
	struct nwg_allowedip a;
	char buf[8];

	(void)state;
	assert_int_equal(nwg_allowedip_parse(&a, "10.100.200.0/24"), 0);
	assert_int_equal(nwg_allowedip_format(&a, buf, sizeof(buf)), -ENOSPC);
	assert_string_equal(buf, "");
	a.cidr = 33;
	assert_int_equal(nwg_allowedip_format(&a, buf, sizeof(buf)), -EINVAL);
	a.family = AF_UNIX;
	a.cidr = 8;
	assert_int_equal(nwg_allowedip_format(&a, buf, sizeof(buf)), -EINVAL);
}

static void expect_ep(const char *in, const char *canon, int family, unsigned int port)
{
	union nwg_endpoint e;
	char out[64];

	assert_int_equal(nwg_endpoint_parse(&e, in), 0);
	assert_int_equal(e.sa.sa_family, family);
	assert_int_equal(ntohs(family == AF_INET ? e.sin.sin_port : e.sin6.sin6_port), port);
	assert_int_equal(nwg_endpoint_format(&e, out, sizeof(out)), (int)strlen(canon));
	assert_string_equal(out, canon);
}

static void test_endpoint_good(void **state)
{
	union nwg_endpoint e;
	char out[8] = "x";

	(void)state;
	expect_ep("1.2.3.4:51820", "1.2.3.4:51820", AF_INET, 51820);
	expect_ep("198.51.100.7:1", "198.51.100.7:1", AF_INET, 1);
	expect_ep("[fd00::1]:51820", "[fd00::1]:51820", AF_INET6, 51820);
	expect_ep("[fd00:0::1]:65535", "[fd00::1]:65535", AF_INET6, 65535);
	expect_ep("[::ffff:1.2.3.4]:9", "[::ffff:1.2.3.4]:9", AF_INET6, 9);
	memset(&e, 0, sizeof(e));
	assert_int_equal(nwg_endpoint_format(&e, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_endpoint_bad(void **state)
{
	static const char *const bad[] = {
	    "",
	    "1.2.3.4",
	    "1.2.3.4:",
	    "1.2.3.4:0",
	    "1.2.3.4:65536",
	    "1.2.3.4:051820",
	    "1.2.3.4:+5",
	    "1.2.3.4: 5",
	    "1.2.3.4:5 ",
	    "fd00::1:51820",
	    "[fd00::1]51820",
	    "[fd00::1]:",
	    "[1.2.3.4]:5",
	    "[fd00::1:5",
	    "fd00::1]:5",
	    "example.com:51820",
	    "1.2.3:5",
	    ":51820",
	    "[]:51820",
	    "[fe80::1%eth0]:5",
	    "1.2.3.4:5:6",
	    "1.2.3.4:99999999999",
	};
	union nwg_endpoint e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (nwg_endpoint_parse(&e, bad[i]) != -EINVAL)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(e.sa.sa_family, AF_UNSPEC);
	}
	assert_int_equal(nwg_endpoint_parse(&e, NULL), -EINVAL);
}

static void test_endpoint_format_small(void **state)
{
	union nwg_endpoint e;
	char out[10];

	(void)state;
	assert_int_equal(nwg_endpoint_parse(&e, "[fd00::1]:51820"), 0);
	assert_int_equal(nwg_endpoint_format(&e, out, sizeof(out)), -ENOSPC);
	e.sa.sa_family = AF_UNIX;
	assert_int_equal(nwg_endpoint_format(&e, out, sizeof(out)), -EINVAL);
}

static struct nwg_key key_n(uint8_t n)
{
	struct nwg_key k;

	memset(&k, n, sizeof(k));
	return k;
}

static void test_device_peers(void **state)
{
	struct nwg_device *dev = nwg_device_new("wg-0123456789a");
	struct nwg_key k1 = key_n(1), k2 = key_n(2), k3 = key_n(3);
	struct nwg_peer *p;

	(void)state;
	assert_non_null(dev);
	assert_string_equal(dev->name, "wg-0123456789a");
	assert_int_equal(dev->n_peers, 0);
	dev->private_key = key_n(9);
	for (int i = 0; i < 50; i++) {
		struct nwg_key k = key_n((uint8_t)(i + 1));

		p = nwg_device_add_peer(dev, &k);
		assert_non_null(p);
		assert_true(nwg_key_equal(&p->public_key, &k));
		assert_int_equal(p->n_allowedips, 0);
		assert_int_equal(p->flags, 0);
	}
	assert_int_equal(dev->n_peers, 50);
	p = nwg_device_find_peer(dev, &k2);
	assert_ptr_equal(p, &dev->peers[1]);
	assert_int_equal(nwg_peer_add_allowedip(p, "10.0.0.2/32"), 0);
	assert_int_equal(nwg_peer_add_allowedip(p, "fd00::2/128"), 0);
	assert_int_equal(nwg_peer_add_allowedip(p, "10.0.0.3/24"), -EINVAL);
	assert_int_equal(p->n_allowedips, 2);
	assert_int_equal(p->allowedips[1].family, AF_INET6);
	assert_int_equal(p->allowedips[0].cidr, 32);
	assert_ptr_equal(nwg_device_find_peer(dev, &k1), &dev->peers[0]);
	assert_ptr_equal(nwg_device_find_peer(dev, &k3), &dev->peers[2]);
	k3 = key_n(200);
	assert_null(nwg_device_find_peer(dev, &k3));
	nwg_device_free(dev); /* ASan: frees every allowed-IP array */
	nwg_device_free(NULL);
}

static void test_device_new_args(void **state)
{
	struct nwg_device *dev;

	(void)state;
	assert_null(nwg_device_new("0123456789abcdef"));
	assert_int_equal(errno, EINVAL);
	dev = nwg_device_new(NULL);
	assert_non_null(dev);
	assert_string_equal(dev->name, "");
	assert_null(nwg_device_add_peer(dev, NULL));
	assert_null(nwg_device_find_peer(dev, NULL));
	assert_int_equal(nwg_peer_add_allowedip(NULL, "10.0.0.0/8"), -EINVAL);
	nwg_device_free(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_allowedip_good),
	    cmocka_unit_test(test_allowedip_bad),
	    cmocka_unit_test(test_allowedip_format_errors),
	    cmocka_unit_test(test_endpoint_good),
	    cmocka_unit_test(test_endpoint_bad),
	    cmocka_unit_test(test_endpoint_format_small),
	    cmocka_unit_test(test_device_peers),
	    cmocka_unit_test(test_device_new_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
