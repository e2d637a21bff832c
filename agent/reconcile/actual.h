/* SPDX-License-Identifier: Apache-2.0 */
/* Actual state: our links (found by alias) and the channel repository, as
 * the planner sees them: no private key anywhere (records as views, devices
 * with their public key only). */
#ifndef NWG_AGENT_ACTUAL_H
#define NWG_AGENT_ACTUAL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "nwg/err.h"
#include "nwg/netns.h"
#include "nwg/repo.h"
#include "nwg/wg.h"
#include "reconcile/view.h"

#define NWG_ALIAS_PREFIX "neutron-wireguard:"

struct nwg_alink {
	char port_id[NWG_ID_MAX + 1];
	char ifname[IFNAMSIZ];
	char netns[NWG_NETNS_NAME_MAX + 1]; /* "" = root */
	bool up;
	unsigned int mtu;
	char **addrs; /* NULL-terminated "addr/plen", NULL = none */
	/* NULL: the backend cannot read it (dead wireguard-go). Its private key
	 * is wiped when read: NWG_DEV_HAS_PRIVATE_KEY says the device has one,
	 * public_key says which. */
	struct nwg_device *dev;
	/* From the per-hub cache (reconcile/cache.h), as the agent's last pass of
	 * this hub left it: device and record in sync with the desired state that
	 * pass applied (the planner then looks only at the peers a delta touched:
	 * reconcile/plan_touched.c). Never set by a read. */
	bool synced;
};

struct nwg_actual {
	struct nwg_alink *links;
	size_t n_links;
	struct nwg_hub_view **recs; /* records, as views (no private key) */
	size_t n_recs;
	char **corrupt; /* port ids of unreadable repository files, NULL-terminated */
	bool complete;	/* every namespace in scope could be listed */
	/* Lent by the per-hub cache (nwg_acache_actual, reconcile/cache.h): the
	 * first n_lent_links links (their addrs and dev) and n_lent_recs records
	 * are the cache's, not copies; nwg_actual_free leaves them and calls
	 * release(lender). */
	size_t n_lent_links, n_lent_recs;
	void (*release)(void *lender);
	void *lender;
};

struct nwg_backend;
struct nwg_repo;

/* What to look at: all hubs (scope NULL) or the named port ids. Without a
 * backend: the records alone (complete false). Namespaces
 * scanned: root, those of repository records, extra (desired homes and
 * routers). Never fails as a whole on one unreadable namespace/device. */
struct nwg_actual_src {
	struct nwg_backend *backend;
	struct nwg_repo *repo;
	const char *const *scope; /* NULL = everything */
	size_t n_scope;
	char **extra_netns; /* NULL-terminated or NULL */
};
int nwg_actual_read(struct nwg_actual **out, const struct nwg_actual_src *src, struct nwg_err *err);
void nwg_actual_free(struct nwg_actual *a);

/* Construction helpers (also used by tests). */
struct nwg_actual *nwg_actual_new(void);
struct nwg_alink *nwg_actual_add_link(struct nwg_actual *a);
int nwg_actual_add_record(struct nwg_actual *a, struct nwg_hub_view *rec); /* takes it */
/* Adds the view of a record (the record stays the caller's). */
int nwg_actual_add_record_view(struct nwg_actual *a, const struct nwg_hub_record *rec);
int nwg_actual_add_corrupt(struct nwg_actual *a, const char *port_id);

const struct nwg_alink *nwg_actual_find_link(const struct nwg_actual *a, const char *port_id);
const struct nwg_hub_view *nwg_actual_find_record(const struct nwg_actual *a, const char *port_id);
/* The device has a private key (its public key is known). */
bool nwg_alink_keyed(const struct nwg_alink *l);
/* The device holds the key of the record (public keys compared). */
bool nwg_alink_key_matches(const struct nwg_alink *l, const struct nwg_hub_view *rec);
bool nwg_actual_is_corrupt(const struct nwg_actual *a, const char *port_id);

/* Wipes a device's private key, keeping its public key (derived when the
 * backend gave none) and NWG_DEV_HAS_PRIVATE_KEY (cleared if no public key
 * can be derived). nwg_actual_read does it to every device it reads. */
void nwg_device_forget_key(struct nwg_device *dev);

/* "neutron-wireguard:<id>" -> id (false if the alias is not ours). */
bool nwg_alias_port_id(const char *alias, char *out, size_t len);

#endif
