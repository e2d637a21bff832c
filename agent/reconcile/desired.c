/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/desired.h"
#include "reconcile/desired_ha.h"
#include "reconcile/peers.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ALLOWED_IPS 1024
#define MAX_FIXED_IPS	64

/* ---- validators ---- */

bool nwg_uuid_valid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

bool nwg_id_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > NWG_ID_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.')
			return false;
	}
	return true;
}

static bool port_valid(const char *p)
{
	unsigned long v = 0;

	if (!*p || strlen(p) > 5 || p[0] == '0')
		return false;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	return v >= 1 && v <= 65535;
}

bool nwg_endpoint_str_valid(const char *s)
{
	char host[NWG_ENDPOINT_MAX + 1];
	unsigned char addr[sizeof(struct in6_addr)];
	const char *sep;
	size_t n, v6;

	if (!s || strlen(s) > NWG_ENDPOINT_MAX)
		return false;
	v6 = s[0] == '[';
	sep = v6 ? strstr(s, "]:") : strchr(s, ':');
	if (!sep)
		return false;
	n = (size_t)(sep - s) - v6;
	memcpy(host, s + v6, n);
	host[n] = '\0';
	return inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) == 1 && port_valid(sep + 1 + v6);
}

/* ---- field helpers: each returns 0 or -EINVAL with a reason ---- */

struct why {
	char msg[NWG_REASON_MAX];
};

static int fail(struct why *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct why *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A string member; absent or null gives "" unless required. */
static int get_str(const json_t *o, const char *key, bool required, bool (*valid)(const char *),
		   char *out, size_t len, struct why *w)
{
	const json_t *v = json_object_get(o, key);
	const char *s;

	out[0] = '\0';
	if (!v || json_is_null(v))
		return required ? fail(w, "%s: missing", key) : 0;
	if (!json_is_string(v))
		return fail(w, "%s: not a string", key);
	s = json_string_value(v);
	if (strlen(s) >= len || strlen(s) != json_string_length(v) || (valid && !valid(s)))
		return fail(w, "%s: invalid value", key);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int get_bool(const json_t *o, const char *key, bool def, bool *out, struct why *w)
{
	const json_t *v = json_object_get(o, key);

	*out = def;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return fail(w, "%s: not a boolean", key);
	*out = json_is_true(v);
	return 0;
}

static int get_uint(const json_t *o, const char *key, long long min, long long max,
		    unsigned int *out, struct why *w)
{
	const json_t *v = json_object_get(o, key);
	long long x;

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return fail(w, "%s: not an integer", key);
	x = json_integer_value(v);
	if (x < min || x > max)
		return fail(w, "%s: %lld out of range %lld..%lld", key, x, min, max);
	*out = (unsigned int)x;
	return 0;
}

static int get_key(const json_t *o, const char *key, bool required, bool *has, struct nwg_key *out,
		   struct why *w)
{
	const json_t *v = json_object_get(o, key);

	*has = false;
	if (!v || json_is_null(v))
		return required ? fail(w, "%s: missing", key) : 0;
	if (!json_is_string(v) ||
	    nwg_pubkey_from_b64(out, json_string_value(v), json_string_length(v)) < 0)
		return fail(w, "%s: not a base64 WireGuard key", key);
	*has = true;
	return 0;
}

static int get_cidrs(const json_t *o, const char *key, bool network, size_t max,
		     struct nwg_ipnet **out, size_t *n, struct why *w)
{
	const json_t *v = json_object_get(o, key);
	size_t i, count;

	*out = NULL;
	*n = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return fail(w, "%s: not a list", key);
	count = json_array_size(v);
	if (count > max)
		return fail(w, "%s: more than %zu entries", key, max);
	if (count == 0)
		return 0;
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return fail(w, "out of memory");
	for (i = 0; i < count; i++) {
		const json_t *e = json_array_get(v, i);

		if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e) ||
		    nwg_ipnet_parse(json_string_value(e), &(*out)[i], network) < 0)
			return fail(w, "%s[%zu]: not a valid %s", key, i,
				    network ? "network CIDR" : "address/prefixlen");
	}
	*n = count;
	return 0;
}

