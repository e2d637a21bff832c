/* SPDX-License-Identifier: Apache-2.0 */
/* One reconcile pass as a state machine driven by replies:
 * desired (get_hubs pages) x actual -> plan -> execute -> report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "attach/ovn.h"
#include "ha/run.h"
#include "log/log.h"
#include "nwg/rtnl.h"
#include "privsep/hostops.h"
#include "reconcile/actual.h"
#include "reconcile/desired.h"
#include "reconcile/exec.h"
#include "reconcile/plan.h"
#include "reconcile/quarantine.h"
#include "strv.h"
#include "sync.h"
#include "sync/neutron_rpc.h"
#include "sync_delta.h"
#include "sync_digest.h"

/* Spokes left out of a hub (doc/contracts.md "One grammar"): logged, and named in
 * the hub's status until an answer carries none. */
static void note_skipped(struct nwg_agent *a, const struct nwg_desired *d)
{
	for (size_t i = 0; i < d->n_hubs; i++) {
		const struct nwg_dhub *h = &d->hubs[i];
		struct nwg_hubstate *st = nwg_hubtab_get(&a->hubs, h->port_id, h->n_skipped > 0);
		size_t len = 0;

		if (st)
			st->skipped[0] = '\0';
		for (size_t k = 0; k < h->n_skipped; k++) {
			const char *id =
			    h->skipped[k].port_id[0] ? h->skipped[k].port_id : "(no port_id)";

			log_err("hub %s: spoke %s skipped (every other change applied): %s",
				h->port_id, id, h->skipped[k].reason);
			if (st && len < sizeof(st->skipped))
				len += (size_t)snprintf(st->skipped + len,
							sizeof(st->skipped) - len, "%s%s: %s",
							k ? "; " : "", id, h->skipped[k].reason);
		}
	}
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
	o->ha_vrrp = nwg_ha_vrrp_state(a);
	o->ha_peer_host = a->conf.ha.on ? a->conf.ha.peer_host : NULL;
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
	const struct nwg_hostops *ops;
	struct nwg_exec_out out;
	void *hctx;
	struct nwg_err err = {{0}};
	int r;

	if (!st)
		return;
	st->digest[0] = '\0'; /* kept again below once applied */
	snprintf(st->project_id, sizeof(st->project_id), "%s", act->project_id);
	if (act->want) /* attach checks it (ctl_l3.c) */
		snprintf(st->router_id, sizeof(st->router_id), "%s", act->want->router_id);
	if (act->kind == NWG_ACT_SKIP) {
		skip(a, st, act);
		nwg_delta_keep(&a->dcache, act->port_id, st->digest);
		return;
	}
	if (a->conf.dry_run) {
		dry_run(act);
		return;
	}
	ops = nwg_hostops_of(a, &hctx);
	r = ops->apply(hctx, x, act, &out, &err);
	nwg_acache_applied(&a->acache, act, &out, r);
	if (r < 0) {
		nwg_hubtab_fail(st, nwg_now_ms(), err.msg);
		nwg_delta_keep(&a->dcache, act->port_id, "");
		a->sync_errors++;
		log_err("hub %s project %s: %s failed: %s (retry in %lld ms)", act->port_id,
			act->project_id, nwg_act_kind_name(act->kind), err.msg,
			(long long)(st->retry_at_ms - nwg_now_ms()));
		return;
	}
	if (act->kind == NWG_ACT_DELETE) {
		nwg_delta_keep(&a->dcache, act->port_id, "");
		nwg_hubtab_remove(&a->hubs, act->port_id);
		return;
	}
	nwg_hubtab_ok(st);
	st->ha_standby = act->standby;
	nwg_ha_note_hub(st, act); /* agent/ha/run.c follows the HA hubs */
	nwg_digest_applied(a, st);
	nwg_delta_keep(&a->dcache, st->port_id, st->digest);
	nwg_sync_report(a, act, &out); /* asynchronous; a failure schedules a retry */
}

