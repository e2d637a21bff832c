/* SPDX-License-Identifier: Apache-2.0 */
/* The control socket's methods: status (live from the backend); the L3
 * methods come with the L3 issue. */
#include <errno.h>
#include <string.h>

#include "agent.h"
#include "ctl/ctl.h"
#include "ctl/ctl_l3.h"
#include "ctl/status.h"
#include "ha/ctl_ha.h"
#include "nwg/repo.h"
#include "nwg/wg.h"
#include "privsep/hostops.h"
#include "reconcile/actual.h"
#include "reconcile/peers.h"

static json_t *peer_json(const struct nwg_repo_peer *rp, const struct nwg_device *dev)
{
	const struct nwg_peer *p = nwg_peers_find(dev, &rp->public_key);
	char pub[NWG_KEY_B64_LEN + 1], ep[80];

	nwg_key_to_b64(pub, &rp->public_key);
	if (p && p->endpoint.sa.sa_family != AF_UNSPEC)
		nwg_endpoint_format(&p->endpoint, ep, sizeof(ep));
	else
		snprintf(ep, sizeof(ep), "%s", rp->endpoint);
	return json_pack("{s:s, s:s, s:s?, s:I, s:I, s:I}", "port_id", rp->port_id, "public_key",
			 pub, "endpoint", ep[0] ? ep : NULL, "latest_handshake",
			 (json_int_t)(p ? p->last_handshake.tv_sec : 0), "rx_bytes",
			 (json_int_t)(p ? p->rx_bytes : 0), "tx_bytes",
			 (json_int_t)(p ? p->tx_bytes : 0));
}

/* The hub as its record says, live data from its link (found by its alias)
 * and device when they are there. */
static json_t *hub_json(struct nwg_agent *a, const struct nwg_hub_view *rec,
			const struct nwg_alink *l)
{
	const struct nwg_hubstate *st = nwg_hubtab_get(&a->hubs, rec->port_id, false);
	const char *ns = rec->netns[0] ? rec->netns : NULL;
	struct nwg_device *dev = l ? l->dev : NULL;
	char pub[NWG_KEY_B64_LEN + 1];
	json_t *peers = json_array();

	nwg_peers_sort(dev);
	nwg_key_to_b64(pub, &rec->public_key);
	for (size_t i = 0; peers && i < rec->n_peers; i++)
		json_array_append_new(peers, peer_json(&rec->peers[i], dev));
	return json_pack(
	    "{s:s, s:s, s:s, s:s?, s:i, s:s, s:b, s:b, s:s, s:s?, s:s?, s:o}", "port_id",
	    rec->port_id, "project_id", rec->project_id, "interface", rec->ifname, "namespace", ns,
	    "listen_port", (int)rec->listen_port, "public_key", pub, "up", l ? l->up : rec->up,
	    "running", dev != NULL, "last_sync", !st || st->ok ? "ok" : "error", "error",
	    st && !st->ok ? st->error : NULL, "skipped_spokes",
	    st && st->skipped[0] ? st->skipped : NULL, "peers", peers ? peers : json_array());
}

/* Hubs that failed before they had a record. */
static void add_unrecorded(struct nwg_agent *a, const struct nwg_actual *act, json_t *hubs)
{
	for (size_t i = 0; i < a->hubs.n; i++) {
		const struct nwg_hubstate *st = &a->hubs.v[i];

		if (st->ok || nwg_actual_find_record(act, st->port_id))
			continue;
		json_array_append_new(
		    hubs, json_pack("{s:s, s:s, s:n, s:n, s:n, s:n, s:b, s:s, "
				    "s:s, s:[]}",
				    "port_id", st->port_id, "project_id", st->project_id,
				    "interface", "namespace", "listen_port", "public_key", "up", 0,
				    "last_sync", "error", "error", st->error, "peers"));
	}
}

/* Read through the seam (hostops.h): records as views, links and devices
 * by their alias; no private key. */
json_t *nwg_status_build(struct nwg_agent *a, struct nwg_err *err)
{
	struct nwg_actual *act = NULL;
	json_t *hubs = json_array();

	if (!hubs)
		return nwg_err_set(err, ENOMEM, "out of memory"), NULL;
	if (nwg_hostops_actual_all(a, &act, err) < 0) {
		json_decref(hubs);
		return NULL;
	}
	for (size_t i = 0; i < act->n_recs; i++)
		json_array_append_new(
		    hubs,
		    hub_json(a, act->recs[i], nwg_actual_find_link(act, act->recs[i]->port_id)));
	add_unrecorded(a, act, hubs);
	nwg_actual_free(act);
	return json_pack("{s:s, s:s, s:b, s:o}", "host", a->conf.host, "backend",
			 nwg_backend_name(a->conf.backend), "connected", a->msg != NULL, "hubs",
			 hubs);
}

json_t *nwg_ctl_dispatch(void *ctx, const char *method, const json_t *args, struct nwg_err *err)
{
	struct nwg_agent *a = ctx;

	if (strcmp(method, "status") == 0)
		return nwg_status_build(a, err);
	if (nwg_ctl_l3_handles(method))
		return nwg_ctl_l3(a, method, args, err);
	if (nwg_ctl_ha_handles(method))
		return nwg_ctl_ha(a, method, args, err);
	nwg_err_set(err, EINVAL, "unknown method");
	return NULL;
}
