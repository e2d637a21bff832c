/* SPDX-License-Identifier: Apache-2.0 */
/* A hub's parsed spokes kept between passes and patched in place (get_hubs
 * 1.3 deltas, agent/sync/sync_delta.c): the same array and key index a
 * fresh parse makes (struct nwg_dhub spokes/by_key), plus an index by port
 * id. A spoke is removed, replaced or added by binary search in the two
 * sorted indexes: O(log n) compares and one pointer memmove per change,
 * never a parse or a sort of the hub. Anything a fresh parse would treat
 * differently (a spoke it would skip, a duplicate key or port id) is
 * -EINVAL, and the caller falls back to a full answer. */
#ifndef NWG_AGENT_DESIRED_FLAT_H
#define NWG_AGENT_DESIRED_FLAT_H

#include <stdbool.h>
#include <stddef.h>

#include "reconcile/desired.h"

struct nwg_dflat {
	struct nwg_dspoke *spokes;	  /* n used of cap; order: none */
	const struct nwg_dspoke **by_key; /* sorted by public key (unique) */
	const struct nwg_dspoke **by_id;  /* sorted by port id (unique) */
	size_t n, cap;
	/* since nwg_dflat_touch_reset: the keys removed, added, changed (and
	 * the old key of a re-keyed spoke), lent with the spokes as the parsed
	 * hub's touched keys; touch_lost: one could not be noted (ENOMEM) */
	struct nwg_key *touched;
	size_t n_touched, cap_touched;
	bool touch_lost;
};

/* Takes h's spokes (h keeps none after): 0, or -EINVAL when h cannot be
 * kept (a skipped spoke, a duplicate port id; h untouched), -ENOMEM. */
int nwg_dflat_take(struct nwg_dflat *f, struct nwg_dhub *h);
/* Forgets the touched keys (before a delta is patched). */
void nwg_dflat_touch_reset(struct nwg_dflat *f);
/* h borrows f's spokes for one pass (h must have none), and the keys the
 * delta touched (h->patched, unless one was lost); give them back with
 * nwg_dflat_unlend before h is freed. */
void nwg_dflat_lend(const struct nwg_dflat *f, struct nwg_dhub *h);
/* Gives back what h borrowed from f (true), or nothing (false). */
bool nwg_dflat_unlend(const struct nwg_dflat *f, struct nwg_dhub *h);

/* The spoke with this port id leaves (absent: nothing to do). */
void nwg_dflat_remove(struct nwg_dflat *f, const char *port_id);
/* s (taken: cleared on return, whatever the result) replaces the spoke with
 * its port id, or is added. -EINVAL: its key is another spoke's; -ENOMEM. */
int nwg_dflat_upsert(struct nwg_dflat *f, struct nwg_dspoke *s);

/* Bytes held (arrays, indexes, allowed IPs; not the allocator's overhead). */
size_t nwg_dflat_bytes(const struct nwg_dflat *f);
void nwg_dflat_free(struct nwg_dflat *f);

#endif
