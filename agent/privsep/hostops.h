/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seam between the agent's engine and the privileged operations it asks
 * for. One interface, two implementations: nwg_hostops_local runs them in
 * this process (the agent as one process; ctx = the struct nwg_agent), and
 * nwg_hostops_client sends them to the privilege-separation executor (ctx =
 * a struct nwg_ps_client; agent/privsep/client_ops.c), which runs the
 * local code. Call sites (ctl_l3.c, nsgc_run.c, quarantine.c, sync.c,
 * restore.c) are the same either way.
 * Built so far: L3 placement, project namespace removal, the quarantine,
 * the sync's and restore's actions and their read of the actual state, the
 * HA device operations, the OVN plug and sweep (see doc/security.md for the
 * calls that still go to the kernel directly).
 */
#ifndef NWG_AGENT_HOSTOPS_H
#define NWG_AGENT_HOSTOPS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attach/l3_place.h"
#include "attach/ovn.h"
#include "nwg/err.h"
#include "nwg/ha.h"
#include "nwg/key.h"
#include "nwg/netns.h"
#include "nwg/seal.h"

struct nwg_agent;
struct nwg_action;
struct nwg_exec_ctx;
struct nwg_exec_out;
struct nwg_actual;
struct nwg_actual_src;

/* An HA hub's device operations (doc/ha.md), on this node's VRRP state.
 * ACTIVATE: the given endpoints (the streamed snapshot, most recently
 * active devices first) then those Neutron configured (the hub's record) for
 * the peers the list does not name; keepalive on, handshakes initiated,
 * paced. DEACTIVATE: every peer without endpoint and keepalive (silent).
 * RENEW: sessions dropped and re-initiated to the device's own endpoints
 * (a healed split brain). The implementation finds the hub's link from its
 * record: the caller names the hub by port id only. */
enum nwg_ha_op { NWG_HA_OP_ACTIVATE = 1, NWG_HA_OP_DEACTIVATE, NWG_HA_OP_RENEW };
struct nwg_ha_ep;
struct nwg_ha_req {
	uint8_t op; /* enum nwg_ha_op */
	const char *port_id;
	const struct nwg_ha_ep *eps; /* ACTIVATE only */
	size_t n_eps;
	unsigned int pace; /* ACTIVATE/RENEW: peers per millisecond (>= 1) */
};
struct nwg_ha_out {
	int set;       /* endpoints set (ACTIVATE/RENEW) */
	size_t listed; /* endpoints known (streamed + Neutron's) */
	/* the hub's OVN tenant port (attach/ovn.h) was set up (ACTIVATE) or
	 * down (DEACTIVATE) by this request: the switches learn the node */
	bool tenant_changed, tenant_up;
	char ifname[IFNAMSIZ]; /* the hub's link (for the log) */
};

/* The node's keepalived (doc/ha.md), run by the implementation from its own
 * [wireguard_ha] options (the caller names the op only). */
enum nwg_vrrp_op {
	NWG_VRRP_OP_START = 1,	 /* configuration, FIFO, keepalived spawned */
	NWG_VRRP_OP_REAP,	 /* exited? (never blocks) */
	NWG_VRRP_OP_STOP,	 /* SIGTERM (the VIP released), SIGKILL after 2 s */
	NWG_VRRP_OP_RELEASE_VIP, /* the VIP off the VRRP interface */
};
struct nwg_vrrp_out {
	int pid;      /* START: keepalived's */
	int fifo;     /* START: the notify FIFO's read end (the caller's), -1 otherwise */
	bool exited;  /* REAP */
	int status;   /* REAP: its wait status */
	bool removed; /* RELEASE_VIP: the VIP was there */
};

/* One endpoint-stream chunk opened (lib/ha_msg.c): its snapshot's seq, its
 * place, its lines (text: malloc'd, the caller's; NULL when empty). */
struct nwg_ha_chunk_out {
	uint64_t seq;
	struct nwg_ha_chunk c;
	char *text;
	size_t len;
};

struct nwg_place_out {
	bool present; /* detach: false when the hub has no link (nothing done) */
	bool changed;
	char netns[NWG_NETNS_NAME_MAX + 1]; /* where the link is now */
	char ifname[IFNAMSIZ];
};

