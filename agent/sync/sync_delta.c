/* SPDX-License-Identifier: Apache-2.0 */
/* get_hubs 1.3, deltas: what to ask with, how a delta patches the kept
 * spokes, which answers are kept (sync_delta.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "reconcile/desired.h"
#include "sync_delta.h"
#include "sync_digest.h"

static struct nwg_dkept *find(const struct nwg_dcache *c, const char *port_id)
{
	for (size_t i = 0; port_id && i < c->n_kept; i++) {
		if (strcmp(c->kept[i].port_id, port_id) == 0)
			return &c->kept[i];
	}
	return NULL;
}

static void count(struct nwg_dcache *c)
{
	c->n_spokes = 0;
	for (size_t i = 0; i < c->n_kept; i++)
		c->n_spokes += c->kept[i].flat.n;
}

/* k leaves the cache (its spokes are freed: never while lent). */
static void drop(struct nwg_dcache *c, struct nwg_dkept *k)
{
	nwg_dflat_free(&k->flat);
	*k = c->kept[--c->n_kept];
	count(c);
}

/* Forgets what is kept for the hub: at once, or at the end of the pass
 * while its spokes are lent to the parsed hub. */
static void forget(struct nwg_dcache *c, const char *port_id)
{
	struct nwg_dkept *k = find(c, port_id);

	if (!k)
		return;
	k->confirmed[0] = '\0';
	k->digest[0] = '\0';
	if (!k->lent)
		drop(c, k);
}

json_t *nwg_delta_request(const struct nwg_dcache *c, const json_t *sent, size_t min_spokes)
{
	const char *id;
	json_t *v, *ids;

	if (!sent || !min_spokes || !(ids = json_array()))
		return NULL;
	json_object_foreach((json_t *)sent, id, v)
	{
		const struct nwg_dkept *k = find(c, id);
		const char *dg = k && k->digest[0] ? k->digest : NULL;

		if (dg && json_is_string(v) && strcmp(dg, json_string_value(v)) == 0 &&
		    json_array_append_new(ids, json_string(id)) < 0) {
			json_decref(ids);
			return NULL;
		}
	}
	return ids;
}

/* A delta as the agent accepts it: base a digest, removed port ids, spokes
 * an array; its spokes are checked by the parse, as in any answer. */
static bool delta_ok(const json_t *h)
{
	const json_t *removed = json_object_get(h, "removed");
	const json_t *r;
	size_t i;

	if (!nwg_digest_valid(json_string_value(json_object_get(h, "base"))) ||
	    !nwg_digest_valid(json_string_value(json_object_get(h, "digest"))) ||
	    !json_is_array(removed) || !json_is_array(json_object_get(h, "spokes")))
		return false;
	json_array_foreach(removed, i, r)
	{
		if (!nwg_uuid_valid(json_string_value(r)))
			return false;
	}
	return true;
}

/* The delta's removed, then its changed spokes, on the kept ones: 0, -EINVAL
 * (a changed spoke the grammar skips, a port id or key twice), -ENOMEM. */
static int patch(struct nwg_dkept *k, const json_t *h)
{
	const json_t *e;
	json_t *seen = json_object();
	size_t i;
	int r = seen ? 0 : -ENOMEM;

	nwg_dflat_touch_reset(&k->flat);
	json_array_foreach(json_object_get(h, "removed"), i, e)
	{
		nwg_dflat_remove(&k->flat, json_string_value(e));
	}
	json_array_foreach(json_object_get(h, "spokes"), i, e)
	{
		const char *id = json_string_value(json_object_get(e, "port_id"));
		struct nwg_dspoke sp;
		char why[NWG_REASON_MAX];

		if (r < 0)
			break;
		if (!id || json_object_get(seen, id)) {
			r = -EINVAL;
			break;
		}
		if (json_object_set_new(seen, id, json_true()) < 0) {
			r = -ENOMEM;
			break;
		}
		if (nwg_desired_parse_spoke(e, &sp, why, sizeof(why)) < 0) {
			log_info(
			    "hub %s: delta spoke %s skipped by the grammar (%s): asking in full",
			    k->port_id, id, why);
			r = -EINVAL;
			break;
		}
		r = nwg_dflat_upsert(&k->flat, &sp);
	}
	json_decref(seen);
	return r;
}

/* The delta's hub fields alone: parsed as any answer's. */
static json_t *fields_of(const json_t *h)
{
	json_t *f = json_copy((json_t *)h);

	if (!f)
		return NULL;
	json_object_del(f, "base");
	json_object_del(f, "removed");
	if (json_object_set_new(f, "spokes", json_array()) < 0) {
		json_decref(f);
		return NULL;
	}
	return f;
}

static int note(struct nwg_dcache *c, const char *id, const char *digest)
{
	if (!c->answers && !(c->answers = json_object()))
		return -ENOMEM;
	return json_object_set_new(c->answers, id, json_string(digest));
}

