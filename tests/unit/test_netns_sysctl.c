/* SPDX-License-Identifier: Apache-2.0 */
/* nwg_netns_if_sysctl: the knobs it refuses before touching anything (the
 * writes themselves need a namespace and root: check-multinode). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nwg/netns.h"

static void test_refusals(void **state)
{
	struct nwg_err err = {{0}};

	(void)state;
	/* the root namespace is never changed */
	assert_int_equal(nwg_netns_if_sysctl(NULL, "ipv4", "wo-x", "arp_notify", "1", &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "root namespace"));
	assert_int_equal(nwg_netns_if_sysctl("", "ipv4", "wo-x", "arp_notify", "1", NULL), -EINVAL);
	/* only ipv4/ipv6 conf knobs, of a valid interface name, digits only */
	assert_int_equal(nwg_netns_if_sysctl("ns", "core", "wo-x", "arp_notify", "1", &err),
			 -EINVAL);
	assert_int_equal(nwg_netns_if_sysctl("ns", "ipv4", "..", "arp_notify", "1", &err), -EINVAL);
	assert_int_equal(nwg_netns_if_sysctl("ns", "ipv4", "a/b", "arp_notify", "1", &err),
			 -EINVAL);
	assert_int_equal(
	    nwg_netns_if_sysctl("ns", "ipv4", "wo-0123456789abcdef", "arp_notify", "1", &err),
	    -EINVAL);
	assert_int_equal(
	    nwg_netns_if_sysctl("ns", "ipv4", "wo-x", "../../all/forwarding", "1", &err), -EINVAL);
	assert_int_equal(nwg_netns_if_sysctl("ns", "ipv4", "wo-x", "ARP", "1", &err), -EINVAL);
	assert_int_equal(nwg_netns_if_sysctl("ns", "ipv4", "wo-x", "arp_notify", "1\n", &err),
			 -EINVAL);
	assert_int_equal(nwg_netns_if_sysctl("ns", "ipv4", "wo-x", "arp_notify", "", &err),
			 -EINVAL);
	assert_int_equal(nwg_netns_if_sysctl("ns", "ipv4", "wo-x", "arp_notify", NULL, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "sysctl: bad interface knob");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
