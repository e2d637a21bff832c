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

#define PORT "0e8c91d0-9024-494b-8824-8690f960f176"
#define EP   "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 198.51.100.7:4\\n"

struct fx {
	struct nwg_agent a;
	char dir[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct nwg_backend_opts o = {.kind = NWG_BACKEND_USERSPACE};

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/nwg-ctl-ha-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->a.conf.host, sizeof(f->a.conf.host), "n1");
	assert_int_equal(nwg_repo_open(&f->a.repo, f->dir, NULL), 0);
	o.uapi_dir = f->dir; /* no wireguard-go socket there */
	assert_int_equal(nwg_backend_open(&f->a.backend, &o, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	nwg_backend_close(f->a.backend);
	nwg_repo_close(f->a.repo);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void expect(struct fx *f, const char *method, const char *args, const char *want)
{
	struct nwg_err err = {{0}};
	json_t *a = json_loads(args, 0, NULL), *r;
	char *got;

	assert_non_null(a);
	r = nwg_ctl_ha(&f->a, method, a, &err);
	json_decref(a);
	if (r) {
		got = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(r);
	} else {
		got = malloc(strlen(err.msg) + 8);
		sprintf(got, "error: %s", err.msg);
	}
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
	memset(rec->private_key.b, 0x42, sizeof(rec->private_key.b));
	rec->listen_port = 51820;
	assert_int_equal(nwg_repo_save(f->a.repo, rec, NULL), 0);
	nwg_hub_record_free(rec);
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
	struct fx *f = *state;

	expect(f, "ha_activate", "{\"port_id\": \"" PORT "\", \"endpoints\": \"\"}",
	       "error: hub " PORT " is not realized on this node (host n1)");
	expect(f, "ha_activate", "{}", "error: port_id: required");
	expect(f, "ha_activate", "{\"port_id\": \"../etc\"}", "error: port_id: not a port id");
	save_hub(f);
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
	struct fx *f = *state;

	save_hub(f);
	expect(f, "ha_endpoints", "{\"port_id\": \"" PORT "\"}", "error: ");
	expect(f, "ha_activate", "{\"port_id\": \"" PORT "\", \"endpoints\": \"" EP "\"}",
	       "error: ");
	expect(f, "ha_deactivate", "{\"port_id\": \"" PORT "\"}", "error: ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dispatch_and_access),
	    cmocka_unit_test_setup_teardown(test_unknown_and_bad_args, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_known_hub_without_link, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
