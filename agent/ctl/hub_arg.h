/* SPDX-License-Identifier: Apache-2.0 */
/* The hub a control request names by {"port_id": ...}: one grammar for the
 * port id and one load of its record, for the L3 and the HA methods. */
#ifndef NWG_AGENT_CTL_HUB_ARG_H
#define NWG_AGENT_CTL_HUB_ARG_H

#include <jansson.h>

#include "agent.h"
#include "nwg/err.h"
#include "nwg/repo.h"

/* 0 with *port_id (points into args) and *rec (the caller frees it);
 * -ENOENT when the hub is not realized on this node (message in err);
 * another negative errno with err set. */
int nwg_ctl_hub_arg(struct nwg_agent *a, const json_t *args, const char **port_id,
		    struct nwg_hub_record **rec, struct nwg_err *err);

#endif
