/* SPDX-License-Identifier: Apache-2.0 */
/* Kept spokes patched by binary search (desired_flat.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/desired_flat.h"

typedef const struct nwg_dspoke *sp_t;

static int key_of(sp_t s, const void *key)
{
	return memcmp(s->public_key.b, key, sizeof(s->public_key.b));
}

static int id_of(sp_t s, const void *id)
{
	return strcmp(s->port_id, id);
}

/* Lower bound of what in v[0..n) (sorted by cmp); *found: an equal entry. */
static size_t pos_of(sp_t *v, size_t n, int (*cmp)(sp_t, const void *), const void *what,
		     bool *found)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(v[mid], what) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < n && cmp(v[lo], what) == 0;
	return lo;
}

static void idx_del(sp_t *v, size_t n, size_t at)
{
	memmove(v + at, v + at + 1, (n - at - 1) * sizeof(*v));
}

static void idx_ins(sp_t *v, size_t n, size_t at, sp_t s)
{
	memmove(v + at + 1, v + at, (n - at) * sizeof(*v));
	v[at] = s;
}

static int id_sort(const void *a, const void *b)
{
	return strcmp((*(sp_t const *)a)->port_id, (*(sp_t const *)b)->port_id);
}

void nwg_dflat_touch_reset(struct nwg_dflat *f)
{
	f->n_touched = 0;
	f->touch_lost = false;
}

/* Notes a key the patch touched (lost on ENOMEM: the planner then walks
 * every peer). */
static void touch(struct nwg_dflat *f, const struct nwg_key *k)
{
	if (f->n_touched == f->cap_touched) {
		size_t cap = f->cap_touched * 2 + 8;
		struct nwg_key *v = realloc(f->touched, cap * sizeof(*v));

		if (!v) {
			f->touch_lost = true;
			return;
		}
		f->touched = v;
		f->cap_touched = cap;
	}
	f->touched[f->n_touched++] = *k;
}

int nwg_dflat_take(struct nwg_dflat *f, struct nwg_dhub *h)
{
	size_t n = h->n_spokes;
	sp_t *by_id = NULL, *by_key = h->by_key;

	if (h->n_skipped || (n > 1 && !by_key))
		return -EINVAL;
	if (n && (!(by_id = malloc(n * sizeof(*by_id))) ||
		  (!by_key && !(by_key = malloc(sizeof(*by_key)))))) {
		free(by_id);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		by_id[i] = &h->spokes[i];
	if (n == 1)
		by_key[0] = &h->spokes[0];
	if (n > 1)
		qsort(by_id, n, sizeof(*by_id), id_sort);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(by_id[i - 1]->port_id, by_id[i]->port_id) == 0) {
			if (by_key != h->by_key)
				free(by_key);
			free(by_id);
			return -EINVAL; /* a fresh parse keeps both: not patchable */
		}
	}
	nwg_dflat_free(f);
	f->spokes = h->spokes;
	f->by_key = by_key;
	f->by_id = by_id;
	f->n = f->cap = n;
	h->spokes = NULL;
	h->by_key = NULL;
	h->n_spokes = 0;
	return 0;
}

void nwg_dflat_lend(const struct nwg_dflat *f, struct nwg_dhub *h)
{
	h->spokes = f->spokes;
	h->by_key = f->by_key;
	h->n_spokes = f->n;
	h->patched = !f->touch_lost;
	h->touched = f->touched;
	h->n_touched = f->n_touched;
}

bool nwg_dflat_unlend(const struct nwg_dflat *f, struct nwg_dhub *h)
{
	if (!f->spokes || h->spokes != f->spokes)
		return false;
	h->spokes = NULL;
	h->by_key = NULL;
	h->n_spokes = 0;
	h->patched = false;
	h->touched = NULL;
	h->n_touched = 0;
	return true;
}

