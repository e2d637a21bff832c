/* SPDX-License-Identifier: Apache-2.0 */
/* [wireguard_ha]: the VRRP instance the agent runs for its HA hubs
 * (doc/ha.md, "The agent runs the takeover"). Off unless vrrp_interface is
 * set. One instance per node: every HA hub of this node shares it. */
#ifndef NWG_AGENT_CONF_HA_H
#define NWG_AGENT_CONF_HA_H

#include <netinet/in.h>
#include <stdbool.h>

#include "nwg/err.h"

struct nwg_ini;

struct nwg_conf_ha {
	bool on;			/* vrrp_interface set */
	char interface[16];		/* vrrp_interface */
	char vip[INET6_ADDRSTRLEN + 4]; /* "addr/plen" (the endpoint that moves) */
	char vip_addr[INET6_ADDRSTRLEN];
	int vip_family;
	unsigned int vrid;		    /* virtual_router_id 1..255 */
	unsigned int priority;		    /* 1..254 */
	unsigned int advert_ms;		    /* advert_interval_ms, 10..40950, multiple of 10 */
	char keepalived[256];		    /* keepalived binary */
	unsigned int pace;		    /* peers per millisecond on takeover */
	char stream_peer[INET6_ADDRSTRLEN]; /* the other node's stream address, "" = no stream */
	char peer_host[256];		    /* the other node's host, "" = not checked */
	unsigned int stream_port;	    /* UDP port of the stream (both nodes) */
	unsigned int stream_interval_ms;    /* one snapshot per interval */
};

/* Reads [wireguard_ha] into *h; -EINVAL with "[wireguard_ha] option: why". */
int nwg_conf_load_ha(struct nwg_conf_ha *h, const struct nwg_ini *ini, struct nwg_err *err);
/* "VIP:port" / "[VIP]:port" (the endpoint an HA hub reports). */
int nwg_conf_ha_endpoint(const struct nwg_conf_ha *h, unsigned int port, char *buf, size_t len);

#endif
