/* SPDX-License-Identifier: Apache-2.0 */
/* An HA hub's device operations as the privileged side runs them (the
 * local hostops implementation and the privilege-separation executor):
 * the hub's link and Neutron's endpoints come from its record, which only
 * this side loads; the engine names the hub and gives the streamed
 * endpoints (hostops.h struct nwg_ha_req). */
#ifndef NWG_AGENT_HA_TAKEOVER_H
#define NWG_AGENT_HA_TAKEOVER_H

#include "privsep/hostops.h"

struct nwg_backend;
struct nwg_repo;

#define NWG_HA_TAKEOVER_KEEPALIVE 1 /* s, while taking over (the next pass restores) */

/* tenant_port: this node plugs hubs into OVN ([wireguard_ovn]): the hub's
 * tenant port follows the op (after the peers: up on ACTIVATE, down on
 * DEACTIVATE; absent = not plugged yet, the next pass sets it). */
int nwg_ha_takeover_run(struct nwg_backend *b, struct nwg_repo *repo, bool tenant_port,
			const struct nwg_ha_req *q, struct nwg_ha_out *out, struct nwg_err *err);

#endif
