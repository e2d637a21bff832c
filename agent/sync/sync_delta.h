/* SPDX-License-Identifier: Apache-2.0 */
/* get_hubs 1.3, deltas (doc/contracts.md "get_hubs 1.3"): the agent keeps
 * the parsed spokes of the last answer it applied for each hub with at
 * least delta_min_spokes spokes (reconcile/desired_flat.h) and names those
 * hubs in `deltas`; the server may then answer such a hub with its fields,
 * only the spokes added or changed since that answer and the ids of the
 * spokes removed ("base": the digest it applies to). The agent patches the
 * kept spokes (O(changes x log n), each changed spoke parsed by the one
 * grammar), the hub's fields are parsed as in any answer, and the pass plans
 * the patched hub. Anything it cannot patch is asked again in full. */
#ifndef NWG_AGENT_SYNC_DELTA_H
#define NWG_AGENT_SYNC_DELTA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/hubtab.h"
#include "reconcile/desired.h"
#include "reconcile/desired_flat.h"

struct nwg_dkept {
	char port_id[NWG_ID_MAX + 1];
	char digest[NWG_DIGEST_MAX + 1];    /* of the answer the spokes are; "" = patched */
	char confirmed[NWG_DIGEST_MAX + 1]; /* this pass: applied with this digest */
	bool lent;			    /* this pass: patched, lent to the parsed hub */
	struct nwg_dflat flat;		    /* the one owner of the kept spokes */
};

struct nwg_dcache {
	struct nwg_dkept *kept; /* n_kept, owned */
	size_t n_kept;
	json_t *answers;  /* this pass: {port_id: digest} answered in full or as a delta */
	size_t n_spokes;  /* spokes kept */
	size_t n_merged;  /* deltas rebuilt (counter, for logs and tests) */
	size_t n_refused; /* deltas asked again in full */
};

/* The ids to send as `deltas` with sent ({port_id: digest}): the hubs whose
 * kept answer has the digest sent for them. New reference (possibly empty
 * array); NULL when sent is NULL, min_spokes is 0 or ENOMEM (ask 1.2). */
json_t *nwg_delta_request(const struct nwg_dcache *c, const json_t *sent, size_t min_spokes);

/* In hubs (an answer's array, changed in place): every delta patches the
 * kept spokes of its hub and is replaced by the hub's fields alone (no
 * spokes, no base, no removed; nwg_delta_attach gives the parsed hub the
 * patched spokes); a delta the agent cannot use (no kept answer with that
 * base, malformed, a changed spoke the grammar skips or whose key is another
 * spoke's) by {"port_id", "unchanged": true} without a digest, which the
 * digest split asks again in full, and the kept spokes are forgotten. Notes
 * in c->answers the hubs answered in full with a digest and at least
 * min_spokes spokes, and the deltas. Returns the deltas patched, or -ENOMEM. */
int nwg_delta_merge(struct nwg_dcache *c, json_t *hubs, size_t min_spokes);

/* After the parse of the merged answer: each patched hub of d borrows its
 * kept spokes (until nwg_delta_pass_done). */
void nwg_delta_attach(struct nwg_dcache *c, struct nwg_desired *d);

/* The hub was applied with digest ("" = not applied, or deleted): its
 * spokes are kept at the end of the pass, or what was kept is forgotten. */
void nwg_delta_keep(struct nwg_dcache *c, const char *port_id, const char *digest);

/* End of a pass, before d (this pass's parse, or NULL) is freed: takes the
 * borrowed spokes back from d, takes the spokes of the hubs kept after an
 * answer in full, forgets the rest of the pass. */
void nwg_delta_pass_done(struct nwg_dcache *c, struct nwg_desired *d);
void nwg_delta_clear(struct nwg_dcache *c);
/* Bytes the kept spokes hold (nwg_dflat_bytes summed). */
size_t nwg_delta_bytes(const struct nwg_dcache *c);

#endif
