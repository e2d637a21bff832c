/* SPDX-License-Identifier: Apache-2.0 */
/* The HA control socket methods without a device: dispatch, group access,
 * unknown hubs, argument checks, a known hub whose link is absent. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent.h"
#include "ctl/ctl.h"
#include "ha/ctl_ha.h"
#include "nwg/repo.h"

#include "ctl_testlib.h"

#define PORT CTL_PORT
#define EP   "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 198.51.100.7:4\\n"

static void expect(struct ctl_fx *f, const char *method, const char *args, const char *want)
{
	ctl_expect(f, nwg_ctl_ha, method, args, want);
}

static void test_dispatch_and_access(void **state)
{
	(void)state;
	assert_true(nwg_ctl_ha_handles("ha_activate"));
	assert_true(nwg_ctl_ha_handles("ha_deactivate"));
	assert_true(nwg_ctl_ha_handles("ha_endpoints"));
	assert_false(nwg_ctl_ha_handles("ha_"));
	assert_false(nwg_ctl_ha_handles("status"));
	/* the same callers as the L3 methods */
	assert_true(nwg_ctl_group_may("ha_activate"));
	assert_true(nwg_ctl_group_may("ha_restore"));
	assert_true(nwg_ctl_group_may("attach"));
}

static void test_unknown_and_bad_args(void **state)
{
	struct ctl_fx *f = *state;

	expect(f, "ha_activate", "{\"port_id\": \"" PORT "\", \"endpoints\": \"\"}",
	       "error: hub " PORT " is not realized on this node (host n1)");
	expect(f, "ha_activate", "{}", "error: port_id: required");
	expect(f, "ha_activate", "{\"port_id\": \"../etc\"}", "error: port_id: not a port id");
	ctl_save_hub(f);
	expect(f, "ha_activate", "{\"port_id\": \"" PORT "\"}", "error: endpoints: required");
	expect(f, "ha_activate", "{\"port_id\": \"" PORT "\", \"endpoints\": \"x 1.2.3.4:5\\n\"}",
	       "error: endpoint list line 1");
	expect(f, "ha_activate",
	       "{\"port_id\": \"" PORT "\", \"endpoints\": \"" EP "\", \"keepalive\": 0}",
	       "error: keepalive: an integer 1..65535");
	expect(f, "ha_activate",
	       "{\"port_id\": \"" PORT "\", \"endpoints\": \"" EP "\", \"pace\": \"8\"}",
	       "error: pace: an integer");
	expect(f, "ha_restore", "{\"port_id\": \"" PORT "\", \"keepalive\": 65536}",
	       "error: keepalive: an integer 0..65535");
}

static void test_known_hub_without_link(void **state)
{
	struct ctl_fx *f = *state;

	ctl_save_hub(f);
	expect(f, "ha_endpoints", "{\"port_id\": \"" PORT "\"}", "error: ");
	expect(f, "ha_activate", "{\"port_id\": \"" PORT "\", \"endpoints\": \"" EP "\"}",
	       "error: ");
	expect(f, "ha_deactivate", "{\"port_id\": \"" PORT "\"}", "error: ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dispatch_and_access),
	    cmocka_unit_test_setup_teardown(test_unknown_and_bad_args, ctl_fx_setup,
					    ctl_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_known_hub_without_link, ctl_fx_setup,
					    ctl_fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
