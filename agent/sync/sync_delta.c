/* SPDX-License-Identifier: Apache-2.0 */
/* get_hubs 1.3, deltas: what to ask with, how a delta becomes the whole hub
 * again, which answers are kept (sync_delta.h). */
#include <errno.h>
#include <string.h>

#include "log/log.h"
#include "reconcile/desired.h"
#include "sync_delta.h"
#include "sync_digest.h"

json_t *nwg_delta_request(const struct nwg_dcache *c, const json_t *sent, size_t min_spokes)
{
	const char *id;
	json_t *v, *ids;

	if (!sent || !min_spokes || !(ids = json_array()))
		return NULL;
	json_object_foreach((json_t *)sent, id, v)
	{
		const json_t *k = json_object_get(c->kept, id);
		const char *dg = json_string_value(json_object_get(k, "digest"));

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

static int mark(json_t *set, const json_t *ids, const char *field)
{
	size_t i;
	const json_t *e;

	json_array_foreach(ids, i, e)
	{
		const char *id = json_string_value(field ? json_object_get(e, field) : e);

		if (id && json_object_set_new(set, id, json_true()) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The kept hub's spokes but the removed and the changed, then the changed. */
static json_t *rebuild(const json_t *kept, const json_t *h)
{
	const json_t *old = json_object_get(kept, "spokes");
	const json_t *add = json_object_get(h, "spokes");
	json_t *gone = json_object(), *sp = json_array(), *full = json_copy((json_t *)h);
	const json_t *s;
	size_t i;
	int r = gone && sp && full ? 0 : -ENOMEM;

	if (r >= 0)
		r = mark(gone, json_object_get(h, "removed"), NULL);
	if (r >= 0)
		r = mark(gone, add, "port_id");
	json_array_foreach(old, i, s)
	{
		const char *id = json_string_value(json_object_get(s, "port_id"));

		if (r >= 0 && !(id && json_object_get(gone, id)))
			r = json_array_append((json_t *)sp, (json_t *)s);
	}
	if (r >= 0)
		r = json_array_extend(sp, (json_t *)add);
	if (r >= 0) {
		json_object_del(full, "base");
		json_object_del(full, "removed");
		r = json_object_set(full, "spokes", sp);
	}
	json_decref(gone);
	json_decref(sp);
	if (r < 0) {
		json_decref(full);
		return NULL;
	}
	return full;
}

static void forget(struct nwg_dcache *c, const char *port_id)
{
	const json_t *k = json_object_get(c->kept, port_id);

	if (!k)
		return;
	c->n_spokes -= json_array_size(json_object_get(json_object_get(k, "hub"), "spokes"));
	json_object_del(c->kept, port_id);
}

/* The hub at i of hubs is a delta: the whole hub, or "ask in full". */
static int merge_one(struct nwg_dcache *c, json_t *hubs, size_t i)
{
	json_t *h = json_array_get(hubs, i);
	const char *id = json_string_value(json_object_get(h, "port_id"));
	const json_t *k = json_object_get(c->kept, id ? id : "");
	const char *dg = json_string_value(json_object_get(k, "digest"));
	json_t *full = NULL;

	if (id && nwg_uuid_valid(id) && dg && delta_ok(h) &&
	    strcmp(dg, json_string_value(json_object_get(h, "base"))) == 0) {
		if (!(full = rebuild(json_object_get(k, "hub"), h)))
			return -ENOMEM;
		c->n_merged++;
		log_debug("hub %s: delta of %zu spokes, %zu removed, on %zu kept", id,
			  json_array_size(json_object_get(h, "spokes")),
			  json_array_size(json_object_get(h, "removed")),
			  json_array_size(json_object_get(json_object_get(k, "hub"), "spokes")));
		return json_array_set_new(hubs, i, full) < 0 ? -ENOMEM : 1;
	}
	log_warn("hub %s: get_hubs delta on a base this agent does not keep: asking in full",
		 id && nwg_uuid_valid(id) ? id : "(bad port_id)");
	c->n_refused++;
	if (id && nwg_uuid_valid(id))
		forget(c, id);
	full = json_pack("{s:s?, s:b}", "port_id", id && nwg_uuid_valid(id) ? id : NULL,
			 "unchanged", 1);
	return full && json_array_set_new(hubs, i, full) == 0 ? 0 : -ENOMEM;
}

static int note_answer(struct nwg_dcache *c, const json_t *h, size_t min_spokes)
{
	const char *id = json_string_value(json_object_get(h, "port_id"));

	if (!id || !nwg_digest_valid(json_string_value(json_object_get(h, "digest"))) ||
	    json_array_size(json_object_get(h, "spokes")) < min_spokes ||
	    json_is_true(json_object_get(h, "unchanged")))
		return 0;
	if (!c->answers && !(c->answers = json_object()))
		return -ENOMEM;
	return json_object_set(c->answers, id, (json_t *)h);
}

int nwg_delta_merge(struct nwg_dcache *c, json_t *hubs, size_t min_spokes)
{
	int merged = 0;

	for (size_t i = 0; i < json_array_size(hubs); i++) {
		const json_t *h = json_array_get(hubs, i);
		int r = 0;

		if (json_object_get(h, "base"))
			r = merge_one(c, hubs, i);
		if (r < 0)
			return r;
		merged += r;
		if (min_spokes && note_answer(c, json_array_get(hubs, i), min_spokes) < 0)
			return -ENOMEM;
	}
	return merged;
}

void nwg_delta_keep(struct nwg_dcache *c, const char *port_id, const char *digest)
{
	json_t *hub = digest && *digest ? json_object_get(c->answers, port_id) : NULL;
	json_t *k;

	forget(c, port_id);
	if (!hub || !json_is_string(json_object_get(hub, "digest")) ||
	    strcmp(json_string_value(json_object_get(hub, "digest")), digest) != 0)
		return;
	if ((!c->kept && !(c->kept = json_object())) ||
	    !(k = json_pack("{s:s, s:O}", "digest", digest, "hub", hub)) ||
	    json_object_set_new(c->kept, port_id, k) < 0)
		return; /* out of memory: this hub is answered in full next time */
	c->n_spokes += json_array_size(json_object_get(hub, "spokes"));
}

void nwg_delta_pass_done(struct nwg_dcache *c)
{
	json_decref(c->answers);
	c->answers = NULL;
}

void nwg_delta_clear(struct nwg_dcache *c)
{
	nwg_delta_pass_done(c);
	json_decref(c->kept);
	c->kept = NULL;
	c->n_spokes = 0;
}
