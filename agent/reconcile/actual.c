/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/actual.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "nwg/rtnl.h"
#include "strv.h"

/* ---- construction ---- */

struct nwg_actual *nwg_actual_new(void)
{
	struct nwg_actual *a = calloc(1, sizeof(*a));

	if (a)
		a->complete = true;
	return a;
}

struct nwg_alink *nwg_actual_add_link(struct nwg_actual *a)
{
	struct nwg_alink *links = realloc(a->links, (a->n_links + 1) * sizeof(*links));

	if (!links)
		return NULL;
	a->links = links;
	memset(&links[a->n_links], 0, sizeof(*links));
	return &links[a->n_links++];
}

int nwg_actual_add_record(struct nwg_actual *a, struct nwg_hub_view *rec)
{
	struct nwg_hub_view **recs = rec ? realloc(a->recs, (a->n_recs + 1) * sizeof(*recs)) : NULL;

	if (!recs) {
		nwg_hub_view_free(rec);
		return -ENOMEM;
	}
	a->recs = recs;
	recs[a->n_recs++] = rec;
	return 0;
}

int nwg_actual_add_record_view(struct nwg_actual *a, const struct nwg_hub_record *rec)
{
	return nwg_actual_add_record(a, nwg_hub_view_of(rec));
}

int nwg_actual_add_corrupt(struct nwg_actual *a, const char *port_id)
{
	size_t n = 0;
	char **v;

	while (a->corrupt && a->corrupt[n])
		n++;
	v = realloc(a->corrupt, (n + 2) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	a->corrupt = v;
	v[n] = strdup(port_id);
	v[n + 1] = NULL;
	return v[n] ? 0 : -ENOMEM;
}

void nwg_actual_free(struct nwg_actual *a)
{
	if (!a)
		return;
	for (size_t i = a->n_lent_links; i < a->n_links; i++) {
		nwg_strv_free(a->links[i].addrs);
		nwg_device_free(a->links[i].dev);
	}
	free(a->links);
	for (size_t i = a->n_lent_recs; i < a->n_recs; i++)
		nwg_hub_view_free(a->recs[i]);
	if (a->release)
		a->release(a->lender);
	free(a->recs);
	nwg_strv_free(a->corrupt);
	free(a);
}

const struct nwg_alink *nwg_actual_find_link(const struct nwg_actual *a, const char *port_id)
{
	for (size_t i = 0; a && i < a->n_links; i++) {
		if (strcmp(a->links[i].port_id, port_id) == 0)
			return &a->links[i];
	}
	return NULL;
}

const struct nwg_hub_view *nwg_actual_find_record(const struct nwg_actual *a, const char *port_id)
{
	for (size_t i = 0; a && i < a->n_recs; i++) {
		if (strcmp(a->recs[i]->port_id, port_id) == 0)
			return a->recs[i];
	}
	return NULL;
}

bool nwg_alink_keyed(const struct nwg_alink *l)
{
	return l && l->dev && (l->dev->flags & NWG_DEV_HAS_PRIVATE_KEY) &&
	       !nwg_key_is_zero(&l->dev->public_key);
}

bool nwg_alink_key_matches(const struct nwg_alink *l, const struct nwg_hub_view *rec)
{
	return rec && nwg_alink_keyed(l) && !nwg_key_is_zero(&rec->public_key) &&
	       nwg_key_equal(&l->dev->public_key, &rec->public_key);
}

bool nwg_actual_is_corrupt(const struct nwg_actual *a, const char *port_id)
{
	for (size_t i = 0; a && a->corrupt && a->corrupt[i]; i++) {
		if (strcmp(a->corrupt[i], port_id) == 0)
			return true;
	}
	return false;
}

bool nwg_alias_port_id(const char *alias, char *out, size_t len)
{
	size_t plen = strlen(NWG_ALIAS_PREFIX);

	if (!alias || strncmp(alias, NWG_ALIAS_PREFIX, plen) != 0 || !alias[plen] ||
	    strlen(alias + plen) >= len)
		return false;
	snprintf(out, len, "%s", alias + plen);
	return true;
}

/* ---- reading the system ---- */

static bool in_scope(const struct nwg_actual_src *src, const char *port_id)
{
	if (!src->scope)
		return true;
	for (size_t i = 0; i < src->n_scope; i++) {
		if (src->scope[i] && strcmp(src->scope[i], port_id) == 0)
			return true;
	}
	return false;
}

struct repo_walk {
	struct nwg_actual *a;
	const struct nwg_actual_src *src;
};

static void id_from_path(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	dot = strstr(base, ".conf");
	snprintf(out, len, "%.*s", dot ? (int)(dot - base) : (int)strlen(base), base);
}

static void corrupt(struct nwg_actual *a, const char *id, const char *path, const char *why)
{
	log_warn("repository file %s is corrupt, ignored: %s", path, why ? why : "?");
	nwg_actual_add_corrupt(a, id);
}

static int repo_cb(const struct nwg_hub_record *rec, const char *path, const struct nwg_err *err,
		   void *ctx)
{
	struct repo_walk *w = ctx;
	char id[NWG_ID_MAX + 1];

	if (!rec) {
		id_from_path(path, id, sizeof(id));
		if (in_scope(w->src, id))
			corrupt(w->a, id, path, err ? err->msg : NULL);
		return 0;
	}
	if (!in_scope(w->src, rec->port_id))
		return 0;
	return nwg_actual_add_record_view(w->a, rec); /* the walk frees the record */
}

/* A targeted pass reads the records it names, not every hub's. */
static int read_scoped(struct nwg_actual *a, const struct nwg_actual_src *src)
{
	for (size_t i = 0; i < src->n_scope; i++) {
		const char *id = src->scope[i];
		struct nwg_hub_record *rec = NULL;
		struct nwg_err e = {{0}};
		int r;

		if (!id || nwg_actual_find_record(a, id) || nwg_actual_is_corrupt(a, id))
			continue;
		r = nwg_repo_load(src->repo, id, &rec, &e);
		if (r == -ENOENT || r == -EINVAL)
			continue; /* no record (a spoke, a new hub) or not a record name */
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			corrupt(a, id, id, e.msg);
			continue;
		}
		r = nwg_actual_add_record_view(a, rec);
		nwg_hub_record_free(rec); /* wipes the key: only its view is kept */
		if (r < 0)
			return r;
	}
	return 0;
}

