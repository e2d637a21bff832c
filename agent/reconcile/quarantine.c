/* SPDX-License-Identifier: Apache-2.0 */
/* The quarantine of deleted hubs' records, through hostops.h (this process
 * or the privsep executor); a record restored from quarantine is read back
 * through the seam too (its view). */
#include "reconcile/quarantine.h"

#include <errno.h>

#include "log/log.h"
#include "nwg/repo.h"
#include "privsep/hostops.h"

/* The restored record's view, read back through the seam, into act. */
static int read_back(struct nwg_agent *a, const char *id, struct nwg_actual *act,
		     struct nwg_err *err)
{
	struct nwg_actual *one = NULL;
	const struct nwg_hub_view *v;
	int r = nwg_hostops_actual_one(a, id, &one, err);

	if (r < 0)
		return r;
	v = nwg_actual_find_record(one, id);
	if (!v)
		r = nwg_err_set(err, ENOENT, "no readable record after the restore");
	else if ((r = nwg_actual_add_record(act, nwg_hub_view_dup(v))) < 0)
		nwg_err_set(err, -r, "out of memory");
	nwg_actual_free(one);
	return r;
}

void nwg_quarantine_restore(struct nwg_agent *a, const struct nwg_desired *d,
			    struct nwg_actual *act)
{
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);

	for (size_t i = 0; a->conf.quarantine_days && i < d->n_hubs; i++) {
		const char *id = d->hubs[i].port_id;
		struct nwg_err err = {{0}};
		int r;

		if (nwg_actual_find_record(act, id) || nwg_actual_is_corrupt(act, id))
			continue;
		r = ops->unquarantine(ctx, id, &err);
		if (r < 0)
			log_err("hub %s: %s", id, err.msg);
		if (r <= 0)
			continue;
		r = read_back(a, id, act, &err);
		if (r < 0) {
			log_err("hub %s: restored from quarantine but unreadable: %s", id, err.msg);
			continue;
		}
		log_warn("hub %s: came back: restored from quarantine (same key and listen port)",
			 id);
	}
}

void nwg_quarantine_deletes(struct nwg_agent *a, const struct nwg_plan *p)
{
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);

	for (size_t i = 0; a->conf.quarantine_days && !a->conf.dry_run && i < p->n; i++) {
		const struct nwg_action *act = &p->acts[i];
		struct nwg_err err = {{0}};
		int r;

		if (act->kind != NWG_ACT_DELETE || !act->rec)
			continue;
		r = ops->quarantine(ctx, act->port_id, &err);
		if (r < 0)
			log_err("hub %s: %s (the record is deleted instead)", act->port_id,
				err.msg);
		else if (r > 0)
			log_info("hub %s: record kept in quarantine for %d days", act->port_id,
				 a->conf.quarantine_days);
	}
}

void nwg_quarantine_purge(struct nwg_agent *a)
{
	struct nwg_err err = {{0}};
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);
	int n = ops->purge(ctx, (unsigned int)a->conf.quarantine_days * 86400U, &err);

	if (n < 0)
		log_err("quarantine: %s", err.msg);
	else if (n > 0)
		log_info("quarantine: %d record(s) older than %d days removed", n,
			 a->conf.quarantine_days);
}
