/* SPDX-License-Identifier: Apache-2.0 */
/* The flat delta path (agent/reconcile/desired_flat.c through
 * agent/sync/sync_delta.c): after each get_hubs 1.3 delta, the hub the pass
 * plans (kept spokes patched) equals the full answer parsed afresh. Add,
 * remove, re-key, move, one by one, then random sequences of mixed deltas
 * (a property test against the full path; the seed is printed, and
 * NWG_TEST_SEED replays one). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nwg/key.h"
#include "reconcile/desired.h"
#include "reconcile/desired_flat.h"
#include "sync/sync_delta.h"

#include "dhub_testlib.h"

#define HUB "aaaaaaaa-0000-4000-8000-000000000001"

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The model: the full answer's spokes, as the server would send them. */
struct model {
	json_t *spokes;
	unsigned int ids, version;
	struct nwg_dcache c;
};

static json_t *new_spoke(unsigned int id)
{
	char pid[40], ip[32], b64[NWG_KEY_B64_LEN + 1];
	struct nwg_key k;

	for (size_t i = 0; i < sizeof(k.b); i++)
		k.b[i] = (uint8_t)next();
	nwg_key_to_b64(b64, &k);
	snprintf(pid, sizeof(pid), "5b0e0000-0000-4000-8000-%012x", id);
	snprintf(ip, sizeof(ip), "100.64.%u.%u/32", (id / 250) % 250, id % 250 + 1);
	return json_pack("{s:s, s:s, s:[s], s:n, s:n}", "port_id", pid, "public_key", b64,
			 "allowed_ips", ip, "endpoint", "persistent_keepalive");
}

static json_t *answer_of(json_t *hub)
{
	return json_pack("{s:s, s:[o]}", "host", "node-1", "hubs", hub);
}

static json_t *hub_of(const struct model *m, json_t *spokes)
{
	char dg[32];

	snprintf(dg, sizeof(dg), "v%u", m->version);
	return json_pack("{s:s, s:s, s:b, s:i, s:s, s:O}", "port_id", HUB, "project_id", "p1",
			 "admin_state_up", 1, "mtu", 1400 + (int)(m->version % 7), "digest", dg,
			 "spokes", spokes);
}

/* One pass over answer (merge, parse, attach): checks the planned hub
 * against the model parsed afresh, keeps it as applied. Returns the deltas
 * patched. */
static int pass(struct model *m, json_t *answer)
{
	struct nwg_desired *d = NULL, *want = NULL;
	struct nwg_err err = {{0}};
	json_t *full = answer_of(hub_of(m, m->spokes));
	char dg[32];
	int merged = nwg_delta_merge(&m->c, json_object_get(answer, "hubs"), 1);

	assert_true(merged >= 0);
	assert_int_equal(nwg_desired_parse(answer, &d, &err), 0);
	nwg_delta_attach(&m->c, d);
	assert_int_equal(nwg_desired_parse(full, &want, &err), 0);
	if (merged) {
		assert_int_equal(d->n_hubs, 1);
		assert_hub_equal(&d->hubs[0], &want->hubs[0]);
	}
	snprintf(dg, sizeof(dg), "v%u", m->version);
	nwg_delta_keep(&m->c, HUB, merged || d->n_hubs ? dg : "");
	nwg_delta_pass_done(&m->c, d);
	assert_int_equal(d->n_hubs ? d->hubs[0].n_spokes : 0, 0); /* taken: one owner */
	assert_int_equal(m->c.n_spokes, json_array_size(m->spokes));
	nwg_desired_free(d);
	nwg_desired_free(want);
	json_decref(full);
	json_decref(answer);
	return merged;
}

static void model_init(struct model *m, unsigned int n)
{
	memset(m, 0, sizeof(*m));
	m->spokes = json_array();
	for (m->ids = 0; m->ids < n; m->ids++)
		json_array_append_new(m->spokes, new_spoke(m->ids));
	m->version = 1;
	assert_int_equal(pass(m, answer_of(hub_of(m, m->spokes))), 0);
}

static void model_free(struct model *m)
{
	nwg_delta_clear(&m->c);
	json_decref(m->spokes);
}

enum op { ADD, REMOVE, REKEY, MOVE, READD, N_OPS };

/* One change to the model, recorded in the delta (changed, removed). */
static void change(struct model *m, enum op op, json_t *changed, json_t *removed)
{
	size_t n = json_array_size(m->spokes), i = n ? next() % n : 0;
	json_t *s = json_array_get(m->spokes, i), *id;
	char ip[32];

	if (op == ADD || !n) {
		s = new_spoke(m->ids++);
		json_array_append(m->spokes, s);
		json_array_append_new(changed, s);
		return;
	}
	id = json_incref(json_object_get(s, "port_id"));
	for (size_t k = 0; k < json_array_size(changed); k++) { /* at most one per id */
		if (json_equal(json_object_get(json_array_get(changed, k), "port_id"), id))
			json_array_remove(changed, k--);
	}
	if (op == REMOVE) {
		json_array_append(removed, id);
		json_array_remove(m->spokes, i);
	} else if (op == REKEY || op == READD) {
		json_t *fresh = new_spoke(0);

		json_object_set(s, "public_key", json_object_get(fresh, "public_key"));
		json_decref(fresh);
		if (op == READD) /* removed and sent again in the same delta */
			json_array_append(removed, id);
		json_array_append(changed, s);
	} else {
		snprintf(ip, sizeof(ip), "100.%u.0.%u/32", 65 + (unsigned)(next() % 60),
			 (unsigned)(next() % 250) + 1);
		json_array_set_new(json_object_get(s, "allowed_ips"), 0, json_string(ip));
		json_object_set_new(s, "endpoint", json_string("198.51.100.9:51820"));
		json_array_append(changed, s);
	}
	json_decref(id);
}