static void hold_mass_deletion(struct nwg_agent *a, struct nwg_plan *p, bool full)
{
	struct nwg_guard_opts go = {.percent = a->conf.mass_delete_percent,
				    .confirm_ms = (int64_t)a->conf.resync_interval * 1000};
	int64_t since = a->guard.held_since_ms;
	size_t held = nwg_guard_deletes(&a->guard, p, full, &go, nwg_now_ms());

	if (held && since != a->guard.held_since_ms)
		log_err(
		    "full answer would delete %zu hubs of this node: held until a second "
		    "full answer at least %d s later asks for the same (mass_delete_percent %u)",
		    held, a->conf.resync_interval, a->conf.mass_delete_percent);
	else if (!held && since && !a->guard.held_since_ms)
		log_warn("mass deletion confirmed or withdrawn: held deletions released");
}

/* Hubs a targeted answer says are gone: their deletion is not a mass deletion. */
static void vouch_gone(struct nwg_agent *a, const struct nwg_desired *d, bool full,
		       char *const *ids, size_t n)
{
	for (size_t i = 0; !full && i < n; i++) {
		if (!nwg_desired_find(d, ids[i]) && !nwg_desired_find_rejected(d, ids[i]) &&
		    !d->rejected_unknown && nwg_guard_vouch(&a->guard, ids[i]) < 0)
			log_err("out of memory");
	}
}

static int from_cache(struct nwg_agent *a, const struct nwg_actual_src *src,
		      struct nwg_actual **act)
{
	int r = nwg_acache_actual(&a->acache, src->scope, src->n_scope, act);

	for (size_t i = 0; r > 0 && i < (*act)->n_links; i++) {
		if (nwg_sync_link_check(a, &(*act)->links[i]))
			continue;
		log_info("hub %s: %s changed outside the agent: reading it again",
			 (*act)->links[i].port_id, (*act)->links[i].ifname);
		nwg_acache_drop(&a->acache, (*act)->links[i].port_id);
		nwg_actual_free(*act);
		*act = NULL;
		return 0;
	}
	return r;
}

/* A targeted pass whose hubs are all cached plans against the cache; any
 * other pass reads the system and refreshes the cache with what it read. */
static int read_actual(struct nwg_agent *a, const struct nwg_desired *d,
		       const struct nwg_plan_opts *o, struct nwg_actual_src *src,
		       struct nwg_actual **act, struct nwg_err *err)
{
	int r = 0;

	if (src->scope && !a->conf.dry_run)
		r = from_cache(a, src, act);
	if (r < 0)
		return nwg_err_set(err, -r, "out of memory");
	if (r > 0)
		return 0;
	void *hctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &hctx);

	src->extra_netns = desired_netns(d, o);
	r = ops->actual(hctx, src, act, err);
	nwg_strv_free(src->extra_netns);
	src->extra_netns = NULL;
	if (r < 0) {
		nwg_acache_clear(&a->acache);
		return r;
	}
	for (size_t i = 0; src->scope && i < src->n_scope; i++)
		nwg_acache_drop(&a->acache, src->scope[i]); /* what was read replaces it */
	if (nwg_acache_fill(&a->acache, *act, !src->scope && (*act)->complete) < 0)
		log_warn("out of memory: the per-hub cache is off until the next pass");
	return 0;
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
	r = read_actual(a, d, &o, &src, &act, &err);
	if (r < 0) {
		log_err("reading the actual state failed: %s", err.msg);
		return r;
	}
	if (!act->complete)
		o.full = false; /* never delete on a partial view */
	nwg_quarantine_restore(a, d, act);
	vouch_gone(a, d, full, ids, n);
	r = nwg_plan_build(d, act, &o, &p);
	if (r >= 0) {
		hold_mass_deletion(a, p, o.full);
		nwg_quarantine_deletes(a, p);
		x.actual = act;
		for (size_t i = 0; i < p->n; i++)
			run_action(a, &x, &p->acts[i]);
		nwg_nsgc_note(a, p, d, act, &o);
		if (p->need_full) { /* a hub in scope is gone: a pass that can delete */
			nwg_sched_full(a, 0);
			a->want_unconditional = true;
		}
		nwg_exec_ctx_clear(&x);
	} else {
		log_err("planning failed: %s", strerror(-r));
	}
	nwg_plan_free(p);
	nwg_actual_free(act);
	return r;
}

