/* SPDX-License-Identifier: Apache-2.0 */
/* The planner's pieces shared by plan.c (every peer, sort-and-merge) and
 * plan_touched.c (the keys a delta touched). Internal to reconcile/. */
#ifndef NWG_AGENT_PLAN_INT_H
#define NWG_AGENT_PLAN_INT_H

#include <stdbool.h>

#include "reconcile/plan.h"

/* More peer operations than this: the record is saved whole, not journaled. */
#define NWG_PLAN_DELTA_MAX_OPS 64

/* memcmp order of public keys, counted in nwg_plan_key_cmps. */
int nwg_plan_key_cmp(const struct nwg_key *a, const struct nwg_key *b);
/* Appends one operation (act->peer_ops has room). */
void nwg_plan_add_op(struct nwg_action *act, enum nwg_peer_op_kind op, const struct nwg_key *key,
		     const struct nwg_dspoke *s, unsigned int fields);
/* What differs between the device's peer p and the spoke s (NWG_POPF_*).
 * rec(ctx) gives the record's peer of s (or NULL), asked only when s has an
 * endpoint. */
unsigned int nwg_plan_peer_fields(const struct nwg_peer *p, const struct nwg_dspoke *s,
				  bool standby, const struct nwg_repo_peer *(*rec)(const void *ctx),
				  const void *ctx);
/* The record's peer is what nwg_record_build makes of the spoke. */
bool nwg_plan_rpeer_is_spoke(const struct nwg_repo_peer *rp, const struct nwg_dspoke *s);
/* Every field of act->rec but its peers is what act would save. */
bool nwg_plan_record_header_current(const struct nwg_action *act);

/* plan_touched.c: may the peers of act (an update of dev and rec) be
 * planned from the delta's touched keys alone? Only when the hub was
 * patched by a delta, the link comes from the per-hub cache in sync with the
 * answer the delta applies to (nwg_alink.synced), and the hub is no HA hub. */
bool nwg_plan_touched_usable(const struct nwg_action *act, const struct nwg_device *dev,
			     const struct nwg_hub_view *rec);
/* The operations of the touched keys (in the order the full merge gives:
 * adds and updates by key, then removals by key), record_delta and
 * touched_rec_ok; O(t log n) for t touched keys. 0, or -1 (out of memory). */
int nwg_plan_peers_touched(struct nwg_action *act, const struct nwg_device *dev,
			   const struct nwg_hub_view *rec);

#endif
