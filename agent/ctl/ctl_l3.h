/* SPDX-License-Identifier: Apache-2.0 */
/* Control socket methods of the L3 integration (doc/l3.md): owns, attach,
 * detach. The L3 agent's router class asks; this agent moves the link. */
#ifndef NWG_AGENT_CTL_L3_H
#define NWG_AGENT_CTL_L3_H

#include <jansson.h>
#include <stdbool.h>

#include "agent.h"
#include "nwg/err.h"

bool nwg_ctl_l3_handles(const char *method);
/* The result (new reference), or NULL with a message in err. */
json_t *nwg_ctl_l3(struct nwg_agent *a, const char *method, const json_t *args,
		   struct nwg_err *err);

#endif
