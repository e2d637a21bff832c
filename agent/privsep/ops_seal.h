/* SPDX-License-Identifier: Apache-2.0 */
/* The executor's SEAL: an HA primary's hub key sealed to the secondary. */
#ifndef NWG_AGENT_PRIVSEP_OPS_SEAL_H
#define NWG_AGENT_PRIVSEP_OPS_SEAL_H

#include "privsep/proto.h"

/* ctx: struct nwg_ps_repo_ctx. Loads the hub's record, seals its private
 * key to s->peer_pub bound to the port id (nwg_seal_hub_key) into
 * out->sealed, wipes the record. -ENOENT without a record; -EPERM (nothing
 * sealed) unless s->peer_pub is the pinned HA peer key (privsep/seal_pin.h). */
int nwg_ps_op_seal(void *ctx, const struct nwg_ps_seal *s, struct nwg_ps_result *out,
		   struct nwg_err *err);

#endif
