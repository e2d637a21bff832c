/* SPDX-License-Identifier: Apache-2.0 */
/* get_hubs 1.3 (agent/sync/sync_delta.c): a delta rebuilt on the kept answer is
 * the whole hub (and passes the one grammar); a delta on a base the agent
 * does not keep is asked again in full; the agent asks 1.3 only for kept
 * hubs and falls back to 1.2 on an older server. */
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
#include "log/log.h"
#include "msg/fake.h"
#include "nwg/rtnl.h"
#include "reconcile/desired.h"
#include "sync/neutron_rpc.h"

#include "broker_testlib.h"
#include "dhub_testlib.h"
#include "strv.h"
#include "sync/sync_delta.h"
#include "sync/sync_digest.h"

bool nwg_sync_link_as_cached(const struct nwg_alink *l)
{
	(void)l;
	return true;
}

static void sid(unsigned n, char out[40])
{
	snprintf(out, 40, "5b0e0000-0000-4000-8000-%012x", n);
}

static json_t *spoke(unsigned n, const char *endpoint)
{
	char id[40], pub[NWG_KEY_B64_LEN + 1], ip[32];

	sid(n, id);
	snprintf(ip, sizeof(ip), "10.99.0.%u/32", n + 10);
	return json_pack("{s:s, s:s, s:[s], s:s?, s:n}", "port_id", id, "public_key",
			 tkey_b64((unsigned char)(n + 1), pub), "allowed_ips", ip, "endpoint",
			 endpoint, "persistent_keepalive");
}

/* Hub A with spokes 1..n, digest dg, mtu. */
static json_t *hub(unsigned n, const char *dg, int mtu)
{
	char pub[NWG_KEY_B64_LEN + 1];
	json_t *sp = json_array();

	for (unsigned i = 1; i <= n; i++)
		json_array_append_new(sp, spoke(i, NULL));
	return json_pack("{s:s, s:s, s:b, s:s, s:i, s:i, s:s, s:o}", "port_id", HUB_A, "project_id",
			 PROJECT, "admin_state_up", 1, "public_key", tkey_b64(200, pub),
			 "listen_port", 51820, "mtu", mtu, "digest", dg, "spokes", sp);
}

/* One pass over hubs (changed in place): merge, parse, attach; the parsed
 * answer (to free after nwg_delta_pass_done). */
static struct nwg_desired *parsed(struct nwg_dcache *c, json_t *hubs, size_t min, int merged)
{
	struct nwg_desired *d = NULL;
	struct nwg_err err = {{0}};
	json_t *j;

	assert_int_equal(nwg_delta_merge(c, hubs, min), merged);
	j = json_pack("{s:s, s:O}", "host", "node-1", "hubs", hubs);
	assert_int_equal(nwg_desired_parse(j, &d, &err), 0);
	json_decref(j);
	nwg_delta_attach(c, d);
	return d;
}

/* A's answer with digest d1 kept (5 spokes, min_spokes 1). */
static void kept(struct nwg_dcache *c)
{
	json_t *hubs = json_pack("[o]", hub(5, "d1", 1450));
	struct nwg_desired *d = parsed(c, hubs, 1, 0);

	nwg_delta_keep(c, HUB_A, "d1");
	nwg_delta_pass_done(c, d);
	nwg_desired_free(d);
	json_decref(hubs);
	assert_int_equal(c->n_spokes, 5);
}

/* Spoke 2 moved, spoke 9 added, spoke 4 removed, mtu changed. */
static json_t *delta(const char *base, const char *removed)
{
	char pub[NWG_KEY_B64_LEN + 1];

	return json_pack("{s:s, s:s, s:b, s:s, s:i, s:i, s:s, s:s, s:[s], s:[o, o]}", "port_id",
			 HUB_A, "project_id", PROJECT, "admin_state_up", 1, "public_key",
			 tkey_b64(200, pub), "listen_port", 51820, "mtu", 1400, "digest", "d2",
			 "base", base, "removed", removed, "spokes", spoke(2, "198.51.100.7:51820"),
			 spoke(9, NULL));
}

