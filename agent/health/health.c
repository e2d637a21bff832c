/* SPDX-License-Identifier: Apache-2.0 */
/* Spoke health: the pure state diff and the table of reported states. */
#include "health/health.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool fresh(int64_t hs, int64_t now, int stale)
{
	return hs > 0 && now - hs < stale;
}

/* Observations sorted by port id (stable: equal ids in their order). */
struct obs_ref {
	const char *id;
	size_t i;
};

static int by_ref(const void *a, const void *b)
{
	const struct obs_ref *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Sorted references to the observations that have a port id; *m of them. */
static struct obs_ref *sorted_obs(const struct nwg_health_obs *obs, size_t n, size_t *m)
{
	struct obs_ref *r = calloc(n ? n : 1, sizeof(*r));

	*m = 0;
	for (size_t i = 0; r && i < n; i++) {
		if (obs[i].port_id)
			r[(*m)++] = (struct obs_ref){obs[i].port_id, i};
	}
	if (r)
		qsort(r, *m, sizeof(*r), by_ref);
	return r;
}

/* Per observation: 0 = not the first of its port id, 1 = first and stale
 * everywhere, 2 = first and fresh on some hub. O(n log n). */
static unsigned char *first_fresh(const struct nwg_health_obs *obs, size_t n, int64_t now,
				  int stale)
{
	unsigned char *mark = calloc(n ? n : 1, 1);
	size_t m, g, k;
	struct obs_ref *r = mark ? sorted_obs(obs, n, &m) : NULL;

	if (!r) {
		free(mark);
		return NULL;
	}
	for (g = 0; g < m; g = k) {
		bool up = false;

		for (k = g; k < m && strcmp(r[k].id, r[g].id) == 0; k++)
			up |= fresh(obs[r[k].i].handshake, now, stale);
		mark[r[g].i] = up ? 2 : 1; /* r[g] is the first: the sort is stable by index */
	}
	free(r);
	return mark;
}

int nwg_health_diff(const struct nwg_health *prev, const struct nwg_health_obs *obs, size_t n,
		    int64_t now, int stale, struct nwg_health_changes *out)
{
	unsigned char *mark;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return 0;
	out->up = calloc(n, sizeof(*out->up));
	out->down = calloc(n, sizeof(*out->down));
	mark = first_fresh(obs, n, now, stale);
	if (!out->up || !out->down || !mark) {
		free(mark);
		nwg_health_changes_free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		enum nwg_health_state was;
		bool up = mark[i] == 2;

		if (!mark[i])
			continue;
		was = nwg_health_get(prev, obs[i].port_id);
		if (up && was != NWG_HEALTH_UP)
			out->up[out->n_up++] = obs[i].port_id;
		else if (!up && was != NWG_HEALTH_DOWN)
			out->down[out->n_down++] = obs[i].port_id;
	}
	free(mark);
	return 0;
}

void nwg_health_changes_free(struct nwg_health_changes *c)
{
	free(c->up);
	free(c->down);
	memset(c, 0, sizeof(*c));
}

static int by_id(const void *a, const void *b)
{
	const struct nwg_health_ent *x = a, *y = b;

	return strcmp(x->port_id, y->port_id);
}

/* The entry for port_id: binary search in the sorted part, then the tail. */
static struct nwg_health_ent *find(const struct nwg_health *h, const char *port_id)
{
	struct nwg_health_ent probe = {.port_id = (char *)port_id}, *e;

	if (!h || !port_id || !h->n)
		return NULL;
	e = h->n_sorted ? bsearch(&probe, h->v, h->n_sorted, sizeof(*h->v), by_id) : NULL;
	for (size_t i = h->n_sorted; !e && i < h->n; i++) {
		if (strcmp(h->v[i].port_id, port_id) == 0)
			e = &h->v[i];
	}
	return e;
}

static void settle(struct nwg_health *h)
{
	if (h->n_sorted < h->n)
		qsort(h->v, h->n, sizeof(*h->v), by_id);
	h->n_sorted = h->n;
}

enum nwg_health_state nwg_health_get(const struct nwg_health *h, const char *port_id)
{
	const struct nwg_health_ent *e = find(h, port_id);

	return e ? e->state : NWG_HEALTH_UNKNOWN;
}

int nwg_health_set(struct nwg_health *h, const char *port_id, enum nwg_health_state st)
{
	struct nwg_health_ent *v, *e = find(h, port_id);

	if (e) {
		e->state = st;
		return 0;
	}
	v = realloc(h->v, (h->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	h->v = v;
	if (!(v[h->n].port_id = strdup(port_id)))
		return -ENOMEM;
	v[h->n++].state = st;
	/* the unsorted tail stays short: re-sorted once it passes 1/8 of the
	 * table (geometric, so n inserts cost O(n log n) in all) */
	if (h->n - h->n_sorted > 16 && h->n - h->n_sorted > h->n_sorted / 8)
		settle(h);
	return 0;
}

void nwg_health_forget(struct nwg_health *h, const char *port_id)
{
	struct nwg_health_ent *e = find(h, port_id);
	size_t i;

	if (!e)
		return;
	i = (size_t)(e - h->v);
	free(e->port_id);
	/* keeps the sorted part sorted, and the tail after it */
	memmove(e, e + 1, (h->n - i - 1) * sizeof(*e));
	h->n--;
	if (i < h->n_sorted)
		h->n_sorted--;
}

void nwg_health_prune(struct nwg_health *h, const struct nwg_health_obs *obs, size_t n)
{
	size_t m, k = 0;
	struct obs_ref *r = sorted_obs(obs, n, &m);

	if (!r)
		return; /* out of memory: nothing forgotten, pruned next pass */
	for (size_t i = 0; i < h->n; i++) {
		struct obs_ref probe = {h->v[i].port_id, 0};
		size_t lo = 0, hi = m;

		while (lo < hi) { /* first ref >= probe: the id itself if observed */
			size_t mid = lo + (hi - lo) / 2;

			if (by_ref(&r[mid], &probe) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < m && strcmp(r[lo].id, probe.id) == 0)
			h->v[k++] = h->v[i];
		else
			free(h->v[i].port_id);
	}
	free(r);
	h->n_sorted = h->n_sorted == h->n ? k : 0; /* compaction keeps the order */
	h->n = k;
	settle(h);
}

void nwg_health_clear(struct nwg_health *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].port_id);
	free(h->v);
	h->v = NULL;
	h->n = 0;
	h->n_sorted = 0;
}
