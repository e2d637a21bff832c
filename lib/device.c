/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device model: one nwg_device owns its peers array, each peer owns its
 * allowed-IP array. Arrays grow by realloc, so a peer pointer returned by
 * nwg_device_add_peer() is valid only until the next add on that device.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "nwg/secmem.h"
#include "nwg/wg.h"

struct nwg_device *nwg_device_new(const char *name)
{
	struct nwg_device *dev;

	if (name && strnlen(name, IFNAMSIZ) >= IFNAMSIZ) {
		errno = EINVAL;
		return NULL;
	}
	dev = nwg_secmem_alloc(sizeof(*dev)); /* holds a private key */
	if (!dev)
		return NULL;
	if (name)
		strcpy(dev->name, name);
	return dev;
}

void nwg_device_free(struct nwg_device *dev)
{
	if (!dev)
		return;
	for (size_t i = 0; i < dev->n_peers; i++)
		free(dev->peers[i].allowedips);
	free(dev->peers);
	nwg_secmem_free(dev); /* wipes the keys */
}

struct nwg_peer *nwg_device_add_peer(struct nwg_device *dev, const struct nwg_key *pub)
{
	struct nwg_peer *peers, *p;

	if (!dev || !pub) {
		errno = EINVAL;
		return NULL;
	}
	peers = realloc(dev->peers, (dev->n_peers + 1) * sizeof(*peers));
	if (!peers)
		return NULL;
	dev->peers = peers;
	p = &peers[dev->n_peers++];
	memset(p, 0, sizeof(*p));
	p->public_key = *pub;
	return p;
}

struct nwg_peer *nwg_device_find_peer(const struct nwg_device *dev, const struct nwg_key *pub)
{
	if (!dev || !pub)
		return NULL;
	for (size_t i = 0; i < dev->n_peers; i++) {
		if (nwg_key_equal(&dev->peers[i].public_key, pub))
			return &dev->peers[i];
	}
	return NULL;
}

int nwg_peer_add_allowedip(struct nwg_peer *peer, const char *cidr)
{
	struct nwg_allowedip a, *v;
	int ret;

	if (!peer || !cidr)
		return -EINVAL;
	ret = nwg_allowedip_parse(&a, cidr);
	if (ret < 0)
		return ret;
	v = realloc(peer->allowedips, (peer->n_allowedips + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	peer->allowedips = v;
	v[peer->n_allowedips++] = a;
	return 0;
}
