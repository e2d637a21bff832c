/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/peers.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Public keys are not secret: plain memcmp orders them. */
static int by_key(const void *a, const void *b)
{
	const struct nwg_peer *x = a, *y = b;

	return memcmp(x->public_key.b, y->public_key.b, sizeof(x->public_key.b));
}

void nwg_peers_sort(struct nwg_device *dev)
{
	if (dev && dev->n_peers > 1)
		qsort(dev->peers, dev->n_peers, sizeof(*dev->peers), by_key);
}

const struct nwg_peer *nwg_peers_find(const struct nwg_device *dev, const struct nwg_key *key)
{
	struct nwg_peer probe;

	if (!dev || !key || !dev->n_peers)
		return NULL;
	memcpy(probe.public_key.b, key->b, sizeof(probe.public_key.b));
	return bsearch(&probe, dev->peers, dev->n_peers, sizeof(*dev->peers), by_key);
}

static int rpeer_by_key(const void *a, const void *b)
{
	const struct nwg_repo_peer *x = a, *y = b;

	return memcmp(x->public_key.b, y->public_key.b, sizeof(x->public_key.b));
}

void nwg_rpeers_sort(struct nwg_repo_peer *v, size_t n)
{
	if (v && n > 1)
		qsort(v, n, sizeof(*v), rpeer_by_key);
}

size_t nwg_keyed_pos(const void *base, size_t n, size_t stride, size_t key_off,
		     const struct nwg_key *key, bool *found)
{
	const unsigned char *b = base;
	size_t lo = 0, hi = n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(b + mid * stride + key_off, key->b, sizeof(key->b));

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t nwg_rpeers_pos(const struct nwg_repo_peer *v, size_t n, const struct nwg_key *key,
		      bool *found)
{
	return nwg_keyed_pos(v, n, sizeof(*v), offsetof(struct nwg_repo_peer, public_key), key,
			     found);
}

struct kv {
	uint64_t pre; /* the key's first 8 bytes, big-endian: memcmp order */
	const void *p;
};

static const uint8_t *key_of(const void *p, size_t key_off)
{
	return ((const struct nwg_key *)((const char *)p + key_off))->b;
}

/* One stable counting pass on byte `shift / 8` of the prefix: from -> to. */
static void radix_pass(const struct kv *from, struct kv *to, size_t n, unsigned int shift)
{
	size_t count[257] = {0};

	for (size_t i = 0; i < n; i++)
		count[((from[i].pre >> shift) & 0xff) + 1]++;
	for (size_t b = 1; b < 257; b++)
		count[b] += count[b - 1];
	for (size_t i = 0; i < n; i++)
		to[count[(from[i].pre >> shift) & 0xff]++] = from[i];
}

/* Runs of equal prefixes: insertion sort on the whole key (stable). */
static void fix_runs(const void **v, const struct kv *s, size_t n, size_t key_off)
{
	for (size_t i = 0; i < n; i++) {
		const void *p = s[i].p;
		size_t j = i;

		while (j > 0 && s[j - 1].pre == s[i].pre &&
		       memcmp(key_of(v[j - 1], key_off), key_of(p, key_off),
			      sizeof(struct nwg_key)) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = p;
	}
}

int nwg_keys_sort(const void **v, size_t n, size_t key_off)
{
	struct kv *a, *b;

	if (n < 2)
		return 0;
	a = malloc(2 * n * sizeof(*a));
	if (!a)
		return -ENOMEM;
	b = a + n;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *k = key_of(v[i], key_off);

		a[i].p = v[i];
		a[i].pre = 0;
		for (int j = 0; j < 8; j++)
			a[i].pre = a[i].pre << 8 | k[j];
	}
	for (unsigned int shift = 0; shift < 64; shift += 16) { /* a -> b -> a */
		radix_pass(a, b, n, shift);
		radix_pass(b, a, n, shift + 8);
	}
	fix_runs(v, a, n, key_off);
	free(a);
	return 0;
}
