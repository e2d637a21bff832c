/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The privileged half of the L3 methods attach/detach: find a hub's link,
 * move it (reconcile/exec_place.c), and record where it now lives. One
 * implementation for both ways the agent runs: called in-process by
 * ctl_l3.c, and by the privilege-separation executor for a PLACE message
 * (agent/privsep/ops_repo.c). Nothing here logs.
 */
#ifndef NWG_AGENT_L3_PLACE_H
#define NWG_AGENT_L3_PLACE_H

#include <net/if.h>
#include <stdbool.h>

#include "nwg/err.h"
#include "nwg/netns.h"
#include "nwg/repo.h"
#include "nwg/rtnl.h"

struct nwg_backend;

struct nwg_l3_where {
	char netns[NWG_NETNS_NAME_MAX + 1];
	char ifname[IFNAMSIZ];
	struct nwg_link link;
};

/* Where the hub's link is: where the record says, at home, or at the
 * target (to_ns/to_if, may be NULL); matched by the link's alias. */
bool nwg_l3_locate(const struct nwg_hub_record *rec, const char *to_ns, const char *to_if,
		   struct nwg_l3_where *w);

struct nwg_l3_req {
	bool attach;
	const char *netns, *ifname; /* attach: qrouter-<uuid> and the qr- name */
	unsigned int mtu;	    /* attach: 0 = leave */
	char *const *cidrs;	    /* attach: "addr/plen", NULL-terminated or NULL */
};

/*
 * attach: into q->netns as q->ifname with MTU, addresses, up; -EPERM for a
 * root-namespace hub, -ENODEV when the hub has no link. detach: back to the
 * record's home as wg-<port[:11]>, down, no addresses (home created when
 * missing); a hub without a link is left alone (*present false, 0). The
 * record (rec, updated) is saved. *from: where the link was.
 */
int nwg_l3_place(struct nwg_backend *b, struct nwg_repo *repo, struct nwg_hub_record *rec,
		 const struct nwg_l3_req *q, struct nwg_l3_where *from, bool *present,
		 bool *changed, struct nwg_err *err);

/*
 * The record of the hub to place (nwg_repo_load). A hub with no record was
 * deleted, perhaps while attached: for a detach, the UAPI aliases whose
 * device is gone (qr-*.sock, userspace backend) are swept here, in the
 * process that may remove them (the executor with privilege separation),
 * before the -ENOENT is returned.
 */
int nwg_l3_load(struct nwg_backend *b, struct nwg_repo *repo, const char *port_id, bool attach,
		struct nwg_hub_record **rec, struct nwg_err *err);

#endif
