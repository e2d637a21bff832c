/* SPDX-License-Identifier: Apache-2.0 */
/* The OVN attach pass: plug realized hubs, unplug the ports of gone hubs. */
#include "attach/ovn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "attach/ovn_int.h"
#include "ha/run.h"
#include "log/log.h"
#include "nwg/repo.h"
#include "privsep/hostops.h"
#include "reconcile/actual.h"
#include "reconcile/desired_ha.h"

#define LIST_MAX 65536
#define RETRY_MS 2000

/* Where the hub's link lives, from its record's view (read once per pass
 * through the seam, nwg_ovn_sync); false when it is not ours to plug. */
static bool hub_place(const struct nwg_actual *act, const struct nwg_dhub *h, char *netns,
		      size_t nlen, char *wg_if, size_t wlen)
{
	const struct nwg_hub_view *rec = act ? nwg_actual_find_record(act, h->port_id) : NULL;

	if (h->root_namespace || !rec)
		return false; /* not realized (yet): the next pass plugs it */
	snprintf(netns, nlen, "%s", rec->netns);
	snprintf(wg_if, wlen, "%s", rec->ifname);
	return rec->netns[0] && strncmp(rec->netns, "qrouter-", 8) != 0;
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

static void plug_one(struct nwg_agent *a, const struct nwg_ovs *o, const struct nwg_actual *act,
		     const struct nwg_dhub *h)
{
	char netns[NWG_NETNS_NAME_MAX + 1], wg_if[IFNAMSIZ], ifname[IFNAMSIZ];
	const char *ids[] = {h->port_id};
	struct nwg_err err = {{0}};
	struct nwg_ovn_plugged res;

	if (!hub_place(act, h, netns, sizeof(netns), wg_if, sizeof(wg_if)))
		return;
	if (!h->mac[0]) {
		log_warn("hub %s: no mac_address from neutron-server: not plugged into %s",
			 h->port_id, a->conf.ovn_bridge);
		return;
	}
	nwg_ovn_ifname(h->port_id, ifname);
	if (nwg_ovn_plug(o, a->conf.ovn_bridge, h, netns, wg_if, tenant_up(a, h), &res, &err) < 0) {
		log_err("hub %s project %s: plugging %s into %s failed: %s (retry in %d ms)",
			h->port_id, h->project_id, ifname, a->conf.ovn_bridge, err.msg, RETRY_MS);
		nwg_sched_ids(a, ids, 1, RETRY_MS);
		return;
	}
	if (res.plugged)
		log_info("hub %s project %s: plugged into %s as %s (mac %s) in %s", h->port_id,
			 h->project_id, a->conf.ovn_bridge, ifname, h->mac, netns);
	if (res.link_changed && h->ha)
		log_info("HA hub %s: tenant port %s %s", h->port_id, ifname,
			 tenant_up(a, h) ? "up (this node is active)"
					 : "down (this node is not active)");
	if (res.routes_removed)
		log_info(
		    "hub %s project %s: removed %zu route(s) of spokes that left from %s in %s",
		    h->port_id, h->project_id, res.routes_removed, wg_if, netns);
}

static bool wanted(const struct nwg_desired *d, const char *ifname)
{
	char want[IFNAMSIZ];

	for (size_t i = 0; i < d->n_hubs; i++) {
		nwg_ovn_ifname(d->hubs[i].port_id, want);
		if (strcmp(want, ifname) == 0)
			return true;
	}
	return false;
}

/* Full pass: remove our OVS ports whose hub this node no longer has. */
static void sweep(struct nwg_agent *a, const struct nwg_ovs *o, const struct nwg_desired *d)
{
	const char *find[] = {
	    "--bare", "--columns=name", "find", "Interface", "external_ids:" NWG_OVN_MARK "!=\"\"",
	    NULL};
	struct nwg_err err = {{0}};
	char *out = malloc(LIST_MAX), *save = NULL;

	if (!out)
		return;
	if (nwg_ovs_vsctl(o, find, out, LIST_MAX, &err) < 0) {
		log_err("listing our ports on %s failed: %s", a->conf.ovn_bridge, err.msg);
		free(out);
		return;
	}
	for (char *name = strtok_r(out, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
		const char *del[] = {"--if-exists", "del-port", a->conf.ovn_bridge, name, NULL};

		if (!*name || wanted(d, name))
			continue;
		if (nwg_ovs_vsctl(o, del, NULL, 0, &err) < 0)
			log_err("removing port %s from %s failed: %s", name, a->conf.ovn_bridge,
				err.msg);
		else
			log_info("removed port %s from %s: its hub is gone", name,
				 a->conf.ovn_bridge);
	}
	free(out);
}

void nwg_ovn_sync(struct nwg_agent *a, const struct nwg_desired *d, bool full)
{
	struct nwg_ovs o = {.vsctl = a->conf.ovs_vsctl, .db = a->conf.ovsdb_connection};
	struct nwg_actual *act = NULL;
	struct nwg_err err = {{0}};
	const char **ids;
	size_t n = 0;

	if (!a->conf.ovn_bridge || a->conf.dry_run || !d)
		return;
	if (!(ids = calloc(d->n_hubs + 1, sizeof(*ids)))) {
		log_err("OVN attach: out of memory");
		return;
	}
	for (size_t i = 0; i < d->n_hubs; i++)
		if (!d->hubs[i].root_namespace)
			ids[n++] = d->hubs[i].port_id;
	if (n && nwg_hostops_records(a, ids, n, &act, &err) < 0)
		log_err("OVN attach: reading the hubs' records failed: %s (retried next pass)",
			err.msg);
	free(ids);
	for (size_t i = 0; act && i < d->n_hubs; i++)
		plug_one(a, &o, act, &d->hubs[i]);
	nwg_actual_free(act);
	if (full)
		sweep(a, &o, d);
}

/* Where the hub lives (its record's view, through the seam). */
