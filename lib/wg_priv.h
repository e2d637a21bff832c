/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: the backend object and its table of wireguard-go children. */
#ifndef NWG_WG_PRIV_H
#define NWG_WG_PRIV_H

#include <net/if.h>
#include <sys/types.h>

#include "wg_backend.h"

struct nwg_child {
	char ifname[IFNAMSIZ];
	pid_t pid;
};

struct nwg_backend {
	enum nwg_backend_kind kind; /* resolved, never AUTO */
	char *wg_go, *dir;	    /* owned copies */
	struct nwg_uapi uapi;	    /* borrows wg_go and dir */
	struct nwg_child *children; /* userspace: spawned and not yet reaped */
	size_t n_children;
};

/* Remembers pid as the process behind ifname. -ENOMEM. */
int nwg_children_add(struct nwg_backend *b, const char *ifname, pid_t pid);
/* The remembered pid for ifname, or 0. */
pid_t nwg_children_find(const struct nwg_backend *b, const char *ifname);
/* Forgets ifname's entry (after reaping it). */
void nwg_children_forget(struct nwg_backend *b, const char *ifname);

#endif
