/* SPDX-License-Identifier: Apache-2.0 */
/* The executor's OVN attach: OVN_PLUG and OVN_SWEEP, run by the same code
 * as the in-process agent's (agent/attach/ovn_hub.c, ovn_sweep.c: the hub's
 * link and routes from this side's record; the bridge, the OVS database and
 * ovs-vsctl from this side's configuration). */
#ifndef NWG_AGENT_PRIVSEP_OPS_OVN_H
#define NWG_AGENT_PRIVSEP_OPS_OVN_H

#include "privsep/proto.h"

/* ctx: struct nwg_ps_repo_ctx (its configuration's [wireguard_ovn]
 * integration_bridge needed: EOPNOTSUPP without). */
int nwg_ps_op_ovn_plug(void *ctx, const struct nwg_ps_ovn *o, struct nwg_ps_result *out,
		       struct nwg_err *err);
int nwg_ps_op_ovn_sweep(void *ctx, struct nwg_ps_result *out, struct nwg_err *err);

#endif
