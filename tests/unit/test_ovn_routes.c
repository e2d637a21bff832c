/* SPDX-License-Identifier: Apache-2.0 */
/* OVN attach: which routes through a hub's WireGuard link its spokes still
 * need; the routes of spokes that left are the ones not wanted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "attach/ovn_int.h"
#include "reconcile/ipnet.h"

static struct nwg_ipnet net(const char *s)
{
	struct nwg_ipnet n;

	assert_int_equal(nwg_ipnet_parse(s, &n, true), 0);
	return n;
}

static void test_spoke_routes_wanted(void **state)
{
	struct nwg_ipnet a1[] = {net("10.61.3.7/32"), net("fd00:61:3::7/128")};
	struct nwg_ipnet a2[] = {net("192.168.50.0/24")};
	struct nwg_dspoke sp[] = {{.port_id = SPOKE_1, .allowed = a1, .n_allowed = 2},
				  {.port_id = SPOKE_2, .allowed = a2, .n_allowed = 1}};
	struct nwg_dhub h = {.port_id = HUB_A, .spokes = sp, .n_spokes = 2};

	(void)state;
	assert_true(nwg_ovn_route_wanted(&h, "10.61.3.7/32"));
	assert_true(nwg_ovn_route_wanted(&h, "fd00:61:3::7/128"));
	assert_true(nwg_ovn_route_wanted(&h, "192.168.50.0/24"));
	/* a spoke that left, another prefix length, another family */
	assert_false(nwg_ovn_route_wanted(&h, "10.61.3.8/32"));
	assert_false(nwg_ovn_route_wanted(&h, "10.61.3.0/24"));
	assert_false(nwg_ovn_route_wanted(&h, "192.168.50.0/25"));
	assert_false(nwg_ovn_route_wanted(&h, "fd00:61:3::8/128"));
	assert_false(nwg_ovn_route_wanted(&h, "0.0.0.0/0"));
}

static void test_last_spoke_left(void **state)
{
	struct nwg_dhub h = {.port_id = HUB_A};

	(void)state;
	assert_false(nwg_ovn_route_wanted(&h, "10.61.3.7/32"));
	assert_false(nwg_ovn_route_wanted(&h, "fd00:61:3::7/128"));
}

static void test_unreadable_left_alone(void **state)
{
	struct nwg_dhub h = {.port_id = HUB_A};

	(void)state;
	assert_true(nwg_ovn_route_wanted(&h, NULL));
	assert_true(nwg_ovn_route_wanted(&h, "not-a-prefix"));
	assert_true(nwg_ovn_route_wanted(&h, "10.61.3.7"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spoke_routes_wanted),
	    cmocka_unit_test(test_last_spoke_left),
	    cmocka_unit_test(test_unreadable_left_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
