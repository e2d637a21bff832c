/* SPDX-License-Identifier: Apache-2.0 */
/* The device model as the cache keeps it: copies without the private key,
 * set requests applied with the kernel's and wireguard-go's semantics. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/cache.h"
#include "reconcile/peers.h"

static int peer_copy(struct nwg_peer *to, const struct nwg_peer *from)
{
	*to = *from;
	to->allowedips = NULL;
	to->n_allowedips = 0;
	if (!from->n_allowedips)
		return 0;
	to->allowedips = malloc(from->n_allowedips * sizeof(*to->allowedips));
	if (!to->allowedips)
		return -ENOMEM;
	memcpy(to->allowedips, from->allowedips, from->n_allowedips * sizeof(*to->allowedips));
	to->n_allowedips = from->n_allowedips;
	return 0;
}

struct nwg_device *nwg_device_dup_public(const struct nwg_device *d)
{
	struct nwg_device *c = d ? nwg_device_new(d->name) : NULL;

	if (!c)
		return NULL;
	c->flags = d->flags & ~(uint32_t)NWG_DEV_HAS_PRIVATE_KEY;
	c->public_key = d->public_key;
	c->listen_port = d->listen_port;
	if (d->n_peers && !(c->peers = calloc(d->n_peers, sizeof(*c->peers)))) {
		nwg_device_free(c);
		return NULL;
	}
	for (size_t i = 0; i < d->n_peers; i++) {
		if (peer_copy(&c->peers[i], &d->peers[i]) < 0) {
			nwg_device_free(c);
			return NULL;
		}
		c->n_peers++;
	}
	return c;
}

/* Index of key in the sorted peers, or where it would go (*found false). */
static size_t peer_pos(const struct nwg_device *dev, const struct nwg_key *key, bool *found)
{
	return nwg_keyed_pos(dev->peers, dev->n_peers, sizeof(*dev->peers),
			     offsetof(struct nwg_peer, public_key), key, found);
}

static struct nwg_peer *peer_insert(struct nwg_device *dev, size_t at, const struct nwg_key *key)
{
	struct nwg_peer *v = realloc(dev->peers, (dev->n_peers + 1) * sizeof(*v));

	if (!v)
		return NULL;
	dev->peers = v;
	memmove(&v[at + 1], &v[at], (dev->n_peers - at) * sizeof(*v));
	dev->n_peers++;
	memset(&v[at], 0, sizeof(*v));
	v[at].public_key = *key;
	return &v[at];
}

static void peer_remove(struct nwg_device *dev, size_t at)
{
	free(dev->peers[at].allowedips);
	memmove(&dev->peers[at], &dev->peers[at + 1],
		(dev->n_peers - at - 1) * sizeof(*dev->peers));
	dev->n_peers--;
}

static bool aip_eq(const struct nwg_allowedip *a, const struct nwg_allowedip *b)
{
	if (a->family != b->family || a->cidr != b->cidr)
		return false;
	return a->family == AF_INET ? a->ip4.s_addr == b->ip4.s_addr
				    : memcmp(&a->ip6, &b->ip6, sizeof(a->ip6)) == 0;
}

static bool aip_del(struct nwg_peer *p, const struct nwg_allowedip *a)
{
	for (size_t i = 0; i < p->n_allowedips; i++) {
		if (aip_eq(&p->allowedips[i], a)) {
			p->allowedips[i] = p->allowedips[--p->n_allowedips];
			return true;
		}
	}
	return false;
}

/* An allowed IP belongs to one peer: adding it takes it from any other
 * (counted in *taken). */
static int aip_add(struct nwg_device *dev, struct nwg_peer *p, const struct nwg_allowedip *a,
		   size_t *taken)
{
	struct nwg_allowedip *v;

	for (size_t i = 0; i < dev->n_peers; i++) {
		if (aip_del(&dev->peers[i], a) && &dev->peers[i] != p)
			(*taken)++;
	}
	v = realloc(p->allowedips, (p->n_allowedips + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	p->allowedips = v;
	v[p->n_allowedips++] = *a;
	return 0;
}

static int apply_peer(struct nwg_device *dev, const struct nwg_peer *s, size_t *taken)
{
	bool found;
	size_t at = peer_pos(dev, &s->public_key, &found);
	struct nwg_peer *p;

	if (s->flags & NWG_PEER_REMOVE) {
		if (found)
			peer_remove(dev, at);
		return 0;
	}
	if (!found && (s->flags & NWG_PEER_UPDATE_ONLY))
		return 0;
	p = found ? &dev->peers[at] : peer_insert(dev, at, &s->public_key);
	if (!p)
		return -ENOMEM;
	if (s->flags & NWG_PEER_REPLACE_ALLOWEDIPS)
		p->n_allowedips = 0;
	for (size_t i = 0; i < s->n_allowedips; i++) {
		/* p stays valid: aip_add never moves the peers array */
		if (aip_add(dev, p, &s->allowedips[i], taken) < 0)
			return -ENOMEM;
	}
	if (s->flags & NWG_PEER_HAS_ENDPOINT)
		p->endpoint = s->endpoint;
	if (s->flags & NWG_PEER_HAS_KEEPALIVE)
		p->persistent_keepalive = s->persistent_keepalive;
	return 0;
}

int nwg_device_apply(struct nwg_device *dev, const struct nwg_device *set)
{
	return nwg_device_apply_taken(dev, set, NULL);
}

int nwg_device_apply_taken(struct nwg_device *dev, const struct nwg_device *set, size_t *taken)
{
	size_t none = 0;

	if (!taken)
		taken = &none;
	if (!dev || !set)
		return -EINVAL;
	if (set->flags & NWG_DEV_REPLACE_PEERS) {
		while (dev->n_peers)
			peer_remove(dev, dev->n_peers - 1);
	}
	for (size_t i = 0; i < set->n_peers; i++) {
		int r = apply_peer(dev, &set->peers[i], taken);

		if (r < 0)
			return r;
	}
	return 0;
}

static bool aips_same(const struct nwg_peer *a, const struct nwg_peer *b)
{
	if (a->n_allowedips != b->n_allowedips)
		return false;
	for (size_t i = 0; i < a->n_allowedips; i++) {
		bool found = false;

		for (size_t k = 0; k < b->n_allowedips && !found; k++)
			found = aip_eq(&a->allowedips[i], &b->allowedips[k]);
		if (!found)
			return false;
	}
	return true;
}

bool nwg_device_peers_same(const struct nwg_device *a, const struct nwg_device *b)
{
	if (!a || !b || a->n_peers != b->n_peers)
		return false;
	for (size_t i = 0; i < a->n_peers; i++) {
		const struct nwg_peer *p = &a->peers[i], *q = nwg_peers_find(b, &p->public_key);

		if (!q || p->persistent_keepalive != q->persistent_keepalive || !aips_same(p, q))
			return false;
	}
	return true;
}
