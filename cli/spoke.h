/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a device needs to join its hubs, read from a spoke port's JSON (the
 * Neutron API body or `openstack port show -f json`). Everything but the
 * device's private key, which Neutron never has.
 */
#ifndef NWGCLI_SPOKE_H
#define NWGCLI_SPOKE_H

#include <stddef.h>

#include "nwg/err.h"
#include "nwg/key.h"
#include "nwg/wg.h"

#define NWGCLI_MAX_ADDRS     16	 /* fixed IPs of one port */
#define NWGCLI_MAX_CIDRS     64	 /* AllowedIPs of one hub (its subnets + routes) */
#define NWGCLI_MAX_HUBS	     64	 /* hubs one spoke peers with */
#define NWGCLI_ID_LEN	     64	 /* port ids: UUIDs, at most 63 chars here */
#define NWGCLI_ENDPOINT_LEN  262 /* "[" 253-char DNS name "]:" 5 digits */
#define NWGCLI_KEEPALIVE_DEF 25
#define NWGCLI_MTU_DEF	     1420
#define NWGCLI_MTU_MIN	     576 /* below that IPv4 breaks; IPv6 wants 1280 */
#define NWGCLI_MTU_MAX	     9000

struct nwgcli_hub {
	char port_id[NWGCLI_ID_LEN];
	char public_key[NWG_KEY_B64_LEN + 1]; /* validated strictly */
	char endpoint[NWGCLI_ENDPOINT_LEN];   /* "host:port" / "[v6]:port", validated */
	/* The hub's subnets (host bits cleared), then its `routes` (L3 hook). */
	struct nwg_allowedip cidrs[NWGCLI_MAX_CIDRS];
	size_t n_cidrs;
	unsigned int mtu; /* the hub's advertised tunnel MTU, 0 = none */
};

struct nwgcli_spoke {
	char port_id[NWGCLI_ID_LEN];
	char public_key[NWG_KEY_B64_LEN + 1];	      /* "" when the port has none */
	struct nwg_allowedip addrs[NWGCLI_MAX_ADDRS]; /* host addresses: /32, /128 */
	size_t n_addrs;
	unsigned int keepalive;	 /* seconds; 0 = off */
	struct nwgcli_hub *hubs; /* owned; n_hubs >= 1 after a successful parse */
	size_t n_hubs;
};

/*
 * Parses a spoke port. Accepts {"port": {...}} or the port object itself
 * (OSC flat keys: binding_profile, binding_vif_details). Fails (-EINVAL,
 * -ENOENT for "not realized yet", -ENOMEM) with a message naming the problem
 * when the port is not a spoke, has no peers, a hub is not realized or a
 * field has the wrong type. *out is owned by the caller (nwgcli_spoke_free).
 */
int nwgcli_spoke_parse(struct nwgcli_spoke **out, const char *json, size_t len,
		       struct nwg_err *err);
void nwgcli_spoke_free(struct nwgcli_spoke *s); /* NULL-safe */

#endif
