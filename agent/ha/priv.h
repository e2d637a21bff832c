/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The privileged side of an HA node (doc/ha.md): what the local hostops
 * (the agent as one process) and the privilege-separation executor run for
 * the engine's HA loop (agent/ha/run.c, stream.c), from their own
 * configuration: the node's keepalived (configuration, notify FIFO, the
 * process by PID), the VIP's release when keepalived died holding it, and
 * the endpoint stream's seal and open with the node's enrollment private
 * key, which only this side loads. No logging here: results and errors go
 * back to the caller.
 */
#ifndef NWG_AGENT_HA_PRIV_H
#define NWG_AGENT_HA_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ha/vrrp.h"
#include "nwg/err.h"
#include "nwg/ha.h"
#include "nwg/key.h"
#include "privsep/hostops.h"

struct nwg_backend;
struct nwg_repo;
struct nwg_conf;

struct nwg_ha_priv {
	struct nwg_vrrp vrrp;  /* keepalived: its directory, pid, the FIFO */
	struct nwg_key enroll; /* the node's enrollment private key */
	bool have_enroll;
	int send_fd; /* UDP, unbound: the stream's datagrams, -1 = none yet */
};

struct nwg_ha_priv *nwg_ha_priv_new(void);
/* Stops keepalived (it releases the VIP), closes, wipes the key. NULL-safe. */
void nwg_ha_priv_free(struct nwg_ha_priv *p);

/* keepalived (hostops.h enum nwg_vrrp_op) run from c->ha and c->state_path:
 * START: configuration and FIFO written, keepalived spawned (out->pid;
 * out->fifo: a new descriptor of the FIFO, the caller's to close). REAP:
 * out->exited, out->status. STOP. RELEASE_VIP: out->removed. */
int nwg_ha_priv_vrrp(struct nwg_ha_priv *p, const struct nwg_conf *c, uint8_t op,
		     struct nwg_vrrp_out *out, struct nwg_err *err);

/* SEAL: the hub's device read (its record's link), its snapshot sealed
 * between the enrollment key and peer and sent to c->ha's stream_peer
 * (non-blocking: a full buffer costs that datagram). *sent datagrams, *eps
 * endpoints. -ENOENT without a record. */
int nwg_ha_priv_seal(struct nwg_ha_priv *p, struct nwg_backend *b, struct nwg_repo *repo,
		     const struct nwg_conf *c, const char *port_id, const struct nwg_key *peer,
		     size_t *sent, size_t *eps, struct nwg_err *err);

/* OPEN: one datagram opened as the hub's, from peer, seq above min_seq;
 * the chunk's lines checked in nwg_ha_parse's grammar. -EXDEV another
 * hub's, -EACCES not from peer (or altered), -ESTALE old, -EINVAL
 * malformed: the error text is fixed (never the datagram's content). */
int nwg_ha_priv_open(struct nwg_ha_priv *p, const struct nwg_conf *c, const char *port_id,
		     const struct nwg_key *peer, uint64_t min_seq, const uint8_t *msg, size_t len,
		     struct nwg_ha_chunk_out *out, struct nwg_err *err);

#endif
