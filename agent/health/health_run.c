/* SPDX-License-Identifier: Apache-2.0 */
/* Every health_interval: read each recorded hub's peers (latest handshake,
 * transfer) through the seam (hostops.h), tell Neutron which spoke ports
 * changed state, write metrics. */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "health/metrics.h"
#include "log/log.h"
#include "nwg/repo.h"
#include "nwg/wg.h"
#include "privsep/hostops.h"
#include "reconcile/actual.h"
#include "reconcile/peers.h"
#include "sync/neutron_rpc.h"

struct row {
	char port_id[NWG_ID_MAX + 1], hub[NWG_ID_MAX + 1], project[NWG_ID_MAX + 1];
	char ifname[IFNAMSIZ], pub[NWG_KEY_B64_LEN + 1];
	int64_t hs;
	uint64_t rx, tx;
};

struct scan {
	struct nwg_agent *a;
	struct row *rows;
	size_t n, cap, hubs;
};

static struct row *add_row(struct scan *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct row *v = realloc(s->rows, cap * sizeof(*v));

		if (!v)
			return NULL;
		s->rows = v;
		s->cap = cap;
	}
	memset(&s->rows[s->n], 0, sizeof(s->rows[0]));
	return &s->rows[s->n++];
}

/* One hub's spokes, from its record's view and its device's peers (found
 * through the link's alias). */
static void scan_hub(struct scan *s, const struct nwg_hub_view *rec, const struct nwg_alink *l)
{
	struct nwg_device *dev = l ? l->dev : NULL; /* missing: every spoke is stale */
	const struct nwg_hubstate *st = nwg_hubtab_get(&s->a->hubs, rec->port_id, false);

	if (st && st->ha_standby)
		return; /* a standby copy never handshakes: its spokes are the primary's to report
			 */
	s->hubs++;
	nwg_peers_sort(dev);
	for (size_t i = 0; i < rec->n_peers; i++) {
		const struct nwg_repo_peer *rp = &rec->peers[i];
		const struct nwg_peer *p = nwg_peers_find(dev, &rp->public_key);
		struct row *r = rp->port_id[0] ? add_row(s) : NULL;

		if (!r)
			continue;
		snprintf(r->port_id, sizeof(r->port_id), "%s", rp->port_id);
		snprintf(r->hub, sizeof(r->hub), "%s", rec->port_id);
		snprintf(r->project, sizeof(r->project), "%s", rec->project_id);
		snprintf(r->ifname, sizeof(r->ifname), "%s", rec->ifname);
		nwg_key_to_b64(r->pub, &rp->public_key);
		r->hs = p ? (int64_t)p->last_handshake.tv_sec : 0;
		r->rx = p ? p->rx_bytes : 0;
		r->tx = p ? p->tx_bytes : 0;
	}
}

static bool failed(const json_t *res, const char *key, const char *id)
{
	const json_t *v = json_object_get(res, key);

	for (size_t i = 0; i < json_array_size(v); i++) {
		const char *f = json_string_value(json_array_get(v, i));

		if (f && strcmp(f, id) == 0)
			return true;
	}
	return false;
}

static void remember(struct nwg_agent *a, const char *const *ids, size_t n, const json_t *res,
		     bool up)
{
	for (size_t i = 0; i < n; i++) {
		if (failed(res, up ? "failed_devices_up" : "failed_devices_down", ids[i])) {
			log_warn("spoke %s: update_device_%s failed on the server", ids[i],
				 up ? "up" : "down");
			continue;
		}
		log_info("spoke %s: %s (handshake %s)", ids[i], up ? "ACTIVE" : "DOWN",
			 up ? "fresh" : "stale or never");
		nwg_health_set(&a->health, ids[i], up ? NWG_HEALTH_UP : NWG_HEALTH_DOWN);
	}
}

/* Spoke status is best-effort and re-sent on the next pass when it fails:
 * a call in flight never outlives a health interval, so the next pass can
 * report again, e.g. when neutron-server restarts under an in-flight call. */
static int report_timeout_ms(const struct nwg_agent *a)
{
	int cap = a->conf.health_interval * 1000;

	if (cap < 2000)
		cap = 2000;
	return a->rpc_timeout_ms < cap ? a->rpc_timeout_ms : cap;
}

/* What one update_device_list call reports (copies: the scan is gone when
 * the reply arrives). */
struct health_report {
	struct nwg_agent *a;
	char **up, **down;
	size_t n_up, n_down;
};

static void report_free(struct health_report *h)
{
	for (size_t i = 0; i < h->n_up; i++)
		free(h->up[i]);
	for (size_t i = 0; i < h->n_down; i++)
		free(h->down[i]);
	free(h->up);
	free(h->down);
	free(h);
}

