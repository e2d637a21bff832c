/* SPDX-License-Identifier: Apache-2.0 */
/* Namespace clean-up planning: which tun-<project> namespaces may go after a
 * pass. Pure: no I/O. The executor (reconcile/exec_netns.c) still looks inside
 * each one and keeps it unless it holds nothing. */
#ifndef NWG_AGENT_NSGC_H
#define NWG_AGENT_NSGC_H

#include "reconcile/actual.h"
#include "reconcile/desired.h"
#include "reconcile/plan.h"

/* Candidates: the namespaces that hubs deleted by p lived in or called home,
 * plus pending (kept by an earlier pass; NULL-terminated or NULL). Only names
 * "<ns_prefix><something>" qualify (never the root namespace, never a router
 * namespace). Dropped: every namespace a hub still uses -- the home of a
 * desired hub, the home or place of a record or link that p does not delete.
 * A restore plan yields nothing. *out: NULL-terminated, sorted, without
 * duplicates, owned by the caller (nwg_strv_free). 0 or -ENOMEM. */
int nwg_nsgc_plan(const struct nwg_plan *p, const struct nwg_desired *d, const struct nwg_actual *a,
		  const struct nwg_plan_opts *o, char *const *pending, char ***out);

#endif