/* ---- the state machine: FETCH (get_hubs pages) -> execute -> REPORT -> IDLE ---- */

static void op_reset(struct nwg_syncop *op)
{
	nwg_strv_free(op->ids);
	json_decref(op->acc);
	json_decref(op->sent);
	json_decref(op->got);
	json_decref(op->deltas);
	memset(op, 0, sizeof(*op));
}

void nwg_sync_maybe_done(struct nwg_agent *a)
{
	struct nwg_syncop *op = &a->sync;
	bool full = op->full;
	int rc = op->rc;

	if (op->state != NWG_SYNC_REPORT || op->outstanding)
		return;
	if (op->fetched)
		log_debug("%s sync: %zu hubs desired, %zu rejected, %zu unchanged, %zu delta(s), "
			  "%u page(s), %lld ms",
			  full ? "full" : "targeted", op->n_desired, op->n_rejected,
			  op->n_unchanged, op->n_deltas, op->pages,
			  (long long)(nwg_now_ms() - op->t0));
	op_reset(op);
	nwg_sched_sync_done(a, full, rc);
}

/* get_hubs 1.2 (sync_digest.h): what to parse is the reply, or a copy that
 * holds only the hubs answered in full when some were answered unchanged;
 * those found in sync leave the pass. NULL on ENOMEM. */
static json_t *split_answer(struct nwg_agent *a, json_t *reply, struct nwg_digest_split *s)
{
	struct nwg_syncop *op = &a->sync;
	json_t *view;

	if (nwg_digest_split(json_object_get(reply, "hubs"), op->sent, s) < 0)
		return NULL;
	op->got = json_incref(s->got);
	if (!s->n_answered)
		return json_incref(reply);
	op->n_unchanged = nwg_digest_keep(a, s);
	view = json_copy(reply);
	if (view && json_object_set(view, "hubs", s->full) < 0) {
		json_decref(view);
		view = NULL;
	}
	return view;
}

static int run_pass(struct nwg_agent *a, struct nwg_desired *d, const struct nwg_digest_split *s)
{
	struct nwg_syncop *op = &a->sync;
	char **ids;
	int r;

	if (!s->n_answered)
		return execute(a, d, op->full, op->ids, op->n);
	ids = nwg_digest_pass_ids(a, d, s, op->full, op->ids, op->n);
	if (!ids)
		return -ENOMEM;
	r = ids[0] ? execute(a, d, false, ids, nwg_strv_len(ids)) : 0;
	nwg_strv_free(ids);
	return r;
}

