/* SPDX-License-Identifier: Apache-2.0 */
/* A hub's repository record as the engine sees it (doc/security.md,
 * "Privilege separation"): every field of struct nwg_hub_record but the
 * private key, and the public key derived from it. The actual state, the
 * planner and the per-hub cache hold records only in this form; the code that
 * creates or rekeys a link loads the private key from the repository when it
 * needs it (reconcile/exec.c). Nothing secret: ordinary memory. */
#ifndef NWG_AGENT_VIEW_H
#define NWG_AGENT_VIEW_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nwg/repo.h"
#include "reconcile/record.h"

struct nwg_hub_view {
	char port_id[NWG_ID_MAX + 1];
	char project_id[NWG_ID_MAX + 1];
	char ifname[IFNAMSIZ];			 /* current name (wg-xxx or qr-xxx) */
	char netns[NWG_NETNS_NAME_MAX + 1];	 /* where it lives now; "" = root */
	char home_netns[NWG_NETNS_NAME_MAX + 1]; /* tun-<project> (or "" for root hubs) */
	struct nwg_key public_key;		 /* of the record's private key */
	uint16_t listen_port;
	unsigned int mtu; /* 0 = not set */
	bool up;
	char **addresses; /* NULL-terminated CIDRs on the link */
	struct nwg_repo_peer *peers;
	size_t n_peers;
};

struct nwg_hub_view *nwg_hub_view_new(void);
void nwg_hub_view_free(struct nwg_hub_view *v); /* NULL-safe */
/* The view of a record (its public key derived): NULL on ENOMEM. */
struct nwg_hub_view *nwg_hub_view_of(const struct nwg_hub_record *rec);
/* A deep copy, NULL on ENOMEM. */
struct nwg_hub_view *nwg_hub_view_dup(const struct nwg_hub_view *v);
/* The view of the record an action would save (spec->public_key; the
 * private key of the spec is not read): NULL on ENOMEM. */
struct nwg_hub_view *nwg_hub_view_build(const struct nwg_record_spec *spec);
/* Appends the spoke as a peer (repository form); -1 on ENOMEM. */
int nwg_hub_view_add_spoke(struct nwg_hub_view *v, const struct nwg_dspoke *s);
/* Every field but the peers (the key: the public one). */
bool nwg_hub_view_same_header(const struct nwg_hub_view *a, const struct nwg_hub_view *b);
/* Every field; peers as a set (a record and its journal may order them
 * differently); out of memory compares as different. */
bool nwg_hub_view_same(const struct nwg_hub_view *a, const struct nwg_hub_view *b);

#endif