static int read_records(struct nwg_actual *a, const struct nwg_actual_src *src, struct nwg_err *err)
{
	struct repo_walk w = {.a = a, .src = src};

	int r;

	if (src->scope)
		return read_scoped(a, src);
	r = nwg_repo_foreach(src->repo, repo_cb, &w, err);
	return r < 0 ? r : 0;
}

struct ns_set {
	char **v; /* "" = root */
	size_t n;
};

static int ns_add(struct ns_set *s, const char *name)
{
	char **v;

	if (!name)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i], name) == 0)
			return 0;
	}
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	v[s->n] = strdup(name);
	if (!v[s->n])
		return -ENOMEM;
	s->n++;
	return 0;
}

static void ns_free(struct ns_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

void nwg_device_forget_key(struct nwg_device *dev)
{
	if (!dev || !(dev->flags & NWG_DEV_HAS_PRIVATE_KEY))
		return;
	if (nwg_key_is_zero(&dev->public_key) &&
	    nwg_key_public(&dev->public_key, &dev->private_key) < 0)
		dev->flags &= ~(uint32_t)NWG_DEV_HAS_PRIVATE_KEY; /* no usable key */
	nwg_key_wipe(&dev->private_key);
}

static void read_device(struct nwg_alink *al, const struct nwg_actual_src *src)
{
	struct nwg_err e = {{0}};
	const char *ns = al->netns[0] ? al->netns : NULL;

	if (nwg_wg_get(src->backend, al->ifname, ns, &al->dev, &e) < 0) {
		log_debug("hub %s: %s in %s not readable: %s", al->port_id, al->ifname,
			  ns ? ns : "root namespace", e.msg);
		al->dev = NULL;
		return;
	}
	nwg_device_forget_key(al->dev);
}

static int take_link(struct nwg_actual *a, const struct nwg_actual_src *src, struct nwg_rtnl *r,
		     const struct nwg_link *l, const char *ns)
{
	char id[NWG_ID_MAX + 1];
	struct nwg_alink *al;

	if (!nwg_alias_port_id(l->alias, id, sizeof(id)) || !in_scope(src, id))
		return 0;
	if (nwg_actual_find_link(a, id)) {
		log_warn("hub %s: second link %s in %s carries the same alias, ignored", id,
			 l->name, *ns ? ns : "root namespace");
		return 0;
	}
	al = nwg_actual_add_link(a);
	if (!al)
		return -ENOMEM;
	snprintf(al->port_id, sizeof(al->port_id), "%s", id);
	snprintf(al->ifname, sizeof(al->ifname), "%s", l->name);
	snprintf(al->netns, sizeof(al->netns), "%s", ns);
	al->up = l->up;
	al->mtu = l->mtu;
	if (nwg_addr_list(r, l->name, &al->addrs, NULL) < 0)
		al->addrs = NULL;
	read_device(al, src);
	return 0;
}

static int scan_netns(struct nwg_actual *a, const struct nwg_actual_src *src, const char *ns)
{
	struct nwg_link *links = NULL;
	struct nwg_rtnl *r = NULL;
	struct nwg_err e = {{0}};
	size_t n = 0;
	int rc;

	if (*ns && nwg_netns_exists(ns) != 1)
		return 0;
	rc = nwg_rtnl_open(&r, *ns ? ns : NULL, &e);
	if (rc >= 0)
		rc = nwg_link_list(r, &links, &n, &e);
	if (rc < 0) {
		log_warn("cannot list links in %s: %s", *ns ? ns : "root namespace", e.msg);
		a->complete = false;
		nwg_rtnl_close(r);
		return 0;
	}
	for (size_t i = 0; rc >= 0 && i < n; i++)
		rc = take_link(a, src, r, &links[i], ns);
	free(links);
	nwg_rtnl_close(r);
	return rc;
}

static int collect_netns(struct ns_set *s, const struct nwg_actual *a,
			 const struct nwg_actual_src *src)
{
	int r = ns_add(s, "");

	for (size_t i = 0; r >= 0 && i < a->n_recs; i++) {
		if ((r = ns_add(s, a->recs[i]->netns)) >= 0)
			r = ns_add(s, a->recs[i]->home_netns);
	}
	for (size_t i = 0; r >= 0 && src->extra_netns && src->extra_netns[i]; i++)
		r = ns_add(s, src->extra_netns[i]);
	return r;
}

int nwg_actual_read(struct nwg_actual **out, const struct nwg_actual_src *src, struct nwg_err *err)
{
	struct ns_set ns = {0};
	struct nwg_actual *a;
	int r;

	if (!out || !src || !src->repo)
		return nwg_err_set(err, EINVAL, "actual state: bad arguments");
	*out = NULL;
	a = nwg_actual_new();
	if (!a)
		return nwg_err_set(err, ENOMEM, "out of memory");
	r = read_records(a, src, err);
	a->complete = a->complete && src->backend;
	if (r >= 0 && src->backend)
		r = collect_netns(&ns, a, src);
	for (size_t i = 0; r >= 0 && i < ns.n; i++)
		r = scan_netns(a, src, ns.v[i]);
	ns_free(&ns);
	if (r < 0) {
		nwg_actual_free(a);
		return err && err->msg[0] ? r : nwg_err_set(err, -r, "reading actual state failed");
	}
	*out = a;
	return 0;
}
