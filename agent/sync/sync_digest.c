/* SPDX-License-Identifier: Apache-2.0 */
/* get_hubs 1.2, conditional answers: what to ask with, how to read the
 * answer, which unchanged hubs are in sync (sync_digest.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "reconcile/desired.h"
#include "strv.h"
#include "sync_digest.h"

bool nwg_digest_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > NWG_DIGEST_MAX)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_+/=-") ==
	       n;
}

json_t *nwg_digest_request(struct nwg_agent *a, bool full)
{
	bool all = false;
	json_t *o;

	if (full) {
		all = a->full_passes++ % NWG_UNCONDITIONAL_EVERY == 0 || a->want_unconditional;
		a->want_unconditional = false;
		all = all && !a->offline;
	}
	if (a->no_digests || !(o = json_object()))
		return NULL;
	for (size_t i = 0; !all && i < a->hubs.n; i++) {
		const struct nwg_hubstate *st = &a->hubs.v[i];

		if (st->ok && st->digest[0] &&
		    json_object_set_new(o, st->port_id, json_string(st->digest)) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static int take_unchanged(const json_t *h, const json_t *sent, struct nwg_digest_split *s)
{
	const char *id = json_string_value(json_object_get(h, "port_id"));
	const char *dg = json_string_value(json_object_get(h, "digest"));
	const char *was = json_string_value(json_object_get(sent, id ? id : ""));

	s->n_answered++;
	if (!id || !nwg_uuid_valid(id)) {
		s->bad = true;
		return 0;
	}
	if (dg && was && strcmp(dg, was) == 0)
		return nwg_strv_push(&s->unchanged, id);
	return nwg_strv_push(&s->refetch, id);
}

int nwg_digest_split(const json_t *hubs, const json_t *sent, struct nwg_digest_split *s)
{
	size_t i;
	const json_t *h;

	memset(s, 0, sizeof(*s));
	s->full = json_array();
	s->got = json_object();
	if (!s->full || !s->got)
		goto oom;
	json_array_foreach(hubs, i, h)
	{
		const char *id = json_string_value(json_object_get(h, "port_id"));
		const char *dg = json_string_value(json_object_get(h, "digest"));

		if (json_is_true(json_object_get(h, "unchanged"))) {
			if (take_unchanged(h, sent, s) < 0)
				goto oom;
			continue;
		}
		if (json_array_append(s->full, (json_t *)h) < 0)
			goto oom;
		if (id && nwg_digest_valid(dg) &&
		    json_object_set_new(s->got, id, json_string(dg)) < 0)
			goto oom;
	}
	return 0;
oom:
	nwg_digest_split_free(s);
	return -ENOMEM;
}

void nwg_digest_split_free(struct nwg_digest_split *s)
{
	json_decref(s->full);
	json_decref(s->got);
	nwg_strv_free(s->unchanged);
	nwg_strv_free(s->refetch);
	memset(s, 0, sizeof(*s));
}

void nwg_digest_applied(struct nwg_agent *a, struct nwg_hubstate *st)
{
	const char *dg = json_string_value(json_object_get(a->sync.got, st->port_id));

	snprintf(st->digest, sizeof(st->digest), "%s", dg && !a->conf.dry_run ? dg : "");
}

static bool in_sync(struct nwg_agent *a, const char *id)
{
	const struct nwg_hubstate *st = nwg_hubtab_get(&a->hubs, id, false);
	const struct nwg_acache_ent *e = nwg_acache_find(&a->acache, id);

	if (!st || !st->ok || !e)
		return false;
	if (nwg_sync_link_check(a, &e->link))
		return true;
	log_info("hub %s: %s changed outside the agent: reading it again", id, e->link.ifname);
	nwg_acache_drop(&a->acache, id);
	return false;
}

size_t nwg_digest_keep(struct nwg_agent *a, struct nwg_digest_split *s)
{
	char **keep = NULL;

	for (size_t i = 0; s->unchanged && s->unchanged[i]; i++) {
		const char *id = s->unchanged[i];
		char ***to = in_sync(a, id) ? &keep : &s->refetch;

		if (nwg_strv_push(to, id) < 0)
			a->want_unconditional =
			    true; /* out of memory: the next full pass asks all */
	}
	for (size_t i = 0; s->refetch && s->refetch[i]; i++) {
		struct nwg_hubstate *st = nwg_hubtab_get(&a->hubs, s->refetch[i], false);

		if (st)
			st->digest[0] = '\0';
	}
	nwg_strv_free(s->unchanged);
	s->unchanged = keep;
	return nwg_strv_len(keep);
}

static bool listed(char *const *v, const char *id)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (strcmp(v[i], id) == 0)
			return true;
	}
	return false;
}

static bool answered(const struct nwg_desired *d, const struct nwg_digest_split *s, const char *id)
{
	return nwg_desired_find(d, id) || nwg_desired_find_rejected(d, id) ||
	       listed(s->unchanged, id) || listed(s->refetch, id);
}

/* A conditional full answer deletes nothing: a hub this node holds that the
 * answer does not name asks for an unconditional full pass, which does. */
static void check_gone(struct nwg_agent *a, const struct nwg_desired *d,
		       const struct nwg_digest_split *s)
{
	const char *gone = NULL;

	for (size_t i = 0; !gone && i < a->hubs.n; i++) { /* a failed hub retries on its own */
		if (a->hubs.v[i].ok && !answered(d, s, a->hubs.v[i].port_id))
			gone = a->hubs.v[i].port_id;
	}
	for (size_t i = 0; !gone && i < a->acache.n; i++) {
		if (!answered(d, s, a->acache.v[i].link.port_id))
			gone = a->acache.v[i].link.port_id;
	}
	if (!gone && !s->bad && !d->rejected_unknown)
		return;
	log_info("conditional get_hubs answer does not name %s: asking every hub in full",
		 gone ? gone : "every hub");
	a->want_unconditional = true;
	nwg_sched_full(a, 0);
}

static int push_all(char ***v, const struct nwg_desired *d)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < d->n_hubs; i++)
		r = nwg_strv_push(v, d->hubs[i].port_id);
	for (size_t i = 0; r >= 0 && i < d->n_rejected; i++) {
		if (d->rejected[i].port_id[0])
			r = nwg_strv_push(v, d->rejected[i].port_id);
	}
	return r;
}

char **nwg_digest_pass_ids(struct nwg_agent *a, const struct nwg_desired *d,
			   const struct nwg_digest_split *s, bool full, char *const *ids, size_t n)
{
	char **v = calloc(1, sizeof(*v));
	int r = v ? 0 : -ENOMEM;

	if (r >= 0 && full)
		r = push_all(&v, d);
	for (size_t i = 0; r >= 0 && !full && i < n; i++) {
		if (!listed(s->unchanged, ids[i]) && !listed(s->refetch, ids[i]))
			r = nwg_strv_push(&v, ids[i]);
	}
	if (r < 0) {
		nwg_strv_free(v);
		return NULL;
	}
	if (full)
		check_gone(a, d, s);
	if (s->refetch)
		nwg_sched_ids(a, (const char *const *)s->refetch, nwg_strv_len(s->refetch), 0);
	return v;
}