static void test_delta_patches_the_hub(void **state)
{
	struct nwg_dcache c = {0};
	json_t *hubs, *h, *full;
	struct nwg_desired *d, *want = NULL;
	struct nwg_err err = {{0}};
	char id4[40], id2[40];

	(void)state;
	kept(&c);
	sid(4, id4);
	sid(2, id2);
	hubs = json_pack("[o]", delta("d1", id4));
	d = parsed(&c, hubs, 1, 1);
	/* what the parse saw: the hub's fields alone */
	h = json_array_get(hubs, 0);
	assert_null(json_object_get(h, "base"));
	assert_null(json_object_get(h, "removed"));
	assert_int_equal(json_array_size(json_object_get(h, "spokes")), 0);
	assert_string_equal(json_string_value(json_object_get(h, "digest")), "d2");
	/* the parsed hub: its fields from the delta, the patched spokes */
	assert_int_equal(d->n_hubs, 1);
	assert_int_equal(d->hubs[0].mtu, 1400);
	assert_int_equal(d->hubs[0].n_spokes, 5);
	assert_int_equal(d->hubs[0].n_skipped, 0);
	/* the keys the delta touched go with it to the planner: 4 removed,
	 * 2 changed, 9 added (reconcile/plan_touched.c) */
	assert_true(d->hubs[0].patched);
	assert_int_equal(d->hubs[0].n_touched, 3);
	for (unsigned int n = 1; n <= 9; n++) {
		struct nwg_key k = tkey((unsigned char)(n + 1));
		bool in = false;

		for (size_t i = 0; i < d->hubs[0].n_touched; i++)
			in = in || nwg_key_equal(&k, &d->hubs[0].touched[i]);
		assert_int_equal(in, n == 2 || n == 4 || n == 9);
	}
	/* == the full answer parsed afresh (spokes 1, 3, 5, 2 moved, 9) */
	full = json_pack("{s:s, s:[o]}", "host", "node-1", "hubs", hub(5, "d2", 1400));
	h = json_object_get(json_array_get(json_object_get(full, "hubs"), 0), "spokes");
	json_array_remove(h, 3); /* spoke 4 */
	json_array_set_new(h, 1, spoke(2, "198.51.100.7:51820"));
	json_array_append_new(h, spoke(9, NULL));
	assert_int_equal(nwg_desired_parse(full, &want, &err), 0);
	assert_false(want->hubs[0].patched); /* a whole answer: every peer merged */
	assert_hub_equal(&d->hubs[0], &want->hubs[0]);
	nwg_desired_free(want);
	json_decref(full);
	/* kept again once applied: the next delta applies to d2 */
	nwg_delta_keep(&c, HUB_A, "d2");
	nwg_delta_pass_done(&c, d);
	assert_int_equal(d->hubs[0].n_spokes, 0); /* taken back before d is freed */
	assert_false(d->hubs[0].patched);
	assert_null(d->hubs[0].touched);
	nwg_desired_free(d);
	assert_int_equal(c.n_spokes, 5);
	assert_true(nwg_delta_bytes(&c) > 5 * sizeof(struct nwg_dspoke));
	h = json_pack("{s:s}", HUB_A, "d2");
	json_t *ids = nwg_delta_request(&c, h, 1);
	assert_int_equal(json_array_size(ids), 1);
	json_decref(ids);
	json_decref(h);
	json_decref(hubs);
	nwg_delta_clear(&c);
}

/* A delta the kept spokes cannot take as a fresh parse would: asked in full. */
static void test_unpatchable_delta_asks_in_full(void **state)
{
	struct nwg_dcache c = {0};
	char pub[NWG_KEY_B64_LEN + 1];
	json_t *hubs, *bad;
	struct nwg_desired *d;

	(void)state;
	kept(&c);
	/* spoke 9 with spoke 1's key: a fresh parse would skip one of them */
	bad = spoke(9, NULL);
	json_object_set_new(bad, "public_key", json_string(tkey_b64(2, pub)));
	hubs = json_pack("[{s:s, s:s, s:s, s:s, s:[], s:[o]}]", "port_id", HUB_A, "project_id",
			 PROJECT, "digest", "d2", "base", "d1", "removed", "spokes", bad);
	d = parsed(&c, hubs, 1, 0);
	assert_true(json_is_true(json_object_get(json_array_get(hubs, 0), "unchanged")));
	assert_int_equal(c.n_refused, 1);
	assert_int_equal(c.n_spokes, 0);
	nwg_delta_pass_done(&c, d);
	nwg_desired_free(d);
	json_decref(hubs);
	/* a changed spoke the grammar skips (a bad allowed IP) */
	kept(&c);
	bad = spoke(9, NULL);
	json_object_set_new(bad, "allowed_ips", json_pack("[s]", "10.99.0.300/32"));
	hubs = json_pack("[{s:s, s:s, s:s, s:s, s:[], s:[o]}]", "port_id", HUB_A, "project_id",
			 PROJECT, "digest", "d2", "base", "d1", "removed", "spokes", bad);
	d = parsed(&c, hubs, 1, 0);
	assert_int_equal(c.n_refused, 2);
	assert_int_equal(c.n_spokes, 0);
	nwg_delta_pass_done(&c, d);
	nwg_desired_free(d);
	json_decref(hubs);
	/* a pass that does not apply the patched hub forgets it */
	kept(&c);
	hubs = json_pack("[o]", delta("d1", SPOKE_1));
	d = parsed(&c, hubs, 1, 1);
	assert_int_equal(d->hubs[0].n_spokes, 6);
	nwg_delta_keep(&c, HUB_A, ""); /* failed */
	nwg_delta_pass_done(&c, d);
	assert_int_equal(d->hubs[0].n_spokes, 0);
	assert_int_equal(c.n_kept, 0);
	nwg_desired_free(d);
	json_decref(hubs);
	nwg_delta_clear(&c);
}