/* changed: taken. */
static json_t *delta_of(struct model *m, json_t *changed, json_t *removed)
{
	char base[32];
	json_t *h;

	snprintf(base, sizeof(base), "v%u", m->version++);
	h = hub_of(m, changed);
	json_decref(changed); /* taken */
	json_object_set_new(h, "base", json_string(base));
	json_object_set(h, "removed", removed);
	return answer_of(h);
}

static void one_change(struct model *m, enum op op)
{
	json_t *changed = json_array(), *removed = json_array();

	change(m, op, changed, removed);
	/* deep copies: the model's spokes change later */
	assert_int_equal(pass(m, delta_of(m, json_deep_copy(changed), removed)), 1);
	json_decref(changed);
	json_decref(removed);
}

static void test_each_change(void **state)
{
	struct model m;

	(void)state;
	rng = 0x9e3779b97f4a7c15ULL;
	model_init(&m, 20);
	for (enum op op = ADD; op < N_OPS; op++)
		one_change(&m, op);
	/* down to nothing and back: the array empties and grows again */
	while (json_array_size(m.spokes))
		one_change(&m, REMOVE);
	for (int i = 0; i < 40; i++)
		one_change(&m, ADD);
	model_free(&m);
}

/* A delta whose base is not kept (or whose key clashes) falls back: the
 * answer in full is kept again, and the next delta patches that. */
static void test_fallback_then_delta(void **state)
{
	struct model m;
	json_t *changed = json_array(), *removed = json_array(), *ans;

	(void)state;
	rng = 42;
	model_init(&m, 10);
	change(&m, MOVE, changed, removed);
	ans = delta_of(&m, json_deep_copy(changed), removed);
	json_object_set_new(json_array_get(json_object_get(ans, "hubs"), 0), "base",
			    json_string("v99"));
	assert_int_equal(nwg_delta_merge(&m.c, json_object_get(ans, "hubs"), 1), 0);
	assert_int_equal(m.c.n_refused, 1);
	assert_int_equal(m.c.n_kept, 0);
	nwg_delta_pass_done(&m.c, NULL);
	json_decref(ans);
	assert_int_equal(pass(&m, answer_of(hub_of(&m, m.spokes))), 0); /* in full */
	one_change(&m, REKEY);
	json_decref(changed);
	json_decref(removed);
	model_free(&m);
}

static void test_random_sequences(void **state)
{
	const char *env = getenv("NWG_TEST_SEED");
	uint64_t seed0 = env ? strtoull(env, NULL, 0) : 0x5eed0001ULL;
	int runs = env ? 1 : 12;

	(void)state;
	for (int r = 0; r < runs; r++) {
		struct model m;
		uint64_t seed = seed0 + (uint64_t)r * 7919;

		rng = seed;
		print_message("seed 0x%llx\n", (unsigned long long)seed);
		model_init(&m, 1 + (unsigned int)(next() % 300));
		for (int step = 0; step < 60; step++) {
			json_t *changed = json_array(), *removed = json_array();
			int n_ops = 1 + (int)(next() % 5);

			for (int k = 0; k < n_ops; k++)
				change(&m, (enum op)(next() % N_OPS), changed, removed);
			assert_int_equal(pass(&m, delta_of(&m, json_deep_copy(changed), removed)),
					 1);
			json_decref(changed);
			json_decref(removed);
		}
		model_free(&m);
	}
}

/* The store on its own: a removed id it does not hold, a key clash. */
static void test_flat_edges(void **state)
{
	struct nwg_dflat f = {0};
	struct nwg_dspoke s = {0};
	struct nwg_dhub h = {0};
	char why[NWG_REASON_MAX];
	json_t *a = new_spoke(1), *b = new_spoke(2);

	(void)state;
	assert_int_equal(nwg_dflat_take(&f, &h), 0); /* an empty hub */
	nwg_dflat_remove(&f, "5b0e0000-0000-4000-8000-000000000001");
	assert_int_equal(nwg_desired_parse_spoke(a, &s, why, sizeof(why)), 0);
	assert_int_equal(nwg_dflat_upsert(&f, &s), 0);
	assert_int_equal(f.n, 1);
	json_object_set(b, "public_key", json_object_get(a, "public_key"));
	assert_int_equal(nwg_desired_parse_spoke(b, &s, why, sizeof(why)), 0);
	assert_int_equal(nwg_dflat_upsert(&f, &s), -EINVAL); /* another spoke's key */
	assert_null(s.allowed);				     /* taken and cleared */
	assert_int_equal(f.n, 1);
	assert_true(nwg_dflat_bytes(&f) >= sizeof(struct nwg_dspoke));
	nwg_dflat_remove(&f, "5b0e0000-0000-4000-8000-000000000001");
	assert_int_equal(f.n, 0);
	nwg_dflat_free(&f);
	json_decref(a);
	json_decref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_change),
	    cmocka_unit_test(test_fallback_then_delta),
	    cmocka_unit_test(test_random_sequences),
	    cmocka_unit_test(test_flat_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
