/* SPDX-License-Identifier: Apache-2.0 */
/* get_hubs 1.2, conditional answers (doc/contracts.md "get_hubs 1.2"): the
 * agent asks with the digest of each hub's answer it last applied; the
 * server answers a hub whose answer still has that digest with
 * {"port_id", "digest", "unchanged": true} and no spokes. */
#ifndef NWG_AGENT_SYNC_DIGEST_H
#define NWG_AGENT_SYNC_DIGEST_H

#include <jansson.h>
#include <stdbool.h>

#include "agent.h"
#include "reconcile/actual.h"
#include "reconcile/desired.h"

/* Every NWG_UNCONDITIONAL_EVERY-th full pass asks every hub in full (the
 * periodic check that reads the whole system again). */
#define NWG_UNCONDITIONAL_EVERY 4

/* The {port_id: digest} to ask this pass with (new reference): empty for an
 * unconditional full pass (every hub answered in full, with its digest);
 * NULL when the server is older than 1.2 (or ENOMEM): ask 1.1. Counts full
 * passes. */
json_t *nwg_digest_request(struct nwg_agent *a, bool full);

/* What an answer holds, hub by hub. */
struct nwg_digest_split {
	json_t *full;	   /* array of the hubs answered in full (new reference) */
	json_t *got;	   /* {port_id: digest} of those that carry a valid digest */
	char **unchanged;  /* answered unchanged with the digest that was sent */
	char **refetch;	   /* answered unchanged with a digest that was not sent */
	bool bad;	   /* an unchanged entry without a usable port id */
	size_t n_answered; /* entries marked unchanged (valid or not) */
};

/* Pure: splits hubs (the answer's array) against sent (may be NULL). 0 or
 * -ENOMEM; free with nwg_digest_split_free. */
int nwg_digest_split(const json_t *hubs, const json_t *sent, struct nwg_digest_split *s);
void nwg_digest_split_free(struct nwg_digest_split *s);

/* A digest as the agent accepts it: 1..64 of [A-Za-z0-9:_+/=-]. */
bool nwg_digest_valid(const char *s);

/* The hub of st was applied by this pass: keeps the digest it was answered
 * with ("" when none). */
void nwg_digest_applied(struct nwg_agent *a, struct nwg_hubstate *st);

/* Unchanged hubs are in sync when the agent's last pass left them ok and
 * cached and the cached link is still there; the others lose their digest
 * and move to s->refetch. Returns how many are in sync. */
size_t nwg_digest_keep(struct nwg_agent *a, struct nwg_digest_split *s);

/* The ids a pass whose answer held unchanged hubs still runs over: a full
 * pass becomes a targeted pass over the hubs answered in full (it deletes
 * nothing: a hub of this node the answer does not name schedules an
 * unconditional full pass, which does); a targeted pass keeps its ids but
 * the unchanged ones. Schedules s->refetch (asked in full). NULL-terminated
 * (possibly empty), NULL on ENOMEM. */
char **nwg_digest_pass_ids(struct nwg_agent *a, const struct nwg_desired *d,
			   const struct nwg_digest_split *s, bool full, char *const *ids, size_t n);

/* Link-time seam (agent/privsep/link_cached.c): the cached link is still there as the
 * cache knows it (one rtnetlink request). */
bool nwg_sync_link_as_cached(const struct nwg_alink *l);
/* The same check as the agent may run it: in process (above), or through
 * the executor when privilege separation is on (sync_link_ps.c). */
bool nwg_sync_link_check(struct nwg_agent *a, const struct nwg_alink *l);

#endif
