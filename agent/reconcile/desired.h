/* SPDX-License-Identifier: Apache-2.0 */
/* Desired state: the get_hubs payload (doc/contracts.md), validated field by
 * field. It comes from the network: a malformed hub is rejected on its own
 * (with a reason) and never makes the parse fail as a whole; a malformed
 * spoke is skipped on its own (with a reason) and never rejects its hub, so
 * every other change of that hub (removals included) is still applied. The
 * spoke grammar is the driver's (doc/contracts.md "One grammar",
 * tests/grammar/corpus.json). */
#ifndef NWG_AGENT_DESIRED_H
#define NWG_AGENT_DESIRED_H

#include <arpa/inet.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nwg/err.h"
#include "nwg/key.h"
#include "nwg/repo.h"
#include "reconcile/ipnet.h"

#define NWG_ENDPOINT_MAX 63
#define NWG_REASON_MAX	 200
#define NWG_MAC_STRLEN	 18 /* "fa:16:3e:00:00:01" + NUL */
#define NWG_MAX_GATEWAYS 4

struct nwg_dspoke {
	char port_id[NWG_ID_MAX + 1];
	struct nwg_key public_key;
	char endpoint[NWG_ENDPOINT_MAX + 1]; /* "" = none; a.b.c.d:port / [v6]:port (IP literals) */
	uint16_t keepalive;		     /* 0 = none */
	struct nwg_ipnet *allowed;
	size_t n_allowed;
};

struct nwg_dskip {
	char port_id[NWG_ID_MAX + 1]; /* "" when the spoke had no usable port_id */
	char reason[NWG_REASON_MAX];
};

struct nwg_dha;

struct nwg_dhub {
	char port_id[NWG_ID_MAX + 1];
	char project_id[NWG_ID_MAX + 1];
	char network_id[NWG_ID_MAX + 1];
	bool admin_state_up;
	bool root_namespace;
	struct nwg_ipnet *fixed_ips; /* host address + subnet prefix */
	size_t n_fixed_ips;
	unsigned int mtu;	  /* 0 = unknown */
	char mac[NWG_MAC_STRLEN]; /* the port's MAC, lower case; "" = not sent */
	/* gateways of the hub's subnets (plain addresses, IPv4 first) */
	char gateways[NWG_MAX_GATEWAYS][INET6_ADDRSTRLEN];
	size_t n_gateways;
	bool has_public_key;
	struct nwg_key public_key; /* as last reported by hub_realized */
	uint16_t listen_port;	   /* 0 = none */
	char router_id[NWG_ID_MAX + 1];
	struct nwg_dspoke *spokes;
	size_t n_spokes;
	/* the spokes sorted by public key (the parse sorts them to find duplicate
	 * keys; the planner merges in that order), NULL = not kept */
	const struct nwg_dspoke **by_key;
	/* a get_hubs 1.3 delta patched on the spokes the agent kept
	 * (reconcile/desired_flat.h): touched holds the public keys of every
	 * spoke the delta added, changed, re-keyed (old and new key) or removed
	 * (borrowed, n_touched, any order, maybe repeated); every other spoke is
	 * as the answer the agent last applied. false = a whole answer. */
	bool patched;
	const struct nwg_key *touched;
	size_t n_touched;
	struct nwg_dskip *skipped; /* spokes left out, each with its reason */
	size_t n_skipped;
	struct nwg_dha *ha; /* HA hub (reconcile/desired_ha.h), NULL = not HA */
};

struct nwg_dreject {
	char port_id[NWG_ID_MAX + 1]; /* "" when the hub had no usable port_id */
	char reason[NWG_REASON_MAX];
};

struct nwg_desired {
	struct nwg_dhub *hubs;
	size_t n_hubs;
	struct nwg_dreject *rejected;
	size_t n_rejected;
	bool rejected_unknown; /* a hub was rejected without a usable port_id */
};

/* -EBADMSG (reason in err) only when the payload as a whole is unusable
 * (not an object, "hubs" not a list). */
int nwg_desired_parse(const json_t *j, struct nwg_desired **out, struct nwg_err *err);
int nwg_desired_parse_text(const char *buf, size_t len, struct nwg_desired **out,
			   struct nwg_err *err);
void nwg_desired_free(struct nwg_desired *d);

/* One spoke of the grammar (a get_hubs 1.3 delta's changed spokes): 0, or
 * -EINVAL with the reason in why (s is then cleared). */
int nwg_desired_parse_spoke(const json_t *j, struct nwg_dspoke *s, char *why, size_t len);
void nwg_dspoke_clear(struct nwg_dspoke *s); /* frees its allowed IPs, zeroes it */

const struct nwg_dhub *nwg_desired_find(const struct nwg_desired *d, const char *port_id);
const struct nwg_dreject *nwg_desired_find_rejected(const struct nwg_desired *d,
						    const char *port_id);

/* Validators shared with the event handlers. */
bool nwg_uuid_valid(const char *s);
bool nwg_id_valid(const char *s); /* project ids etc.: [A-Za-z0-9_.-]{1,64}, not "." / ".." */
/* "a.b.c.d:port" or "[v6]:port": IP literals only (no name is ever resolved),
 * port 1..65535 without a leading zero, at most NWG_ENDPOINT_MAX bytes. */
bool nwg_endpoint_str_valid(const char *s);
bool nwg_mac_valid(const char *s); /* "xx:xx:xx:xx:xx:xx", lower-case hex, unicast */

#endif
