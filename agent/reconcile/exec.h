/* SPDX-License-Identifier: Apache-2.0 */
/* Executes planned actions against the backend, rtnetlink and the repository. */
#ifndef NWG_AGENT_EXEC_H
#define NWG_AGENT_EXEC_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "nwg/portalloc.h"
#include "reconcile/plan.h"

struct nwg_exec_ctx {
	const struct nwg_conf *conf;
	struct nwg_backend *backend;
	struct nwg_repo *repo;
	const struct nwg_actual *actual; /* ports held by other hubs */
	uint16_t *claimed;		 /* ports allocated during this pass */
	size_t n_claimed;
	nwg_port_busy_fn busy; /* NULL = probe by bind() */
	void *busy_ctx;
};

/* What the hub looks like afterwards (for hub_realized and device up/down). */
struct nwg_exec_out {
	struct nwg_key public_key;
	uint16_t listen_port;
	char ifname[IFNAMSIZ];
	char netns[NWG_NETNS_NAME_MAX + 1];
	unsigned int mtu;
	bool up;
};

/* Loads a hub's private key (from the repository, or from the live device
 * when the record is lost) only when the action creates the link, rekeys it
 * or rewrites its whole record, and wipes it afterwards: the action itself
 * carries none. Logs one line on success; on failure returns a negative errno with the
 * reason in err (the caller logs it) and leaves no half-built link behind. */
int nwg_exec_action(struct nwg_exec_ctx *x, const struct nwg_action *act, struct nwg_exec_out *out,
		    struct nwg_err *err);
void nwg_exec_ctx_clear(struct nwg_exec_ctx *x);
/* The record an executed action leaves (what the executor saves and the
 * per-hub cache keeps), NULL on ENOMEM; the caller frees it. */
struct nwg_hub_record *nwg_exec_record(const struct nwg_action *act, const struct nwg_exec_out *out,
				       const struct nwg_key *key);
/* The same record as the engine's view (out->public_key): what the per-hub
 * cache keeps. NULL on ENOMEM; the caller frees it (nwg_hub_view_free). */
struct nwg_hub_view *nwg_exec_view(const struct nwg_action *act, const struct nwg_exec_out *out);

/* Placement of a hub link for the L3 control methods (reconcile/exec_place.c). */
struct nwg_place {
	const char *created_as;		      /* wg-<port[:11]>: the name the link was made with */
	const char *from_netns, *from_ifname; /* where the link is now ("" = root) */
	const char *netns, *ifname;	      /* where it goes */
	bool attach;			      /* true: MTU, addresses, up; false: down */
	unsigned int mtu;		      /* attach: 0 = leave as is */
	char *const *cidrs;		      /* attach: "addr/plen", NULL-terminated */
};
/* Moves (down), renames, then for attach sets MTU, addresses (only when they
 * differ) and up; keeps the device reachable under its new name (backend
 * alias). *changed tells whether anything had to change. */
int nwg_exec_place(struct nwg_backend *b, const struct nwg_place *p, bool *changed,
		   struct nwg_err *err);

/* Builds the device holding the peer changes of act (no key, no port). */
int nwg_exec_peer_device(const struct nwg_action *act, const char *ifname, struct nwg_device **out,
			 struct nwg_err *err);

/* Removal of a project namespace the planner named (reconcile/exec_netns.c):
 * only when no repository record names it, it holds no link but lo and no
 * process runs in it. Returns one of these, or a negative errno (err set). */
enum { NWG_NETNS_ABSENT = 0, NWG_NETNS_REMOVED = 1, NWG_NETNS_KEPT = 2 };
int nwg_exec_netns_remove(struct nwg_repo *repo, const char *name, char *why, size_t why_len,
			  struct nwg_err *err);

#endif
