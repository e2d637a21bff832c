/* SPDX-License-Identifier: Apache-2.0 */
/* The privileged half of attach/detach (l3_place.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "attach/l3_place.h"
#include "nwg/wg.h"
#include "reconcile/actual.h"
#include "reconcile/exec.h"
#include "reconcile/plan.h"

int nwg_l3_load(struct nwg_backend *b, struct nwg_repo *repo, const char *port_id, bool attach,
		struct nwg_hub_record **rec, struct nwg_err *err)
{
	int rc = nwg_repo_load(repo, port_id, rec, err);

	if (rc == -ENOENT && !attach)
		nwg_wg_alias_sweep(b); /* deleted while attached: its alias dangles */
	return rc;
}

/* Is ifname in netns our link for port_id (alias check)? */
static bool link_at(const char *netns, const char *ifname, const char *port_id,
		    struct nwg_l3_where *w)
{
	struct nwg_rtnl *r = NULL;
	char alias[NWG_ALIAS_MAX];
	bool found = false;

	snprintf(alias, sizeof(alias), "%s%s", NWG_ALIAS_PREFIX, port_id);
	if (nwg_rtnl_open(&r, *netns ? netns : NULL, NULL) >= 0 &&
	    nwg_link_get(r, ifname, &w->link, NULL) >= 0 && strcmp(w->link.alias, alias) == 0) {
		snprintf(w->netns, sizeof(w->netns), "%s", netns);
		snprintf(w->ifname, sizeof(w->ifname), "%s", ifname);
		found = true;
	}
	nwg_rtnl_close(r);
	return found;
}

bool nwg_l3_locate(const struct nwg_hub_record *rec, const char *to_ns, const char *to_if,
		   struct nwg_l3_where *w)
{
	char wg[IFNAMSIZ];

	nwg_hub_ifname(rec->port_id, wg);
	return link_at(rec->netns, rec->ifname, rec->port_id, w) ||
	       link_at(rec->home_netns, wg, rec->port_id, w) ||
	       (to_ns && link_at(to_ns, to_if, rec->port_id, w));
}

static int record_place(struct nwg_repo *repo, struct nwg_hub_record *rec,
			const struct nwg_l3_req *q, struct nwg_err *err)
{
	snprintf(rec->netns, sizeof(rec->netns), "%s", q->netns);
	snprintf(rec->ifname, sizeof(rec->ifname), "%s", q->ifname);
	rec->up = q->attach;
	if (q->mtu)
		rec->mtu = q->mtu;
	nwg_strv_free(rec->addresses);
	rec->addresses = NULL;
	for (size_t i = 0; q->cidrs && q->cidrs[i]; i++)
		if (nwg_hub_record_add_address(rec, q->cidrs[i]) < 0)
			return nwg_err_set(err, ENOMEM, "out of memory");
	return nwg_repo_save(repo, rec, err);
}

int nwg_l3_place(struct nwg_backend *b, struct nwg_repo *repo, struct nwg_hub_record *rec,
		 const struct nwg_l3_req *q, struct nwg_l3_where *from, bool *present,
		 bool *changed, struct nwg_err *err)
{
	char wg[IFNAMSIZ];
	struct nwg_l3_req home = {.netns = rec->home_netns, .ifname = wg};
	const struct nwg_l3_req *to = q->attach ? q : &home;
	struct nwg_place p = {.created_as = wg, .attach = q->attach, .mtu = q->mtu};
	int rc;

	nwg_hub_ifname(rec->port_id, wg);
	*changed = false;
	if (q->attach && !*rec->home_netns)
		return nwg_err_set(err, EPERM,
				   "hub %s lives in the root namespace (root_namespace): it cannot "
				   "be a router interface",
				   rec->port_id);
	*present =
	    nwg_l3_locate(rec, q->attach ? q->netns : NULL, q->attach ? q->ifname : NULL, from);
	if (!*present)
		return q->attach
			   ? nwg_err_set(err, ENODEV, "hub %s has no link yet (being re-created)",
					 rec->port_id)
			   : 0;
	if (!q->attach && *rec->home_netns) {
		rc = nwg_netns_create(rec->home_netns, err);
		if (rc < 0)
			return rc;
	}
	p.from_netns = from->netns;
	p.from_ifname = from->ifname;
	p.netns = to->netns;
	p.ifname = to->ifname;
	p.cidrs = q->attach ? q->cidrs : NULL;
	rc = nwg_exec_place(b, &p, changed, err);
	return rc < 0 ? rc : record_place(repo, rec, to, err);
}
