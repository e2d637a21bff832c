/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to agent/attach/ovn*.c. */
#ifndef NWG_AGENT_ATTACH_OVN_INT_H
#define NWG_AGENT_ATTACH_OVN_INT_H

#include <stdbool.h>

#include "attach/ovn.h"
#include "attach/ovs.h"
#include "nwg/err.h"
#include "reconcile/desired.h"

/* external_ids key marking the OVS interfaces this agent created (value: the hub's port id). */
#define NWG_OVN_MARK "neutron-wireguard-hub"

/* Plugs hub h (its link wg_if lives in netns) into bridge br; idempotent.
 * *plugged is true when the port was (re)created by this call. */
int nwg_ovn_plug(const struct nwg_ovs *o, const char *br, const struct nwg_dhub *h,
		 const char *netns, const char *wg_if, bool *plugged, struct nwg_err *err);

#endif
