/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to agent/attach/ovn*.c. */
#ifndef NWG_AGENT_ATTACH_OVN_INT_H
#define NWG_AGENT_ATTACH_OVN_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "attach/ovn.h"
#include "attach/ovs.h"
#include "nwg/err.h"
#include "nwg/rtnl.h"
#include "reconcile/desired.h"

/* external_ids key marking the OVS interfaces this agent created (value: the hub's port id). */
#define NWG_OVN_MARK "neutron-wireguard-hub"

struct nwg_ovn_plugged {
	bool plugged;	       /* the OVS port was (re)created by this call */
	size_t routes_removed; /* routes of spokes that left */
	bool link_changed;     /* the port was set up or down */
};

/* Plugs hub h (its link wg_if lives in netns) into bridge br and sets the
 * namespace's routes to its spokes; idempotent. The port is up when `up`
 * (an HA hub's only on the active node); ha: the HA knobs (h->ha is not
 * read). */
int nwg_ovn_plug(const struct nwg_ovs *o, const char *br, const struct nwg_dhub *h,
		 const char *netns, const char *wg_if, bool up, bool ha,
		 struct nwg_ovn_plugged *out, struct nwg_err *err);

/* Pure: true when a spoke of h allows dst ("addr/plen", a route through the
 * hub's WireGuard link), or when dst does not parse (left alone). */
bool nwg_ovn_route_wanted(const struct nwg_dhub *h, const char *dst);

/* Removes the routes through wg_if (in the namespace r is bound to) that no
 * spoke of h allows any more; *removed counts them. */
int nwg_ovn_prune_routes(struct nwg_rtnl *r, const struct nwg_dhub *h, const char *wg_if,
			 size_t *removed, struct nwg_err *err);

#endif
