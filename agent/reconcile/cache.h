/* SPDX-License-Identifier: Apache-2.0 */
/* Per-hub cache of the actual state (agent/reconcile/cache.c): the link, its
 * WireGuard peers and the repository record of each hub, as the last read
 * returned them and as every executed change has left them since. A targeted
 * pass whose hubs are all cached plans against the cache and does not read
 * the device (10,000 peers through the UAPI) nor the record again.
 *
 * Rules: a full pass always reads the system and replaces the cache (a
 * difference from what the cache held is counted as drift and logged); a
 * failed action, an unknown outcome or any fix other than peers/record drops
 * the hub's entry; a hub whose device key differs from its record's key is
 * never cached. The cache holds no private key: records are kept as views
 * (reconcile/view.h) and devices with their public key only, as the actual
 * read gives them to the planner. */
#ifndef NWG_AGENT_CACHE_H
#define NWG_AGENT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reconcile/actual.h"
#include "reconcile/exec.h"
#include "reconcile/plan.h"

struct nwg_acache_ent {
	struct nwg_alink link;	  /* link.dev: peers sorted by key, no private key */
	struct nwg_hub_view *rec; /* owned; no private key; peers in key order */
	/* the last action on this hub (ADOPT, UPDATE of peers/record; not an HA
	 * hub) succeeded and left device and record as that pass's desired state:
	 * no allowed IP was taken from another peer. A read clears it. */
	bool synced;
	bool dead; /* dropped while lent: freed when the last lent actual is */
};

struct nwg_acache {
	struct nwg_acache_ent *v;
	size_t n;
	uint64_t hits, misses, drops, drift; /* counters (status, tests) */
	size_t lent; /* actual states out that borrow entries (nwg_acache_actual) */
};

/* Empties the cache (agent start, teardown). */
void nwg_acache_clear(struct nwg_acache *c);
/* Forgets one hub (its link was changed outside the reconcile). */
void nwg_acache_drop(struct nwg_acache *c, const char *port_id);
/* Keeps a copy of every cacheable hub of a read. full: the read covers every
 * hub: the cache is replaced, entries that disagree with it count as drift.
 * Otherwise the hubs read replace their entries. Returns the number of
 * drifted entries or -ENOMEM (the cache is then empty). */
int nwg_acache_fill(struct nwg_acache *c, const struct nwg_actual *a, bool full);
/* When every id of a targeted pass is cached: 1 and *out, an actual state
 * that borrows the cached links, devices and records (no copy; the pass's
 * executed changes update them in place: nwg_acache_applied); the caller
 * frees it with nwg_actual_free, which gives them back. An entry dropped
 * meanwhile is freed then. 0 on a miss, -ENOMEM. The cache is not filled
 * (nwg_acache_fill: -EBUSY) while such a state is out. */
int nwg_acache_actual(struct nwg_acache *c, const char *const *ids, size_t n,
		      struct nwg_actual **out);
/* After nwg_exec_action(act) returned rc: applies the change to the entry
 * (ADOPT; UPDATE of peers and record only) or drops it (anything else). */
void nwg_acache_applied(struct nwg_acache *c, const struct nwg_action *act,
			const struct nwg_exec_out *out, int rc);
const struct nwg_acache_ent *nwg_acache_find(const struct nwg_acache *c, const char *port_id);

/* Device model helpers (agent/reconcile/cache_dev.c). */
/* A copy without the private key (flag cleared); NULL on ENOMEM. */
struct nwg_device *nwg_device_dup_public(const struct nwg_device *d);
/* Applies a set request (REMOVE, UPDATE_ONLY, REPLACE_ALLOWEDIPS, endpoint,
 * keepalive: the UAPI/genl semantics) to a device model whose peers are
 * sorted by key (nwg_peers_sort); keeps them sorted. 0 or -ENOMEM. */
int nwg_device_apply(struct nwg_device *dev, const struct nwg_device *set);
/* The same; *taken (if not NULL) counts the allowed IPs taken from another
 * peer (the device then differs from the desired state that asked). */
int nwg_device_apply_taken(struct nwg_device *dev, const struct nwg_device *set, size_t *taken);
/* Same peers (keys, allowed IPs, keepalive; not endpoints, which roam). */
bool nwg_device_peers_same(const struct nwg_device *a, const struct nwg_device *b);

#endif
