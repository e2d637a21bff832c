/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the UAPI reply parsers. Properties:
 *  - nothing crashes, leaks or reads out of bounds on any input;
 *  - parse_get and parse_errno agree on the errno line;
 *  - a parsed device re-rendered as a get reply parses to the same device;
 *  - every parsed device can be serialised as a set request.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/secmem.h"
#include "wg_backend.h"

static void add(char **p, size_t *left, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void add(char **p, size_t *left, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*p, *left, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= *left)
		abort(); /* the buffer is sized for any device the input can hold */
	*p += n;
	*left -= (size_t)n;
}

static void render_peer(char **p, size_t *left, const struct nwg_peer *pe)
{
	char hex[NWG_KEY_HEX_LEN + 1], buf[128];

	nwg_key_to_hex(hex, &pe->public_key);
	add(p, left, "public_key=%s\n", hex);
	if (pe->flags & NWG_PEER_HAS_ENDPOINT) {
		if (nwg_endpoint_format(&pe->endpoint, buf, sizeof(buf)) < 0)
			abort();
		add(p, left, "endpoint=%s\n", buf);
	}
	add(p, left, "last_handshake_time_sec=%lld\nlast_handshake_time_nsec=%ld\n",
	    (long long)pe->last_handshake.tv_sec, pe->last_handshake.tv_nsec);
	add(p, left, "tx_bytes=%llu\nrx_bytes=%llu\n", (unsigned long long)pe->tx_bytes,
	    (unsigned long long)pe->rx_bytes);
	add(p, left, "persistent_keepalive_interval=%u\n", (unsigned)pe->persistent_keepalive);
	for (size_t i = 0; i < pe->n_allowedips; i++) {
		if (nwg_allowedip_format(&pe->allowedips[i], buf, sizeof(buf)) < 0)
			abort();
		add(p, left, "allowed_ip=%s\n", buf);
	}
}

/* Renders dev as wireguard-go would answer a get. */
static char *render(const struct nwg_device *dev, size_t cap, size_t *len)
{
	char *out = malloc(cap), *p = out, hex[NWG_KEY_HEX_LEN + 1];
	size_t left = cap;

	if (!out)
		abort();
	if (dev->flags & NWG_DEV_HAS_PRIVATE_KEY) {
		nwg_key_to_hex(hex, &dev->private_key);
		add(&p, &left, "private_key=%s\n", hex);
	}
	if (dev->flags & NWG_DEV_HAS_LISTEN_PORT)
		add(&p, &left, "listen_port=%u\n", (unsigned)dev->listen_port);
	for (size_t i = 0; i < dev->n_peers; i++)
		render_peer(&p, &left, &dev->peers[i]);
	add(&p, &left, "errno=0\n\n");
	*len = (size_t)(p - out);
	return out;
}

static void same_device(const struct nwg_device *a, const struct nwg_device *b)
{
	if (a->flags != b->flags || a->listen_port != b->listen_port || a->n_peers != b->n_peers ||
	    !nwg_key_equal(&a->private_key, &b->private_key))
		abort();
	for (size_t i = 0; i < a->n_peers; i++) {
		const struct nwg_peer *x = &a->peers[i], *y = &b->peers[i];

		if (!nwg_key_equal(&x->public_key, &y->public_key) || x->tx_bytes != y->tx_bytes ||
		    x->rx_bytes != y->rx_bytes || x->n_allowedips != y->n_allowedips ||
		    x->last_handshake.tv_sec != y->last_handshake.tv_sec ||
		    x->last_handshake.tv_nsec != y->last_handshake.tv_nsec ||
		    x->persistent_keepalive != y->persistent_keepalive ||
		    (x->flags & NWG_PEER_HAS_ENDPOINT) != (y->flags & NWG_PEER_HAS_ENDPOINT))
			abort();
		for (size_t j = 0; j < x->n_allowedips; j++)
			if (x->allowedips[j].family != y->allowedips[j].family ||
			    x->allowedips[j].cidr != y->allowedips[j].cidr)
				abort();
	}
}

static void round_trip(const struct nwg_device *dev, size_t in_len)
{
	/* each input line renders to at most ~300 bytes of output */
	size_t cap = 1024 + in_len * 300, len, slen;
	char *again = render(dev, cap, &len), *set = NULL;
	struct nwg_device *dev2 = NULL;

	if (nwg_uapi_parse_get(again, len, &dev2, NULL) != 0)
		abort();
	same_device(dev, dev2);
	nwg_device_free(dev2);
	free(again);
	if (nwg_uapi_format_set(dev, &set, &slen) != 0 || slen < 7 ||
	    memcmp(set + slen - 2, "\n\n", 2) != 0)
		abort();
	nwg_secmem_free(set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct nwg_device *dev = NULL;
	struct nwg_err err;
	int g = nwg_uapi_parse_get(buf, size, &dev, &err);
	int e = nwg_uapi_parse_errno(buf, size);

	if (g == 0 && (e != 0 || !dev))
		abort();
	if (g != 0 && dev)
		abort();
	if (e == -EBADMSG && g == 0)
		abort();
	if (g < 0 && g != -EBADMSG && g != -ENOMEM && g != e)
		abort(); /* a reported errno is the one parse_errno sees */
	if (dev) {
		round_trip(dev, size);
		nwg_device_free(dev);
	}
	return 0;
}