bool nwg_mac_valid(const char *s)
{
	static const char hex[] = "0123456789abcdef";

	if (!s || strlen(s) != NWG_MAC_STRLEN - 1)
		return false;
	for (size_t i = 0; i < NWG_MAC_STRLEN - 1; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !strchr(hex, s[i]) || s[i] == '\0')
			return false;
	}
	return (strchr(hex, s[1]) - hex) % 2 == 0; /* not multicast */
}

/* A list of plain IP addresses (no prefix length). */
static int get_gateways(const json_t *o, struct nwg_dhub *h, struct why *w)
{
	const json_t *v = json_object_get(o, "gateways");
	unsigned char buf[sizeof(struct in6_addr)];

	h->n_gateways = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return fail(w, "gateways: not a list");
	if (json_array_size(v) > NWG_MAX_GATEWAYS)
		return fail(w, "gateways: more than %d entries", NWG_MAX_GATEWAYS);
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);
		const char *s = json_string_value(e);

		if (!s || strlen(s) != json_string_length(e) || strlen(s) >= INET6_ADDRSTRLEN ||
		    (inet_pton(AF_INET, s, buf) != 1 && inet_pton(AF_INET6, s, buf) != 1))
			return fail(w, "gateways[%zu]: not an IP address", i);
		memcpy(h->gateways[i], s, strlen(s) + 1);
		h->n_gateways++;
	}
	return 0;
}

/* ---- spokes and hubs ---- */

void nwg_dspoke_clear(struct nwg_dspoke *s)
{
	free(s->allowed);
	memset(s, 0, sizeof(*s));
}

static int parse_spoke(const json_t *j, struct nwg_dspoke *s, struct why *w)
{
	unsigned int ka;
	bool has;

	if (!json_is_object(j))
		return fail(w, "not an object");
	if (get_str(j, "port_id", true, nwg_uuid_valid, s->port_id, sizeof(s->port_id), w) < 0 ||
	    get_key(j, "public_key", true, &has, &s->public_key, w) < 0 ||
	    get_str(j, "endpoint", false, nwg_endpoint_str_valid, s->endpoint, sizeof(s->endpoint),
		    w) < 0 ||
	    get_uint(j, "persistent_keepalive", 0, 65535, &ka, w) < 0 ||
	    get_cidrs(j, "allowed_ips", true, MAX_ALLOWED_IPS, &s->allowed, &s->n_allowed, w) < 0)
		return -EINVAL;
	s->keepalive = (uint16_t)ka;
	return 0;
}

static void hub_clear(struct nwg_dhub *h)
{
	for (size_t i = 0; i < h->n_spokes; i++)
		nwg_dspoke_clear(&h->spokes[i]);
	free(h->spokes);
	free(h->by_key);
	free(h->skipped);
	free(h->fixed_ips);
	free(h->ha);
	memset(h, 0, sizeof(*h));
}

/* The next entry of h->skipped, which is made on the first skip only (room
 * for every spoke of the answer, total): a hub without a bad spoke pays
 * nothing for it. NULL on ENOMEM. */
static struct nwg_dskip *skip_slot(struct nwg_dhub *h, size_t total)
{
	if (!h->skipped && !(h->skipped = calloc(total, sizeof(*h->skipped))))
		return NULL;
	return &h->skipped[h->n_skipped++];
}

int nwg_desired_parse_spoke(const json_t *j, struct nwg_dspoke *s, char *why, size_t len)
{
	struct why w = {{0}};
	int r;

	memset(s, 0, sizeof(*s));
	if ((r = parse_spoke(j, s, &w)) < 0) {
		nwg_dspoke_clear(s);
		snprintf(why, len, "%s", w.msg);
	}
	return r;
}

/* A bad spoke is left out with its reason; the hub keeps every good one. */
static int skip_spoke(struct nwg_dhub *h, size_t total, const json_t *j, const char *reason)
{
	struct nwg_dskip *k = skip_slot(h, total);
	const json_t *id = json_is_object(j) ? json_object_get(j, "port_id") : NULL;

	if (!k)
		return -ENOMEM;
	k->port_id[0] = '\0';
	if (json_is_string(id) && nwg_uuid_valid(json_string_value(id)))
		snprintf(k->port_id, sizeof(k->port_id), "%s", json_string_value(id));
	snprintf(k->reason, sizeof(k->reason), "%s", reason);
	return 0;
}

