/* SPDX-License-Identifier: Apache-2.0 */
/* Peers planned from a delta's touched keys (reconcile/plan_touched.c)
 * against the full sort-and-merge: random deltas (add, remove, move,
 * re-key, keepalive and endpoint changes, a spoke re-sent unchanged) patched
 * on kept spokes, planned against a cached hub in sync with the answer the
 * delta applies to, give the plan of the whole answer parsed afresh and
 * merged with every peer (a property test; the seed is printed and
 * NWG_TEST_SEED replays one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "dhub_testlib.h"
#include "nwg/rtnl.h"
#include "reconcile/desired_flat.h"
#include "reconcile/peers.h"
#include "reconcile/plan.h"
#include "reconcile/record.h"

#define NS     "tun-" PROJECT
#define IFNAME "wg-aaaaaaaa-00"

static uint64_t rng;

static unsigned int next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned int)(rng >> 11);
}

struct mspoke {
	unsigned int ip, keepalive, ver, ep; /* ep: 0 none, else 192.0.2.ep:51820 */
	bool present;
};

static struct nwg_key spoke_key(size_t i, unsigned int ver)
{
	struct nwg_key k = tkey(5);

	memcpy(k.b + 1, &i, sizeof(i));
	k.b[12] = (unsigned char)ver;
	return k;
}

static json_t *spoke_json(const struct mspoke *m, size_t i)
{
	struct nwg_key k = spoke_key(i, m->ver);
	char b64[NWG_KEY_B64_LEN + 1], ip[32], id[48], ep[32];

	nwg_key_to_b64(b64, &k);
	snprintf(ip, sizeof(ip), "10.%u.%u.%u/32", 100 + m->ip / 65536, (m->ip / 256) % 256,
		 m->ip % 256);
	snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012zx", i);
	snprintf(ep, sizeof(ep), "192.0.2.%u:51820", m->ep);
	return json_pack("{s:s, s:s, s:[s], s:i, s:s?}", "port_id", id, "public_key", b64,
			 "allowed_ips", ip, "persistent_keepalive", (int)m->keepalive, "endpoint",
			 m->ep ? ep : NULL);
}

/* Hub A with the present spokes of m (none: an answer's fields alone). */
static struct nwg_desired *hub_of(const struct mspoke *m, size_t n)
{
	json_t *spokes = json_array();
	char hubpub[NWG_KEY_B64_LEN + 1];
	struct nwg_key priv = tkey(9), pub;

	assert_int_equal(nwg_key_public(&pub, &priv), 0);
	nwg_key_to_b64(hubpub, &pub);
	for (size_t i = 0; m && i < n; i++) {
		if (m[i].present)
			json_array_append_new(spokes, spoke_json(&m[i], i));
	}
	return dhub_parse_hub_a(spokes, hubpub);
}

/* The cached hub as the agent's last pass of d left it: the device (peers
 * in key order, endpoints as configured) and the record (in key order). */
static struct nwg_actual *cached_for(const struct nwg_desired *d, bool synced)
{
	const struct nwg_dhub *h = &d->hubs[0];
	struct nwg_key priv = tkey(9);
	struct nwg_record_spec spec = {.hub = h,
				       .ifname = IFNAME,
				       .netns = NS,
				       .home_netns = NS,
				       .mtu = 1420,
				       .private_key = &priv,
				       .listen_port = 51820};
	struct nwg_hub_record *rec = nwg_record_build(&spec);
	struct nwg_hub_view *v = nwg_hub_view_of(rec);
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_device *dev = nwg_device_new(IFNAME);
	struct nwg_alink *l;