static void test_base_mismatch_asks_in_full(void **state)
{
	struct nwg_dcache c = {0};
	json_t *hubs, *h;
	char id4[40];

	(void)state;
	kept(&c);
	sid(4, id4);
	hubs = json_pack("[o]", delta("d0", id4)); /* not the kept answer */
	assert_int_equal(nwg_delta_merge(&c, hubs, 1), 0);
	h = json_array_get(hubs, 0);
	assert_true(json_is_true(json_object_get(h, "unchanged")));
	assert_null(json_object_get(h, "digest")); /* the split asks it again */
	assert_null(json_object_get(h, "spokes"));
	assert_int_equal(c.n_refused, 1);
	assert_int_equal(c.n_spokes, 0); /* and forgets the kept answer */
	json_decref(hubs);
	/* a malformed delta (a removed id that is no port id): the same */
	kept(&c);
	hubs = json_pack("[o]", delta("d1", "not-a-uuid"));
	assert_int_equal(nwg_delta_merge(&c, hubs, 1), 0);
	assert_true(json_is_true(json_object_get(json_array_get(hubs, 0), "unchanged")));
	assert_int_equal(c.n_refused, 2);
	json_decref(hubs);
	/* nothing kept at all (a restarted agent) */
	hubs = json_pack("[o]", delta("d1", id4));
	assert_int_equal(nwg_delta_merge(&c, hubs, 1), 0);
	assert_int_equal(c.n_refused, 3);
	json_decref(hubs);
	nwg_delta_clear(&c);
}

static void test_what_is_kept_and_asked(void **state)
{
	struct nwg_dcache c = {0};
	json_t *hubs = json_pack("[o]", hub(3, "d1", 1450)), *sent, *ids;
	struct nwg_desired *d;

	(void)state;
	/* below min_spokes: not kept */
	d = parsed(&c, hubs, 4, 0);
	nwg_delta_keep(&c, HUB_A, "d1");
	nwg_delta_pass_done(&c, d);
	nwg_desired_free(d);
	assert_int_equal(c.n_spokes, 0);
	/* kept only with the digest it was answered with */
	d = parsed(&c, hubs, 3, 0);
	nwg_delta_keep(&c, HUB_A, "d9");
	assert_int_equal(c.n_kept, 0);
	nwg_delta_keep(&c, HUB_A, "d1");
	nwg_delta_pass_done(&c, d);
	assert_int_equal(d->hubs[0].n_spokes, 0); /* taken: one owner */
	nwg_desired_free(d);
	assert_int_equal(c.n_spokes, 3);
	sent = json_pack("{s:s, s:s}", HUB_A, "d1", HUB_B, "d5");
	ids = nwg_delta_request(&c, sent, 3);
	assert_int_equal(json_array_size(ids), 1);
	assert_string_equal(json_string_value(json_array_get(ids, 0)), HUB_A);
	json_decref(ids);
	assert_null(nwg_delta_request(&c, sent, 0)); /* off: ask 1.2 */
	assert_null(nwg_delta_request(&c, NULL, 3)); /* unconditional 1.1-like */
	json_object_set_new(sent, HUB_A, json_string("d0"));
	ids = nwg_delta_request(&c, sent, 3); /* another digest: not named */
	assert_int_equal(json_array_size(ids), 0);
	json_decref(ids);
	/* a failure or a deletion forgets it */
	nwg_delta_keep(&c, HUB_A, "");
	assert_int_equal(c.n_spokes, 0);
	json_decref(sent);
	json_decref(hubs);
	nwg_delta_clear(&c);
}

