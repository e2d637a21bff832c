/* SPDX-License-Identifier: Apache-2.0 */
/* A spoke's hubs, from wireguard.peers or binding:vif_details.peers. */
#ifndef NWGCLI_PORT_PEERS_H
#define NWGCLI_PORT_PEERS_H

#include <jansson.h>

#include "spoke.h"

/*
 * Fills s->hubs. Peer details come from wg.peers (the `wireguard` port
 * attribute), else vif.peers; profile.peers (hub port ids) says which hubs
 * the spoke asked for: every one must be realized (public_key + endpoint),
 * or the result is -ENOENT naming the hub. No peers at all: -EINVAL.
 * Each peer: port_id, public_key, endpoint, allowed_ips (the hub's subnets;
 * "10.99.0.1/24" counts as 10.99.0.0/24), optional mtu and optional routes
 * (the L3 hook: CIDRs behind the hub's router, added to AllowedIPs).
 */
int nwgcli_hubs_parse(struct nwgcli_spoke *s, const json_t *wg, const json_t *profile,
		      const json_t *vif, struct nwg_err *err);

/* "1.2.3.4:51820", "[fd00::1]:51820" or "host.example:51820". 0 or -EINVAL. */
int nwgcli_endpoint_ok(const char *s);

#endif