	nwg_hub_record_free(rec);
	assert_non_null(v);
	assert_non_null(dev);
	nwg_rpeers_sort(v->peers, v->n_peers);
	assert_int_equal(nwg_actual_add_record(a, v), 0);
	dev->private_key = priv;
	nwg_key_public(&dev->public_key, &dev->private_key);
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_PUBLIC_KEY | NWG_DEV_HAS_LISTEN_PORT;
	dev->listen_port = 51820;
	for (size_t i = 0; i < h->n_spokes; i++) {
		struct nwg_peer *p = nwg_device_add_peer(dev, &h->spokes[i].public_key);
		char buf[NWG_IPNET_STRLEN];

		p->persistent_keepalive = h->spokes[i].keepalive;
		for (size_t k = 0; k < h->spokes[i].n_allowed; k++) {
			nwg_ipnet_format(&h->spokes[i].allowed[k], buf, sizeof(buf));
			assert_int_equal(nwg_peer_add_allowedip(p, buf), 0);
		}
		if (h->spokes[i].endpoint[0])
			assert_int_equal(nwg_endpoint_parse(&p->endpoint, h->spokes[i].endpoint),
					 0);
	}
	nwg_peers_sort(dev);
	l = nwg_actual_add_link(a);
	snprintf(l->port_id, sizeof(l->port_id), "%s", HUB_A);
	snprintf(l->ifname, sizeof(l->ifname), "%s", IFNAME);
	snprintf(l->netns, sizeof(l->netns), "%s", NS);
	l->mtu = 1420;
	l->dev = dev;
	l->synced = synced;
	return a;
}

static struct nwg_plan *plan(const struct nwg_desired *d, const struct nwg_actual *a)
{
	struct nwg_plan_opts o = {.ns_prefix = "tun-", .underlay_mtu = 1500, .full = true};
	struct nwg_plan *p = NULL;

	assert_int_equal(nwg_plan_build(d, a, &o, &p), 0);
	assert_int_equal(p->n, 1);
	return p;
}

/* One edit of spoke i, in the model and as the delta carries it. */
static void edit(struct mspoke *m, size_t i, struct nwg_dflat *f)
{
	char id[48];

	snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012zx", i);
	switch (m[i].present ? next() % 6 : 0) {
	case 0: /* add, or remove */
		m[i].present = !m[i].present;
		break;
	case 1: /* moved (its own address space: no other spoke's) */
		m[i].ip = 100000 + (unsigned int)i * 8 + next() % 8;
		break;
	case 2:
		m[i].ver++; /* re-keyed */
		break;
	case 3:
		m[i].keepalive = (m[i].keepalive + 25) % 100;
		break;
	case 4:
		m[i].ep = next() % 3 ? 1 + next() % 200 : 0;
		break;
	default: /* re-sent unchanged */
		break;
	}
	if (!m[i].present) {
		nwg_dflat_remove(f, id);
	} else {
		json_t *j = spoke_json(&m[i], i);
		struct nwg_dspoke s;
		char why[NWG_REASON_MAX];

		assert_int_equal(nwg_desired_parse_spoke(j, &s, why, sizeof(why)), 0);
		json_decref(j);
		assert_int_equal(nwg_dflat_upsert(f, &s), 0);
	}
}

/* The device or the record differs on a key the delta touched: a peer
 * that came back with another keepalive, a record peer gone stale. */
static void drift_touched(struct nwg_actual *a, const struct nwg_dhub *h)
{
	const struct nwg_key *k = &h->touched[next() % h->n_touched];
	struct nwg_peer *p = (struct nwg_peer *)nwg_peers_find(a->links[0].dev, k);
	bool found;
	size_t at = nwg_rpeers_pos(a->recs[0]->peers, a->recs[0]->n_peers, k, &found);

	if (next() % 2 && p)
		p->persistent_keepalive += 1;
	else if (found)
		a->recs[0]->peers[at].persistent_keepalive += 1;
}

static void same_plan(const struct nwg_action *x, const struct nwg_action *y)
{
	assert_true(x->touched);
	assert_false(y->touched);
	assert_int_equal(x->kind, y->kind);
	assert_int_equal(x->fix, y->fix);
	assert_int_equal(x->record_delta, y->record_delta);
	assert_int_equal(x->report, y->report);
	assert_string_equal(x->reason, y->reason);
	assert_int_equal(x->n_peer_ops, y->n_peer_ops);
	for (size_t i = 0; i < x->n_peer_ops; i++) {
		const struct nwg_peer_op *a = &x->peer_ops[i], *b = &y->peer_ops[i];

		assert_int_equal(a->op, b->op);
		assert_memory_equal(a->key.b, b->key.b, sizeof(a->key.b));
		assert_int_equal(a->fields, b->fields);
		assert_int_equal(!a->spoke, !b->spoke);
		if (a->spoke)
			assert_string_equal(a->spoke->port_id, b->spoke->port_id);
	}
}

