/* SPDX-License-Identifier: Apache-2.0 */
/* The endpoint stream run by the agent (doc/ha.md piece 3): while this node
 * is the VRRP master it sends each HA hub's peers' endpoints to the other
 * node every stream_interval_ms (lib/ha_msg.c: chunks sealed between the
 * two nodes' enrollment keys); the other node reassembles them
 * (lib/ha_asm.c) and keeps the last complete snapshot per hub in memory for
 * its takeover. The seal (with the device's read) and the open of each
 * datagram run on the privileged side (hostops.h stream_seal / stream_open:
 * the executor when split), the only holder of the enrollment private key;
 * here: the receiving UDP socket (non-blocking, in the loop), the
 * reassembly and the snapshots. */
#ifndef NWG_AGENT_HA_STREAM_H
#define NWG_AGENT_HA_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nwg/ha.h"
#include "nwg/key.h"
#include "nwg/repo.h"

struct nwg_agent;

struct nwg_ha_shub {
	char port_id[NWG_ID_MAX + 1];
	char ifname[16];
	char netns[NWG_NETNS_NAME_MAX + 1];
	struct nwg_key peer; /* the other node's enrollment public key */
	struct nwg_ha_asm asm_;
	struct nwg_ha_ep *eps; /* last complete snapshot received */
	size_t n_eps;
	bool live; /* still an HA hub of this node (refresh) */
};

struct nwg_ha_stream {
	int fd; /* -1 = not open (receiving only) */
	bool failed;
	int64_t next_send_ms;
	struct nwg_ha_shub *v;
	size_t n;
	uint64_t sent, received, snapshots; /* datagrams, complete snapshots */
};

void nwg_ha_stream_init(struct nwg_ha_stream *s);
void nwg_ha_stream_fini(struct nwg_ha_stream *s);
/* Follows the HA hubs of the agent's table (opens the socket on first use). */
void nwg_ha_stream_refresh(struct nwg_agent *a, struct nwg_ha_stream *s);
/* The last snapshot received for the hub (*out points into s): count. */
size_t nwg_ha_stream_cached(const struct nwg_ha_stream *s, const char *port_id,
			    const struct nwg_ha_ep **out);
/* Master: sends the snapshots when due; returns the next due time. */
int64_t nwg_ha_stream_send_due(struct nwg_agent *a, struct nwg_ha_stream *s, int64_t now);
/* Reads every datagram waiting on the socket. */
void nwg_ha_stream_receive(struct nwg_agent *a, struct nwg_ha_stream *s);

#endif
