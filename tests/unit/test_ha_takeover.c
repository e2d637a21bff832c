/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HA takeover path and the OVN attach read no record in the engine
 * (doc/security.md, "Privilege separation"; doc/ha.md section 7): a VRRP
 * state change asks the seam (hostops.h ha) once per HA hub with the port id
 * and the streamed endpoints only; the OVN attach reads the hubs' places as
 * record views through the seam, once per pass. The agent here has an EMPTY
 * repository: every expectation below fails if a path loads a record again.
 * The privileged side (agent/ha/takeover.c) checks its request.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "attach/ovn.h"
#include "ha/ctl_ha.h"
#include "ha/run.h"
#include "ha/takeover.h"
#include "privsep/hostops.h"
#include "reconcile/actual.h"
#include "reconcile/desired.h"
#include "strv.h"

#include "ctl_testlib.h"
#include "fake_hostops.h"

#define PORT CTL_PORT

struct fake {
	int actual_calls, ha_calls;
	size_t scope_n;
	char scope[NWG_ID_MAX + 1]; /* the last read's first id */
	bool records_only;	    /* the last read had no backend */
	uint8_t op[8];
	char port[8][NWG_ID_MAX + 1];
	size_t n_eps[8];
	unsigned int pace[8];
	uint16_t keepalive[8];
	/* keepalived through the seam: the ops asked, START's FIFO (a pipe) */
	int vrrp_calls;
	uint8_t vrrp_op[8];
	bool exited; /* the next REAP says keepalived exited */
	int pipe_w;
	bool with_link; /* actual: PORT's link with one peer's endpoint */
	int plug_calls; /* OVN: the seam's plugs */
	char plugged[4][NWG_ID_MAX + 1];
	bool plug_up[4];
};

static struct fake fake;

/* PORT's link as the implementation read it: one peer with an endpoint,
 * its last handshake at 1000 s. */
static void add_link(struct nwg_actual *a)
{
	struct nwg_alink *l = nwg_actual_add_link(a);
	struct nwg_peer *p;
	struct nwg_key k;

	assert_non_null(l);
	snprintf(l->port_id, sizeof(l->port_id), "%s", PORT);
	snprintf(l->ifname, sizeof(l->ifname), "wg-0e8c91d0-90");
	assert_non_null(l->dev = nwg_device_new(l->ifname));
	memset(k.b, 7, sizeof(k.b));
	assert_non_null(p = nwg_device_add_peer(l->dev, &k));
	assert_int_equal(nwg_endpoint_parse(&p->endpoint, "198.51.100.9:4500"), 0);
	p->last_handshake.tv_sec = 1000;
}

/* The seam's records: PORT lives in CTL_NETNS (absent here) as wg-0e8c91d0-90. */
static int actual(void *ctx, const struct nwg_actual_src *src, struct nwg_actual **out,
		  struct nwg_err *err)
{
	struct nwg_hub_view *v;

	(void)ctx;
	(void)err;
	fake.actual_calls++;
	fake.scope_n = src->scope ? src->n_scope : 0;
	fake.records_only = src->backend == NULL;
	snprintf(fake.scope, sizeof(fake.scope), "%s", src->scope ? src->scope[0] : "");
	assert_non_null(*out = nwg_actual_new());
	for (size_t i = 0; src->scope && i < src->n_scope; i++) {
		if (strcmp(src->scope[i], PORT) != 0)
			continue;
		assert_non_null(v = nwg_hub_view_new());
		snprintf(v->port_id, sizeof(v->port_id), "%s", PORT);
		snprintf(v->project_id, sizeof(v->project_id), "%s", PROJECT);
		snprintf(v->ifname, sizeof(v->ifname), "wg-0e8c91d0-90");
		snprintf(v->netns, sizeof(v->netns), "%s", CTL_NETNS);
		snprintf(v->home_netns, sizeof(v->home_netns), "%s", CTL_NETNS);
		assert_int_equal(nwg_actual_add_record(*out, v), 0);
		if (fake.with_link)
			add_link(*out);
	}
	return 0;
}

