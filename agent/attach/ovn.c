/* SPDX-License-Identifier: Apache-2.0 */
/* The OVN attach pass: plug realized hubs, unplug the ports of gone hubs.
 * The work is the privileged side's (privsep/hostops.h ovn_plug, ovn_sweep:
 * in this process, or in the executor with privilege separation); this
 * side says what Neutron says of each hub's port, and logs what was done. */
#include "attach/ovn.h"

#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "ha/run.h"
#include "log/log.h"
#include "privsep/hostops.h"
#include "reconcile/desired.h"
#include "reconcile/desired_ha.h"

#define RETRY_MS 2000

void nwg_ovn_ifname(const char *port_id, char out[IFNAMSIZ])
{
	snprintf(out, IFNAMSIZ, "wo-%.11s", port_id);
}

/* An HA hub's tenant port is up on one node only: with [wireguard_ha] the
 * VRRP master (down while keepalived has said nothing), else the primary. */
static bool tenant_up(const struct nwg_agent *a, const struct nwg_dhub *h)
{
	const char *st = nwg_ha_vrrp_state(a);

	if (!h->ha)
		return true;
	return st ? strcmp(st, "active") == 0 : h->ha->primary;
}

static void plug_one(struct nwg_agent *a, const struct nwg_hostops *ops, void *ctx,
		     const struct nwg_dhub *h)
{
	struct nwg_ovn_req q = {.port_id = h->port_id,
				.mac = h->mac,
				.fixed_ips = h->fixed_ips,
				.n_fixed_ips = h->n_fixed_ips,
				.gateways = h->gateways,
				.n_gateways = h->n_gateways,
				.mtu = h->mtu,
				.up = tenant_up(a, h),
				.ha = h->ha != NULL};
	const char *ids[] = {h->port_id};
	struct nwg_err err = {{0}};
	struct nwg_ovn_out res;
	char ifname[IFNAMSIZ];

	if (h->root_namespace)
		return;
	nwg_ovn_ifname(h->port_id, ifname);
	if (!h->mac[0]) {
		log_warn("hub %s: no mac_address from neutron-server: not plugged into %s",
			 h->port_id, a->conf.ovn_bridge);
		return;
	}
	if (ops->ovn_plug(ctx, &q, &res, &err) < 0) {
		log_err("hub %s project %s: plugging %s into %s failed: %s (retry in %d ms)",
			h->port_id, h->project_id, ifname, a->conf.ovn_bridge, err.msg, RETRY_MS);
		nwg_sched_ids(a, ids, 1, RETRY_MS);
		return;
	}
	if (!res.netns[0])
		return; /* not realized (yet), or not ours to plug */
	if (res.plugged)
		log_info("hub %s project %s: plugged into %s as %s (mac %s) in %s", h->port_id,
			 h->project_id, a->conf.ovn_bridge, ifname, h->mac, res.netns);
	if (res.link_changed && h->ha)
		log_info("HA hub %s: tenant port %s %s", h->port_id, ifname,
			 q.up ? "up (this node is active)" : "down (this node is not active)");
	if (res.routes_removed)
		log_info(
		    "hub %s project %s: removed %zu route(s) of spokes that left from %s in %s",
		    h->port_id, h->project_id, res.routes_removed, res.wg_if, res.netns);
}

/* Full pass: remove our OVS ports whose hub this node no longer has. */
static void sweep(struct nwg_agent *a, const struct nwg_hostops *ops, void *ctx)
{
	struct nwg_err err = {{0}};
	size_t removed = 0;
	int rc = ops->ovn_sweep(ctx, &removed, &err);

	if (removed)
		log_info("removed %zu port(s) from %s: their hubs are gone", removed,
			 a->conf.ovn_bridge);
	if (rc < 0)
		log_err("removing the ports of gone hubs from %s failed: %s", a->conf.ovn_bridge,
			err.msg);
}

void nwg_ovn_sync(struct nwg_agent *a, const struct nwg_desired *d, bool full)
{
	const struct nwg_hostops *ops;
	void *ctx;

	if (!a->conf.ovn_bridge || a->conf.dry_run || !d)
		return;
	ops = nwg_hostops_of(a, &ctx);
	for (size_t i = 0; i < d->n_hubs; i++)
		plug_one(a, ops, ctx, &d->hubs[i]);
	if (full)
		sweep(a, ops, ctx);
}
