/* SPDX-License-Identifier: Apache-2.0 */
/* get_hubs 1.3, deltas (doc/contracts.md "get_hubs 1.3"): the agent keeps
 * the last answer it applied for each hub with at least delta_min_spokes
 * spokes and names those hubs in `deltas`; the server may then answer such
 * a hub with its fields, only the spokes added or changed since that answer
 * and the ids of the spokes removed ("base": the digest it applies to). The
 * agent rebuilds the whole hub from the kept answer and parses it as any
 * other answer (one grammar). */
#ifndef NWG_AGENT_SYNC_DELTA_H
#define NWG_AGENT_SYNC_DELTA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct nwg_dcache {
	json_t *kept;	  /* {port_id: {"digest": s, "hub": {...}}}, owned */
	json_t *answers;  /* this pass: {port_id: hub} answered in full (or rebuilt) */
	size_t n_spokes;  /* spokes of the kept answers */
	size_t n_merged;  /* deltas rebuilt (counter, for logs and tests) */
	size_t n_refused; /* deltas asked again in full */
};

/* The ids to send as `deltas` with sent ({port_id: digest}): the hubs whose
 * kept answer has the digest sent for them. New reference (possibly empty
 * array); NULL when sent is NULL, min_spokes is 0 or ENOMEM (ask 1.2). */
json_t *nwg_delta_request(const struct nwg_dcache *c, const json_t *sent, size_t min_spokes);

/* In hubs (an answer's array, changed in place): every delta is replaced by
 * the whole hub rebuilt from the kept answer; a delta the agent cannot use
 * (no kept answer with that base, malformed) by {"port_id", "unchanged":
 * true} without a digest, which the digest split asks again in full. Notes
 * in c->answers the hubs answered in full with a digest and at least
 * min_spokes spokes. Returns the deltas rebuilt, or -ENOMEM. */
int nwg_delta_merge(struct nwg_dcache *c, json_t *hubs, size_t min_spokes);

/* The hub was applied with digest ("" = not applied, or deleted): keeps the
 * answer of this pass for it, or forgets what was kept. */
void nwg_delta_keep(struct nwg_dcache *c, const char *port_id, const char *digest);

/* End of a pass: forgets c->answers. */
void nwg_delta_pass_done(struct nwg_dcache *c);
void nwg_delta_clear(struct nwg_dcache *c);

#endif