/* Parses what the pages gathered, executes, then waits for the reports. */
static void apply(struct nwg_agent *a, json_t *reply)
{
	struct nwg_syncop *op = &a->sync;
	struct nwg_desired *d = NULL;
	struct nwg_err err = {{0}};
	struct nwg_digest_split s;
	int merged =
	    nwg_delta_merge(&a->dcache, json_object_get(reply, "hubs"), a->conf.delta_min_spokes);
	json_t *view = merged >= 0 ? split_answer(a, reply, &s) : NULL;
	int r =
	    view ? nwg_desired_parse(view, &d, &err) : nwg_err_set(&err, ENOMEM, "out of memory");

	json_decref(view);
	if (r >= 0)
		nwg_delta_attach(&a->dcache, d); /* patched hubs borrow their kept spokes */
	op->state = NWG_SYNC_REPORT;
	op->deadline_ms = nwg_now_ms() + a->rpc_timeout_ms; /* one wait for all reports */
	op->n_deltas = merged > 0 ? (size_t)merged : 0;
	if (r < 0) {
		log_err("get_hubs reply unusable: %s", err.msg);
		op->rc = r;
		if (merged >= 0)
			nwg_digest_split_free(&s);
		nwg_delta_pass_done(&a->dcache, NULL);
		nwg_sync_maybe_done(a);
		return;
	}
	for (size_t i = 0; i < d->n_rejected; i++)
		log_err("hub %s: desired state rejected: %s",
			d->rejected[i].port_id[0] ? d->rejected[i].port_id : "(no port_id)",
			d->rejected[i].reason);
	note_skipped(a, d);
	op->fetched = true;
	op->n_desired = d->n_hubs;
	op->n_rejected = d->n_rejected;
	r = run_pass(a, d, &s);
	if (r >= 0)
		nwg_ovn_sync(a, d, op->full && !s.n_answered);
	nwg_nsgc_run(a);
	if (op->full && r >= 0)
		a->n_hubs = d->n_hubs + op->n_unchanged;
	op->rc = r;
	nwg_digest_split_free(&s);
	nwg_delta_pass_done(&a->dcache, d); /* before d is freed: takes the spokes back */
	nwg_desired_free(d);
	nwg_sync_maybe_done(a);
}

static int request_page(struct nwg_agent *a);

static void fetch_failed(struct nwg_agent *a, int rc, const char *why)
{
	struct nwg_syncop *op = &a->sync;

	if (a->stop) /* shutting down: the broker connection is closed under the call */
		log_info("get_hubs(%s%s) abandoned: the agent is stopping", a->conf.host,
			 op->full ? "" : ", port_ids");
	else
		log_err("get_hubs(%s%s) failed: %s", a->conf.host, op->full ? "" : ", port_ids",
			why);
	op->state = NWG_SYNC_REPORT;
	op->rc = rc < 0 ? rc : -EIO;
	nwg_sync_maybe_done(a);
}

/* get_hubs versions (doc/contracts.md), newest first: a server that answers
 * UnsupportedVersion to a request using a row's feature is asked again
 * without it, and never asked with it again. */
struct get_hubs_step {
	const char *msg;
	bool (*asked)(const struct nwg_syncop *op);
	void (*drop)(struct nwg_agent *a);
};

static bool asked_deltas(const struct nwg_syncop *op)
{
	return op->page.deltas;
}

static void drop_deltas(struct nwg_agent *a)
{
	a->no_deltas = true;
	a->sync.page.deltas = NULL;
	json_decref(a->sync.deltas);
	a->sync.deltas = NULL;
}

static bool asked_digests(const struct nwg_syncop *op)
{
	return op->page.digests;
}

static void drop_digests(struct nwg_agent *a)
{
	a->no_digests = true;
	a->sync.page.digests = NULL;
	json_decref(a->sync.sent);
	a->sync.sent = NULL;
}

static bool asked_paging(const struct nwg_syncop *op)
{
	return op->paged;
}

static void drop_paging(struct nwg_agent *a)
{
	a->no_paging = true;
	a->sync.paged = false;
}

static const struct get_hubs_step get_hubs_steps[] = {
    {"does not answer get_hubs 1.3 (deltas): asking 1.2", asked_deltas, drop_deltas},
    {"does not answer get_hubs 1.2 (conditional): asking 1.1", asked_digests, drop_digests},
    {"does not page get_hubs (1.1): asking unpaged (1.0)", asked_paging, drop_paging},
};

/* An UnsupportedVersion answer: true when the request was sent again one
 * step lower; otherwise *rc and *why stand ("cannot send" if that failed). */
