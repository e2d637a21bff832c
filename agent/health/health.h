/* SPDX-License-Identifier: Apache-2.0 */
/* Spoke health: a spoke port is ACTIVE while its device's latest handshake
 * with one of our hubs is fresher than [wireguard] handshake_stale, DOWN
 * otherwise. Neutron is told only about changes. */
#ifndef NWG_AGENT_HEALTH_H
#define NWG_AGENT_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nwg_health_state { NWG_HEALTH_UNKNOWN = 0, NWG_HEALTH_UP = 1, NWG_HEALTH_DOWN = 2 };

/* One spoke as seen on one hub (a spoke of several hubs appears once per hub). */
struct nwg_health_obs {
	const char *port_id;
	int64_t handshake; /* unix seconds, 0 = never */
};

/* What Neutron was last told, per spoke port. */
struct nwg_health_ent {
	char *port_id;
	enum nwg_health_state state;
};
/* v[0..n_sorted) is sorted by port id; entries added since follow,
 * unsorted, until the next re-sort (a short tail, so a 10,000-spoke table
 * is looked up in O(log n), never scanned). */
struct nwg_health {
	struct nwg_health_ent *v;
	size_t n, n_sorted;
};

/* Change lists: port ids borrowed from the observations, each at most once. */
struct nwg_health_changes {
	const char **up, **down;
	size_t n_up, n_down;
};

/* Pure: the spokes whose state (fresh = some handshake within stale seconds
 * of now) differs from what prev says was reported. -ENOMEM. */
int nwg_health_diff(const struct nwg_health *prev, const struct nwg_health_obs *obs, size_t n,
		    int64_t now, int stale, struct nwg_health_changes *out);
void nwg_health_changes_free(struct nwg_health_changes *c);

enum nwg_health_state nwg_health_get(const struct nwg_health *h, const char *port_id);
int nwg_health_set(struct nwg_health *h, const char *port_id, enum nwg_health_state st);
/* Forgets one spoke (its port changed, e.g. bound here now): the next pass
 * reports it afresh. No-op for a port id never reported. */
void nwg_health_forget(struct nwg_health *h, const char *port_id);
/* Forgets spokes that are not among the observations (deleted, moved). */
void nwg_health_prune(struct nwg_health *h, const struct nwg_health_obs *obs, size_t n);
/* Forgets everything (reconnect, revived): the next pass reports every spoke. */
void nwg_health_clear(struct nwg_health *h);

#endif
