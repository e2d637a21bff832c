/* SPDX-License-Identifier: Apache-2.0 */
/* OVN attach (doc/ovn.md): each hub's namespace is plugged into the OVN
 * integration bridge as the hub's own Neutron port, so ovn-controller binds
 * the port to this chassis and the OVN logical router reaches the devices. */
#ifndef NWG_AGENT_ATTACH_OVN_H
#define NWG_AGENT_ATTACH_OVN_H

#include <net/if.h>
#include <stdbool.h>

struct nwg_agent;
struct nwg_desired;

/* "wo-" + the first 11 characters of the port id. */
void nwg_ovn_ifname(const char *port_id, char out[IFNAMSIZ]);

/* After a sync pass: plugs every realized hub of d (idempotent) and, after
 * a full pass, unplugs the ports of hubs this node no longer has. Failures
 * are logged per hub and retried by a targeted sync. */
void nwg_ovn_sync(struct nwg_agent *a, const struct nwg_desired *d, bool full);

#endif
