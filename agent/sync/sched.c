/* SPDX-License-Identifier: Apache-2.0 */
/* Coalesced sync scheduling: triggers accumulate port ids (or "full") and one
 * pass runs once the short debounce expires. */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log/log.h"
#include "nwg/rtnl.h"

#define FULL_RETRY_MAX_MS 60000

static void due_at(struct nwg_agent *a, int64_t delay_ms)
{
	int64_t at = nwg_now_ms() + (delay_ms > 0 ? delay_ms : 0);

	if (!a->sync_at_ms || at < a->sync_at_ms)
		a->sync_at_ms = at ? at : 1;
}

void nwg_sched_full(struct nwg_agent *a, int64_t delay_ms)
{
	a->want_full = true;
	nwg_strv_free(a->want_ids);
	a->want_ids = NULL;
	due_at(a, delay_ms);
}

static bool has_id(char **v, const char *id)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (strcmp(v[i], id) == 0)
			return true;
	}
	return false;
}

void nwg_sched_ids(struct nwg_agent *a, const char *const *ids, size_t n, int64_t delay_ms)
{
	size_t have = 0;

	due_at(a, delay_ms);
	if (a->want_full)
		return;
	while (a->want_ids && a->want_ids[have])
		have++;
	for (size_t i = 0; i < n; i++) {
		char **v;

		if (!ids[i] || has_id(a->want_ids, ids[i]))
			continue;
		v = realloc(a->want_ids, (have + 2) * sizeof(*v));
		if (!v || !(v[have] = strdup(ids[i]))) {
			if (v)
				a->want_ids = v;
			nwg_sched_full(a, delay_ms); /* out of memory: fall back to full */
			return;
		}
		v[++have] = NULL;
		a->want_ids = v;
	}
}

#define LOSS_MAX_MS  30000
#define LOSS_CALM_MS 60000 /* losses further apart than this start over at 0 */

void nwg_sched_sync_done(struct nwg_agent *a, bool full, int rc)
{
	int64_t now = nwg_now_ms();

	a->last_sync_rc = rc;
	if (!full) {
		if (rc < 0)
			nwg_sched_full(a, 1000); /* could not ask: let a full pass decide */
		return;
	}
	a->last_full_ok = rc >= 0;
	if (rc >= 0) {
		a->full_retry_ms = 0;
		a->next_full_ms =
		    a->conf.resync_interval ? now + a->conf.resync_interval * 1000LL : 0;
		return;
	}
	a->full_retry_ms = a->full_retry_ms ? a->full_retry_ms * 2 : 1000;
	if (a->full_retry_ms > FULL_RETRY_MAX_MS)
		a->full_retry_ms = FULL_RETRY_MAX_MS;
	if (a->msg || a->offline) {
		log_warn("full sync failed; retrying in %lld ms", (long long)a->full_retry_ms);
		nwg_sched_full(a, a->full_retry_ms);
	} else {
		a->want_full = true; /* runs after the reconnect */
	}
}

void nwg_sched_loss(struct nwg_agent *a, const char *what)
{
	int64_t now = nwg_now_ms();

	if (!a->loss_at_ms || now - a->loss_at_ms > LOSS_CALM_MS)
		a->loss_backoff_ms = 0;
	a->loss_at_ms = now;
	log_warn("%s: full sync in %lld ms", what, (long long)a->loss_backoff_ms);
	nwg_sched_full(a, a->loss_backoff_ms);
	a->loss_backoff_ms = a->loss_backoff_ms ? a->loss_backoff_ms * 2 : 500;
	if (a->loss_backoff_ms > LOSS_MAX_MS)
		a->loss_backoff_ms = LOSS_MAX_MS;
}

static void run_pending(struct nwg_agent *a)
{
	char **ids = a->want_ids;
	bool full = a->want_full;
	size_t n = 0;
	int r;

	while (ids && ids[n])
		n++;
	if (!full && !n) {
		a->sync_at_ms = 0;
		return;
	}
	a->sync_at_ms = 0;
	a->want_ids = NULL;
	a->want_full = false;
	r = nwg_sync(a, full, ids, n); /* takes ids */
	if (r < 0)
		nwg_sched_sync_done(a, full, r);
}

int64_t nwg_deadline_min(int64_t a, int64_t b)
{
	if (a <= 0)
		return b;
	if (b <= 0)
		return a;
	return a < b ? a : b;
}

int64_t nwg_sched_run(struct nwg_agent *a, int64_t now)
{
	bool online = a->msg || a->offline;
	char **due = NULL;

	if (online && a->next_full_ms && now >= a->next_full_ms) {
		a->next_full_ms = 0;
		log_debug("periodic full resync");
		nwg_sched_full(a, 0);
	}
	if (online && (due = nwg_hubtab_take_due(&a->hubs, now))) {
		size_t n = 0;

		while (due[n])
			n++;
		if (n)
			nwg_sched_ids(a, (const char *const *)due, n, 0);
		nwg_strv_free(due);
	}
	if (online && a->sync_at_ms && now >= a->sync_at_ms && a->sync.state == NWG_SYNC_IDLE)
		run_pending(a);
	if (!online)
		return -1;
	if (a->sync.state != NWG_SYNC_IDLE) /* the pass's replies wake the loop */
		return nwg_deadline_min(nwg_hubtab_next_retry(&a->hubs), a->next_full_ms);
	return nwg_deadline_min(nwg_deadline_min(a->sync_at_ms, nwg_hubtab_next_retry(&a->hubs)),
				a->next_full_ms);
}
