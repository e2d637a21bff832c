/* SPDX-License-Identifier: Apache-2.0 */
/* The sync state machine's parts (agent/sync/sync.c, agent/sync/sync_report.c). */
#ifndef NWG_AGENT_SYNC_H
#define NWG_AGENT_SYNC_H

#include "agent.h"
#include "reconcile/exec.h"
#include "reconcile/plan.h"

/* Reports an executed action to Neutron: hub_realized when the server's
 * view differs, then update_device_up/down on change. Asynchronous: every
 * call of one pass shares the pass's single deadline; a failure schedules
 * the hub's retry. */
void nwg_sync_report(struct nwg_agent *a, const struct nwg_action *act,
		     const struct nwg_exec_out *out);
/* Ends the pass once its last report completed. */
void nwg_sync_maybe_done(struct nwg_agent *a);

#endif
