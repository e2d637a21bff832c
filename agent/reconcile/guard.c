/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/guard.h"

#include <string.h>

#include "strv.h"

#define HELD_REASON                                                                                \
	"deletion held by the mass-deletion guard: waiting for a second full answer at least "     \
	"one resync interval later"

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static bool too_many(size_t n_del, size_t n_present, unsigned int percent)
{
	if (!percent || !n_del)
		return false;
	if (n_del >= n_present)
		return true;
	return n_present > 4 && n_del * 100 > (size_t)percent * n_present;
}

int nwg_guard_vouch(struct nwg_guard *g, const char *port_id)
{
	return nwg_strv_push(&g->vouched, port_id);
}

void nwg_guard_clear(struct nwg_guard *g)
{
	nwg_strv_free(g->vouched);
	memset(g, 0, sizeof(*g));
}

static bool vouched(const struct nwg_guard *g, const char *port_id)
{
	for (size_t i = 0; g->vouched && g->vouched[i]; i++) {
		if (strcmp(g->vouched[i], port_id) == 0)
			return true;
	}
	return false;
}

size_t nwg_guard_deletes(struct nwg_guard *g, struct nwg_plan *p, bool full,
			 const struct nwg_guard_opts *o, int64_t now_ms)
{
	size_t n_del = 0, n_present = 0;
	uint64_t sig = 0;

	if (!g || !p || !o || !full)
		return 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct nwg_action *a = &p->acts[i];

		if (a->kind == NWG_ACT_DELETE && vouched(g, a->port_id))
			continue; /* the server named it as gone: not part of a mass deletion */
		n_present += a->rec || a->link || a->kind == NWG_ACT_DELETE;
		if (a->kind == NWG_ACT_DELETE) {
			n_del++;
			sig += fnv1a(a->port_id) * 2 + 1; /* order-free */
		}
	}
	if (!too_many(n_del, n_present, o->percent)) {
		nwg_guard_clear(g);
		return 0;
	}
	if (g->held_since_ms && g->held_sig == sig && g->held_n == n_del &&
	    now_ms - g->held_since_ms >= o->confirm_ms) {
		nwg_guard_clear(g); /* confirmed: apply */
		return 0;
	}
	if (!g->held_since_ms || g->held_sig != sig || g->held_n != n_del) {
		g->held_since_ms = now_ms;
		g->held_sig = sig;
		g->held_n = n_del;
	}
	for (size_t i = 0; i < p->n; i++) {
		if (p->acts[i].kind == NWG_ACT_DELETE && !vouched(g, p->acts[i].port_id)) {
			p->acts[i].kind = NWG_ACT_SKIP;
			p->acts[i].reason = HELD_REASON;
		}
	}
	nwg_strv_free(g->vouched); /* those were deleted */
	g->vouched = NULL;
	return n_del;
}
