/* SPDX-License-Identifier: Apache-2.0 */
/* Control socket methods of an HA hub (doc/ha.md), keyed by the hub's port
 * id like the L3 methods and open to the same callers (root, and the
 * control_socket_group): ha_endpoints, ha_activate, ha_handshaken,
 * ha_restore, ha_deactivate. Each is one quick backend call; the waiting
 * between activate and restore is the caller's (the node CLI's). */
#ifndef NWG_AGENT_CTL_HA_H
#define NWG_AGENT_CTL_HA_H

#include <jansson.h>
#include <stdbool.h>

#include "agent.h"
#include "nwg/err.h"

bool nwg_ctl_ha_handles(const char *method);
/* The result (new reference), or NULL with a message in err. */
json_t *nwg_ctl_ha(struct nwg_agent *a, const char *method, const json_t *args,
		   struct nwg_err *err);

#endif
