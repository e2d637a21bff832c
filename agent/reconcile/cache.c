/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "nwg/rtnl.h"
#include "reconcile/peers.h"
#include "reconcile/record.h"
#include "strv.h"

/* More peer operations than this in one action: the entry is dropped and the
 * next pass reads the device (applying them one by one to the model would
 * cost more than the read). */
#define NWG_ACACHE_MAX_OPS 256

static void ent_free(struct nwg_acache_ent *e)
{
	nwg_strv_free(e->link.addrs);
	nwg_device_free(e->link.dev);
	nwg_hub_view_free(e->rec);
	memset(e, 0, sizeof(*e));
}

/* Frees the dead entries once no actual state borrows them. */
static void sweep(struct nwg_acache *c)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].dead)
			ent_free(&c->v[i]);
		else
			c->v[k++] = c->v[i];
	}
	c->n = k;
	if (!k) {
		free(c->v);
		c->v = NULL;
	}
}

void nwg_acache_clear(struct nwg_acache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		c->v[i].dead = true;
	if (!c->lent)
		sweep(c);
}

static struct nwg_acache_ent *find(const struct nwg_acache *c, const char *port_id)
{
	for (size_t i = 0; c && port_id && i < c->n; i++) {
		if (!c->v[i].dead && strcmp(c->v[i].link.port_id, port_id) == 0)
			return &c->v[i];
	}
	return NULL;
}

const struct nwg_acache_ent *nwg_acache_find(const struct nwg_acache *c, const char *port_id)
{
	return find(c, port_id);
}

void nwg_acache_drop(struct nwg_acache *c, const char *port_id)
{
	struct nwg_acache_ent *e = find(c, port_id);

	if (!e)
		return;
	e->dead = true;
	c->drops++;
	if (!c->lent)
		sweep(c);
}

/* Only a hub in its normal state is cached: link, readable device holding
 * the record's key (public keys compared), record. */
static bool cacheable(const struct nwg_alink *l, const struct nwg_hub_view *rec)
{
	return l && rec && nwg_alink_key_matches(l, rec);
}

static int ent_make(struct nwg_acache_ent *e, const struct nwg_alink *l,
		    const struct nwg_hub_view *rec)
{
	memset(e, 0, sizeof(*e));
	e->link = *l;
	e->link.addrs = NULL;
	e->link.dev = nwg_device_dup_public(l->dev);
	e->rec = nwg_hub_view_dup(rec);
	if (!e->link.dev || !e->rec || nwg_strv_dup(&e->link.addrs, l->addrs) < 0) {
		ent_free(e);
		return -ENOMEM;
	}
	nwg_peers_sort(e->link.dev);
	nwg_rpeers_sort(e->rec->peers, e->rec->n_peers);
	/* as a read gives it: the device holds the record's (private) key */
	e->link.dev->public_key = e->rec->public_key;
	e->link.dev->flags |= NWG_DEV_HAS_PRIVATE_KEY;
	return 0;
}

static bool ent_same(const struct nwg_acache_ent *a, const struct nwg_acache_ent *b)
{
	return strcmp(a->link.ifname, b->link.ifname) == 0 &&
	       strcmp(a->link.netns, b->link.netns) == 0 && a->link.up == b->link.up &&
	       a->link.mtu == b->link.mtu && a->link.dev->listen_port == b->link.dev->listen_port &&
	       nwg_device_peers_same(a->link.dev, b->link.dev) && nwg_hub_view_same(a->rec, b->rec);
}

static int put(struct nwg_acache *c, struct nwg_acache_ent *e)
{
	struct nwg_acache_ent *v = realloc(c->v, (c->n + 1) * sizeof(*v));

	if (!v) {
		ent_free(e);
		return -ENOMEM;
	}
	c->v = v;
	v[c->n++] = *e;
	return 0;
}

int nwg_acache_fill(struct nwg_acache *c, const struct nwg_actual *a, bool full)
{
	struct nwg_acache old = *c;
	int drift = 0;

	if (c->lent)
		return -EBUSY;
	if (full) {
		c->v = NULL;
		c->n = 0;
	}
	for (size_t i = 0; a && i < a->n_links; i++) {
		const struct nwg_alink *l = &a->links[i];
		const struct nwg_acache_ent *was = full ? find(&old, l->port_id) : NULL;
		struct nwg_acache_ent e;

		if (!full)
			nwg_acache_drop(c, l->port_id);
		if (!cacheable(l, nwg_actual_find_record(a, l->port_id)))
			continue;
		if (ent_make(&e, l, nwg_actual_find_record(a, l->port_id)) < 0 || put(c, &e) < 0) {
			nwg_acache_clear(c);
			drift = -ENOMEM;
			break;
		}
		if (was && !ent_same(was, &e)) {
			log_warn("hub %s: the system differs from what the agent last applied "
				 "(changed outside the agent?): cache refreshed",
				 l->port_id);
			drift++;
		}
	}
	if (full) {
		c->drift += drift > 0 ? (uint64_t)drift : 0;
		c->hits = old.hits, c->misses = old.misses, c->drops = old.drops;
		nwg_acache_clear(&old);
	}
	return drift;
}

/* The last lent actual state is freed: dead entries go. */
static void give_back(void *lender)
{
	struct nwg_acache *c = lender;

	if (c->lent && --c->lent == 0)
		sweep(c);
}

