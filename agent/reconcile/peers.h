/* SPDX-License-Identifier: Apache-2.0 */
/* Peer lookup by public key in O(log n): a device read from the backend is
 * sorted once, then searched (instead of a linear scan per record peer). */
#ifndef NWG_AGENT_PEERS_H
#define NWG_AGENT_PEERS_H

#include "nwg/wg.h"

/* Sorts dev->peers by public key (in place; NULL-safe). */
void nwg_peers_sort(struct nwg_device *dev);
/* Binary search in a device sorted by nwg_peers_sort; NULL if absent. */
const struct nwg_peer *nwg_peers_find(const struct nwg_device *dev, const struct nwg_key *key);

#endif
