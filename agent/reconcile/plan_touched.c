/* SPDX-License-Identifier: Apache-2.0 */
/* Peers planned in O(changes) (plan_int.h): a delta names the keys it
 * touched; every other spoke is as the answer the agent last applied, and
 * the cached device and record are known to match that answer
 * (nwg_alink.synced), so only the touched keys are looked up, by binary
 * search in the spokes' key index, the device's peers and the record's
 * peers (both kept in key order by the per-hub cache). The result is the
 * full merge's (tests/unit/test_plan_touched.c compares both). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/plan_int.h"

bool nwg_plan_touched_usable(const struct nwg_action *act, const struct nwg_device *dev,
			     const struct nwg_hub_view *rec)
{
	const struct nwg_dhub *h = act->want;

	return h && h->patched && !h->ha && !h->n_skipped && !act->standby && act->link &&
	       act->link->synced && dev && act->link->dev == dev && rec && act->rec == rec &&
	       (h->by_key || !h->n_spokes);
}

/* The element of v[0..n) (size sz, key at off; ptr: v holds pointers to the
 * elements), sorted by key, whose key is k; NULL if none. */
static const void *search(const void *v, size_t n, size_t sz, size_t off, bool ptr,
			  const struct nwg_key *k)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *e = (const char *)v + mid * sz;
		int c;

		if (ptr)
			e = *(const char *const *)e;
		c = nwg_plan_key_cmp((const struct nwg_key *)(const void *)(e + off), k);
		if (c == 0)
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct nwg_repo_peer *rpeer(const struct nwg_hub_view *rec, const struct nwg_key *k)
{
	return search(rec->peers, rec->n_peers, sizeof(*rec->peers),
		      offsetof(struct nwg_repo_peer, public_key), false, k);
}

struct rec_q {
	const struct nwg_hub_view *rec;
	const struct nwg_key *key;
};

static const struct nwg_repo_peer *rec_q(const void *ctx)
{
	const struct rec_q *q = ctx;

	return rpeer(q->rec, q->key);
}

static int kcmp(const void *a, const void *b)
{
	return nwg_plan_key_cmp(a, b);
}

/* The touched keys, sorted, each once (*n); NULL when none or ENOMEM. */
static struct nwg_key *keys_sorted(const struct nwg_dhub *h, size_t *n)
{
	struct nwg_key *v = h->n_touched ? malloc(h->n_touched * sizeof(*v)) : NULL;
	size_t k = 0;

	*n = 0;
	if (!v)
		return NULL;
	memcpy(v, h->touched, h->n_touched * sizeof(*v));
	qsort(v, h->n_touched, sizeof(*v), kcmp);
	for (size_t i = 0; i < h->n_touched; i++) {
		if (!k || nwg_plan_key_cmp(&v[k - 1], &v[i]) != 0)
			v[k++] = v[i];
	}
	*n = k;
	return v;
}

/* The record holds the spoke as the record of the desired hub would (or
 * neither has the key). */
static bool rec_current(const struct nwg_hub_view *rec, const struct nwg_dspoke *s,
			const struct nwg_key *k)
{
	const struct nwg_repo_peer *rp = rpeer(rec, k);

	return s ? rp && nwg_plan_rpeer_is_spoke(rp, s) : !rp;
}

struct walk {
	size_t n_rm;
	bool rec_ok;	   /* every touched key current in the record */
	bool untouched_ok; /* every touched key without an operation current */
};

/* One touched key: its ADD or UPDATE now, its REMOVE noted in rm. */
static void plan_key(struct nwg_action *act, const struct nwg_device *dev,
		     const struct nwg_hub_view *rec, const struct nwg_key *k,
		     const struct nwg_key **rm, struct walk *w)
{
	const struct nwg_dhub *h = act->want;
	const struct nwg_dspoke *s = search(h->by_key, h->n_spokes, sizeof(*h->by_key),
					    offsetof(struct nwg_dspoke, public_key), true, k);
	const struct nwg_peer *p = search(dev->peers, dev->n_peers, sizeof(*dev->peers),
					  offsetof(struct nwg_peer, public_key), false, k);
	bool current = rec_current(rec, s, k);
	size_t before = act->n_peer_ops;

	if (s && !p) {
		nwg_plan_add_op(act, NWG_POP_ADD, &s->public_key, s, 0);
	} else if (s) {
		struct rec_q q = {rec, k};
		unsigned int f = nwg_plan_peer_fields(p, s, false, rec_q, &q);

		if (f)
			nwg_plan_add_op(act, NWG_POP_UPDATE, &s->public_key, s, f);
	} else if (p) {
		rm[w->n_rm++] = k;
	}
	w->rec_ok = w->rec_ok && current;
	if (act->n_peer_ops == before && !(p && !s))
		w->untouched_ok = w->untouched_ok && current;
}

int nwg_plan_peers_touched(struct nwg_action *act, const struct nwg_device *dev,
			   const struct nwg_hub_view *rec)
{
	struct walk w = {.rec_ok = true, .untouched_ok = true};
	size_t n;
	struct nwg_key *keys = keys_sorted(act->want, &n);
	const struct nwg_key **rm = n ? malloc(n * sizeof(*rm)) : NULL;

	act->touched = true;
	act->record_delta = false;
	act->touched_rec_ok = true;
	if (act->want->n_touched && (!keys || !rm)) {
		free(keys);
		free(rm);
		return -1;
	}
	if (n && !(act->peer_ops = calloc(n, sizeof(*act->peer_ops)))) {
		free(keys);
		free(rm);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		plan_key(act, dev, rec, &keys[i], rm, &w);
	for (size_t r = 0; r < w.n_rm; r++)
		nwg_plan_add_op(act, NWG_POP_REMOVE, rm[r], NULL, 0);
	act->touched_rec_ok = w.rec_ok;
	act->record_delta =
	    act->n_peer_ops && act->n_peer_ops <= NWG_PLAN_DELTA_MAX_OPS && w.untouched_ok;
	free(keys);
	free(rm);
	return 0;
}