/* A later spoke with an earlier one's key is skipped (a stable sort by key,
 * so the first spoke with a key keeps it, then neighbours: O(n) for hubs with
 * thousands of spokes). When none is, the sorted index is kept as h->by_key
 * for the planner. Public keys are not secret: memcmp order. */
static int drop_duplicate_keys(struct nwg_dhub *h, size_t total, struct why *w)
{
	struct nwg_dspoke **idx;
	size_t keep = 0, dropped = 0;

	if (h->n_spokes < 2)
		return 0;
	idx = malloc(h->n_spokes * sizeof(*idx));
	if (!idx)
		return fail(w, "out of memory");
	for (size_t i = 0; i < h->n_spokes; i++)
		idx[i] = &h->spokes[i];
	if (nwg_keys_sort((const void **)idx, h->n_spokes,
			  offsetof(struct nwg_dspoke, public_key)) < 0) {
		free(idx);
		return fail(w, "out of memory");
	}
	for (size_t i = 1; i < h->n_spokes; i++) {
		struct nwg_dspoke *first = idx[i - 1], *s = idx[i];
		struct nwg_dskip *k;

		if (memcmp(first->public_key.b, s->public_key.b, sizeof(s->public_key.b)))
			continue;
		idx[i] = first; /* a third copy compares with the first too */
		if (!(k = skip_slot(h, total))) {
			free(idx);
			return fail(w, "out of memory");
		}
		snprintf(k->port_id, sizeof(k->port_id), "%s", s->port_id);
		snprintf(k->reason, sizeof(k->reason), "public_key duplicates spoke %s",
			 first->port_id);
		nwg_dspoke_clear(s); /* port_id "" marks it for removal below */
		dropped++;
	}
	if (!dropped) {
		h->by_key = (const struct nwg_dspoke **)idx;
		return 0;
	}
	free(idx);
	for (size_t i = 0; i < h->n_spokes; i++) {
		if (h->spokes[i].port_id[0])
			h->spokes[keep++] = h->spokes[i];
	}
	h->n_spokes = keep;
	return 0;
}

static int parse_spokes(const json_t *j, struct nwg_dhub *h, struct why *w)
{
	const json_t *v = json_object_get(j, "spokes");
	size_t n;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return fail(w, "spokes: not a list");
	n = json_array_size(v);
	if (n == 0)
		return 0;
	h->spokes = calloc(n, sizeof(*h->spokes));
	if (!h->spokes)
		return fail(w, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		struct nwg_dspoke *s = &h->spokes[h->n_spokes];
		struct why inner = {{0}};

		if (parse_spoke(e, s, &inner) < 0) {
			nwg_dspoke_clear(s);
			if (skip_spoke(h, n, e, inner.msg) < 0)
				return fail(w, "out of memory");
			continue;
		}
		h->n_spokes++;
	}
	return drop_duplicate_keys(h, n, w);
}

static int parse_hub(const json_t *j, struct nwg_dhub *h, struct why *w)
{
	unsigned int port;

	if (get_str(j, "project_id", true, nwg_id_valid, h->project_id, sizeof(h->project_id), w) <
		0 ||
	    get_str(j, "network_id", false, nwg_id_valid, h->network_id, sizeof(h->network_id), w) <
		0 ||
	    get_str(j, "router_id", false, nwg_id_valid, h->router_id, sizeof(h->router_id), w) <
		0 ||
	    get_bool(j, "admin_state_up", true, &h->admin_state_up, w) < 0 ||
	    get_bool(j, "root_namespace", false, &h->root_namespace, w) < 0 ||
	    get_uint(j, "mtu", 0, 65535, &h->mtu, w) < 0 ||
	    get_uint(j, "listen_port", 1, 65535, &port, w) < 0 ||
	    get_key(j, "public_key", false, &h->has_public_key, &h->public_key, w) < 0 ||
	    get_cidrs(j, "fixed_ips", false, MAX_FIXED_IPS, &h->fixed_ips, &h->n_fixed_ips, w) <
		0 ||
	    get_str(j, "mac_address", false, nwg_mac_valid, h->mac, sizeof(h->mac), w) < 0 ||
	    get_gateways(j, h, w) < 0)
		return -EINVAL;
	if (nwg_desired_parse_ha(json_object_get(j, "ha"), &h->ha, w->msg, sizeof(w->msg)) < 0)
		return -EINVAL;
	h->listen_port = (uint16_t)port;
	return parse_spokes(j, h, w);
}