static int ha(void *ctx, const struct nwg_ha_req *q, struct nwg_ha_out *out, struct nwg_err *err)
{
	int i = fake.ha_calls++;

	(void)ctx;
	(void)err;
	assert_true(i < 8);
	fake.op[i] = q->op;
	snprintf(fake.port[i], sizeof(fake.port[i]), "%s", q->port_id);
	fake.n_eps[i] = q->n_eps;
	fake.pace[i] = q->pace;
	fake.keepalive[i] = q->keepalive;
	memset(out, 0, sizeof(*out));
	out->set = (int)q->n_eps;
	out->listed = q->n_eps;
	snprintf(out->ifname, sizeof(out->ifname), "wg-x");
	return 0;
}

/* keepalived through the seam: START hands a pipe's read end as the FIFO */
static int vrrp(void *ctx, uint8_t op, struct nwg_vrrp_out *out, struct nwg_err *err)
{
	int fds[2];

	(void)ctx;
	(void)err;
	memset(out, 0, sizeof(*out));
	out->fifo = -1;
	assert_true(fake.vrrp_calls < 8);
	fake.vrrp_op[fake.vrrp_calls++] = op;
	if (op == NWG_VRRP_OP_START) {
		assert_int_equal(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
		out->pid = 4242;
		out->fifo = fds[0];
		fake.pipe_w = fds[1];
	} else if (op == NWG_VRRP_OP_REAP) {
		out->exited = fake.exited;
	}
	return 0;
}

/* OVN: the seam knows PORT's link (its plug fails here: a retry), not
 * HUB_A's (not realized: nothing done). */
static int ovn_plug(void *ctx, const struct nwg_ovn_req *q, struct nwg_ovn_out *out,
		    struct nwg_err *err)
{
	int i = fake.plug_calls++;

	(void)ctx;
	assert_true(i < 4);
	snprintf(fake.plugged[i], sizeof(fake.plugged[i]), "%s", q->port_id);
	fake.plug_up[i] = q->up;
	memset(out, 0, sizeof(*out));
	if (strcmp(q->port_id, PORT) != 0)
		return 0;
	return nwg_err_set(err, EIO, "ovs-vsctl: no bridge");
}

static struct nwg_hostops seam; /* fake_hostops_refusing(), and the above */

static int setup(void **state)
{
	struct ctl_fx *f;
	struct nwg_hubstate *st;

	ctl_fx_setup(state);
	f = *state;
	seam = fake_hostops_refusing();
	seam.actual = actual;
	seam.ha = ha;
	seam.vrrp = vrrp;
	seam.ovn_plug = ovn_plug;
	f->a.hostops = &seam;
	memset(&fake, 0, sizeof(fake));
	f->a.conf.ha.on = true;
	f->a.conf.ha.pace = 8;
	nwg_ha_run_init(&f->a);
	assert_non_null(f->a.ha);
	assert_non_null(st = nwg_hubtab_get(&f->a.hubs, PORT, true)); /* HA */
	st->ha_hub = true;
	assert_non_null(nwg_hubtab_get(&f->a.hubs, HUB_B, true)); /* not HA */
	return 0;
}

static int teardown(void **state)
{
	struct ctl_fx *f = *state;

	nwg_ha_run_fini(&f->a);
	if (fake.pipe_w > 0)
		close(fake.pipe_w);
	nwg_hubtab_clear(&f->a.hubs);
	nwg_strv_free(f->a.want_ids);
	return ctl_fx_teardown(state);
}

static bool wants(const struct nwg_agent *a, const char *id)
{
	for (size_t i = 0; a->want_ids && a->want_ids[i]; i++)
		if (strcmp(a->want_ids[i], id) == 0)
			return true;
	return false;
}

/* MASTER: one ACTIVATE for the HA hub, by port id, nothing read; BACKUP and
 * FAULT: DEACTIVATE. Each change asks a pass for the HA hub. */
static void test_follow_asks_the_seam(void **state)
{
	struct ctl_fx *f = *state;

	nwg_ha_follow(&f->a, NWG_VRRP_MASTER);
	assert_int_equal(fake.ha_calls, 1);
	assert_int_equal(fake.op[0], NWG_HA_OP_ACTIVATE);
	assert_string_equal(fake.port[0], PORT);
	assert_int_equal(fake.n_eps[0], 0); /* nothing streamed yet */
	assert_int_equal(fake.pace[0], 8);
	assert_int_equal(fake.actual_calls, 0); /* not even a view: the seam finds the link */
	assert_true(wants(&f->a, PORT));
	assert_false(wants(&f->a, HUB_B));
	assert_string_equal(nwg_ha_vrrp_state(&f->a), "active");

	nwg_ha_follow(&f->a, NWG_VRRP_BACKUP);
	nwg_ha_follow(&f->a, NWG_VRRP_FAULT);
	assert_int_equal(fake.ha_calls, 3);
	assert_int_equal(fake.op[1], NWG_HA_OP_DEACTIVATE);
	assert_int_equal(fake.op[2], NWG_HA_OP_DEACTIVATE);
	assert_string_equal(fake.port[2], PORT);
	assert_int_equal(fake.actual_calls, 0);
}

/* A healed split brain: the master RENEWs every HA hub once; a second
 * notice within the quiet time, or a backup, renews nothing. */
static void test_renew_asks_the_seam(void **state)
{
	struct ctl_fx *f = *state;

	nwg_ha_renew(&f->a); /* no VRRP state yet: not the master */
	assert_int_equal(fake.ha_calls, 0);
	nwg_ha_follow(&f->a, NWG_VRRP_MASTER);
	nwg_ha_renew(&f->a);
	assert_int_equal(fake.ha_calls, 2);
	assert_int_equal(fake.op[1], NWG_HA_OP_RENEW);
	assert_string_equal(fake.port[1], PORT);
	nwg_ha_renew(&f->a);
	assert_int_equal(fake.ha_calls, 2);
	assert_int_equal(fake.actual_calls, 0);
}

/* OVN attach: one plug request per non-root hub, by port id and what
 * Neutron says of its port (nothing read: the seam finds the link in its
 * record); the hub the seam knows is plugged (it fails here: a retry is
 * scheduled), the one it does not know is left for a later pass. */
static void test_ovn_place_from_the_seam(void **state)
{
	struct ctl_fx *f = *state;
	struct nwg_dhub hubs[3];
	struct nwg_desired d = {.hubs = hubs, .n_hubs = 3};

	memset(hubs, 0, sizeof(hubs));

	snprintf(hubs[0].port_id, sizeof(hubs[0].port_id), "%s", HUB_A); /* not realized */
	snprintf(hubs[0].mac, sizeof(hubs[0].mac), "fa:16:3e:00:00:02");
	snprintf(hubs[1].port_id, sizeof(hubs[1].port_id), "%s", PORT);
	snprintf(hubs[1].mac, sizeof(hubs[1].mac), "fa:16:3e:00:00:01");
	snprintf(hubs[2].port_id, sizeof(hubs[2].port_id), "%s", HUB_C);
	hubs[2].root_namespace = true;
	f->a.conf.ovn_bridge = "br-nwg-test-absent";
	f->a.conf.ovs_vsctl = "/bin/false";
	nwg_ovn_sync(&f->a, &d, false);
	assert_int_equal(fake.actual_calls, 0);
	assert_int_equal(fake.plug_calls, 2); /* HUB_A and PORT: not the root hub */
	assert_string_equal(fake.plugged[0], HUB_A);
	assert_string_equal(fake.plugged[1], PORT);
	assert_true(fake.plug_up[1]);	   /* not HA: up */
	assert_true(wants(&f->a, PORT));   /* the plug of the seam's hub was tried */
	assert_false(wants(&f->a, HUB_A)); /* no record: nothing tried */
	f->a.conf.ovn_bridge = NULL;
}

/* The local implementation without the seam: records only (no links read). */
static void test_records_local(void **state)
{
	struct ctl_fx *f = *state;
	const char *ids[] = {PORT};
	struct nwg_actual *act = NULL;

	f->a.hostops = NULL;
	assert_int_equal(nwg_hostops_records(&f->a, ids, 1, &act, NULL), 0);
	assert_int_equal(act->n_recs, 0); /* empty repository */
	assert_int_equal(act->n_links, 0);
	nwg_actual_free(act);
	ctl_save_hub(f);
	assert_int_equal(nwg_hostops_records(&f->a, ids, 1, &act, NULL), 0);
	assert_int_equal(act->n_recs, 1);
	assert_int_equal(act->n_links, 0); /* records only */
	assert_string_equal(act->recs[0]->ifname, "wg-0e8c91d0-90");
	assert_string_equal(act->recs[0]->netns, CTL_NETNS);
	nwg_actual_free(act);
	f->a.hostops = &seam;
	assert_int_equal(nwg_hostops_records(&f->a, ids, 1, &act, NULL), 0);
	assert_false(fake.records_only); /* the executor reads with its own backend */
	assert_non_null(nwg_actual_find_record(act, PORT));
	nwg_actual_free(act);
}

/* The one-process agent's OVN pass: the record's place, read locally. */
static void test_ovn_place_local(void **state)
{
	struct ctl_fx *f = *state;
	struct nwg_dhub hub;
	struct nwg_desired d = {.hubs = &hub, .n_hubs = 1};

	memset(&hub, 0, sizeof(hub));
	snprintf(hub.port_id, sizeof(hub.port_id), "%s", PORT);
	snprintf(hub.mac, sizeof(hub.mac), "fa:16:3e:00:00:01");
	f->a.hostops = NULL;
	f->a.conf.ovn_bridge = "br-nwg-test-absent";
	f->a.conf.ovs_vsctl = "/bin/false";
	nwg_ovn_sync(&f->a, &d, false);
	assert_false(wants(&f->a, PORT)); /* no record: nothing tried */
	ctl_save_hub(f);
	nwg_ovn_sync(&f->a, &d, false);
	assert_true(wants(&f->a, PORT)); /* tried from the record's namespace */
	f->a.conf.ovn_bridge = NULL;
	f->a.hostops = &seam;
}

/* The privileged side refuses a malformed request and a hub it has no
 * record of, before touching any device. */
static void test_takeover_checks(void **state)
{
	struct ctl_fx *f = *state;
	struct nwg_ha_req q = {.op = NWG_HA_OP_ACTIVATE, .port_id = PORT, .pace = 8};
	struct nwg_err err = {{0}};
	struct nwg_ha_out out;

	assert_int_equal(nwg_ha_takeover_run(f->a.backend, f->a.repo, false, &q, &out, &err),
			 -ENOENT);
	q.op = 9;
	assert_int_equal(nwg_ha_takeover_run(f->a.backend, f->a.repo, false, &q, &out, &err),
			 -EINVAL);
	q.op = NWG_HA_OP_RENEW;
	q.pace = 0;
	assert_int_equal(nwg_ha_takeover_run(f->a.backend, f->a.repo, false, &q, &out, &err),
			 -EINVAL);
	q.op = NWG_HA_OP_ACTIVATE;
	q.pace = 8;
	q.n_eps = 3; /* no list */
	assert_int_equal(nwg_ha_takeover_run(f->a.backend, f->a.repo, false, &q, &out, &err),
			 -EINVAL);
	q.n_eps = 0;
	q.port_id = NULL;
	assert_int_equal(nwg_ha_takeover_run(f->a.backend, f->a.repo, false, &q, &out, NULL),
			 -EINVAL);
}

/* keepalived through the seam (the executor's child when split): started
 * by the supervision, its FIFO's MASTER line read from the descriptor the
 * seam gave, followed (ACTIVATE); its death reaped through the seam, the
 * VIP released through the seam, the hubs silenced; stopped on the way out. */
static void test_vrrp_through_the_seam(void **state)
{
	struct ctl_fx *f = *state;
	static const char line[] = "INSTANCE \"nwg_hubs\" MASTER 100\n";
	struct pollfd fds[4];
	size_t n;

	f->a.conf.state_path = f->dir;
	nwg_ha_tick(&f->a, 1000000);
	assert_int_equal(fake.vrrp_calls, 1);
	assert_int_equal(fake.vrrp_op[0], NWG_VRRP_OP_START);
	n = nwg_ha_pollfds(&f->a, fds, 4);
	assert_int_equal(n, 1);
	assert_int_equal(write(fake.pipe_w, line, sizeof(line) - 1), (ssize_t)(sizeof(line) - 1));
	fds[0].revents = POLLIN;
	nwg_ha_service(&f->a, fds, n);
	assert_string_equal(nwg_ha_vrrp_state(&f->a), "active");
	assert_int_equal(fake.op[0], NWG_HA_OP_ACTIVATE);
	fake.exited = true;
	nwg_ha_tick(&f->a, 2000000);
	assert_int_equal(fake.vrrp_op[1], NWG_VRRP_OP_REAP);
	assert_int_equal(fake.vrrp_op[2], NWG_VRRP_OP_RELEASE_VIP);
	assert_int_equal(fake.op[1], NWG_HA_OP_DEACTIVATE); /* FAULT: silent */
	assert_string_equal(nwg_ha_vrrp_state(&f->a), "fault");
	fake.exited = false;
	nwg_ha_tick(&f->a, 3000000); /* restarted after the back-off */
	assert_int_equal(fake.vrrp_op[3], NWG_VRRP_OP_START);
	nwg_ha_run_fini(&f->a);
	assert_int_equal(fake.vrrp_op[fake.vrrp_calls - 1], NWG_VRRP_OP_STOP);
	assert_null(f->a.ha_priv); /* the engine side never made the privileged state */
}

/* The control socket's HA methods work split: the changes are HA requests
 * through the seam (SET, RESTORE, SILENCE with the caller's values), the
 * reads come from the link the seam read; no device is touched here. */
static void test_ctl_through_the_seam(void **state)
{
	struct ctl_fx *f = *state;
	char args[512];

	fake.with_link = true;
	snprintf(args, sizeof(args),
		 "{\"port_id\": \"%s\", \"endpoints\": "
		 "\"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc= 198.51.100.7:4\\n\", "
		 "\"keepalive\": 3, \"pace\": 5}",
		 PORT);
	ctl_expect(f, nwg_ctl_ha, "ha_activate", args, "{\"listed\":1,\"set\":1}");
	assert_int_equal(fake.op[0], NWG_HA_OP_SET);
	assert_int_equal(fake.keepalive[0], 3);
	assert_int_equal(fake.pace[0], 5);
	assert_int_equal(fake.n_eps[0], 1);
	snprintf(args, sizeof(args), "{\"port_id\": \"%s\", \"keepalive\": 25}", PORT);
	ctl_expect(f, nwg_ctl_ha, "ha_restore", args, "{\"interface\":\"wg-x\"}");
	assert_int_equal(fake.op[1], NWG_HA_OP_RESTORE);
	assert_int_equal(fake.keepalive[1], 25);
	ctl_expect(f, nwg_ctl_ha, "ha_deactivate", args, "{\"interface\":\"wg-x\"}");
	assert_int_equal(fake.op[2], NWG_HA_OP_SILENCE);
	snprintf(args, sizeof(args), "{\"port_id\": \"%s\"}", PORT);
	ctl_expect(f, nwg_ctl_ha, "ha_endpoints", args,
		   "{\"count\":1,\"endpoints\":\"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc= "
		   "198.51.100.9:4500\\n\"}");
	snprintf(args, sizeof(args), "{\"port_id\": \"%s\", \"since\": 1000}", PORT);
	ctl_expect(f, nwg_ctl_ha, "ha_handshaken", args, "{\"handshaken\":1}");
	snprintf(args, sizeof(args), "{\"port_id\": \"%s\", \"since\": 1001}", PORT);
	ctl_expect(f, nwg_ctl_ha, "ha_handshaken", args, "{\"handshaken\":0}");
	assert_int_equal(fake.ha_calls, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_follow_asks_the_seam, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_renew_asks_the_seam, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ovn_place_from_the_seam, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_records_local, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ovn_place_local, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_takeover_checks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vrrp_through_the_seam, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ctl_through_the_seam, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
