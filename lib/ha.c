/* SPDX-License-Identifier: Apache-2.0 */
/* HA endpoint lists: snapshot of a device, text format and strict parser. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/ha.h"

#define EP_TEXT_MAX 64 /* "[v6]:port" fits in 48 */

/* Most recent handshake first; ties (never included) by key, so the order
 * is deterministic. */
static int recency_cmp(const void *a, const void *b)
{
	const struct nwg_peer *p = *(const struct nwg_peer *const *)a;
	const struct nwg_peer *q = *(const struct nwg_peer *const *)b;

	if (p->last_handshake.tv_sec != q->last_handshake.tv_sec)
		return p->last_handshake.tv_sec > q->last_handshake.tv_sec ? -1 : 1;
	if (p->last_handshake.tv_nsec != q->last_handshake.tv_nsec)
		return p->last_handshake.tv_nsec > q->last_handshake.tv_nsec ? -1 : 1;
	return memcmp(&p->public_key, &q->public_key, NWG_KEY_LEN);
}

int nwg_ha_snapshot(const struct nwg_device *dev, struct nwg_ha_ep **out, size_t *n)
{
	const struct nwg_peer **by;
	struct nwg_ha_ep *v;
	size_t k = 0, m = 0;

	if (!dev || !out || !n)
		return -EINVAL;
	v = calloc(dev->n_peers ? dev->n_peers : 1, sizeof(*v));
	by = calloc(dev->n_peers ? dev->n_peers : 1, sizeof(*by));
	if (!v || !by) {
		free(v);
		free(by);
		return -ENOMEM;
	}
	for (size_t i = 0; i < dev->n_peers; i++) {
		sa_family_t f = dev->peers[i].endpoint.sa.sa_family;

		if (f == AF_INET || f == AF_INET6)
			by[m++] = &dev->peers[i];
	}
	qsort(by, m, sizeof(*by), recency_cmp);
	for (; k < m && k < NWG_HA_MAX_EPS; k++) {
		v[k].pub = by[k]->public_key;
		v[k].ep = by[k]->endpoint;
	}
	free(by);
	*out = v;
	*n = k;
	return 0;
}

int nwg_ha_format(const struct nwg_ha_ep *v, size_t n, char **text, size_t *len)
{
	size_t cap = n * (NWG_KEY_B64_LEN + EP_TEXT_MAX + 2) + 1, off = 0;
	char *s;

	if ((!v && n) || !text || n > NWG_HA_MAX_EPS)
		return -EINVAL;
	s = malloc(cap);
	if (!s)
		return -ENOMEM;
	s[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char b64[NWG_KEY_B64_LEN + 1], ep[EP_TEXT_MAX];
		int w;

		nwg_key_to_b64(b64, &v[i].pub);
		if (nwg_endpoint_format(&v[i].ep, ep, sizeof(ep)) <= 0) {
			free(s);
			return -EINVAL;
		}
		w = snprintf(s + off, cap - off, "%s %s\n", b64, ep);
		if (w < 0 || (size_t)w >= cap - off) {
			free(s);
			return -ENOSPC;
		}
		off += (size_t)w;
	}
	*text = s;
	if (len)
		*len = off;
	return 0;
}

/* One "<key> <endpoint>" line (without its newline) into e. */
static int parse_line(struct nwg_ha_ep *e, const char *s, size_t len)
{
	char ep[EP_TEXT_MAX];
	size_t eplen;

	if (len <= NWG_KEY_B64_LEN + 1 || s[NWG_KEY_B64_LEN] != ' ')
		return -EINVAL;
	if (nwg_key_from_b64(&e->pub, s, NWG_KEY_B64_LEN) < 0)
		return -EINVAL;
	eplen = len - NWG_KEY_B64_LEN - 1;
	if (eplen >= sizeof(ep) || memchr(s + NWG_KEY_B64_LEN + 1, '\0', eplen))
		return -EINVAL;
	memcpy(ep, s + NWG_KEY_B64_LEN + 1, eplen);
	ep[eplen] = '\0';
	return nwg_endpoint_parse(&e->ep, ep);
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, NWG_KEY_LEN); /* public keys: no secret to time */
}

/* Any key twice? O(n log n) on a copy of the keys. */
static int has_duplicate(const struct nwg_ha_ep *v, size_t n)
{
	struct nwg_key *k;
	int dup = 0;

	if (n < 2)
		return 0;
	k = malloc(n * sizeof(*k));
	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		k[i] = v[i].pub;
	qsort(k, n, sizeof(*k), key_cmp);
	for (size_t i = 1; i < n && !dup; i++)
		dup = memcmp(&k[i - 1], &k[i], NWG_KEY_LEN) == 0;
	free(k);
	return dup;
}

int nwg_ha_parse(const char *text, size_t len, struct nwg_ha_ep **out, size_t *n,
		 struct nwg_err *err)
{
	struct nwg_ha_ep *v = NULL;
	size_t k = 0, cap = 0, off = 0;

	if ((!text && len) || !out || !n)
		return nwg_err_set(err, EINVAL, "endpoint list: bad arguments");
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - (text + off)) : 0;

		if (!nl || k >= NWG_HA_MAX_EPS)
			goto bad;
		if (k == cap) {
			struct nwg_ha_ep *g = realloc(v, (cap ? cap * 2 : 16) * sizeof(*v));

			if (!g) {
				free(v);
				return nwg_err_set(err, ENOMEM, "endpoint list: out of memory");
			}
			v = g;
			cap = cap ? cap * 2 : 16;
		}
		if (parse_line(&v[k], text + off, ll) < 0)
			goto bad;
		k++;
		off += ll + 1;
	}
	if (has_duplicate(v, k)) {
		free(v);
		return nwg_err_set(err, EINVAL, "endpoint list: a public key is listed twice");
	}
	*out = v;
	*n = k;
	return 0;
bad:
	free(v);
	return nwg_err_set(err, EINVAL,
			   "endpoint list line %zu: want \"<base64 key> <addr:port>\\n\" "
			   "(numeric, at most %d lines)",
			   k + 1, NWG_HA_MAX_EPS);
}