/* Room for one more spoke: a new array, the indexes rebased on it. */
static int grow(struct nwg_dflat *f)
{
	size_t cap = f->cap + f->cap / 2 + 16;
	struct nwg_dspoke *sp = calloc(cap, sizeof(*sp));
	sp_t *k = malloc(cap * sizeof(*k)), *id = malloc(cap * sizeof(*id));

	if (!sp || !k || !id) {
		free(sp);
		free(k);
		free(id);
		return -ENOMEM;
	}
	if (f->n)
		memcpy(sp, f->spokes, f->n * sizeof(*sp));
	for (size_t i = 0; i < f->n; i++) {
		k[i] = sp + (f->by_key[i] - f->spokes);
		id[i] = sp + (f->by_id[i] - f->spokes);
	}
	free(f->spokes);
	free(f->by_key);
	free(f->by_id);
	f->spokes = sp;
	f->by_key = k;
	f->by_id = id;
	f->cap = cap;
	return 0;
}

void nwg_dflat_remove(struct nwg_dflat *f, const char *port_id)
{
	bool found;
	size_t at = pos_of(f->by_id, f->n, id_of, port_id, &found), kat;
	struct nwg_dspoke *s, *last;

	if (!found)
		return;
	s = (struct nwg_dspoke *)f->by_id[at];
	touch(f, &s->public_key);
	idx_del(f->by_id, f->n, at);
	kat = pos_of(f->by_key, f->n, key_of, s->public_key.b, &found);
	idx_del(f->by_key, f->n, kat);
	nwg_dspoke_clear(s);
	last = &f->spokes[--f->n];
	if (s != last) { /* the last spoke fills the hole: its index entries follow */
		f->by_id[pos_of(f->by_id, f->n, id_of, last->port_id, &found)] = s;
		f->by_key[pos_of(f->by_key, f->n, key_of, last->public_key.b, &found)] = s;
		*s = *last;
		memset(last, 0, sizeof(*last));
	}
}

int nwg_dflat_upsert(struct nwg_dflat *f, struct nwg_dspoke *s)
{
	bool found, kfound;
	size_t at = pos_of(f->by_id, f->n, id_of, s->port_id, &found);
	size_t kat = pos_of(f->by_key, f->n, key_of, s->public_key.b, &kfound);
	struct nwg_dspoke *p = found ? (struct nwg_dspoke *)f->by_id[at] : NULL;

	if (kfound && f->by_key[kat] != p) {
		nwg_dspoke_clear(s);
		return -EINVAL; /* another spoke's key: a fresh parse would skip one */
	}
	touch(f, &s->public_key);
	if (p && !kfound)
		touch(f, &p->public_key); /* re-keyed: the old key goes */
	if (p && kfound) {		  /* same key: the fields change in place */
		nwg_dspoke_clear(p);
		*p = *s;
		memset(s, 0, sizeof(*s));
		return 0;
	}
	if (p) { /* re-keyed: its key index entry moves */
		size_t old = pos_of(f->by_key, f->n, key_of, p->public_key.b, &found);

		idx_del(f->by_key, f->n, old);
		nwg_dspoke_clear(p);
		*p = *s;
		kat = pos_of(f->by_key, f->n - 1, key_of, p->public_key.b, &kfound);
		idx_ins(f->by_key, f->n - 1, kat, p);
		memset(s, 0, sizeof(*s));
		return 0;
	}
	if (f->n == f->cap && grow(f) < 0) {
		nwg_dspoke_clear(s);
		return -ENOMEM;
	}
	p = &f->spokes[f->n];
	*p = *s;
	memset(s, 0, sizeof(*s));
	idx_ins(f->by_id, f->n, at, p);
	idx_ins(f->by_key, f->n, kat, p);
	f->n++;
	return 0;
}

size_t nwg_dflat_bytes(const struct nwg_dflat *f)
{
	size_t b = f->cap * (sizeof(*f->spokes) + sizeof(*f->by_key) + sizeof(*f->by_id)) +
		   f->cap_touched * sizeof(*f->touched);

	for (size_t i = 0; i < f->n; i++)
		b += f->spokes[i].n_allowed * sizeof(*f->spokes[i].allowed);
	return b;
}

void nwg_dflat_free(struct nwg_dflat *f)
{
	for (size_t i = 0; i < f->n; i++)
		nwg_dspoke_clear(&f->spokes[i]);
	free(f->spokes);
	free(f->by_key);
	free(f->by_id);
	free(f->touched);
	memset(f, 0, sizeof(*f));
}
