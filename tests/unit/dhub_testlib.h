/* SPDX-License-Identifier: Apache-2.0 */
/* A parsed hub equals another (test_sync_delta.c, test_desired_flat.c): the
 * same fields and the same spokes, compared in key order (the planner's
 * order; the spokes array itself has none). Include after cmocka.h. */
#ifndef NWG_DHUB_TESTLIB_H
#define NWG_DHUB_TESTLIB_H

#include <string.h>

#include "agent_testlib.h"
#include "reconcile/desired.h"

/* Hub HUB_A of PROJECT (10.99.0.1/24, mtu 1450, realized with hubpub on
 * 51820) holding spokes (a JSON array, taken), parsed. */
static inline struct nwg_desired *dhub_parse_hub_a(json_t *spokes, const char *hubpub)
{
	struct nwg_desired *d = NULL;
	json_t *top = json_pack("{s:[{s:s, s:s, s:[s], s:i, s:s, s:i, s:o}]}", "hubs", "port_id",
				HUB_A, "project_id", PROJECT, "fixed_ips", "10.99.0.1/24", "mtu",
				1450, "public_key", hubpub, "listen_port", 51820, "spokes", spokes);

	assert_int_equal(nwg_desired_parse(top, &d, NULL), 0);
	json_decref(top);
	return d;
}

static inline const struct nwg_dspoke *dhub_by_key(const struct nwg_dhub *h, size_t i)
{
	return h->by_key ? h->by_key[i] : &h->spokes[i]; /* a parse of < 2 has none */
}

static inline void assert_spoke_equal(const struct nwg_dspoke *a, const struct nwg_dspoke *b)
{
	assert_string_equal(a->port_id, b->port_id);
	assert_memory_equal(a->public_key.b, b->public_key.b, sizeof(a->public_key.b));
	assert_string_equal(a->endpoint, b->endpoint);
	assert_int_equal(a->keepalive, b->keepalive);
	assert_int_equal(a->n_allowed, b->n_allowed);
	for (size_t k = 0; k < a->n_allowed; k++)
		assert_true(nwg_ipnet_equal(&a->allowed[k], &b->allowed[k]));
}

static inline void assert_hub_equal(const struct nwg_dhub *a, const struct nwg_dhub *b)
{
	assert_string_equal(a->port_id, b->port_id);
	assert_string_equal(a->project_id, b->project_id);
	assert_int_equal(a->mtu, b->mtu);
	assert_int_equal(a->admin_state_up, b->admin_state_up);
	assert_int_equal(a->listen_port, b->listen_port);
	assert_int_equal(a->n_skipped, b->n_skipped);
	assert_int_equal(a->n_spokes, b->n_spokes);
	assert_true(a->n_spokes < 2 || a->by_key);
	for (size_t i = 0; i < a->n_spokes; i++) {
		const struct nwg_dspoke *s = dhub_by_key(a, i);

		/* every index entry is a spoke of the array, in strict key order */
		assert_true(s >= a->spokes && s < a->spokes + a->n_spokes);
		if (i)
			assert_true(memcmp(dhub_by_key(a, i - 1)->public_key.b, s->public_key.b,
					   sizeof(s->public_key.b)) < 0);
		assert_spoke_equal(s, dhub_by_key(b, i));
	}
}

#endif
