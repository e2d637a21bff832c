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
#include "ctl_l3.h"
#include "nwg/repo.h"

#define PORT "0e8c91d0-9024-494b-8824-8690f960f176"
#define R1   "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
#define R2   "00000000-1111-4222-8333-444444444444" /* no such namespace here */

struct fx {
	struct nwg_agent a;
	char dir[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/nwg-ctl-l3-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->a.conf.host, sizeof(f->a.conf.host), "n1");
	f->a.conf.underlay_mtu = 1500;
	assert_int_equal(nwg_repo_open(&f->a.repo, f->dir, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	nwg_repo_close(f->a.repo);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* method + JSON args -> compact sorted reply, or "error: <message>" */
static char *call(struct fx *f, const char *method, const char *args)
{
	struct nwg_err err = {{0}};
	json_t *a = json_loads(args, 0, NULL), *r;
	char *s;

	assert_non_null(a);
	r = nwg_ctl_l3(&f->a, method, a, &err);
	json_decref(a);
	if (!r) {
		s = malloc(strlen(err.msg) + 8);
		sprintf(s, "error: %s", err.msg);
		return s;
	}
	s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(r);
	return s;
}

static void expect(struct fx *f, const char *method, const char *args, const char *want)
{
	char *got = call(f, method, args);

	if (strncmp(got, want, strlen(want)) != 0)
		fail_msg("%s %s: got %s, want %s...", method, args, got, want);
	free(got);
}

static void save_hub(struct fx *f)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();

	assert_non_null(rec);
	snprintf(rec->port_id, sizeof(rec->port_id), "%s", PORT);
	snprintf(rec->project_id, sizeof(rec->project_id), "p1");
	snprintf(rec->ifname, sizeof(rec->ifname), "wg-0e8c91d0-90");
	snprintf(rec->netns, sizeof(rec->netns), "tun-nwg-ctl-l3-test-absent");
	snprintf(rec->home_netns, sizeof(rec->home_netns), "tun-nwg-ctl-l3-test-absent");
	memset(rec->private_key.b, 0x42, sizeof(rec->private_key.b));
	rec->listen_port = 51820;
	rec->mtu = 1420;
	assert_int_equal(nwg_repo_save(f->a.repo, rec, NULL), 0);
	nwg_hub_record_free(rec);
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
	struct fx *f = *state;

	expect(f, "owns", "{\"port_id\": \"" PORT "\"}", "{\"host\":\"n1\",\"owned\":false}");
	expect(f, "detach", "{\"port_id\": \"" PORT "\"}", "{\"known\":false}");
	expect(f, "attach",
	       "{\"port_id\": \"" PORT "\", \"namespace\": \"qrouter-x\", \"ifname\": \"qr-x\", "
	       "\"cidrs\": [], \"mtu\": 1450}",
	       "error: hub " PORT " is not realized on this node (host n1)");
}

static void test_bad_arguments(void **state)
{
	struct fx *f = *state;

	expect(f, "owns", "{}", "error: port_id: required");
	expect(f, "owns", "{\"port_id\": \"../etc\"}", "error: port_id: not a port id");
	expect(f, "owns", "{\"port_id\": 5}", "error: port_id: required");
	save_hub(f);
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
	struct fx *f = *state;
	struct nwg_hubstate *st;

	save_hub(f);
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
	struct fx *f = *state;

	save_hub(f);
	expect(
	    f, "owns", "{\"port_id\": \"" PORT "\"}",
	    "{\"home_namespace\":\"tun-nwg-ctl-l3-test-absent\",\"interface\":\"wg-0e8c91d0-90\","
	    "\"mtu\":1420,\"namespace\":\"tun-nwg-ctl-l3-test-absent\",\"owned\":true,"
	    "\"present\":false,\"up\":false}");
	expect(f, "detach", "{\"port_id\": \"" PORT "\"}",
	       "{\"changed\":false,\"interface\":\"wg-0e8c91d0-90\",\"known\":true,"
	       "\"namespace\":\"tun-nwg-ctl-l3-test-absent\",\"present\":false}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_methods),
	    cmocka_unit_test_setup_teardown(test_unknown_hub, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_known_hub_without_link, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_attach_other_router, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
