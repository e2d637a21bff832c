/* SPDX-License-Identifier: Apache-2.0 */
/* get_hubs 1.3: a delta patched on the kept spokes (it runs on what comes
 * off the network, before the parse): never a crash; the array keeps its
 * length; no delta keeps "base" or "removed"; a patched hub holds no spoke
 * the delta removed (but re-sent), every changed spoke, and a key index in
 * strict order; then the parse takes whatever came out, the patched hubs
 * borrow their spokes, and the pass ends (kept again, or forgotten). */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "reconcile/desired.h"
#include "sync/sync_delta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HUB "aaaaaaaa-0000-4000-8000-000000000001"

/* The parse of hubs (merged), the patched hubs attached. */
static struct nwg_desired *parse(struct nwg_dcache *c, json_t *hubs)
{
	struct nwg_desired *d = NULL;
	struct nwg_err err = {{0}};
	json_t *answer = json_pack("{s:s, s:O}", "host", "node-1", "hubs", hubs);

	if (!answer || nwg_desired_parse(answer, &d, &err) < 0)
		d = NULL;
	json_decref(answer);
	nwg_delta_attach(c, d);
	return d;
}

/* A kept answer of HUB, digest d1, three spokes. */
static void keep(struct nwg_dcache *c)
{
	json_t *hubs = json_pack(
	    "[{s:s, s:s, s:b, s:s, s:[{s:s, s:s, s:[s]}, {s:s, s:s, s:[s]}, {s:s, s:s, s:[s]}]}]",
	    "port_id", HUB, "project_id", "p1", "admin_state_up", 1, "digest", "d1", "spokes",
	    "port_id", "11111111-0000-4000-8000-000000000011", "public_key",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "allowed_ips", "10.0.0.2/32", "port_id",
	    "22222222-0000-4000-8000-000000000022", "public_key",
	    "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=", "allowed_ips", "10.0.0.3/32", "port_id",
	    "33333333-0000-4000-8000-000000000033", "public_key",
	    "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCA=", "allowed_ips", "10.0.0.4/32");
	struct nwg_desired *d = NULL;

	if (hubs && nwg_delta_merge(c, hubs, 1) >= 0) {
		d = parse(c, hubs);
		nwg_delta_keep(c, HUB, "d1");
	}
	nwg_delta_pass_done(c, d);
	nwg_desired_free(d);
	json_decref(hubs);
}

static bool has_spoke(const json_t *spokes, const json_t *id)
{
	size_t m;
	const json_t *s;

	json_array_foreach(spokes, m, s)
	{
		if (json_equal(json_object_get(s, "port_id"), (json_t *)id))
			return true;
	}
	return false;
}

static bool hub_has(const struct nwg_dhub *h, const char *id)
{
	for (size_t i = 0; id && i < h->n_spokes; i++) {
		if (strcmp(h->spokes[i].port_id, id) == 0)
			return true;
	}
	return false;
}

static void check_patched(const json_t *was, const struct nwg_dhub *dh)
{
	size_t k;
	const json_t *r;

	json_array_foreach(json_object_get(was, "removed"), k, r)
	{
		if (!has_spoke(json_object_get(was, "spokes"), r) &&
		    hub_has(dh, json_string_value(r)))
			abort(); /* removed, yet still there */
	}
	json_array_foreach(json_object_get(was, "spokes"), k, r)
	{
		if (!hub_has(dh, json_string_value(json_object_get(r, "port_id"))))
			abort(); /* changed, yet not there */
	}
	for (k = 1; k < dh->n_spokes; k++) {
		if (memcmp(dh->by_key[k - 1]->public_key.b, dh->by_key[k]->public_key.b,
			   sizeof(dh->by_key[k]->public_key.b)) >= 0)
			abort(); /* the planner's order */
	}
}

/* in: the answer as it came; hubs: after the merge; d: its parse. */
static void check(const json_t *in, const json_t *hubs, const struct nwg_desired *d)
{
	size_t i;
	const json_t *h;

	json_array_foreach(hubs, i, h)
	{
		const json_t *was = json_array_get(in, i);
		const struct nwg_dhub *dh;

		if (!json_object_get(was, "base"))
			continue; /* not a delta: left as it came */
		if (json_object_get(h, "base") || json_object_get(h, "removed"))
			abort();
		if (json_is_true(json_object_get(h, "unchanged")))
			continue;
		if (json_array_size(json_object_get(h, "spokes")))
			abort(); /* a patched delta: the hub's fields alone */
		dh = nwg_desired_find(d, json_string_value(json_object_get(h, "port_id")));
		if (dh && dh->n_spokes)
			check_patched(was, dh); /* (none: its fields were rejected) */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	json_t *hubs = json_is_object(j) ? json_object_get(j, "hubs") : j;
	json_t *before = json_is_array(hubs) ? json_deep_copy(hubs) : NULL;
	struct nwg_dcache c = {0};
	struct nwg_desired *d = NULL;
	size_t n = json_array_size(hubs);

	keep(&c);
	if (json_is_array(hubs) && before && nwg_delta_merge(&c, hubs, 1) >= 0) {
		if (json_array_size(hubs) != n)
			abort();
		d = parse(&c, hubs);
		if (d)
			check(before, hubs, d);
		nwg_delta_keep(&c, HUB, "d2"); /* applied, when it was a delta to d2 */
	}
	nwg_delta_pass_done(&c, d);
	nwg_desired_free(d);
	nwg_delta_clear(&c);
	json_decref(before);
	json_decref(j);
	return 0;
}
