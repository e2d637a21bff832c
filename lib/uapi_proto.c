/* SPDX-License-Identifier: Apache-2.0 */
/* wireguard-go UAPI: serialising a set request (pure, no I/O). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/secmem.h"
#include "wg_backend.h"

#define SBUF_MAX (64U << 20) /* refuse to build requests larger than 64 MiB */

/* A growable string in secure memory whose old copies are wiped (it carries
 * a private key). */
struct sbuf {
	char *p;
	size_t len, cap;
	int err;
};

static void sbuf_grow(struct sbuf *s, size_t need)
{
	size_t cap = s->cap ? s->cap : 512;
	char *n;

	while (cap < need && cap <= SBUF_MAX)
		cap *= 2;
	if (cap < need || cap > SBUF_MAX) {
		s->err = -EMSGSIZE;
		return;
	}
	n = nwg_secmem_alloc(cap);
	if (!n) {
		s->err = -ENOMEM;
		return;
	}
	if (s->p) {
		memcpy(n, s->p, s->len);
		nwg_secmem_free(s->p); /* wipes */
	}
	s->p = n;
	s->cap = cap;
}

static void sbuf_add(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sbuf_add(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		s->err = -EINVAL;
		return;
	}
	if (s->len + (size_t)n + 1 > s->cap)
		sbuf_grow(s, s->len + (size_t)n + 1);
	if (s->err)
		return;
	va_start(ap, fmt);
	vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

static void sbuf_add_key(struct sbuf *s, const char *name, const struct nwg_key *k)
{
	char hex[NWG_KEY_HEX_LEN + 1];

	nwg_key_to_hex(hex, k);
	sbuf_add(s, "%s=%s\n", name, hex);
	nwg_wipe(hex, sizeof(hex));
}

static int format_endpoint(struct sbuf *s, const union nwg_endpoint *e)
{
	char buf[INET6_ADDRSTRLEN + 16];

	if (e->sa.sa_family != AF_INET && e->sa.sa_family != AF_INET6)
		return -EINVAL;
	if (nwg_endpoint_format(e, buf, sizeof(buf)) < 0)
		return -EINVAL;
	sbuf_add(s, "endpoint=%s\n", buf);
	return 0;
}

static int format_allowedips(struct sbuf *s, const struct nwg_peer *p)
{
	char buf[INET6_ADDRSTRLEN + 8];

	if (p->n_allowedips && !p->allowedips)
		return -EINVAL;
	for (size_t i = 0; i < p->n_allowedips; i++) {
		const struct nwg_allowedip *a = &p->allowedips[i];

		if (!((a->family == AF_INET && a->cidr <= 32) ||
		      (a->family == AF_INET6 && a->cidr <= 128)))
			return -EINVAL;
		if (nwg_allowedip_format(a, buf, sizeof(buf)) < 0)
			return -EINVAL;
		sbuf_add(s, "allowed_ip=%s\n", buf);
	}
	return 0;
}

static int format_peer(struct sbuf *s, const struct nwg_peer *p)
{
	int r;

	sbuf_add_key(s, "public_key", &p->public_key);
	if (p->flags & NWG_PEER_REMOVE) {
		sbuf_add(s, "remove=true\n");
		return 0;
	}
	if (p->flags & NWG_PEER_UPDATE_ONLY)
		sbuf_add(s, "update_only=true\n");
	if (p->flags & NWG_PEER_HAS_ENDPOINT) {
		r = format_endpoint(s, &p->endpoint);
		if (r < 0)
			return r;
	}
	if (p->flags & NWG_PEER_HAS_KEEPALIVE)
		sbuf_add(s, "persistent_keepalive_interval=%u\n",
			 (unsigned)p->persistent_keepalive);
	if (p->flags & NWG_PEER_REPLACE_ALLOWEDIPS)
		sbuf_add(s, "replace_allowed_ips=true\n");
	return format_allowedips(s, p);
}

static int format_device(struct sbuf *s, const struct nwg_device *dev)
{
	int r;

	sbuf_add(s, "set=1\n");
	if (dev->flags & NWG_DEV_HAS_PRIVATE_KEY)
		sbuf_add_key(s, "private_key", &dev->private_key);
	if (dev->flags & NWG_DEV_HAS_LISTEN_PORT)
		sbuf_add(s, "listen_port=%u\n", (unsigned)dev->listen_port);
	if (dev->flags & NWG_DEV_REPLACE_PEERS)
		sbuf_add(s, "replace_peers=true\n");
	if (dev->n_peers && !dev->peers)
		return -EINVAL;
	for (size_t i = 0; i < dev->n_peers; i++) {
		r = format_peer(s, &dev->peers[i]);
		if (r < 0)
			return r;
	}
	sbuf_add(s, "\n");
	return s->err;
}

int nwg_uapi_format_set(const struct nwg_device *dev, char **out, size_t *len)
{
	struct sbuf s = {0};
	int r;

	if (!dev || !out)
		return -EINVAL;
	*out = NULL;
	if (len)
		*len = 0;
	r = format_device(&s, dev);
	if (r < 0) {
		nwg_secmem_free(s.p);
		return r;
	}
	*out = s.p;
	if (len)
		*len = s.len;
	return 0;
}
