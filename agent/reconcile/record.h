/* SPDX-License-Identifier: Apache-2.0 */
/* Repository records built from desired state, and their comparison. */
#ifndef NWG_AGENT_RECORD_H
#define NWG_AGENT_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "nwg/repo.h"
#include "reconcile/desired.h"

struct nwg_record_spec {
	const struct nwg_dhub *hub;
	const char *ifname;
	const char *netns;	/* "" = root */
	const char *home_netns; /* "" = root */
	unsigned int mtu;
	bool up;
	bool addressed;
	const struct nwg_key *private_key; /* nwg_record_build */
	const struct nwg_key *public_key;  /* nwg_hub_view_build (view.h) */
	uint16_t listen_port;
	bool standby; /* HA standby copy: peers recorded without endpoint/keepalive */
};

/* A new record (caller frees with nwg_hub_record_free), NULL on ENOMEM. */
struct nwg_hub_record *nwg_record_build(const struct nwg_record_spec *spec);
/* Appends the spoke as a peer of rec (repository form); -1 on ENOMEM. */
int nwg_record_add_spoke(struct nwg_hub_record *rec, const struct nwg_dspoke *s);
/* Fills a zeroed repository peer from a spoke; -1 on ENOMEM. */
int nwg_repo_peer_set_spoke(struct nwg_repo_peer *p, const struct nwg_dspoke *s);
/* The spoke a record's peer stands for (the reverse of
 * nwg_record_add_spoke); s->allowed is allocated (freed with the hub), -1 on
 * ENOMEM; an allowed IP outside the grammar is left out. */
int nwg_record_peer_spoke(struct nwg_dspoke *s, const struct nwg_repo_peer *p);

#endif
