/* SPDX-License-Identifier: Apache-2.0 */
/* One hub's OVN plug on the privileged side (attach/ovn.h): the request
 * checked as the executor's grammar checks it, the hub's link and the
 * routes through it from this side's own record, then nwg_ovn_plug. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/ovn_int.h"
#include "nwg/repo.h"
#include "reconcile/desired.h"
#include "repo_check.h"

#define FIXED_IPS_MAX 32 /* privsep/proto.h NWG_PS_MAX_ADDRS */

static int req_check(const struct nwg_ovn_req *q, struct nwg_err *err)
{
	unsigned char b[sizeof(struct in6_addr)];

	if (!q->port_id || !nwg_repo_id_valid(q->port_id))
		return nwg_err_set(err, EINVAL, "OVN plug: a port id outside the grammar");
	if (!nwg_mac_valid(q->mac))
		return nwg_err_set(err, EINVAL, "OVN plug %s: a MAC outside the grammar",
				   q->port_id);
	if (q->n_fixed_ips > FIXED_IPS_MAX || (q->n_fixed_ips && !q->fixed_ips) ||
	    q->n_gateways > NWG_MAX_GATEWAYS || (q->n_gateways && !q->gateways))
		return nwg_err_set(err, EINVAL, "OVN plug %s: too many addresses", q->port_id);
	for (size_t i = 0; i < q->n_gateways; i++)
		if (inet_pton(AF_INET, q->gateways[i], b) != 1 &&
		    inet_pton(AF_INET6, q->gateways[i], b) != 1)
			return nwg_err_set(
			    err, EINVAL, "OVN plug %s: a gateway outside the grammar", q->port_id);
	return 0;
}

static void spokes_free(struct nwg_dspoke *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i].allowed);
	free(s);
}

/* The record's peers as spokes (their allowed IPs: the routes through the
 * hub's link). A CIDR this side wrote that does not parse is left out. */
static int spokes_of(const struct nwg_hub_record *rec, struct nwg_dspoke **out, struct nwg_err *err)
{
	struct nwg_dspoke *s = calloc(rec->n_peers + 1, sizeof(*s));

	*out = s;
	if (!s)
		return nwg_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < rec->n_peers; i++) {
		char **ips = rec->peers[i].allowed_ips;
		size_t n = 0;

		while (ips && ips[n])
			n++;
		if (n && !(s[i].allowed = calloc(n, sizeof(*s[i].allowed))))
			return nwg_err_set(err, ENOMEM, "out of memory");
		for (size_t k = 0; k < n; k++)
			if (nwg_ipnet_parse(ips[k], &s[i].allowed[s[i].n_allowed], false) == 0)
				s[i].n_allowed++;
	}
	return 0;
}

/* The desired hub nwg_ovn_plug works on: the request's port facts, the
 * record's peers. */
static void hub_of(const struct nwg_ovn_req *q, struct nwg_dspoke *spokes, size_t n_spokes,
		   struct nwg_dhub *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->port_id, sizeof(h->port_id), "%s", q->port_id);
	snprintf(h->mac, sizeof(h->mac), "%s", q->mac);
	h->fixed_ips = (struct nwg_ipnet *)q->fixed_ips; /* read only */
	h->n_fixed_ips = q->n_fixed_ips;
	h->mtu = q->mtu;
	for (size_t i = 0; i < q->n_gateways; i++)
		snprintf(h->gateways[i], sizeof(h->gateways[i]), "%s", q->gateways[i]);
	h->n_gateways = q->n_gateways;
	h->spokes = spokes;
	h->n_spokes = n_spokes;
}

int nwg_ovn_plug_hub(struct nwg_repo *repo, const struct nwg_ovn_where *w,
		     const struct nwg_ovn_req *q, struct nwg_ovn_out *out, struct nwg_err *err)
{
	struct nwg_ovs o = {.vsctl = w ? w->vsctl : NULL, .db = w ? w->db : NULL};
	struct nwg_hub_record *rec = NULL;
	struct nwg_ovn_plugged res;
	struct nwg_dspoke *spokes = NULL;
	struct nwg_dhub h;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!repo || !w || !w->bridge)
		return nwg_err_set(err, EOPNOTSUPP, "OVN plug: no integration bridge here");
	if ((rc = req_check(q, err)) < 0)
		return rc;
	rc = nwg_repo_load(repo, q->port_id, &rec, err);
	if (rc == -ENOENT) { /* not realized (yet): the next pass plugs it */
		nwg_err_clear(err);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (!rec->netns[0] || !strncmp(rec->netns, "qrouter-", 8)) {
		nwg_hub_record_free(rec); /* a root hub, or attached to a router */
		return 0;
	}
	rc = spokes_of(rec, &spokes, err);
	hub_of(q, spokes, rec->n_peers, &h);
	if (rc == 0)
		rc = nwg_ovn_plug(&o, w->bridge, &h, rec->netns, rec->ifname, q->up, q->ha, &res,
				  err);
	if (rc == 0) {
		snprintf(out->netns, sizeof(out->netns), "%s", rec->netns);
		snprintf(out->wg_if, sizeof(out->wg_if), "%s", rec->ifname);
		out->plugged = res.plugged;
		out->link_changed = res.link_changed;
		out->routes_removed = res.routes_removed;
	}
	spokes_free(spokes, rec->n_peers);
	nwg_hub_record_free(rec);
	return rc;
}
