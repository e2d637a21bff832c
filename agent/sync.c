/* SPDX-License-Identifier: Apache-2.0 */
/* One reconcile pass: desired (get_hubs) x actual -> plan -> execute -> report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "attach/ovn.h"
#include "log/log.h"
#include "neutron_rpc.h"
#include "nwg/rtnl.h"
#include "reconcile/actual.h"
#include "reconcile/desired.h"
#include "reconcile/exec.h"
#include "reconcile/plan.h"

static int fetch(struct nwg_agent *a, bool full, char *const *ids, size_t n, struct nwg_desired **d)
{
	struct nwg_err err = {{0}};
	json_t *reply = NULL;
	int r;

	if (a->offline) {
		reply = json_incref(a->offline);
	} else if (!a->msg) {
		return -ENOTCONN;
	} else {
		r = nwg_rpc_get_hubs(a->msg, a->conf.host, full ? NULL : ids, n, a->rpc_timeout_ms,
				     &reply, &err);
		if (r < 0) {
			log_err("get_hubs(%s%s) failed: %s", a->conf.host, full ? "" : ", port_ids",
				err.msg);
			return r;
		}
	}
	r = nwg_desired_parse(reply, d, &err);
	json_decref(reply);
	if (r < 0) {
		log_err("get_hubs reply unusable: %s", err.msg);
		return r;
	}
	for (size_t i = 0; i < (*d)->n_rejected; i++)
		log_err("hub %s: desired state rejected: %s",
			(*d)->rejected[i].port_id[0] ? (*d)->rejected[i].port_id : "(no port_id)",
			(*d)->rejected[i].reason);
	return 0;
}

static void plan_opts(const struct nwg_agent *a, bool full, char *const *ids, size_t n,
		      struct nwg_plan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ns_prefix = a->conf.ns_prefix;
	o->root_namespace = a->conf.root_namespace;
	o->hub_up_unrouted = a->conf.hub_up_unrouted;
	o->link_up = a->conf.ovn_bridge != NULL;
	o->underlay_mtu = a->conf.underlay_mtu;
	o->ignored = a->conf.ignored_devices;
	o->full = full;
	o->scope = (const char *const *)ids;
	o->n_scope = n;
}

/* Home and router namespaces named by the desired state. */
static char **desired_netns(const struct nwg_desired *d, const struct nwg_plan_opts *o)
{
	char **v = calloc(2 * d->n_hubs + 1, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; v && i < d->n_hubs; i++) {
		char ns[NWG_NETNS_NAME_MAX + 1];

		nwg_hub_home_netns(o, &d->hubs[i], ns, sizeof(ns));
		if (*ns && (v[k] = strdup(ns)))
			k++;
		if (d->hubs[i].router_id[0]) {
			snprintf(ns, sizeof(ns), "qrouter-%s", d->hubs[i].router_id);
			if ((v[k] = strdup(ns)))
				k++;
		}
	}
	return v;
}

/* hub_realized when the server's view differs, then device up/down on change. */
static int report(struct nwg_agent *a, const struct nwg_action *act, const struct nwg_exec_out *out,
		  struct nwg_hubstate *st, struct nwg_err *err)
{
	char pub[NWG_KEY_B64_LEN + 1], ep[INET6_ADDRSTRLEN + 16];
	struct nwg_realized h = {
	    .port_id = act->port_id,
	    .public_key = pub,
	    .listen_port = out->listen_port,
	    .endpoint = ep,
	    .interface = out->ifname,
	    .netns = out->netns,
	    .mtu = out->mtu,
	};
	int r;

	if (a->offline || !a->msg)
		return 0;
	if (act->report) {
		nwg_key_to_b64(pub, &out->public_key);
		nwg_conf_endpoint(&a->conf, out->listen_port, ep, sizeof(ep));
		r = nwg_rpc_hub_realized(a->msg, &h, a->rpc_timeout_ms, err);
		if (r < 0)
			return r;
		log_info("hub %s project %s: reported realized: %s endpoint %s, %s in %s",
			 act->port_id, act->project_id, pub, ep, out->ifname,
			 out->netns[0] ? out->netns : "root namespace");
	}
	if (st->reported_up == (int)out->up)
		return 0;
	r = nwg_rpc_device_status(a->msg, act->port_id, a->agent_id, a->conf.host, out->up,
				  a->rpc_timeout_ms, err);
	if (r < 0)
		return r;
	st->reported_up = out->up;
	log_debug("hub %s: reported device %s", act->port_id, out->up ? "up" : "down");
	return 0;
}

