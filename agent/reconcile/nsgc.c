/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/nsgc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/rtnl.h"
#include "strv.h"

struct names {
	char **v; /* NULL-terminated (lib/strv.c) */
	size_t n;
};

static bool has(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return true;
	return false;
}

static bool ours(const struct nwg_plan_opts *o, const char *name)
{
	size_t len = o->ns_prefix ? strlen(o->ns_prefix) : 0;

	return len && name && strncmp(name, o->ns_prefix, len) == 0 && name[len] != '\0';
}

static int add(struct names *s, const struct nwg_plan_opts *o, const char *name)
{
	int r;

	if (!ours(o, name) || has(s, name))
		return 0;
	if ((r = nwg_strv_push(&s->v, name)) < 0)
		return r;
	s->n++;
	return 0;
}

static void drop(struct names *s, const char *name)
{
	for (size_t i = 0; name && *name && i < s->n; i++) {
		if (strcmp(s->v[i], name) == 0) {
			free(s->v[i]);
			s->v[i] = s->v[--s->n];
			s->v[s->n] = NULL;
			return;
		}
	}
}

static bool deleted(const struct nwg_plan *p, const char *port_id)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->acts[i].kind == NWG_ACT_DELETE && strcmp(p->acts[i].port_id, port_id) == 0)
			return true;
	return false;
}

static int gather(struct names *s, const struct nwg_plan *p, const struct nwg_plan_opts *o,
		  char *const *pending)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < p->n; i++) {
		const struct nwg_action *act = &p->acts[i];

		if (act->kind != NWG_ACT_DELETE)
			continue;
		if (act->rec && (r = add(s, o, act->rec->home_netns)) >= 0)
			r = add(s, o, act->rec->netns);
		if (r >= 0 && act->link)
			r = add(s, o, act->link->netns);
	}
	for (size_t i = 0; r >= 0 && pending && pending[i]; i++)
		r = add(s, o, pending[i]);
	return r;
}

/* Everything a hub that stays still needs. */
static void keep_used(struct names *s, const struct nwg_plan *p, const struct nwg_desired *d,
		      const struct nwg_actual *a, const struct nwg_plan_opts *o)
{
	char ns[NWG_NETNS_NAME_MAX + 1];

	for (size_t i = 0; d && i < d->n_hubs; i++) {
		nwg_hub_home_netns(o, &d->hubs[i], ns, sizeof(ns));
		drop(s, ns);
	}
	for (size_t i = 0; a && i < a->n_recs; i++) {
		if (deleted(p, a->recs[i]->port_id))
			continue;
		drop(s, a->recs[i]->home_netns);
		drop(s, a->recs[i]->netns);
	}
	for (size_t i = 0; a && i < a->n_links; i++) {
		if (!deleted(p, a->links[i].port_id))
			drop(s, a->links[i].netns);
	}
}

static int cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int nwg_nsgc_plan(const struct nwg_plan *p, const struct nwg_desired *d, const struct nwg_actual *a,
		  const struct nwg_plan_opts *o, char *const *pending, char ***out)
{
	struct names s = {0};
	int r = 0;

	*out = NULL;
	if (!o->restore && p)
		r = gather(&s, p, o, pending);
	if (r < 0) {
		nwg_strv_free(s.v);
		return r;
	}
	if (p)
		keep_used(&s, p, d, a, o);
	if (!s.v && !(s.v = calloc(1, sizeof(*s.v))))
		return -ENOMEM;
	qsort(s.v, s.n, sizeof(*s.v), cmp);
	*out = s.v;
	return 0;
}
