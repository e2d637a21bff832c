/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's implementation of hostops.h: each operation is one request
 * to the executor over the privsep channel (ctx: struct nwg_ps_client). A
 * channel error (-EPROTO, -ECONNRESET) means the engine must stop. */
#ifndef NWG_AGENT_PRIVSEP_CLIENT_OPS_H
#define NWG_AGENT_PRIVSEP_CLIENT_OPS_H

#include "privsep/hostops.h"
#include "reconcile/actual.h"
#include "reconcile/exec.h"

extern const struct nwg_hostops nwg_hostops_client;

/* apply: the action as APPLY (privsep/client_apply.c). */
int nwg_ps_client_apply(void *ctx, struct nwg_exec_ctx *x, const struct nwg_action *act,
			struct nwg_exec_out *out, struct nwg_err *err);

/* actual: READ_ACTUAL, the answer built back into a struct nwg_actual
 * (privsep/client_actual.c); src's backend and repo are not used (the
 * executor reads with its own). */
int nwg_ps_client_actual(void *ctx, const struct nwg_actual_src *src, struct nwg_actual **out,
			 struct nwg_err *err);

/* ovn_plug, ovn_sweep: OVN_PLUG, OVN_SWEEP (privsep/client_ovn.c). */
int nwg_ps_client_ovn_plug(void *ctx, const struct nwg_ovn_req *q, struct nwg_ovn_out *out,
			   struct nwg_err *err);
int nwg_ps_client_ovn_sweep(void *ctx, size_t *removed, struct nwg_err *err);

#endif