static void dry_run(const struct nwg_action *act)
{
	if (act->kind == NWG_ACT_ADOPT || act->kind == NWG_ACT_SKIP)
		return;
	log_info("dry-run: would %s hub %s project %s: %s in %s (fix 0x%x, %zu peer changes; %s)",
		 nwg_act_kind_name(act->kind), act->port_id, act->project_id,
		 act->link ? act->link->ifname : act->ifname,
		 act->netns[0] ? act->netns : "root namespace", act->fix, act->n_peer_ops,
		 act->reason);
}

static void skip(struct nwg_agent *a, struct nwg_hubstate *st, const struct nwg_action *act)
{
	if (act->want) { /* ignored device: left alone, not an error */
		log_debug("hub %s: %s, untouched", act->port_id, act->reason);
		nwg_hubtab_ok(st);
		return;
	}
	st->synced = true;
	st->ok = false;
	a->sync_errors++;
	snprintf(st->error, sizeof(st->error), "desired state rejected: %s", act->reason);
}

static void run_action(struct nwg_agent *a, struct nwg_exec_ctx *x, const struct nwg_action *act)
{
	struct nwg_hubstate *st = nwg_hubtab_get(&a->hubs, act->port_id, true);
	struct nwg_exec_out out;
	struct nwg_err err = {{0}};
	int r;

	if (!st)
		return;
	snprintf(st->project_id, sizeof(st->project_id), "%s", act->project_id);
	if (act->kind == NWG_ACT_SKIP) {
		skip(a, st, act);
		return;
	}
	if (a->conf.dry_run) {
		dry_run(act);
		return;
	}
	r = nwg_exec_action(x, act, &out, &err);
	if (r >= 0 && act->kind != NWG_ACT_DELETE)
		r = report(a, act, &out, st, &err);
	if (r < 0) {
		nwg_hubtab_fail(st, nwg_now_ms(), err.msg);
		a->sync_errors++;
		log_err("hub %s project %s: %s failed: %s (retry in %lld ms)", act->port_id,
			act->project_id, nwg_act_kind_name(act->kind), err.msg,
			(long long)(st->retry_at_ms - nwg_now_ms()));
		return;
	}
	if (act->kind == NWG_ACT_DELETE)
		nwg_hubtab_remove(&a->hubs, act->port_id);
	else
		nwg_hubtab_ok(st);
}

static int execute(struct nwg_agent *a, struct nwg_desired *d, bool full, char *const *ids,
		   size_t n)
{
	struct nwg_plan_opts o;
	struct nwg_actual_src src = {.backend = a->backend, .repo = a->repo};
	struct nwg_exec_ctx x = {.conf = &a->conf, .backend = a->backend, .repo = a->repo};
	struct nwg_actual *act = NULL;
	struct nwg_plan *p = NULL;
	struct nwg_err err = {{0}};
	int r;

	plan_opts(a, full, ids, n, &o);
	src.scope = full ? NULL : (const char *const *)ids;
	src.n_scope = full ? 0 : n;
	src.extra_netns = desired_netns(d, &o);
	r = nwg_actual_read(&act, &src, &err);
	nwg_strv_free(src.extra_netns);
	if (r < 0) {
		log_err("reading the actual state failed: %s", err.msg);
		return r;
	}
	if (!act->complete)
		o.full = false; /* never delete on a partial view */
	r = nwg_plan_build(d, act, &o, &p);
	if (r >= 0) {
		x.actual = act;
		for (size_t i = 0; i < p->n; i++)
			run_action(a, &x, &p->acts[i]);
		if (p->need_full)
			nwg_sched_full(a, 0);
		nwg_exec_ctx_clear(&x);
	} else {
		log_err("planning failed: %s", strerror(-r));
	}
	nwg_plan_free(p);
	nwg_actual_free(act);
	return r;
}

int nwg_sync(struct nwg_agent *a, bool full, char *const *ids, size_t n)
{
	struct nwg_desired *d = NULL;
	int64_t t0 = nwg_now_ms();
	int r;

	r = fetch(a, full, ids, n, &d);
	if (r < 0)
		return r;
	r = execute(a, d, full, ids, n);
	if (r >= 0)
		nwg_ovn_sync(a, d, full);
	if (full && r >= 0)
		a->n_hubs = d->n_hubs;
	log_debug("%s sync: %zu hubs desired, %zu rejected, %lld ms", full ? "full" : "targeted",
		  d->n_hubs, d->n_rejected, (long long)(nwg_now_ms() - t0));
	nwg_desired_free(d);
	return r;
}
