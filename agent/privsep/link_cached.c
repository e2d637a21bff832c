/* SPDX-License-Identifier: Apache-2.0 */
/* Is a cached link still there as the cache knows it? The one-process
 * agent's check, on the privileged side like the local seam
 * (privsep/hostops.c): one rtnetlink request in the hub's namespace. The
 * split agent's engine asks the executor instead (sync/sync_link_ps.c:
 * READ_ACTUAL) and never calls this. Its own file so that unit tests can
 * stand in for it. */
#include <stdio.h>
#include <string.h>

#include "nwg/rtnl.h"
#include "sync/sync_digest.h"

/* A wireguard-go that died, a link moved, renamed or set down outside the
 * agent sends the pass back to reading the system. */
bool nwg_sync_link_as_cached(const struct nwg_alink *l)
{
	char alias[NWG_ALIAS_MAX];
	struct nwg_rtnl *r = NULL;
	struct nwg_link now;
	bool same;

	if (nwg_rtnl_open(&r, l->netns[0] ? l->netns : NULL, NULL) < 0)
		return false;
	snprintf(alias, sizeof(alias), "%s%s", NWG_ALIAS_PREFIX, l->port_id);
	same = nwg_link_get(r, l->ifname, &now, NULL) == 0 && strcmp(now.alias, alias) == 0 &&
	       now.up == l->up && now.mtu == l->mtu;
	nwg_rtnl_close(r);
	return same;
}
