/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/peers.h"

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
