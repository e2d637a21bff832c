/* SPDX-License-Identifier: Apache-2.0 */
/* The cached-link check with privilege separation on: the engine may not
 * enter a namespace (no CAP_SYS_ADMIN), so it asks the executor for that one
 * hub's actual state (READ_ACTUAL scoped to its port id). Its own file:
 * unit tests stand in for nwg_sync_link_as_cached (privsep/link_cached.c,
 * the one-process agent's check). */
#include <string.h>

#include "agent.h"
#include "privsep/hostops.h"
#include "reconcile/actual.h"
#include "sync_digest.h"

bool nwg_sync_link_check(struct nwg_agent *a, const struct nwg_alink *l)
{
	const char *scope[1] = {l->port_id};
	char *ns[2] = {NULL, NULL};
	struct nwg_actual_src src = {
	    .backend = a->backend, .repo = a->repo, .scope = scope, .n_scope = 1};
	struct nwg_actual *act = NULL;
	const struct nwg_alink *now;
	const struct nwg_hostops *ops;
	void *hctx;
	bool same;

	if (!a->hostops)
		return nwg_sync_link_as_cached(l);
	ops = nwg_hostops_of(a, &hctx);
	if (l->netns[0]) {
		ns[0] = (char *)l->netns;
		src.extra_netns = ns;
	}
	if (ops->actual(hctx, &src, &act, NULL) < 0)
		return false;
	now = nwg_actual_find_link(act, l->port_id);
	same = now && strcmp(now->ifname, l->ifname) == 0 && strcmp(now->netns, l->netns) == 0 &&
	       now->up == l->up && now->mtu == l->mtu;
	nwg_actual_free(act);
	return same;
}
