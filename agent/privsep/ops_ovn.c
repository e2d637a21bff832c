/* SPDX-License-Identifier: Apache-2.0 */
#include "privsep/ops_ovn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "attach/ovn.h"
#include "conf/conf.h"
#include "privsep/ops_repo.h"
#include "reconcile/desired.h"
#include "reconcile/ipnet.h"

_Static_assert(NWG_PS_MAX_GW == NWG_MAX_GATEWAYS, "OVN_PLUG carries every gateway");
_Static_assert(NWG_PS_IP_MAX + 1 == INET6_ADDRSTRLEN, "a gateway as desired.h has it");

/* Where: this side's configuration; none without an integration bridge
 * (or in a dry run). */
static int where(const struct nwg_ps_repo_ctx *c, struct nwg_ovn_where *w, struct nwg_err *err)
{
	if (!c->conf || !c->conf->ovn_bridge || c->conf->dry_run)
		return nwg_err_set(err, EOPNOTSUPP,
				   "OVN: no [wireguard_ovn] integration_bridge here");
	*w = (struct nwg_ovn_where){.bridge = c->conf->ovn_bridge,
				    .vsctl = c->conf->ovs_vsctl,
				    .db = c->conf->ovsdb_connection};
	return 0;
}

static void aip_to_ipnet(const struct nwg_allowedip *a, struct nwg_ipnet *n)
{
	memset(n, 0, sizeof(*n));
	n->family = a->family;
	n->plen = a->cidr;
	if (a->family == AF_INET)
		n->a.v4 = a->ip4;
	else
		n->a.v6 = a->ip6;
}

int nwg_ps_op_ovn_plug(void *ctx, const struct nwg_ps_ovn *o, struct nwg_ps_result *out,
		       struct nwg_err *err)
{
	struct nwg_ps_repo_ctx *c = ctx;
	struct nwg_ipnet ips[NWG_PS_MAX_ADDRS];
	struct nwg_ovn_req q = {.port_id = o->port_id,
				.mac = o->mac,
				.fixed_ips = ips,
				.n_fixed_ips = o->addrs.n,
				.gateways = o->gateways,
				.n_gateways = o->n_gateways,
				.mtu = o->mtu,
				.up = o->up,
				.ha = o->ha};
	struct nwg_ovn_where w;
	struct nwg_ovn_out res;
	int rc = where(c, &w, err);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < o->addrs.n && i < NWG_PS_MAX_ADDRS; i++)
		aip_to_ipnet(&o->addrs.a[i], &ips[i]);
	if ((rc = nwg_ovn_plug_hub(c->repo, &w, &q, &res, err)) < 0)
		return rc;
	snprintf(out->ifname, sizeof(out->ifname), "%s", res.wg_if);
	snprintf(out->netns, sizeof(out->netns), "%s", res.netns);
	out->changed = res.plugged;
	out->up = res.link_changed;
	out->count = res.routes_removed > UINT32_MAX ? UINT32_MAX : (uint32_t)res.routes_removed;
	return 0;
}

int nwg_ps_op_ovn_sweep(void *ctx, struct nwg_ps_result *out, struct nwg_err *err)
{
	struct nwg_ps_repo_ctx *c = ctx;
	struct nwg_ovn_where w;
	size_t removed = 0;
	int rc = where(c, &w, err);

	if (rc == 0)
		rc = nwg_ovn_sweep(c->repo, &w, &removed, err);
	out->count = removed > UINT32_MAX ? UINT32_MAX : (uint32_t)removed;
	return rc;
}
