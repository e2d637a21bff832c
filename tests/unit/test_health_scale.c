/* SPDX-License-Identifier: Apache-2.0 */
/* Spoke health at scale: the sorted table and the O(n log n) diff agree
 * with a plain quadratic model (same changes, same order) on random
 * observations with spokes on several hubs, and on random table edits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "health/health.h"

#define NOW   1700000000
#define STALE 180
#define IDS   1000

static char ids[IDS][40];

static void make_ids(void)
{
	for (int i = 0; i < IDS; i++)
		snprintf(ids[i], sizeof(ids[i]), "5b0e%04x-0000-4000-8000-%012x", (i * 7919) % IDS,
			 i);
}

/* The model: what Neutron was told, as a plain array indexed like ids. */
struct model {
	enum nwg_health_state st[IDS];
};

static int id_index(const char *id)
{
	for (int i = 0; i < IDS; i++) {
		if (strcmp(ids[i], id) == 0)
			return i;
	}
	return -1;
}

/* The quadratic reference diff (first occurrence order). */
static void model_diff(const struct model *m, const struct nwg_health_obs *obs, size_t n,
		       const char **up, size_t *n_up, const char **down, size_t *n_down)
{
	*n_up = *n_down = 0;
	for (size_t i = 0; i < n; i++) {
		bool first = true, fresh = false;
		enum nwg_health_state was;

		for (size_t j = 0; j < n; j++) {
			if (strcmp(obs[j].port_id, obs[i].port_id))
				continue;
			first &= j >= i;
			fresh |= obs[j].handshake > 0 && NOW - obs[j].handshake < STALE;
		}
		if (!first)
			continue;
		was = m->st[id_index(obs[i].port_id)];
		if (fresh && was != NWG_HEALTH_UP)
			up[(*n_up)++] = obs[i].port_id;
		else if (!fresh && was != NWG_HEALTH_DOWN)
			down[(*n_down)++] = obs[i].port_id;
	}
}

static void same_table(const struct nwg_health *h, const struct model *m)
{
	size_t known = 0;

	for (int i = 0; i < IDS; i++) {
		assert_int_equal(nwg_health_get(h, ids[i]), m->st[i]);
		known += m->st[i] != NWG_HEALTH_UNKNOWN;
	}
	assert_int_equal(h->n, known);
}

static void test_diff_matches_model(void **state)
{
	static struct nwg_health_obs obs[3 * IDS];
	static const char *up[3 * IDS], *down[3 * IDS];
	struct nwg_health h = {0};
	struct model m = {{0}};

	(void)state;
	srand(17);
	for (int round = 0; round < 20; round++) {
		size_t n = (size_t)(rand() % (3 * IDS)), n_up, n_down;
		struct nwg_health_changes c;

		for (size_t i = 0; i < n; i++) {
			int r = rand() % 4;

			obs[i].port_id = ids[rand() % IDS];
			obs[i].handshake = r == 0 ? 0 : r == 1 ? NOW - 10 : NOW - STALE - r;
		}
		model_diff(&m, obs, n, up, &n_up, down, &n_down);
		assert_int_equal(nwg_health_diff(&h, obs, n, NOW, STALE, &c), 0);
		assert_int_equal(c.n_up, n_up);
		assert_int_equal(c.n_down, n_down);
		for (size_t i = 0; i < n_up; i++)
			assert_string_equal(c.up[i], up[i]);
		for (size_t i = 0; i < n_down; i++)
			assert_string_equal(c.down[i], down[i]);
		/* as the agent does: forget what is gone, remember what was told */
		nwg_health_prune(&h, obs, n);
		for (int i = 0; i < IDS; i++) {
			bool seen = false;

			for (size_t j = 0; j < n && !seen; j++)
				seen = strcmp(obs[j].port_id, ids[i]) == 0;
			if (!seen)
				m.st[i] = NWG_HEALTH_UNKNOWN;
		}
		for (size_t i = 0; i < c.n_up; i++) {
			assert_int_equal(nwg_health_set(&h, c.up[i], NWG_HEALTH_UP), 0);
			m.st[id_index(c.up[i])] = NWG_HEALTH_UP;
		}
		for (size_t i = 0; i < c.n_down; i++) {
			assert_int_equal(nwg_health_set(&h, c.down[i], NWG_HEALTH_DOWN), 0);
			m.st[id_index(c.down[i])] = NWG_HEALTH_DOWN;
		}
		nwg_health_changes_free(&c);
		same_table(&h, &m);
	}
	nwg_health_clear(&h);
}

static void test_table_edits_match_model(void **state)
{
	struct nwg_health h = {0};
	struct model m = {{0}};

	(void)state;
	srand(4242);
	for (int step = 0; step < 20000; step++) {
		int i = rand() % IDS, op = rand() % 8;

		if (op < 5) {
			enum nwg_health_state st = rand() % 2 ? NWG_HEALTH_UP : NWG_HEALTH_DOWN;

			assert_int_equal(nwg_health_set(&h, ids[i], st), 0);
			m.st[i] = st;
		} else if (op < 7) {
			nwg_health_forget(&h, ids[i]);
			m.st[i] = NWG_HEALTH_UNKNOWN;
		} else {
			assert_int_equal(nwg_health_get(&h, ids[i]), m.st[i]);
		}
		if (step % 1000 == 0)
			same_table(&h, &m);
	}
	same_table(&h, &m);
	nwg_health_clear(&h);
	assert_int_equal(h.n, 0);
	assert_int_equal(nwg_health_get(&h, ids[0]), NWG_HEALTH_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff_matches_model),
	    cmocka_unit_test(test_table_edits_match_model),
	};

	make_ids();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