/* The cached hub as part of an actual state, lent (not copied). */
static int ent_out(struct nwg_actual *a, const struct nwg_acache_ent *e)
{
	struct nwg_hub_view **recs = realloc(a->recs, (a->n_recs + 1) * sizeof(*recs));
	struct nwg_alink *l;

	if (!recs)
		return -ENOMEM;
	a->recs = recs;
	if (!(l = nwg_actual_add_link(a)))
		return -ENOMEM;
	*l = e->link;
	l->synced = e->synced;
	a->n_lent_links++;
	recs[a->n_recs++] = e->rec;
	a->n_lent_recs++;
	return 0;
}

int nwg_acache_actual(struct nwg_acache *c, const char *const *ids, size_t n,
		      struct nwg_actual **out)
{
	struct nwg_actual *a;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!find(c, ids[i])) {
			c->misses++;
			return 0;
		}
	}
	if (!n || !(a = nwg_actual_new()))
		return n ? -ENOMEM : 0;
	c->lent++;
	a->release = give_back;
	a->lender = c;
	for (size_t i = 0; i < n; i++) {
		/* a scope naming the same hub twice yields it once, as a read does */
		if (!nwg_actual_find_link(a, ids[i]) && ent_out(a, find(c, ids[i])) < 0) {
			nwg_actual_free(a);
			return -ENOMEM;
		}
	}
	c->hits++;
	*out = a;
	return 1;
}

static int apply_peers(struct nwg_acache_ent *e, const struct nwg_action *act)
{
	struct nwg_device *set = NULL;
	size_t taken = 0;
	int r = nwg_exec_peer_device(act, e->link.ifname, &set, NULL);

	if (r >= 0)
		r = nwg_device_apply_taken(e->link.dev, set, &taken);
	nwg_device_free(set);
	if (taken)
		e->synced = false; /* a peer lost an allowed IP it is meant to have */
	return r;
}

/* The peer just appended to rec moves to its place in key order (the records
 * this agent builds are in key order: the planner then need not sort them). */
static void place_last(struct nwg_hub_view *rec)
{
	struct nwg_repo_peer last = rec->peers[rec->n_peers - 1];
	size_t lo = 0, hi = rec->n_peers - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(rec->peers[mid].public_key.b, last.public_key.b,
			   sizeof(last.public_key.b)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&rec->peers[lo + 1], &rec->peers[lo],
		(rec->n_peers - 1 - lo) * sizeof(*rec->peers));
	rec->peers[lo] = last;
}

/* The record after a journaled change: the ops applied to the cached record,
 * as the journal applies them on load (O(changes), no rebuild). */
static int apply_record_delta(struct nwg_acache_ent *e, const struct nwg_action *act)
{
	struct nwg_hub_view *rec = e->rec;

	for (size_t i = 0; i < act->n_peer_ops; i++) {
		const struct nwg_peer_op *op = &act->peer_ops[i];
		bool found;
		size_t at = nwg_rpeers_pos(rec->peers, rec->n_peers, &op->key, &found);

		if (found) { /* removed, or replaced by its new state */
			nwg_strv_free(rec->peers[at].allowed_ips);
			memmove(&rec->peers[at], &rec->peers[at + 1],
				(rec->n_peers - at - 1) * sizeof(*rec->peers));
			rec->n_peers--;
		}
		if (op->op == NWG_POP_REMOVE)
			continue;
		if (nwg_hub_view_add_spoke(rec, op->spoke) < 0)
			return -ENOMEM;
		place_last(rec);
	}
	return 0;
}

/* The record exec saved (its view). */
static int apply_record(struct nwg_acache_ent *e, const struct nwg_action *act,
			const struct nwg_exec_out *out)
{
	struct nwg_hub_view *rec = nwg_exec_view(act, out);

	struct nwg_hub_view was;

	if (!rec)
		return -ENOMEM;
	nwg_rpeers_sort(rec->peers, rec->n_peers);
	/* in place: a lent actual state (and the action) point at e->rec */
	was = *e->rec;
	*e->rec = *rec;
	*rec = was;
	nwg_hub_view_free(rec);
	return 0;
}

void nwg_acache_applied(struct nwg_acache *c, const struct nwg_action *act,
			const struct nwg_exec_out *out, int rc)
{
	const unsigned int kept = NWG_FIX_PEERS | NWG_FIX_RECORD;
	struct nwg_acache_ent *e = act ? find(c, act->port_id) : NULL;

	if (!e)
		return;
	/* in sync with this pass's desired state, unless a peer loses an IP */
	e->synced = rc >= 0 && act->want && !act->want->ha && !act->standby;
	if (rc >= 0 && act->kind == NWG_ACT_ADOPT)
		return;
	if (rc < 0 || act->kind != NWG_ACT_UPDATE || !act->want || !out || (act->fix & ~kept) ||
	    act->n_peer_ops > NWG_ACACHE_MAX_OPS ||
	    ((act->fix & NWG_FIX_PEERS) && apply_peers(e, act) < 0) ||
	    ((act->fix & NWG_FIX_RECORD) &&
	     (act->record_delta ? apply_record_delta(e, act) : apply_record(e, act, out)) < 0))
		nwg_acache_drop(c, act->port_id);
}
