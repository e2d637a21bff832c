/* SPDX-License-Identifier: Apache-2.0 */
/* The executor's HA: an HA hub's ACTIVATE / DEACTIVATE / RENEW, run by the
 * same code as the in-process agent's (agent/ha/takeover.c: the link and
 * Neutron's endpoints from this side's record). */
#ifndef NWG_AGENT_PRIVSEP_OPS_HA_H
#define NWG_AGENT_PRIVSEP_OPS_HA_H

#include "privsep/proto.h"

/* ctx: struct nwg_ps_repo_ctx (a backend needed: EOPNOTSUPP without).
 * out->count = endpoints set, out->ifname = the hub's link; -ENOENT without
 * a record. */
int nwg_ps_op_ha(void *ctx, const struct nwg_ps_ha *h, struct nwg_ps_result *out,
		 struct nwg_err *err);

/* STREAM (ctx as above, with ha set: EOPNOTSUPP without): SEAL sends the
 * hub's snapshot (out->count datagrams, out->listed endpoints); OPEN puts
 * the chunk into out->seq, chunk_idx, chunk_total, text (malloc'd). */
int nwg_ps_op_stream(void *ctx, const struct nwg_ps_stream *s, struct nwg_ps_result *out,
		     struct nwg_err *err);
/* VRRP: START (out->count = pid, out->fd = the FIFO, fd_set), REAP
 * (out->changed = exited, out->count = status), STOP, RELEASE_VIP
 * (out->changed = removed). */
int nwg_ps_op_vrrp(void *ctx, const struct nwg_ps_vrrp *v, struct nwg_ps_result *out,
		   struct nwg_err *err);

#endif