static bool downgrade(struct nwg_agent *a, int *rc, const char **why)
{
	if (*rc != -EREMOTEIO || !*why || !strstr(*why, "UnsupportedVersion"))
		return false;
	for (size_t i = 0; i < sizeof(get_hubs_steps) / sizeof(get_hubs_steps[0]); i++) {
		const struct get_hubs_step *st = &get_hubs_steps[i];

		if (!st->asked(&a->sync))
			continue;
		log_warn("neutron-server %s", st->msg);
		st->drop(a);
		if ((*rc = request_page(a)) == 0)
			return true;
		*why = "cannot send";
		return false;
	}
	return false;
}

static void on_page(void *ctx, int rc, json_t *result, const char *why)
{
	struct nwg_agent *a = ctx;
	struct nwg_syncop *op = &a->sync;
	const json_t *hubs = json_object_get(result, "hubs");
	const json_t *next = json_object_get(result, "next");

	if (downgrade(a, &rc, &why))
		return; /* asked again, one version lower */
	if (rc < 0) {
		fetch_failed(a, rc, why);
		return;
	}
	if (!json_is_object(result) || !json_is_array(hubs) ||
	    (next && !json_is_null(next) && !json_is_string(next))) {
		fetch_failed(a, -EBADMSG, "reply is not {hubs: [...], next: ...}");
		return;
	}
	op->pages++;
	if (json_array_extend(op->acc, (json_t *)hubs) < 0) {
		fetch_failed(a, -ENOMEM, "out of memory");
		return;
	}
	if (op->paged && json_is_string(next)) {
		const char *after = json_string_value(next);

		if (!*after || strcmp(after, op->page.after) <= 0 ||
		    strlen(after) >= sizeof(op->page.after)) {
			fetch_failed(a, -EBADMSG, "page cursor does not move forward");
			return;
		}
		snprintf(op->page.after, sizeof(op->page.after), "%s", after);
		if ((rc = request_page(a)) < 0)
			fetch_failed(a, rc, "cannot ask for the next page");
		return;
	}
	result = json_pack("{s:s, s:O}", "host", a->conf.host, "hubs", op->acc);
	if (!result) {
		fetch_failed(a, -ENOMEM, "out of memory");
		return;
	}
	apply(a, result);
	json_decref(result);
}

static int request_page(struct nwg_agent *a)
{
	struct nwg_syncop *op = &a->sync;
	struct nwg_err err = {{0}};
	int r;

	if (!a->msg)
		return -ENOTCONN;
	r = nwg_rpc_get_hubs(a->msg, a->conf.host, op->full ? NULL : op->ids, op->n,
			     op->paged ? &op->page : NULL, a->rpc_timeout_ms, on_page, a, &err);
	if (r < 0)
		log_err("get_hubs(%s): %s", a->conf.host, err.msg);
	return r;
}

int nwg_sync(struct nwg_agent *a, bool full, char **ids, size_t n)
{
	struct nwg_syncop *op = &a->sync;
	int r;

	if (op->state != NWG_SYNC_IDLE) {
		nwg_strv_free(ids);
		return -EBUSY;
	}
	op_reset(op);
	op->full = full;
	op->ids = full ? NULL : ids;
	op->n = full ? 0 : n;
	if (full)
		nwg_strv_free(ids);
	op->t0 = nwg_now_ms();
	op->acc = json_array();
	op->paged = !a->no_paging;
	op->page.max_spokes = NWG_PAGE_MAX_SPOKES;
	op->sent = nwg_digest_request(a, full);
	op->page.digests = op->paged ? op->sent : NULL;
	if (op->page.digests && !a->no_deltas)
		op->deltas = nwg_delta_request(&a->dcache, op->sent, a->conf.delta_min_spokes);
	op->page.deltas = op->deltas;
	op->page.delta_min = a->conf.delta_min_spokes;
	if (!op->acc) {
		op_reset(op);
		return -ENOMEM;
	}
	op->state = NWG_SYNC_FETCH;
	if (a->offline) { /* --desired-file: the whole pass runs here */
		apply(a, a->offline);
		return a->last_sync_rc;
	}
	r = request_page(a);
	if (r < 0)
		op_reset(op);
	return r;
}
