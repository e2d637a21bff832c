/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The readers outside the sync take the actual state from the seam
 * (hostops.h actual), never from the repository (doc/security.md, "Privilege
 * separation"): the control socket's owns/attach/detach and HA methods
 * (ctl/hub_arg.c), status, the health pass and the quarantine's read-back.
 * The agent here has an EMPTY repository and a seam whose actual state holds
 * one hub: every answer below can only come from the seam (each fails when
 * its path reads the repository again).
 */
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
#include "agent_testlib.h"
#include "ctl/ctl_l3.h"
#include "ctl/status.h"
#include "ha/ctl_ha.h"
#include "privsep/hostops.h"
#include "reconcile/actual.h"
#include "reconcile/desired.h"
#include "reconcile/quarantine.h"
#include "strv.h"

#include "ctl_testlib.h"
#include "fake_hostops.h"

#define PORT   CTL_PORT
#define ROUTER "qrouter-5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
#define QR     "qr-0e8c91d0-90"

struct fake {
	int actual_calls, unquarantined;
	bool fail;
	char scope[NWG_ID_MAX + 1]; /* the last scoped read's id ("" = full) */
	uint8_t ha_op;
	char ha_port[NWG_ID_MAX + 1];
};

static struct fake fake;

static int unquarantine(void *ctx, const char *port_id, struct nwg_err *err)
{
	(void)ctx;
	(void)err;
	fake.unquarantined++;
	return strcmp(port_id, PORT) == 0;
}

/* The seam's state: PORT attached to a router, one spoke with traffic. */
static void one_hub(struct nwg_actual *a)
{
	struct nwg_hub_view *v = nwg_hub_view_new();
	struct nwg_alink *l;
	struct nwg_key spoke = tkey(7);
	struct nwg_peer *p;

	assert_non_null(v);
	snprintf(v->port_id, sizeof(v->port_id), "%s", PORT);
	snprintf(v->project_id, sizeof(v->project_id), "%s", PROJECT);
	snprintf(v->ifname, sizeof(v->ifname), "%s", QR);
	snprintf(v->netns, sizeof(v->netns), "%s", ROUTER);
	snprintf(v->home_netns, sizeof(v->home_netns), "%s", CTL_NETNS);
	v->public_key = tkey(0x42);
	v->listen_port = 51820;
	v->mtu = 1400;
	v->up = true;
	assert_int_equal(nwg_strv_push(&v->addresses, "10.1.0.1/24"), 0);
	assert_non_null(v->peers = calloc(1, sizeof(*v->peers)));
	v->n_peers = 1;
	snprintf(v->peers[0].port_id, sizeof(v->peers[0].port_id), "%s", SPOKE_1);
	v->peers[0].public_key = spoke;
	assert_int_equal(nwg_strv_push(&v->peers[0].allowed_ips, "10.1.0.5/32"), 0);
	assert_int_equal(nwg_actual_add_record(a, v), 0);

	assert_non_null(l = nwg_actual_add_link(a));
	snprintf(l->port_id, sizeof(l->port_id), "%s", PORT);
	snprintf(l->ifname, sizeof(l->ifname), "%s", QR);
	snprintf(l->netns, sizeof(l->netns), "%s", ROUTER);
	l->up = true;
	l->mtu = 1400;
	assert_non_null(l->dev = nwg_device_new(QR));
	l->dev->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_PUBLIC_KEY;
	l->dev->public_key = tkey(0x42);
	assert_non_null(p = nwg_device_add_peer(l->dev, &spoke));
	p->last_handshake.tv_sec = 1700000000;
	p->rx_bytes = 11;
	p->tx_bytes = 22;
}

static int actual(void *ctx, const struct nwg_actual_src *src, struct nwg_actual **out,
		  struct nwg_err *err)
{
	(void)ctx;
	fake.actual_calls++;
	snprintf(fake.scope, sizeof(fake.scope), "%s", src->scope ? src->scope[0] : "");
	if (fake.fail)
		return nwg_err_set(err, ECONNRESET, "executor gone");
	assert_non_null(*out = nwg_actual_new());
	if (!src->scope || strcmp(src->scope[0], PORT) == 0)
		one_hub(*out);
	return 0;
}

/* HA requests: the op and the hub, answered with the link's name */
static int ha(void *ctx, const struct nwg_ha_req *q, struct nwg_ha_out *out, struct nwg_err *err)
{
	(void)ctx;
	(void)err;
	fake.ha_op = q->op;
	snprintf(fake.ha_port, sizeof(fake.ha_port), "%s", q->port_id);
	memset(out, 0, sizeof(*out));
	snprintf(out->ifname, sizeof(out->ifname), "%s", QR);
	return 0;
}

static struct nwg_hostops seam; /* fake_hostops_refusing(), and the above */

static int setup(void **state)
{
	struct ctl_fx *f;

	ctl_fx_setup(state);
	f = *state;
	seam = fake_hostops_refusing();
	seam.unquarantine = unquarantine;
	seam.actual = actual;
	seam.ha = ha;
	f->a.hostops = &seam;
	memset(&fake, 0, sizeof(fake));
	return 0;
}

static int teardown(void **state)
{
	return ctl_fx_teardown(state);
}

static void test_owns_from_the_seam(void **state)
{
	struct ctl_fx *f = *state;

	ctl_expect(f, nwg_ctl_l3, "owns", "{\"port_id\": \"" PORT "\"}",
		   "{\"home_namespace\":\"" CTL_NETNS "\",\"interface\":\"" QR "\",\"mtu\":1400,"
		   "\"namespace\":\"" ROUTER "\",\"owned\":true,\"present\":true,\"up\":true}");
	assert_string_equal(fake.scope, PORT); /* one hub's read, not every hub's */
	ctl_expect(f, nwg_ctl_l3, "owns", "{\"port_id\": \"" SPOKE_1 "\"}",
		   "{\"host\":\"n1\",\"owned\":false}");
	fake.fail = true;
	ctl_expect(f, nwg_ctl_l3, "owns", "{\"port_id\": \"" PORT "\"}", "error: executor gone");
}

/* The HA methods check the hub is realized here from its view, then ask
 * the seam (which finds the link in its own record): nothing is done to a
 * device from this side. */
static void test_ha_from_the_seam(void **state)
{
	struct ctl_fx *f = *state;
	char *got = ctl_call(f, nwg_ctl_ha, "ha_deactivate", "{\"port_id\": \"" PORT "\"}");

	assert_int_equal(fake.actual_calls, 1);
	assert_int_equal(fake.ha_op, NWG_HA_OP_SILENCE);
	assert_string_equal(fake.ha_port, PORT);
	if (!strstr(got, QR))
		fail_msg("the HA operation's answer is not the seam's: %s", got);
	free(got);
	ctl_expect(f, nwg_ctl_ha, "ha_deactivate", "{\"port_id\": \"" SPOKE_1 "\"}",
		   "error: hub " SPOKE_1 " is not realized on this node (host n1)");
}

static void test_status_from_the_seam(void **state)
{
	struct ctl_fx *f = *state;
	struct nwg_err err = {{0}};
	char pub[NWG_KEY_B64_LEN + 1], spoke[NWG_KEY_B64_LEN + 1];
	json_t *s = nwg_status_build(&f->a, &err), *h, *p;

	assert_non_null(s);
	assert_string_equal(fake.scope, "");
	h = json_array_get(json_object_get(s, "hubs"), 0);
	assert_non_null(h);
	assert_string_equal(json_string_value(json_object_get(h, "port_id")), PORT);
	assert_string_equal(json_string_value(json_object_get(h, "public_key")),
			    tkey_b64(0x42, pub));
	assert_string_equal(json_string_value(json_object_get(h, "namespace")), ROUTER);
	assert_true(json_is_true(json_object_get(h, "running")));
	p = json_array_get(json_object_get(h, "peers"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "public_key")),
			    tkey_b64(7, spoke));
	assert_int_equal(json_integer_value(json_object_get(p, "latest_handshake")), 1700000000);
	assert_int_equal(json_integer_value(json_object_get(p, "rx_bytes")), 11);
	assert_int_equal(json_integer_value(json_object_get(p, "tx_bytes")), 22);
	json_decref(s);
	fake.fail = true;
	assert_null(nwg_status_build(&f->a, &err));
	assert_string_equal(err.msg, "executor gone");
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = calloc(1, 65536);

	assert_non_null(fp);
	assert_non_null(buf);
	assert_true(fread(buf, 1, 65535, fp) > 0);
	fclose(fp);
	return buf;
}

