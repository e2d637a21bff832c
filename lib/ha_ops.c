/* SPDX-License-Identifier: Apache-2.0 */
/* HA takeover steps on a hub device, through the backend seam (nwg/wg.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nwg/ha.h"

static void sleep_ms(long ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* A set request that touches only peers (no key, no port). */
static struct nwg_device *peer_batch(const char *ifname)
{
	return nwg_device_new(ifname);
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, NWG_KEY_LEN); /* public keys: no secret to time */
}

/* The device's peer keys, sorted for bsearch (thousands: n log n). */
static struct nwg_key *device_keys(const struct nwg_device *dev)
{
	struct nwg_key *k = malloc((dev->n_peers ? dev->n_peers : 1) * sizeof(*k));

	if (!k)
		return NULL;
	for (size_t i = 0; i < dev->n_peers; i++)
		k[i] = dev->peers[i].public_key;
	qsort(k, dev->n_peers, sizeof(*k), key_cmp);
	return k;
}

static int flush(struct nwg_backend *b, const char *ifname, const char *netns,
		 struct nwg_device **batch, struct nwg_err *err)
{
	int r = 0;

	if ((*batch)->n_peers)
		r = nwg_wg_set(b, ifname, netns, *batch, err);
	nwg_device_free(*batch);
	*batch = peer_batch(ifname);
	if (r >= 0 && !*batch)
		r = nwg_err_set(err, ENOMEM, "out of memory");
	return r;
}

int nwg_ha_activate(struct nwg_backend *b, const char *ifname, const char *netns,
		    const struct nwg_ha_ep *eps, size_t n, const struct nwg_ha_activate_opts *o,
		    struct nwg_err *err)
{
	struct nwg_device *dev = NULL, *batch = NULL;
	struct nwg_key *keys = NULL;
	int r, done = 0;

	if (!b || !ifname || (!eps && n) || !o || !o->keepalive || !o->pace)
		return nwg_err_set(err, EINVAL, "activate: keepalive and pace must be >= 1");
	r = nwg_wg_get(b, ifname, netns, &dev, err);
	if (r < 0)
		return r;
	keys = device_keys(dev);
	batch = peer_batch(ifname);
	if (!batch || !keys)
		r = nwg_err_set(err, ENOMEM, "out of memory");
	/* in list order: the snapshot lists the most recently active first */
	for (size_t i = 0; r >= 0 && i < n; i++) {
		const struct nwg_ha_ep *e = &eps[i];
		struct nwg_peer *p;

		if (!bsearch(&e->pub, keys, dev->n_peers, sizeof(*keys), key_cmp))
			continue;
		p = nwg_device_add_peer(batch, &e->pub);
		if (!p) {
			r = nwg_err_set(err, ENOMEM, "out of memory");
			break;
		}
		p->flags = NWG_PEER_UPDATE_ONLY | NWG_PEER_HAS_ENDPOINT | NWG_PEER_HAS_KEEPALIVE;
		p->endpoint = e->ep;
		p->persistent_keepalive = o->keepalive;
		done++;
		if (batch->n_peers >= o->pace) {
			r = flush(b, ifname, netns, &batch, err);
			sleep_ms(1);
		}
	}
	if (r >= 0)
		r = flush(b, ifname, netns, &batch, err);
	nwg_device_free(batch);
	nwg_device_free(dev);
	free(keys);
	return r < 0 ? r : done;
}

int nwg_ha_restore_keepalive(struct nwg_backend *b, const char *ifname, const char *netns,
			     uint16_t keepalive, struct nwg_err *err)
{
	struct nwg_device *dev = NULL;
	int r;

	if (!b || !ifname)
		return nwg_err_set(err, EINVAL, "restore: bad arguments");
	r = nwg_wg_get(b, ifname, netns, &dev, err);
	if (r < 0)
		return r;
	dev->flags = 0;
	for (size_t i = 0; i < dev->n_peers; i++) {
		struct nwg_peer *p = &dev->peers[i];

		free(p->allowedips);
		p->allowedips = NULL;
		p->n_allowedips = 0;
		p->flags = NWG_PEER_UPDATE_ONLY | NWG_PEER_HAS_KEEPALIVE;
		p->persistent_keepalive = keepalive;
	}
	r = nwg_wg_set(b, ifname, netns, dev, err);
	nwg_device_free(dev);
	return r;
}

int nwg_ha_deactivate(struct nwg_backend *b, const char *ifname, const char *netns,
		      uint16_t keepalive, struct nwg_err *err)
{
	struct nwg_device *dev = NULL;
	int r;

	if (!b || !ifname)
		return nwg_err_set(err, EINVAL, "deactivate: bad arguments");
	r = nwg_wg_get(b, ifname, netns, &dev, err);
	if (r < 0)
		return r;
	/* The same peers again, without endpoints: key and port untouched. */
	dev->flags = NWG_DEV_REPLACE_PEERS;
	for (size_t i = 0; i < dev->n_peers; i++) {
		struct nwg_peer *p = &dev->peers[i];

		p->flags = NWG_PEER_HAS_KEEPALIVE | NWG_PEER_REPLACE_ALLOWEDIPS;
		p->persistent_keepalive = keepalive;
		memset(&p->endpoint, 0, sizeof(p->endpoint));
	}
	r = nwg_wg_set(b, ifname, netns, dev, err);
	nwg_device_free(dev);
	return r;
}

int nwg_ha_handshaken(struct nwg_backend *b, const char *ifname, const char *netns,
		      const struct timespec *since, struct nwg_err *err)
{
	struct nwg_device *dev = NULL;
	int r, k = 0;

	if (!b || !ifname || !since)
		return nwg_err_set(err, EINVAL, "handshaken: bad arguments");
	r = nwg_wg_get(b, ifname, netns, &dev, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct timespec *t = &dev->peers[i].last_handshake;

		if (t->tv_sec > since->tv_sec ||
		    (t->tv_sec == since->tv_sec && t->tv_nsec >= since->tv_nsec))
			k++;
	}
	nwg_device_free(dev);
	return k;
}
