/* SPDX-License-Identifier: Apache-2.0 */
/* A project's namespace goes with its last hub on this node: after a pass,
 * the namespaces that deleted hubs lived in (reconcile/nsgc.c) are removed
 * by the executor when they hold nothing (hostops.h: reconcile/exec_netns.c,
 * in this process or in the privsep executor). One that
 * still holds something is kept, said once, and looked at again after each
 * later pass until it is empty, used by a hub again, or the agent stops. */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "log/log.h"
#include "nwg/rtnl.h"
#include "privsep/hostops.h"
#include "reconcile/exec.h"
#include "reconcile/nsgc.h"

void nwg_nsgc_note(struct nwg_agent *a, const struct nwg_plan *p, const struct nwg_desired *d,
		   const struct nwg_actual *act, const struct nwg_plan_opts *o)
{
	char **todo = NULL;

	if (a->conf.dry_run)
		return;
	if (nwg_nsgc_plan(p, d, act, o, a->ns_pending, &todo) < 0) {
		log_err("namespace clean-up: out of memory (namespaces left for a later pass)");
		return;
	}
	nwg_strv_free(a->ns_todo);
	a->ns_todo = todo;
}

static bool listed(char *const *v, const char *name)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

void nwg_nsgc_run(struct nwg_agent *a)
{
	char **todo = a->ns_todo, **keep = todo;
	size_t k = 0;
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);

	if (!todo)
		return;
	a->ns_todo = NULL;
	for (size_t i = 0; todo[i]; i++) {
		struct nwg_err err = {{0}};
		char why[160];
		bool again = listed(a->ns_pending, todo[i]);
		int r = ops->netns_remove(ctx, todo[i], why, sizeof(why), &err);

		if (r == NWG_NETNS_REMOVED)
			log_info(
			    "namespace %s removed: the project's last hub on this node is gone",
			    todo[i]);
		else if (r == NWG_NETNS_KEPT && !again)
			log_info("namespace %s kept although its hubs are gone: %s", todo[i], why);
		else if (r < 0)
			log_err("namespace %s: cannot remove: %s", todo[i], err.msg);
		if (r == NWG_NETNS_KEPT || r < 0)
			keep[k++] = todo[i];
		else
			free(todo[i]);
	}
	keep[k] = NULL;
	nwg_strv_free(a->ns_pending);
	a->ns_pending = keep;
}
