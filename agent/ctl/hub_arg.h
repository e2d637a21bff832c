/* SPDX-License-Identifier: Apache-2.0 */
/* The hub a control request names by {"port_id": ...}: one grammar for the
 * port id and one read of its actual state through the seam (hostops.h: the
 * record as a view, the link), for the L3 and the HA methods. */
#ifndef NWG_AGENT_CTL_HUB_ARG_H
#define NWG_AGENT_CTL_HUB_ARG_H

#include <jansson.h>

#include "agent.h"
#include "nwg/err.h"
#include "nwg/repo.h"
#include "reconcile/actual.h"

/* 0 with *port_id (points into args), *act (the hub's actual state; the
 * caller frees it) and *rec (its record's view, inside *act); -ENOENT when
 * the hub is not realized on this node (message in err), -EIO when its
 * record is unreadable; another negative errno with err set. */
int nwg_ctl_hub_arg(struct nwg_agent *a, const json_t *args, const char **port_id,
		    struct nwg_actual **act, const struct nwg_hub_view **rec, struct nwg_err *err);

#endif
