/* SPDX-License-Identifier: Apache-2.0 */
/* The L3 control socket methods (owns/attach/detach) without a kernel: the
 * answers about unknown hubs, argument checks, hubs whose link is absent. */
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
#include "ctl/ctl_l3.h"
#include "nwg/repo.h"

#include "ctl_testlib.h"

#define PORT CTL_PORT
#define R1   "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
#define R2   "00000000-1111-4222-8333-444444444444" /* no such namespace here */

static void expect(struct ctl_fx *f, const char *method, const char *args, const char *want)
{
	ctl_expect(f, nwg_ctl_l3, method, args, want);
}

static void test_methods(void **state)
{
	(void)state;
	assert_true(nwg_ctl_l3_handles("owns"));
	assert_true(nwg_ctl_l3_handles("attach"));
	assert_true(nwg_ctl_l3_handles("detach"));
	assert_false(nwg_ctl_l3_handles("status"));
	assert_false(nwg_ctl_l3_handles("attach2"));
}

static void test_unknown_hub(void **state)
{
	struct ctl_fx *f = *state;

	expect(f, "owns", "{\"port_id\": \"" PORT "\"}", "{\"host\":\"n1\",\"owned\":false}");
	expect(f, "detach", "{\"port_id\": \"" PORT "\"}", "{\"known\":false}");
	expect(f, "attach",
	       "{\"port_id\": \"" PORT "\", \"namespace\": \"qrouter-x\", \"ifname\": \"qr-x\", "
	       "\"cidrs\": [], \"mtu\": 1450}",
	       "error: hub " PORT " is not realized on this node (host n1)");
}

static void test_bad_arguments(void **state)
{
	struct ctl_fx *f = *state;

	expect(f, "owns", "{}", "error: port_id: required");
	expect(f, "owns", "{\"port_id\": \"../etc\"}", "error: port_id: not a port id");
	expect(f, "owns", "{\"port_id\": 5}", "error: port_id: required");
	ctl_save_hub(f);
	expect(f, "attach",
	       "{\"port_id\": \"" PORT "\", \"namespace\": \"tun-x\", \"ifname\": \"qr-x\", "
	       "\"cidrs\": [], \"mtu\": 1450}",
	       "error: namespace: an existing qrouter-<router_id> namespace");
	expect(f, "attach",
	       "{\"port_id\": \"" PORT "\", \"namespace\": \"qrouter-nwg-ctl-l3-absent\", "
	       "\"ifname\": \"qr-x\", \"cidrs\": [], \"mtu\": 1450}",
	       "error: namespace: an existing qrouter-<router_id> namespace");
}

/* Neutron's last answer made the hub an interface of router R1: attaching it
 * into another router's namespace is refused before anything is touched. */
static void test_attach_other_router(void **state)
{
	struct ctl_fx *f = *state;
	struct nwg_hubstate *st;

	ctl_save_hub(f);
	st = nwg_hubtab_get(&f->a.hubs, PORT, true);
	assert_non_null(st);
	snprintf(st->router_id, sizeof(st->router_id), "%s", R1);
	expect(f, "attach",
	       "{\"port_id\": \"" PORT "\", \"namespace\": \"qrouter-" R2 "\", "
	       "\"ifname\": \"qr-x\", \"cidrs\": [], \"mtu\": 1450}",
	       "error: namespace qrouter-" R2 ": the hub is an interface of router " R1);
	expect(f, "attach",
	       "{\"port_id\": \"" PORT "\", \"namespace\": \"qrouter-" R1 "\", "
	       "\"router_id\": \"" R2 "\", \"ifname\": \"qr-x\", \"cidrs\": [], "
	       "\"mtu\": 1450}",
	       "error: router_id: the namespace is qrouter-" R1 ", not router " R2);
	expect(f, "attach",
	       "{\"port_id\": \"" PORT "\", \"namespace\": \"qrouter-" R1 "\", "
	       "\"router_id\": 7, \"ifname\": \"qr-x\", \"cidrs\": [], \"mtu\": 1450}",
	       "error: router_id: a router id or null");
	/* its own router: past the router check (the namespace does not exist here) */
	expect(f, "attach",
	       "{\"port_id\": \"" PORT "\", \"namespace\": \"qrouter-" R1 "\", "
	       "\"router_id\": \"" R1 "\", \"ifname\": \"qr-x\", \"cidrs\": [], "
	       "\"mtu\": 1450}",
	       "error: namespace: an existing qrouter-<router_id> namespace");
	nwg_hubtab_clear(&f->a.hubs);
}

static void test_known_hub_without_link(void **state)
{
	struct ctl_fx *f = *state;

	ctl_save_hub(f);
	expect(f, "owns", "{\"port_id\": \"" PORT "\"}",
	       "{\"home_namespace\":\"" CTL_NETNS "\",\"interface\":\"wg-0e8c91d0-90\","
	       "\"mtu\":1420,\"namespace\":\"" CTL_NETNS "\",\"owned\":true,"
	       "\"present\":false,\"up\":false}");
	expect(f, "detach", "{\"port_id\": \"" PORT "\"}",
	       "{\"changed\":false,\"interface\":\"wg-0e8c91d0-90\",\"known\":true,"
	       "\"namespace\":\"" CTL_NETNS "\",\"present\":false}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_methods),
	    cmocka_unit_test_setup_teardown(test_unknown_hub, ctl_fx_setup, ctl_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_arguments, ctl_fx_setup, ctl_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_known_hub_without_link, ctl_fx_setup,
					    ctl_fx_teardown),
	    cmocka_unit_test_setup_teardown(test_attach_other_router, ctl_fx_setup,
					    ctl_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
