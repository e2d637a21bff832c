/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The executor's side of the privsep protocol: one request datagram in,
 * checked twice (the message grammar, then this node's naming policy), and
 * only then handed to the operations; every request gets exactly one RESULT
 * (READ_ACTUAL / STATUS: ACTUAL chunks, then a RESULT). Pure dispatch: the
 * operations and the reply sink are the caller's.
 */
#ifndef NWG_AGENT_PRIVSEP_SERVER_H
#define NWG_AGENT_PRIVSEP_SERVER_H

#include "privsep/proto.h"

/* The names the executor accepts: a hub lives in its home namespace
 * (<ns_prefix><project_id>, or the root namespace when root_namespace) or in
 * a router's (qrouter-<uuid>), and is created as wg-<port_id[:11]>. */
struct nwg_ps_policy {
	const char *ns_prefix;
	bool root_namespace;
};

typedef int (*nwg_ps_emit_fn)(void *ectx, const struct nwg_ps_msg *m);

/* The executor's actions; inputs are checked already. Each returns 0 or a
 * negative errno with err set; results go into *out. */
struct nwg_ps_ops {
	/* READ_ACTUAL / STATUS: ACTUAL parts through emit, then out->partial */
	int (*read)(void *ctx, uint16_t type, const struct nwg_ps_ids *ids, nwg_ps_emit_fn emit,
		    void *ectx, uint32_t seq, struct nwg_ps_result *out, struct nwg_err *err);
	int (*apply)(void *ctx, const struct nwg_ps_apply *a, struct nwg_ps_result *out,
		     struct nwg_err *err);
	int (*place)(void *ctx, const struct nwg_ps_place *p, struct nwg_ps_result *out,
		     struct nwg_err *err);
	/* QUARANTINE / UNQUARANTINE (port_id) or PURGE (max_age_s); how many
	 * records moved or went into out->count */
	int (*repo)(void *ctx, uint16_t type, const char *port_id, uint32_t max_age_s,
		    struct nwg_ps_result *out, struct nwg_err *err);
	/* NETNS_REMOVE: out->netns_state, and why a namespace is kept in
	 * out->error (the dispatch makes it printable) */
	int (*netns_remove)(void *ctx, const char *netns, struct nwg_ps_result *out,
			    struct nwg_err *err);
	/* SEAL: the hub's key sealed to s->peer_pub into out->sealed (NULL:
	 * EOPNOTSUPP) */
	int (*seal)(void *ctx, const struct nwg_ps_seal *s, struct nwg_ps_result *out,
		    struct nwg_err *err);
	/* HA: the hub's takeover/silence/renewal; endpoints set into
	 * out->count, its link into out->ifname (NULL: EOPNOTSUPP) */
	int (*ha)(void *ctx, const struct nwg_ps_ha *h, struct nwg_ps_result *out,
		  struct nwg_err *err);
	/* STREAM: SEAL (datagrams sent into out->count, endpoints into
	 * out->listed) or OPEN (the chunk into out->seq, chunk_idx,
	 * chunk_total, text: malloc'd, freed by the dispatch) (NULL:
	 * EOPNOTSUPP) */
	int (*stream)(void *ctx, const struct nwg_ps_stream *s, struct nwg_ps_result *out,
		      struct nwg_err *err);
	/* VRRP: keepalived's START (out->count = pid; out->fd: a descriptor
	 * of the FIFO's read end, fd_set, closed by the dispatch once sent),
	 * REAP, STOP, RELEASE_VIP (NULL: EOPNOTSUPP) */
	int (*vrrp)(void *ctx, const struct nwg_ps_vrrp *v, struct nwg_ps_result *out,
		    struct nwg_err *err);
	/* OVN_PLUG: the hub's link (from this side's record) into out->ifname
	 * and out->netns ("" = not plugged here), the OVS port (re)created
	 * into out->changed, set up/down into out->up, routes removed into
	 * out->count; OVN_SWEEP: ports removed into out->count (NULL:
	 * EOPNOTSUPP) */
	int (*ovn_plug)(void *ctx, const struct nwg_ps_ovn *o, struct nwg_ps_result *out,
			struct nwg_err *err);
	int (*ovn_sweep)(void *ctx, struct nwg_ps_result *out, struct nwg_err *err);
};

enum { NWG_PS_SERVE_MORE = 0, NWG_PS_SERVE_STOP = 1 };

/* Serves one request. Returns NWG_PS_SERVE_MORE, NWG_PS_SERVE_STOP after a
 * SHUTDOWN (answered), or a negative errno when the peer cannot be trusted
 * to go on (-EPROTO: another version; -EBADMSG: not a request) or the reply
 * could not be sent: the executor then exits. A request refused by a check
 * is answered with its rc and changes nothing. */
int nwg_ps_serve(const struct nwg_ps_policy *pol, const struct nwg_ps_ops *ops, void *ctx,
		 const uint8_t *in, size_t len, nwg_ps_emit_fn emit, void *ectx);

/* The naming policy alone (also used by tests). */
int nwg_ps_policy_apply(const struct nwg_ps_policy *pol, const struct nwg_ps_apply *a,
			struct nwg_err *err);
int nwg_ps_policy_place(const struct nwg_ps_policy *pol, const struct nwg_ps_place *p,
			struct nwg_err *err);
/* READ_ACTUAL's namespaces: project homes and qrouter-<uuid> only. */
int nwg_ps_policy_read(const struct nwg_ps_policy *pol, const struct nwg_ps_ids *ids,
		       struct nwg_err *err);
/* NETNS_REMOVE: only a project namespace (<ns_prefix><project_id>). */
int nwg_ps_policy_netns(const struct nwg_ps_policy *pol, const char *netns, struct nwg_err *err);

#endif
