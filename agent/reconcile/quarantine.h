/* SPDX-License-Identifier: Apache-2.0 */
/* Deleted hubs' records wait in the repository's quarantine for
 * quarantine_days: a hub that comes back with the same port id gets its old
 * key and listen port (devices reconnect without being re-provisioned). */
#ifndef NWG_AGENT_QUARANTINE_H
#define NWG_AGENT_QUARANTINE_H

#include "agent.h"
#include "reconcile/actual.h"
#include "reconcile/desired.h"
#include "reconcile/plan.h"

/* Desired hubs without a record: a quarantined one is moved back and added to
 * act (the planner then re-creates the hub from it). */
void nwg_quarantine_restore(struct nwg_agent *a, const struct nwg_desired *d,
			    struct nwg_actual *act);
/* Before the DELETE actions of p run: their records go to quarantine. */
void nwg_quarantine_deletes(struct nwg_agent *a, const struct nwg_plan *p);
/* At start: quarantined records older than quarantine_days are removed. */
void nwg_quarantine_purge(struct nwg_agent *a);

#endif