struct nwg_hostops {
	/* attach/detach of a realized hub (l3_place.h): -ENOENT when this node
	 * has no record of it. A detach names the hub's home and wg- name. */
	int (*place)(void *ctx, const char *port_id, const struct nwg_l3_req *q,
		     struct nwg_place_out *out, struct nwg_err *err);
	/* reconcile/exec.h nwg_exec_netns_remove: NWG_NETNS_* or -errno; why
	 * says why a namespace is kept. */
	int (*netns_remove)(void *ctx, const char *name, char *why, size_t why_len,
			    struct nwg_err *err);
	/* The repository's quarantine (nwg/repo.h): records moved (0/1) or
	 * purged, or -errno. */
	int (*quarantine)(void *ctx, const char *port_id, struct nwg_err *err);
	int (*unquarantine)(void *ctx, const char *port_id, struct nwg_err *err);
	int (*purge)(void *ctx, unsigned int max_age_s, struct nwg_err *err);
	/* One planned action (reconcile/exec.h nwg_exec_action): x is this
	 * pass's context (the local implementation runs with it; the executor
	 * allocates ports with its own view); out as nwg_exec_action's. */
	int (*apply)(void *ctx, struct nwg_exec_ctx *x, const struct nwg_action *act,
		     struct nwg_exec_out *out, struct nwg_err *err);
	/* The actual state (reconcile/actual.h nwg_actual_read: records as
	 * views, no private key): the local one reads with src's backend and
	 * repository, the executor with its own (scope and namespaces from src). */
	int (*actual)(void *ctx, const struct nwg_actual_src *src, struct nwg_actual **out,
		      struct nwg_err *err);
	/* HA primary (doc/ha.md): the hub's private key, from its record,
	 * sealed to the secondary's enrollment public key and bound to the port
	 * id (nwg_seal_hub_key); only the envelope comes back. -ENOENT without
	 * a record. */
	int (*seal)(void *ctx, const char *port_id, const struct nwg_key *peer_pub,
		    char out[NWG_SEALED_B64_LEN + 1], struct nwg_err *err);
	/* An HA hub's takeover/silence/renewal (struct nwg_ha_req): 0 with out
	 * filled, -ENOENT without a record, or -errno. */
	int (*ha)(void *ctx, const struct nwg_ha_req *q, struct nwg_ha_out *out,
		  struct nwg_err *err);
	/* keepalived (enum nwg_vrrp_op): out as struct nwg_vrrp_out says;
	 * -EOPNOTSUPP on a node without [wireguard_ha]. */
	int (*vrrp)(void *ctx, uint8_t op, struct nwg_vrrp_out *out, struct nwg_err *err);
	/* The endpoint stream (doc/ha.md): the node's enrollment private key
	 * stays with the implementation. stream_seal: the hub's snapshot read
	 * from its device, sealed to peer and sent to the configured
	 * stream_peer (*sent datagrams, *eps endpoints). stream_open: one
	 * received datagram opened as the hub's from peer (seq above min_seq):
	 * the chunk into *out; -EXDEV another hub's, -EACCES not from peer. */
	int (*stream_seal)(void *ctx, const char *port_id, const struct nwg_key *peer, size_t *sent,
			   size_t *eps, struct nwg_err *err);
	int (*stream_open)(void *ctx, const char *port_id, const struct nwg_key *peer,
			   uint64_t min_seq, const uint8_t *msg, size_t len,
			   struct nwg_ha_chunk_out *out, struct nwg_err *err);
	/* OVN attach (attach/ovn.h): one hub's port on the integration bridge,
	 * where the implementation's record of the hub says its link is (0
	 * with out->netns "" when it has none there); the sweep of the ports
	 * whose hub has no record (*removed counts them). */
	int (*ovn_plug)(void *ctx, const struct nwg_ovn_req *q, struct nwg_ovn_out *out,
			struct nwg_err *err);
	int (*ovn_sweep)(void *ctx, size_t *removed, struct nwg_err *err);
};

extern const struct nwg_hostops nwg_hostops_local; /* ctx: struct nwg_agent */

/* The agent's implementation and its context (local when none is set). */
const struct nwg_hostops *nwg_hostops_of(struct nwg_agent *a, void **ctx);

/* The actual state through the agent's implementation: of one hub (the
 * root namespace and those of its record), or of every hub (no namespace
 * besides the records'). For the readers outside the sync: the control
 * socket, status, health, the quarantine's restore. */
int nwg_hostops_actual_one(struct nwg_agent *a, const char *port_id, struct nwg_actual **out,
			   struct nwg_err *err);
int nwg_hostops_actual_all(struct nwg_agent *a, struct nwg_actual **out, struct nwg_err *err);
/* The records (as views) of the named hubs, without their links where the
 * implementation can skip them (the local one does; the executor reads
 * them). For readers that need a hub's place only (OVN attach, the HA
 * stream). */
int nwg_hostops_records(struct nwg_agent *a, const char *const *ids, size_t n,
			struct nwg_actual **out, struct nwg_err *err);

#endif