/* One round: base m (size n) -> a delta of 1..max edits; the plans of the
 * patched hub (cached, synced) and of the fresh answer (full merge). */
static void round_once(struct mspoke *m, size_t n, size_t max, unsigned long *cmps)
{
	struct nwg_desired *base = hub_of(m, n), *fields = hub_of(NULL, 0), *fresh;
	struct nwg_dflat f = {0};
	struct nwg_actual *a = cached_for(base, true);
	size_t edits = 1 + next() % max;
	struct nwg_plan *px, *py;
	unsigned long before;

	assert_int_equal(nwg_dflat_take(&f, &base->hubs[0]), 0);
	nwg_dflat_touch_reset(&f);
	for (size_t e = 0; e < edits; e++)
		edit(m, next() % n, &f);
	nwg_dflat_lend(&f, &fields->hubs[0]);
	assert_true(fields->hubs[0].patched);
	if (next() % 4 == 0)
		drift_touched(a, &fields->hubs[0]);
	fresh = hub_of(m, n);
	before = nwg_plan_key_cmps;
	px = plan(fields, a);
	*cmps = nwg_plan_key_cmps - before;
	a->links[0].synced = false; /* the same state: every peer merged */
	py = plan(fresh, a);
	same_plan(&px->acts[0], &py->acts[0]);
	nwg_plan_free(px);
	nwg_plan_free(py);
	nwg_dflat_unlend(&f, &fields->hubs[0]);
	nwg_dflat_free(&f);
	nwg_actual_free(a);
	nwg_desired_free(base);
	nwg_desired_free(fields);
	nwg_desired_free(fresh);
}

static void test_random_deltas_match_full_plan(void **state)
{
	const char *env = getenv("NWG_TEST_SEED");
	uint64_t seed0 = env ? strtoull(env, NULL, 0) : 0x7a7c0001ULL;
	int runs = env ? 1 : 8;

	(void)state;
	for (int r = 0; r < runs; r++) {
		uint64_t seed = seed0 + (uint64_t)r * 7919;
		size_t n;
		struct mspoke *m;
		unsigned long cmps;

		rng = seed;
		print_message("seed 0x%llx\n", (unsigned long long)seed);
		n = 1 + next() % 300;
		m = calloc(n, sizeof(*m));
		assert_non_null(m);
		for (size_t i = 0; i < n; i++)
			m[i] = (struct mspoke){.ip = (unsigned int)i,
					       .keepalive = next() % 2 ? 25 : 0,
					       .ep = next() % 3 ? 0 : 1 + next() % 200,
					       .present = next() % 5 != 0};
		for (int step = 0; step < 40; step++)
			round_once(m, n, 1 + next() % 8, &cmps);
		free(m);
	}
}

/* One spoke moved on a cached, synced 4,000-spoke hub: a few binary searches,
 * not a walk (the full merge makes about 4 comparisons per spoke). */
static void test_one_change_is_logarithmic(void **state)
{
	enum { N = 4000 };
	struct mspoke *m = calloc(N, sizeof(*m));
	unsigned long cmps = 0;

	(void)state;
	assert_non_null(m);
	rng = 0x1234567ULL;
	for (size_t i = 0; i < N; i++)
		m[i] = (struct mspoke){.ip = (unsigned int)i, .present = true};
	round_once(m, N, 1, &cmps);
	print_message("one change at N=%d: %lu key comparisons\n", N, cmps);
	assert_true(cmps > 0);
	assert_true(cmps <= 100);
	free(m);
}

/* Not patched by a delta, or a link not known in sync: every peer merged. */
static void test_full_merge_unless_patched_and_synced(void **state)
{
	struct mspoke m[3] = {{.ip = 1, .present = true}, {.ip = 2, .present = true}};
	struct nwg_desired *d = hub_of(m, 3);
	struct nwg_actual *a = cached_for(d, true);
	struct nwg_plan *p = plan(d, a);

	(void)state;
	assert_false(p->acts[0].touched); /* a whole answer */
	assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_deltas_match_full_plan),
	    cmocka_unit_test(test_one_change_is_logarithmic),
	    cmocka_unit_test(test_full_merge_unless_patched_and_synced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
