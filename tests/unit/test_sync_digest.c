/* SPDX-License-Identifier: Apache-2.0 */
/* get_hubs 1.2 over the fake broker (agent/sync/sync_digest.c): the agent asks
 * with the digests it applied; an unchanged hub in sync is not planned. */
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
#include "sync/neutron_rpc.h"

#include "broker_testlib.h"
#include "sync/sync_digest.h"

static bool link_ok = true;
static unsigned int link_checks;

bool nwg_sync_link_as_cached(const struct nwg_alink *l)
{
	(void)l;
	link_checks++;
	return link_ok;
}

/* Hub A realized by an earlier pass with digest "d1" (and B with "d2" when
 * two), A's actual state in the cache; the next full pass is conditional. */
static void realized(struct fixture *f, bool two)
{
	struct nwg_hubstate *st = nwg_hubtab_get(&f->a.hubs, HUB_A, true);

	nwg_hubtab_ok(st);
	snprintf(st->digest, sizeof(st->digest), "d1");
	if (two) {
		st = nwg_hubtab_get(&f->a.hubs, HUB_B, true);
		nwg_hubtab_ok(st);
		snprintf(st->digest, sizeof(st->digest), "d2");
	}
	f->a.acache.v = calloc(1, sizeof(*f->a.acache.v));
	assert_non_null(f->a.acache.v);
	f->a.acache.n = 1;
	snprintf(f->a.acache.v[0].link.port_id, sizeof(f->a.acache.v[0].link.port_id), HUB_A);
	snprintf(f->a.acache.v[0].link.ifname, sizeof(f->a.acache.v[0].link.ifname), "wg-x");
	f->a.full_passes = 1;
	link_ok = true;
	link_checks = 0;
}

static json_t *unchanged(const char *id, const char *digest)
{
	return json_pack("{s:s, s:[{s:s, s:s, s:b}], s:n}", "host", "node-1", "hubs", "port_id", id,
			 "digest", digest, "unchanged", 1, "next");
}

/* One full pass: the request's digests (new ref), answered with result. */
static json_t *full_pass(struct fixture *f, json_t *result)
{
	char id[64];
	json_t *args, *dg;

	assert_int_equal(nwg_sync(&f->a, true, NULL, 0), 0);
	args = request(f, f->b.n - 1, "get_hubs", "1.2", id);
	dg = json_incref(json_object_get(args, "digests"));
	json_decref(args);
	answer(f, id, result, NULL);
	json_decref(result);
	assert_int_equal(f->a.sync.state, NWG_SYNC_IDLE);
	return dg;
}

static void test_asks_with_digests(void **state)
{
	struct fixture *f = *state;
	json_t *dg;

	realized(f, true);
	dg = full_pass(f, unchanged(HUB_A, "d1"));
	assert_int_equal(json_object_size(dg), 2);
	assert_string_equal(json_string_value(json_object_get(dg, HUB_A)), "d1");
	assert_string_equal(json_string_value(json_object_get(dg, HUB_B)), "d2");
	json_decref(dg);
}

static void test_unchanged_not_replanned(void **state)
{
	struct fixture *f = *state;

	realized(f, false);
	json_decref(full_pass(f, unchanged(HUB_A, "d1")));
	/* nothing read nor planned (no backend here: a pass that reads fails) */
	assert_int_equal(f->a.last_sync_rc, 0);
	assert_int_equal(link_checks, 1);
	assert_int_equal(f->a.n_hubs, 1);
	assert_false(f->a.want_full);
	assert_null(f->a.want_ids);
	assert_string_equal(nwg_hubtab_get(&f->a.hubs, HUB_A, false)->digest, "d1");
	assert_true(nwg_hubtab_get(&f->a.hubs, HUB_A, false)->ok);
}

static void test_mismatch_replans(void **state)
{
	struct fixture *f = *state;
	char pub[NWG_KEY_B64_LEN + 1];
	json_t *r = json_pack("{s:s, s:[{s:s, s:s, s:b, s:s, s:i, s:s, s:[]}], s:n}", "host",
			      "node-1", "hubs", "port_id", HUB_A, "project_id", PROJECT,
			      "admin_state_up", 1, "public_key", tkey_b64(9, pub), "listen_port",
			      51820, "digest", "d9", "spokes", "next");

	realized(f, false);
	json_decref(full_pass(f, r));
	/* answered in full with another digest: the pass reads and plans A
	 * (and fails here, having no backend) */
	assert_int_equal(f->a.last_sync_rc, -EINVAL);
	assert_int_equal(link_checks, 0);
	assert_true(f->a.want_full);
}