/* The health pass reads the spokes' handshakes through the seam: the
 * metrics it writes carry them. A failed read writes nothing. */
static void test_health_from_the_seam(void **state)
{
	struct ctl_fx *f = *state;
	char path[96];
	char *text;

	snprintf(path, sizeof(path), "%s/metrics.prom", f->dir);
	f->a.conf.metrics_textfile = path;
	f->a.conf.health_interval = 30;
	fake.fail = true;
	nwg_health_run(&f->a);
	assert_int_equal(access(path, F_OK), -1);
	fake.fail = false;
	nwg_health_run(&f->a);
	assert_string_equal(fake.scope, "");
	text = slurp(path);
	if (!strstr(text, SPOKE_1) || !strstr(text, "1700000000"))
		fail_msg("metrics without the seam's spoke:\n%s", text);
	free(text);
	f->a.conf.metrics_textfile = NULL;
	nwg_health_clear(&f->a.health);
}

/* A hub that comes back: its record, restored from quarantine, is read back
 * through the seam into the pass's actual state. */
static void test_quarantine_read_back(void **state)
{
	struct ctl_fx *f = *state;
	struct nwg_dhub hub = {0};
	struct nwg_desired d = {.hubs = &hub, .n_hubs = 1};
	struct nwg_actual *act = nwg_actual_new();
	const struct nwg_hub_view *v;

	snprintf(hub.port_id, sizeof(hub.port_id), "%s", PORT);
	f->a.conf.quarantine_days = 7;
	assert_non_null(act);
	nwg_quarantine_restore(&f->a, &d, act);
	assert_int_equal(fake.unquarantined, 1);
	assert_string_equal(fake.scope, PORT);
	v = nwg_actual_find_record(act, PORT);
	assert_non_null(v);
	assert_string_equal(v->ifname, QR);
	assert_int_equal(v->n_peers, 1);
	nwg_actual_free(act);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_owns_from_the_seam, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ha_from_the_seam, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status_from_the_seam, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_health_from_the_seam, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quarantine_read_back, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
