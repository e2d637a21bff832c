/* SPDX-License-Identifier: Apache-2.0 */
/* Start-up restore: before neutron-server has answered (RabbitMQ may be down
 * after a reboot), hubs recorded in the repository are re-created from their
 * records alone. Never deletes and never reports; the first full sync then
 * reconciles against Neutron. */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log/log.h"
#include "privsep/hostops.h"
#include "reconcile/actual.h"
#include "reconcile/desired.h"
#include "reconcile/exec.h"
#include "reconcile/plan.h"
#include "reconcile/record.h"

static int hub_from(struct nwg_dhub *h, const struct nwg_hub_view *rec)
{
	size_t n = 0;

	memcpy(h->port_id, rec->port_id, sizeof(h->port_id));
	memcpy(h->project_id, rec->project_id, sizeof(h->project_id));
	h->admin_state_up = rec->up || !rec->addresses || !rec->addresses[0];
	h->root_namespace = rec->home_netns[0] == '\0';
	h->mtu = rec->mtu;
	h->listen_port = rec->listen_port;
	h->public_key = rec->public_key;
	h->has_public_key = !nwg_key_is_zero(&rec->public_key);
	while (rec->addresses && rec->addresses[n])
		n++;
	h->fixed_ips = n ? calloc(n, sizeof(*h->fixed_ips)) : NULL;
	h->spokes = rec->n_peers ? calloc(rec->n_peers, sizeof(*h->spokes)) : NULL;
	if ((n && !h->fixed_ips) || (rec->n_peers && !h->spokes))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (nwg_ipnet_parse(rec->addresses[i], &h->fixed_ips[h->n_fixed_ips], false) == 0)
			h->n_fixed_ips++;
	}
	for (size_t i = 0; i < rec->n_peers; i++) {
		if (nwg_record_peer_spoke(&h->spokes[h->n_spokes++], &rec->peers[i]) < 0)
			return -1;
	}
	return 0;
}

static struct nwg_desired *desired_from(const struct nwg_actual *act)
{
	struct nwg_desired *d = calloc(1, sizeof(*d));

	if (!d || (act->n_recs && !(d->hubs = calloc(act->n_recs, sizeof(*d->hubs))))) {
		free(d);
		return NULL;
	}
	for (size_t i = 0; i < act->n_recs; i++) {
		if (hub_from(&d->hubs[d->n_hubs++], act->recs[i]) < 0) {
			nwg_desired_free(d);
			return NULL;
		}
	}
	return d;
}

static void run(struct nwg_agent *a, const struct nwg_plan *p, const struct nwg_actual *act)
{
	struct nwg_exec_ctx x = {
	    .conf = &a->conf, .backend = a->backend, .repo = a->repo, .actual = act};
	void *hctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &hctx);

	for (size_t i = 0; i < p->n; i++) {
		const struct nwg_action *ac = &p->acts[i];
		struct nwg_exec_out out;
		struct nwg_err err = {{0}};

		if (ac->kind != NWG_ACT_CREATE && ac->kind != NWG_ACT_UPDATE)
			continue;
		if (a->conf.dry_run)
			log_info("dry-run: would restore hub %s from the repository", ac->port_id);
		else if (ops->apply(hctx, &x, ac, &out, &err) < 0)
			log_err("hub %s project %s: restore from the repository failed: %s",
				ac->port_id, ac->project_id, err.msg);
	}
	nwg_exec_ctx_clear(&x);
}

int nwg_restore(struct nwg_agent *a)
{
	struct nwg_actual_src src = {.backend = a->backend, .repo = a->repo};
	struct nwg_plan_opts o = {.ns_prefix = a->conf.ns_prefix,
				  .root_namespace = a->conf.root_namespace,
				  .hub_up_unrouted = a->conf.hub_up_unrouted,
				  .link_up = a->conf.ovn_bridge != NULL,
				  .underlay_mtu = a->conf.underlay_mtu,
				  .ignored = a->conf.ignored_devices,
				  .restore = true};
	struct nwg_actual *act = NULL;
	struct nwg_desired *d = NULL;
	struct nwg_plan *p = NULL;
	struct nwg_err err = {{0}};
	void *hctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &hctx);
	int r = ops->actual(hctx, &src, &act, &err);

	if (r < 0) {
		log_err("restore: reading the actual state failed: %s", err.msg);
		return r;
	}
	d = desired_from(act);
	r = d ? nwg_plan_build(d, act, &o, &p) : -1;
	if (r >= 0)
		run(a, p, act);
	else
		log_err("restore: planning failed");
	nwg_plan_free(p);
	nwg_desired_free(d);
	nwg_actual_free(act);
	return r < 0 ? r : 0;
}