/* Through the agent and the fake broker. */
static char **one_id(void)
{
	char **ids = NULL;

	assert_int_equal(nwg_strv_push(&ids, HUB_A), 0);
	return ids;
}

static void realized_kept(struct fixture *f)
{
	struct nwg_hubstate *st = nwg_hubtab_get(&f->a.hubs, HUB_A, true);

	nwg_hubtab_ok(st);
	snprintf(st->digest, sizeof(st->digest), "d1");
	f->a.conf.delta_min_spokes = 1;
	f->a.full_passes = 1; /* the next full pass is conditional */
	kept(&f->a.dcache);
}

static int teardown_delta(void **state)
{
	struct fixture *f = *state;

	nwg_delta_clear(&f->a.dcache);
	return teardown(state);
}

static void test_asks_13_then_falls_back(void **state)
{
	struct fixture *f = *state;
	char id[64];
	json_t *args;

	realized_kept(f);
	assert_int_equal(nwg_sync(&f->a, true, NULL, 0), 0);
	args = request(f, 0, "get_hubs", "1.3", id);
	assert_string_equal(json_string_value(json_array_get(json_object_get(args, "deltas"), 0)),
			    HUB_A);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(args, "digests"), HUB_A)), "d1");
	assert_int_equal(json_integer_value(json_object_get(args, "delta_min")), 1);
	json_decref(args);
	answer(f, id, NULL, "oslo_messaging.rpc.client.UnsupportedVersion");
	assert_true(f->a.no_deltas);
	assert_false(f->a.no_digests);
	args = request(f, 1, "get_hubs", "1.2", id);
	assert_null(json_object_get(args, "deltas"));
	assert_non_null(json_object_get(args, "digests"));
	json_decref(args);
}

static void test_pass_with_unknown_base_refetches(void **state)
{
	struct fixture *f = *state;
	char id[64], id4[40];
	json_t *r, *args;

	realized_kept(f);
	nwg_delta_keep(&f->a.dcache, HUB_A, ""); /* the agent lost it */
	assert_int_equal(nwg_sync(&f->a, false, one_id(), 1), 0);
	args = request(f, 0, "get_hubs", "1.3", id); /* nothing kept: none named */
	assert_int_equal(json_array_size(json_object_get(args, "deltas")), 0);
	json_decref(args);
	sid(4, id4);
	r = json_pack("{s:s, s:[o], s:n}", "host", "node-1", "hubs", delta("d1", id4), "next");
	answer(f, id, r, NULL);
	json_decref(r);
	assert_int_equal(f->a.sync.state, NWG_SYNC_IDLE);
	assert_int_equal(f->a.dcache.n_refused, 1);
	assert_string_equal(nwg_hubtab_get(&f->a.hubs, HUB_A, false)->digest, "");
	assert_non_null(f->a.want_ids); /* asked again, in full */
	assert_string_equal(f->a.want_ids[0], HUB_A);
}

static void test_pass_rebuilds_delta(void **state)
{
	struct fixture *f = *state;
	char id[64], id4[40];
	json_t *r;

	realized_kept(f);
	assert_int_equal(nwg_sync(&f->a, false, one_id(), 1), 0);
	json_decref(request(f, 0, "get_hubs", "1.3", id));
	sid(4, id4);
	r = json_pack("{s:s, s:[o], s:n}", "host", "node-1", "hubs", delta("d1", id4), "next");
	answer(f, id, r, NULL);
	json_decref(r);
	assert_int_equal(f->a.sync.state, NWG_SYNC_IDLE);
	assert_int_equal(f->a.dcache.n_merged, 1);
	assert_int_equal(f->a.dcache.n_refused, 0);
	/* rebuilt, parsed and planned: the pass reads A's link (and fails
	 * here, having no backend), so nothing is kept for a failed hub */
	assert_int_equal(f->a.last_sync_rc, -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_delta_patches_the_hub),
	    cmocka_unit_test(test_unpatchable_delta_asks_in_full),
	    cmocka_unit_test(test_base_mismatch_asks_in_full),
	    cmocka_unit_test(test_what_is_kept_and_asked),
	    cmocka_unit_test_setup_teardown(test_asks_13_then_falls_back, setup, teardown_delta),
	    cmocka_unit_test_setup_teardown(test_pass_with_unknown_base_refetches, setup,
					    teardown_delta),
	    cmocka_unit_test_setup_teardown(test_pass_rebuilds_delta, setup, teardown_delta),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
