/* SPDX-License-Identifier: Apache-2.0 */
/* The planner: desired x actual -> actions. Pure: no I/O, no kernel. */
#ifndef NWG_AGENT_PLAN_H
#define NWG_AGENT_PLAN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reconcile/actual.h"
#include "reconcile/desired.h"

struct nwg_plan_opts {
	const char *ns_prefix; /* "tun-" */
	bool root_namespace;   /* [wireguard] root_namespace */
	bool hub_up_unrouted;  /* [wireguard] hub_up_unrouted */
	bool link_up;	       /* OVN attach: link up without addresses */
	unsigned int underlay_mtu;
	char *const *ignored;	  /* ifnames or port ids, NULL-terminated */
	bool full;		  /* desired covers every hub of this host */
	const char *const *scope; /* targeted sync: the port ids asked for */
	size_t n_scope;
	bool restore; /* desired comes from the repository: never delete */
	/* HA: this node's VRRP state as ha_state ("" unknown), NULL = no VRRP
	 * run by the agent (nwg_ha_report_state) */
	const char *ha_vrrp;
	/* HA: the only other host this node's HA hubs may name ([wireguard_ha]
	 * peer_host); NULL or "" = not checked */
	const char *ha_peer_host;
};

enum nwg_act_kind {
	NWG_ACT_DELETE, /* remove the link (if any) and the record */
	NWG_ACT_CREATE, /* build the hub (new or recorded identity) */
	NWG_ACT_UPDATE, /* existing link: fix what differs (fix flags) */
	NWG_ACT_ADOPT,	/* already right: nothing to do */
	NWG_ACT_SKIP,	/* rejected desired state or ignored device: untouched */
};

enum nwg_fix {
	NWG_FIX_KEY = 1U << 0,
	NWG_FIX_PORT = 1U << 1,
	NWG_FIX_PEERS = 1U << 2,
	NWG_FIX_NETNS = 1U << 3,
	NWG_FIX_MTU = 1U << 4,
	NWG_FIX_ADDRS = 1U << 5,
	NWG_FIX_UP = 1U << 6,
	NWG_FIX_DOWN = 1U << 7,
	NWG_FIX_RECORD = 1U << 8,
};

enum nwg_key_src {
	NWG_KEY_NEW,	/* generate */
	NWG_KEY_RECORD, /* the repository's (loaded by the executor) */
	NWG_KEY_LINK,	/* the live device's (record lost; read by the executor) */
	NWG_KEY_SEALED, /* HA secondary: want->ha->envelope, opened with this
			 * node's enrollment key (nwg_enroll_unseal) */
};

enum nwg_peer_op_kind { NWG_POP_ADD, NWG_POP_UPDATE, NWG_POP_REMOVE };
enum {
	NWG_POPF_ALLOWED = 1U << 0,
	NWG_POPF_ENDPOINT = 1U << 1,
	NWG_POPF_KEEPALIVE = 1U << 2,
};

struct nwg_peer_op {
	enum nwg_peer_op_kind op;
	struct nwg_key key;
	const struct nwg_dspoke *spoke; /* NULL for REMOVE */
	unsigned int fields;		/* UPDATE: what changed */
};

struct nwg_action {
	enum nwg_act_kind kind;
	char port_id[NWG_ID_MAX + 1];
	char project_id[NWG_ID_MAX + 1];
	const struct nwg_dhub *want;		 /* NULL for DELETE */
	const struct nwg_alink *link;		 /* the live link, NULL if absent */
	const struct nwg_hub_view *rec;		 /* the record (no key), NULL if absent */
	char ifname[IFNAMSIZ];			 /* CREATE: the name to create */
	char netns[NWG_NETNS_NAME_MAX + 1];	 /* target namespace, "" = root */
	char home_netns[NWG_NETNS_NAME_MAX + 1]; /* tun-<project> or "" */
	bool l3_owned;				 /* lives in a router namespace: leave placement */
	/* HA secondary's copy (doc/ha.md): peers without endpoint and keepalive,
	 * recorded so; listen port fixed (want->ha->listen_port), never allocated */
	bool standby;
	enum nwg_key_src key_src;
	uint16_t listen_port; /* 0 = allocate */
	unsigned int mtu;
	bool up;	   /* the final link state */
	bool addressed;	   /* fixed IPs on the link */
	unsigned int fix;  /* UPDATE */
	bool replace_link; /* CREATE: a broken link must be deleted first */
	struct nwg_peer_op *peer_ops;
	size_t n_peer_ops;
	bool report; /* hub_realized needed (identity differs from the server's) */
	/* UPDATE of peers only, record otherwise current: journaling the peer
	 * ops brings the record up to date (no whole-record rewrite) */
	bool record_delta;
	/* the peers were planned from a delta's touched keys alone, the rest of
	 * the device and record known in sync (reconcile/plan_touched.c) */
	bool touched;
	bool touched_rec_ok; /* touched: each touched key's record peer is its spoke */
	const char *reason;
};

struct nwg_plan {
	struct nwg_action *acts;
	size_t n;
	bool need_full; /* targeted sync: a held hub is gone: a full sync decides */
};

int nwg_plan_build(const struct nwg_desired *d, const struct nwg_actual *a,
		   const struct nwg_plan_opts *o, struct nwg_plan **out);
void nwg_plan_free(struct nwg_plan *p);
/* Test hook: public-key comparisons nwg_plan_build has made (sorting
 * included), cumulative; tests bound the planner's work with it. */
extern unsigned long nwg_plan_key_cmps;

const char *nwg_act_kind_name(enum nwg_act_kind k);
/* "wg-" + the first 11 characters of the port id. */
void nwg_hub_ifname(const char *port_id, char out[IFNAMSIZ]);
/* Home namespace of a hub: "" (root mode) or prefix + project. */
void nwg_hub_home_netns(const struct nwg_plan_opts *o, const struct nwg_dhub *h, char *out,
			size_t len);

#endif