static void test_unknown_digest_refetches(void **state)
{
	struct fixture *f = *state;

	realized(f, false);
	json_decref(full_pass(f, unchanged(HUB_A, "zz"))); /* not the digest sent */
	assert_int_equal(f->a.last_sync_rc, 0);
	assert_int_equal(link_checks, 0);
	assert_string_equal(nwg_hubtab_get(&f->a.hubs, HUB_A, false)->digest, "");
	assert_non_null(f->a.want_ids);
	assert_string_equal(f->a.want_ids[0], HUB_A);
	assert_null(f->a.want_ids[1]);
}

static void test_out_of_sync_refetches(void **state)
{
	struct fixture *f = *state;

	realized(f, false);
	link_ok = false; /* wireguard-go died, say */
	json_decref(full_pass(f, unchanged(HUB_A, "d1")));
	assert_int_equal(link_checks, 1);
	assert_string_equal(nwg_hubtab_get(&f->a.hubs, HUB_A, false)->digest, "");
	assert_null(nwg_acache_find(&f->a.acache, HUB_A));
	assert_non_null(f->a.want_ids);
	assert_string_equal(f->a.want_ids[0], HUB_A);
}

static void test_missing_hub_goes_unconditional(void **state)
{
	struct fixture *f = *state;
	char id[64];
	json_t *args;

	realized(f, true);
	json_decref(full_pass(f, unchanged(HUB_A, "d1"))); /* B not named: deleted? */
	assert_int_equal(f->a.last_sync_rc, 0);
	assert_true(f->a.want_unconditional);
	assert_true(f->a.want_full);
	/* the next full pass asks every hub in full (no digests named) */
	assert_int_equal(nwg_sync(&f->a, true, NULL, 0), 0);
	args = request(f, f->b.n - 1, "get_hubs", "1.2", id);
	assert_int_equal(json_object_size(json_object_get(args, "digests")), 0);
	assert_non_null(json_object_get(args, "digests"));
	json_decref(args);
}

static void test_every_nth_unconditional(void **state)
{
	struct fixture *f = *state;
	char id[64];
	json_t *r;

	realized(f, false);
	f->a.full_passes = 0;
	for (int i = 0; i <= NWG_UNCONDITIONAL_EVERY; i++) {
		json_t *args;

		assert_int_equal(nwg_sync(&f->a, true, NULL, 0), 0);
		args = request(f, f->b.n - 1, "get_hubs", "1.2", id);
		assert_int_equal(json_object_size(json_object_get(args, "digests")),
				 i % NWG_UNCONDITIONAL_EVERY ? 1 : 0);
		json_decref(args);
		r = unchanged(HUB_A, "d1");
		answer(f, id, r, NULL);
		json_decref(r);
		assert_int_equal(f->a.sync.state, NWG_SYNC_IDLE);
		snprintf(nwg_hubtab_get(&f->a.hubs, HUB_A, false)->digest, NWG_DIGEST_MAX, "d1");
	}
}

static void test_old_server_fallback(void **state)
{
	struct fixture *f = *state;
	char id[64];
	json_t *args;

	realized(f, false);
	assert_int_equal(nwg_sync(&f->a, true, NULL, 0), 0);
	json_decref(request(f, 0, "get_hubs", "1.2", id));
	answer(f, id, NULL, "oslo_messaging.rpc.client.UnsupportedVersion");
	assert_true(f->a.no_digests);
	assert_false(f->a.no_paging);
	args = request(f, 1, "get_hubs", "1.1", id);
	assert_null(json_object_get(args, "digests"));
	assert_non_null(json_object_get(args, "page"));
	json_decref(args);
}

static void test_applied_digest_kept(void **state)
{
	struct fixture *f = *state;
	struct nwg_hubstate st = {.port_id = HUB_A};

	f->a.sync.got = json_pack("{s:s}", HUB_A, "d7");
	nwg_digest_applied(&f->a, &st);
	assert_string_equal(st.digest, "d7");
	f->a.conf.dry_run = true; /* nothing applied: nothing kept */
	nwg_digest_applied(&f->a, &st);
	assert_string_equal(st.digest, "");
	json_decref(f->a.sync.got);
	f->a.sync.got = NULL;
	assert_true(nwg_digest_valid("0123abcdef:x"));
	assert_false(nwg_digest_valid(""));
	assert_false(nwg_digest_valid("a b"));
	/* a failure forgets it */
	snprintf(st.digest, sizeof(st.digest), "d7");
	nwg_hubtab_fail(&st, 0, "x");
	assert_string_equal(st.digest, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_asks_with_digests, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unchanged_not_replanned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mismatch_replans, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_digest_refetches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_out_of_sync_refetches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_hub_goes_unconditional, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_every_nth_unconditional, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_old_server_fallback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_applied_digest_kept, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