/* ---- the payload ---- */

static void reject(struct nwg_desired *d, const char *port_id, const char *reason)
{
	struct nwg_dreject *r = &d->rejected[d->n_rejected++];

	snprintf(r->port_id, sizeof(r->port_id), "%s", port_id);
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	if (!*port_id)
		d->rejected_unknown = true;
}

static void take_hub(struct nwg_desired *d, const json_t *j)
{
	struct nwg_dhub *h = &d->hubs[d->n_hubs];
	struct why w = {{0}};

	memset(h, 0, sizeof(*h));
	if (!json_is_object(j)) {
		reject(d, "", "hub is not an object");
		return;
	}
	if (get_str(j, "port_id", true, nwg_uuid_valid, h->port_id, sizeof(h->port_id), &w) < 0) {
		reject(d, "", w.msg);
		return;
	}
	if (nwg_desired_find(d, h->port_id) || nwg_desired_find_rejected(d, h->port_id)) {
		reject(d, h->port_id, "duplicate port_id");
		memset(h, 0, sizeof(*h));
		return;
	}
	if (parse_hub(j, h, &w) < 0) {
		char id[NWG_ID_MAX + 1];

		memcpy(id, h->port_id, sizeof(id));
		hub_clear(h);
		reject(d, id, w.msg);
		return;
	}
	d->n_hubs++;
}

int nwg_desired_parse(const json_t *j, struct nwg_desired **out, struct nwg_err *err)
{
	struct nwg_desired *d;
	const json_t *hubs;
	size_t n;

	if (!out)
		return nwg_err_set(err, EINVAL, "no output");
	*out = NULL;
	if (!json_is_object(j))
		return nwg_err_set(err, EBADMSG, "get_hubs reply is not an object");
	hubs = json_object_get(j, "hubs");
	if (!json_is_array(hubs))
		return nwg_err_set(err, EBADMSG, "get_hubs reply: hubs is not a list");
	d = calloc(1, sizeof(*d));
	n = json_array_size(hubs);
	if (!d || (n && (!(d->hubs = calloc(n, sizeof(*d->hubs))) ||
			 !(d->rejected = calloc(n, sizeof(*d->rejected)))))) {
		nwg_desired_free(d);
		return nwg_err_set(err, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		take_hub(d, json_array_get(hubs, i));
	*out = d;
	return 0;
}

int nwg_desired_parse_text(const char *buf, size_t len, struct nwg_desired **out,
			   struct nwg_err *err)
{
	json_error_t jerr;
	json_t *j;
	int r;

	if (out)
		*out = NULL;
	if (!buf)
		return nwg_err_set(err, EINVAL, "no input");
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return nwg_err_set(err, EBADMSG, "invalid JSON at line %d: %s", jerr.line,
				   jerr.text);
	r = nwg_desired_parse(j, out, err);
	json_decref(j);
	return r;
}

void nwg_desired_free(struct nwg_desired *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_hubs; i++)
		hub_clear(&d->hubs[i]);
	free(d->hubs);
	free(d->rejected);
	free(d);
}

const struct nwg_dhub *nwg_desired_find(const struct nwg_desired *d, const char *port_id)
{
	for (size_t i = 0; d && port_id && i < d->n_hubs; i++) {
		if (strcmp(d->hubs[i].port_id, port_id) == 0)
			return &d->hubs[i];
	}
	return NULL;
}

const struct nwg_dreject *nwg_desired_find_rejected(const struct nwg_desired *d,
						    const char *port_id)
{
	for (size_t i = 0; d && port_id && *port_id && i < d->n_rejected; i++) {
		if (strcmp(d->rejected[i].port_id, port_id) == 0)
			return &d->rejected[i];
	}
	return NULL;
}
