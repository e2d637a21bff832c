/* SPDX-License-Identifier: Apache-2.0 */
#include "repo_dupset.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static uint64_t hash_of(const struct nwg_repo_peer *p, bool by_key)
{
	return by_key ? hash(p->public_key.b, sizeof(p->public_key.b))
		      : hash(p->port_id, strlen(p->port_id));
}

/* Public keys are not secret: memcmp is enough. */
static bool same(const struct nwg_repo_peer *a, const struct nwg_repo_peer *b, bool by_key)
{
	return by_key ? memcmp(a->public_key.b, b->public_key.b, sizeof(a->public_key.b)) == 0
		      : strcmp(a->port_id, b->port_id) == 0;
}

static int grow(struct nwg_repo_dupset *s, const struct nwg_hub_record *rec, bool by_key)
{
	size_t cap = s->cap ? s->cap * 2 : 64, *slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (size_t k = 0; k < s->cap; k++) {
		size_t at;

		if (!s->slot[k])
			continue;
		at = hash_of(&rec->peers[s->slot[k] - 1], by_key) & (cap - 1);
		while (slot[at])
			at = (at + 1) & (cap - 1);
		slot[at] = s->slot[k];
	}
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
	return 0;
}

int nwg_repo_dupset_add(struct nwg_repo_dupset *s, const struct nwg_hub_record *rec, size_t i,
			bool by_key)
{
	size_t at;

	if ((s->n + 1) * 2 > s->cap && grow(s, rec, by_key) < 0)
		return -ENOMEM;
	at = hash_of(&rec->peers[i], by_key) & (s->cap - 1);
	for (; s->slot[at]; at = (at + 1) & (s->cap - 1)) {
		if (s->slot[at] - 1 != i &&
		    same(&rec->peers[s->slot[at] - 1], &rec->peers[i], by_key))
			return 1;
	}
	s->slot[at] = i + 1;
	s->n++;
	return 0;
}

void nwg_repo_dupset_clear(struct nwg_repo_dupset *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}
