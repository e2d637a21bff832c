/* SPDX-License-Identifier: Apache-2.0 */
/*
 * APPLY served by the executor (doc/security.md "Privilege separation"):
 * the planned action is rebuilt from the message with the executor's OWN
 * record and link of the hub (read here, never taken from the engine), then
 * run by reconcile/exec.c's nwg_exec_action, the code the one-process agent
 * runs. The record a rewrite saves is made from the desired peer set the
 * message carries (operations + SEEN peers), or, for DELTA, from the
 * executor's record with the operations applied (journaled). Key sources:
 * NEW (generated here), RECORD (the executor's record), LINK (the executor's
 * read of the link), SEALED (opened by exec.c with this node's enrollment
 * key, <state_path>/enroll.key).
 */
#ifndef NWG_AGENT_PRIVSEP_OPS_APPLY_H
#define NWG_AGENT_PRIVSEP_OPS_APPLY_H

#include "privsep/ops_repo.h"

/* ctx: the executor's struct nwg_ps_repo_ctx (conf and backend required:
 * EOPNOTSUPP otherwise). A chunk with NWG_PS_APPLY_MORE is kept in
 * ctx->pending and acknowledged (rc 0, nothing run); the last chunk runs the
 * whole action. */
int nwg_ps_op_apply(struct nwg_ps_repo_ctx *c, const struct nwg_ps_apply *a,
		    struct nwg_ps_result *out, struct nwg_err *err);
/* Frees chunks still pending (when the executor stops). */
void nwg_ps_apply_pending_clear(struct nwg_ps_repo_ctx *c);

#endif
