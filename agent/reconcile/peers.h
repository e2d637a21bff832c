/* SPDX-License-Identifier: Apache-2.0 */
/* Peer lookup by public key in O(log n): a device read from the backend is
 * sorted once, then searched (instead of a linear scan per record peer). */
#ifndef NWG_AGENT_PEERS_H
#define NWG_AGENT_PEERS_H

#include <stdbool.h>
#include <stddef.h>

#include "nwg/repo.h"
#include "nwg/wg.h"

/* Sorts dev->peers by public key (in place; NULL-safe). */
void nwg_peers_sort(struct nwg_device *dev);
/* Binary search in a device sorted by nwg_peers_sort; NULL if absent. */
const struct nwg_peer *nwg_peers_find(const struct nwg_device *dev, const struct nwg_key *key);
/* The same for a record's peers (a view's: reconcile/view.h). */
void nwg_rpeers_sort(struct nwg_repo_peer *v, size_t n);
/* Index of key in an array of n structs of stride bytes sorted by the
 * struct nwg_key at key_off, or where it would go (*found false). */
size_t nwg_keyed_pos(const void *base, size_t n, size_t stride, size_t key_off,
		     const struct nwg_key *key, bool *found);
/* Index of key in v[0..n) sorted by nwg_rpeers_sort, or where it would go
 * (*found false). */
size_t nwg_rpeers_pos(const struct nwg_repo_peer *v, size_t n, const struct nwg_key *key,
		      bool *found);
/* Sorts v, n pointers to structs that hold a struct nwg_key at key_off, by
 * that key (memcmp order); stable: pointers to equal keys keep their order.
 * O(n): a radix sort on the keys' first 8 bytes, then an insertion sort of
 * each run that shares them (random keys: runs of one). 0 or -ENOMEM (v is
 * then untouched). */
int nwg_keys_sort(const void **v, size_t n, size_t key_off);

#endif
