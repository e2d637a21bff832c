/* SPDX-License-Identifier: Apache-2.0 */
/* The `ha` section of a get_hubs hub (doc/contracts.md, doc/ha.md): a highly
 * available hub built by two network nodes. Pure parse and grammar, shared
 * with the driver (tests/grammar/corpus.json "ha"). */
#ifndef NWG_AGENT_DESIRED_HA_H
#define NWG_AGENT_DESIRED_HA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nwg/key.h"
#include "nwg/seal.h"

#define NWG_HA_HOST_MAX 255

struct nwg_dha {
	char hosts[2][NWG_HA_HOST_MAX + 1]; /* sorted, distinct */
	bool primary;			    /* this host makes the key and the port */
	char primary_host[NWG_HA_HOST_MAX + 1];
	char peer_host[NWG_HA_HOST_MAX + 1];
	bool has_peer_pub;
	struct nwg_key peer_pub; /* the other node's enrollment PUBLIC key */
	uint16_t listen_port;	 /* the coordinated port, 0 = not yet */
	/* secondary: the hub key sealed to this node ("" = not yet) */
	char envelope[NWG_SEALED_B64_LEN + 1];
	bool peer_sealed; /* primary: Neutron holds an envelope for the peer */
	/* this host's HA state as Neutron has it (states[own host]):
	 * "active", "standby", "fault" or "" (none reported yet) */
	char own_state[8];
};

/* A host of an HA hub: [A-Za-z0-9][A-Za-z0-9._-]{0,254}. */
bool nwg_ha_host_valid(const char *s);

/* Parses j (the hub's "ha" member, an object). 0, or -EINVAL with a reason
 * in why (why_len bytes); -ENOMEM. *out is NULL when the hub is not HA (no
 * member or null), else allocated (free()). */
/* The state this host reports while Neutron has none for it (own_state
 * ""): the primary "active", the secondary "standby" (a copy without
 * endpoints); NULL when a state is already there (something else, e.g. a
 * VRRP notify script, may drive it: the agent never overrides it). */
const char *nwg_ha_default_state(const struct nwg_dha *ha);

/* The state to report: with the agent's VRRP (vrrp non-NULL) the VRRP state
 * ("standby" while it is unknown) whenever Neutron has another one; without
 * it nwg_ha_default_state. NULL = nothing to report. */
const char *nwg_ha_report_state(const struct nwg_dha *ha, const char *vrrp);

int nwg_desired_parse_ha(const json_t *j, struct nwg_dha **out, char *why, size_t why_len);

#endif