/* The hub at i of hubs is a delta: patched, or "ask in full". */
static int merge_one(struct nwg_dcache *c, json_t *hubs, size_t i, size_t min_spokes)
{
	json_t *h = json_array_get(hubs, i), *f;
	const char *id = json_string_value(json_object_get(h, "port_id"));
	struct nwg_dkept *k = id && nwg_uuid_valid(id) ? find(c, id) : NULL;
	int r = -EINVAL;

	if (k && !k->lent && k->digest[0] && delta_ok(h) &&
	    strcmp(k->digest, json_string_value(json_object_get(h, "base"))) == 0) {
		size_t was = k->flat.n;

		k->digest[0] = '\0'; /* patched: the base no longer */
		r = patch(k, h);
		if (r == 0 && !(f = fields_of(h)))
			r = -ENOMEM;
		if (r == 0) {
			k->lent = true;
			c->n_merged++;
			log_debug("hub %s: delta of %zu spokes, %zu removed, on %zu kept", id,
				  json_array_size(json_object_get(h, "spokes")),
				  json_array_size(json_object_get(h, "removed")), was);
			/* kept once: followed by deltas, whatever its size */
			if ((min_spokes &&
			     note(c, id, json_string_value(json_object_get(h, "digest"))) < 0) ||
			    json_array_set_new(hubs, i, f) < 0)
				return -ENOMEM;
			count(c);
			return 1;
		}
	}
	if (r == -ENOMEM) {
		forget(c, id);
		return r;
	}
	log_warn("hub %s: get_hubs delta on a base this agent does not keep: asking in full",
		 id && nwg_uuid_valid(id) ? id : "(bad port_id)");
	c->n_refused++;
	if (id && nwg_uuid_valid(id))
		forget(c, id);
	f = json_pack("{s:s?, s:b}", "port_id", id && nwg_uuid_valid(id) ? id : NULL, "unchanged",
		      1);
	return f && json_array_set_new(hubs, i, f) == 0 ? 0 : -ENOMEM;
}

static int note_answer(struct nwg_dcache *c, const json_t *h, size_t min_spokes)
{
	const char *id = json_string_value(json_object_get(h, "port_id"));
	const char *dg = json_string_value(json_object_get(h, "digest"));

	if (!id || !nwg_digest_valid(dg) ||
	    json_array_size(json_object_get(h, "spokes")) < min_spokes ||
	    json_is_true(json_object_get(h, "unchanged")))
		return 0;
	return note(c, id, dg);
}

int nwg_delta_merge(struct nwg_dcache *c, json_t *hubs, size_t min_spokes)
{
	int merged = 0;

	for (size_t i = 0; i < json_array_size(hubs); i++) {
		const json_t *h = json_array_get(hubs, i);
		int r = 0;

		if (json_object_get(h, "base"))
			r = merge_one(c, hubs, i, min_spokes);
		if (r < 0)
			return r;
		merged += r;
		if (!r && min_spokes && note_answer(c, json_array_get(hubs, i), min_spokes) < 0)
			return -ENOMEM;
	}
	return merged;
}

void nwg_delta_attach(struct nwg_dcache *c, struct nwg_desired *d)
{
	for (size_t i = 0; d && i < c->n_kept; i++) {
		struct nwg_dhub *h = (struct nwg_dhub *)nwg_desired_find(d, c->kept[i].port_id);

		if (c->kept[i].lent && h && !h->spokes && !h->n_spokes && !h->n_skipped)
			nwg_dflat_lend(&c->kept[i].flat, h);
	}
}

void nwg_delta_keep(struct nwg_dcache *c, const char *port_id, const char *digest)
{
	const char *noted = json_string_value(json_object_get(c->answers, port_id));
	struct nwg_dkept *k;

	if (!digest || !*digest || !noted || strcmp(noted, digest) != 0 ||
	    strlen(digest) > NWG_DIGEST_MAX) {
		forget(c, port_id);
		return;
	}
	if (!(k = find(c, port_id))) {
		struct nwg_dkept *v = realloc(c->kept, (c->n_kept + 1) * sizeof(*v));

		if (!v)
			return; /* out of memory: this hub is answered in full next time */
		c->kept = v;
		k = &c->kept[c->n_kept++];
		memset(k, 0, sizeof(*k));
		snprintf(k->port_id, sizeof(k->port_id), "%s", port_id);
	}
	snprintf(k->confirmed, sizeof(k->confirmed), "%s", digest);
}

/* One kept hub at the end of a pass: true to keep it. */
static bool settle(struct nwg_dkept *k, struct nwg_desired *d)
{
	struct nwg_dhub *h = (struct nwg_dhub *)nwg_desired_find(d, k->port_id);
	bool keep;

	if (k->lent && h)
		nwg_dflat_unlend(&k->flat, h);
	if (!k->confirmed[0])
		return !k->lent && k->digest[0]; /* not in this pass: as it was */
	keep = k->lent || (h && nwg_dflat_take(&k->flat, h) == 0);
	if (keep)
		memcpy(k->digest, k->confirmed, sizeof(k->digest));
	return keep;
}

void nwg_delta_pass_done(struct nwg_dcache *c, struct nwg_desired *d)
{
	for (size_t i = c->n_kept; i-- > 0;) {
		struct nwg_dkept *k = &c->kept[i];
		bool keep = settle(k, d);

		k->lent = false;
		k->confirmed[0] = '\0';
		if (!keep)
			drop(c, k);
	}
	count(c);
	json_decref(c->answers);
	c->answers = NULL;
}

void nwg_delta_clear(struct nwg_dcache *c)
{
	for (size_t i = 0; i < c->n_kept; i++)
		nwg_dflat_free(&c->kept[i].flat);
	free(c->kept);
	c->kept = NULL;
	c->n_kept = 0;
	json_decref(c->answers);
	c->answers = NULL;
	c->n_spokes = 0;
}

size_t nwg_delta_bytes(const struct nwg_dcache *c)
{
	size_t b = c->n_kept * sizeof(*c->kept);

	for (size_t i = 0; i < c->n_kept; i++)
		b += nwg_dflat_bytes(&c->kept[i].flat);
	return b;
}
