/* SPDX-License-Identifier: Apache-2.0 */
/* Mass-deletion guard: one full get_hubs answer that would remove most (or
 * all) of this node's hubs -- a server bug, a wrong host name, a forged reply
 * -- is not applied until a second full answer, at least confirm_ms later,
 * asks for the same deletions. Pure: the caller keeps the state. */
#ifndef NWG_AGENT_GUARD_H
#define NWG_AGENT_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reconcile/plan.h"

struct nwg_guard {
	int64_t held_since_ms; /* 0 = nothing held */
	uint64_t held_sig;     /* which deletions are held (order-free hash of port ids) */
	size_t held_n;
	char **vouched; /* ids a targeted answer said are gone (NULL-terminated) */
};

struct nwg_guard_opts {
	unsigned int percent; /* 0 = guard off; with more than 4 hubs, more than this share
				 is held; removing all hubs is always held */
	int64_t confirm_ms;   /* the second answer must come at least this much later */
};

/* A targeted answer (the agent asked about this hub, after an event) said it is
 * gone: the next full pass deletes it without holding. 0 or -ENOMEM. */
int nwg_guard_vouch(struct nwg_guard *g, const char *port_id);
/* Frees the vouched ids; the guard is empty after. */
void nwg_guard_clear(struct nwg_guard *g);

/* Looks at the DELETE actions of a full plan (targeted plans pass untouched:
 * they only remove hubs the server named); vouched hubs are deleted and
 * forgotten. Returns how many were held: those became NWG_ACT_SKIP with a
 * reason. */
size_t nwg_guard_deletes(struct nwg_guard *g, struct nwg_plan *p, bool full,
			 const struct nwg_guard_opts *o, int64_t now_ms);

#endif
