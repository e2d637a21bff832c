/* SPDX-License-Identifier: Apache-2.0 */
/* struct nwgcli_spoke -> a wg-quick configuration. */
#ifndef NWGCLI_RENDER_CONF_H
#define NWGCLI_RENDER_CONF_H

#include <stdio.h>

#include "spoke.h"

#define NWGCLI_KEY_PLACEHOLDER "REPLACE_WITH_THE_DEVICE_PRIVATE_KEY"

struct nwgcli_render_opts {
	const char *private_key; /* base64 (validated), NULL = placeholder line */
	unsigned int mtu;	 /* --mtu: a cap; 0 = not given */
};

/* The smallest MTU the hubs advertise, capped by opt_mtu; with neither,
 * opt_mtu or NWGCLI_MTU_DEF. */
unsigned int nwgcli_render_mtu(const struct nwgcli_spoke *s, unsigned int opt_mtu);

/*
 * Writes the config. [Interface]: PrivateKey, Address = the spoke's fixed
 * IPs as host addresses (/32, /128) — the routes to the hubs' subnets come
 * from each peer's AllowedIPs, as wg-quick installs them —, MTU. One [Peer]
 * per hub; a prefix already given to an earlier hub is not repeated (a
 * prefix routes to one peer only). 0, or -EIO when f fails.
 */
int nwgcli_render_conf(FILE *f, const struct nwgcli_spoke *s, const struct nwgcli_render_opts *o);

#endif