static char **copy_ids(const char **v, size_t n)
{
	char **c = calloc(n ? n : 1, sizeof(*c));

	for (size_t i = 0; c && i < n; i++) {
		if (!(c[i] = strdup(v[i]))) {
			while (i--)
				free(c[i]);
			free(c);
			return NULL;
		}
	}
	return c;
}

static void on_reported(void *ctx, int rc, json_t *res, const char *why)
{
	struct health_report *h = ctx;

	h->a->health_inflight = false;
	if (rc < 0) {
		log_warn("update_device_list (%zu up, %zu down) failed: %s", h->n_up, h->n_down,
			 why ? why : "?");
	} else {
		remember(h->a, (const char *const *)h->up, h->n_up, res, true);
		remember(h->a, (const char *const *)h->down, h->n_down, res, false);
	}
	report_free(h);
}

static struct health_report *changes(struct nwg_agent *a, const struct nwg_health_obs *obs,
				     size_t n)
{
	struct nwg_health_changes c;
	struct health_report *h;

	if (nwg_health_diff(&a->health, obs, n, (int64_t)time(NULL), a->conf.handshake_stale, &c) <
	    0)
		return NULL;
	h = (c.n_up || c.n_down) ? calloc(1, sizeof(*h)) : NULL;
	if (h) {
		*h = (struct health_report){.a = a, .n_up = c.n_up, .n_down = c.n_down};
		h->up = copy_ids(c.up, c.n_up);
		h->down = copy_ids(c.down, c.n_down);
		if (!h->up || !h->down) {
			h->n_up = h->up ? h->n_up : 0;
			h->n_down = h->down ? h->n_down : 0;
			report_free(h);
			h = NULL;
		}
	}
	nwg_health_changes_free(&c);
	return h;
}

/* Asynchronous: one update_device_list in flight at a time; what it could
 * not report is found again by the next pass. */
static void report(struct nwg_agent *a, const struct nwg_health_obs *obs, size_t n)
{
	struct health_report *h;
	struct nwg_err err = {{0}};

	nwg_health_prune(&a->health, obs, n);
	if (!a->msg || a->conf.dry_run || a->health_inflight || !(h = changes(a, obs, n)))
		return;
	if (nwg_rpc_device_list(a->msg, (const char *const *)h->up, h->n_up,
				(const char *const *)h->down, h->n_down, a->agent_id, a->conf.host,
				report_timeout_ms(a), on_reported, h, &err) < 0) {
		log_warn("update_device_list (%zu up, %zu down) failed: %s", h->n_up, h->n_down,
			 err.msg);
		report_free(h);
		return;
	}
	a->health_inflight = true;
}

static void write_metrics(struct nwg_agent *a, const struct scan *s)
{
	struct nwg_metric_peer *mp = calloc(s->n ? s->n : 1, sizeof(*mp));
	struct nwg_metrics m = {
	    .peers = mp, .n_peers = s->n, .hubs = s->hubs, .sync_errors = a->sync_errors};
	struct nwg_err err = {{0}};
	char *text;

	for (size_t i = 0; mp && i < s->n; i++) {
		const struct row *r = &s->rows[i];

		mp[i] = (struct nwg_metric_peer){r->ifname,  r->pub, r->port_id, r->hub,
						 r->project, r->hs,  r->rx,	 r->tx};
	}
	text = mp ? nwg_metrics_format(&m) : NULL;
	if (!text)
		log_warn("metrics: out of memory");
	else if (nwg_metrics_write(a->conf.metrics_textfile, text, &err) < 0)
		log_warn("metrics: %s", err.msg);
	free(text);
	free(mp);
}

void nwg_health_run(struct nwg_agent *a)
{
	struct scan s = {.a = a};
	struct nwg_health_obs *obs;
	struct nwg_actual *act = NULL;
	struct nwg_err err = {{0}};

	a->next_health_ms = nwg_now_ms() + (int64_t)a->conf.health_interval * 1000;
	if (nwg_hostops_actual_all(a, &act, &err) < 0) {
		log_warn("health: reading the actual state failed, no report this pass: %s",
			 err.msg);
		return;
	}
	for (size_t i = 0; i < act->n_recs; i++)
		scan_hub(&s, act->recs[i], nwg_actual_find_link(act, act->recs[i]->port_id));
	nwg_actual_free(act); /* the rows hold copies */
	obs = calloc(s.n ? s.n : 1, sizeof(*obs));
	if (obs) {
		for (size_t i = 0; i < s.n; i++)
			obs[i] = (struct nwg_health_obs){s.rows[i].port_id, s.rows[i].hs};
		report(a, obs, s.n);
	}
	if (a->conf.metrics_textfile)
		write_metrics(a, &s);
	free(obs);
	free(s.rows);
}
