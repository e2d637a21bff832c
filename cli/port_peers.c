/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "json_util.h"
#include "port_peers.h"

static int port_ok(const char *p)
{
	size_t n = strlen(p);
	unsigned long v;

	if (n == 0 || n > 5 || strspn(p, "0123456789") != n || p[0] == '0')
		return 0;
	v = strtoul(p, NULL, 10);
	return v >= 1 && v <= 65535;
}

int nwgcli_endpoint_ok(const char *s)
{
	union nwg_endpoint ep;
	const char *colon;
	size_t host;

	if (!s)
		return -EINVAL;
	colon = strrchr(s, ':');
	if (!colon || !port_ok(colon + 1))
		return -EINVAL;
	if (nwg_endpoint_parse(&ep, s) == 0)
		return 0;
	/* A DNS name: letters, digits, '-' and '.', no leading '-' or '.'. */
	host = (size_t)(colon - s);
	if (host == 0 || host > 253 || s[0] == '-' || s[0] == '.' ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != host)
		return -EINVAL;
	return 0;
}

static int add_cidrs(struct nwgcli_hub *h, const json_t *list, const char *field,
		     struct nwg_err *err)
{
	size_t i;
	json_t *it;

	if (list && !json_is_array(list))
		return nwg_err_set(err, EINVAL, "hub %s: %s must be a list", h->port_id, field);
	json_array_foreach(list, i, it)
	{
		if (h->n_cidrs >= NWGCLI_MAX_CIDRS)
			return nwg_err_set(err, EINVAL, "hub %s: too many %s", h->port_id, field);
		if (!json_is_string(it) ||
		    nwgcli_prefix_parse(&h->cidrs[h->n_cidrs], json_string_value(it)) < 0)
			return nwg_err_set(err, EINVAL, "hub %s: %s[%zu] is not an address/prefix",
					   h->port_id, field, i);
		h->n_cidrs++;
	}
	return 0;
}

static int parse_mtu(struct nwgcli_hub *h, const json_t *obj, struct nwg_err *err)
{
	json_t *v = nwgcli_jget(obj, "mtu", NULL);
	json_int_t m;

	if (!v)
		return 0;
	m = json_is_integer(v) ? json_integer_value(v) : 0;
	if (m < NWGCLI_MTU_MIN || m > NWGCLI_MTU_MAX)
		return nwg_err_set(err, EINVAL, "hub %s: mtu must be an integer %d..%d", h->port_id,
				   NWGCLI_MTU_MIN, NWGCLI_MTU_MAX);
	h->mtu = (unsigned int)m;
	return 0;
}

static int parse_identity(struct nwgcli_hub *h, const json_t *obj, struct nwg_err *err)
{
	json_t *key = nwgcli_jget(obj, "public_key", NULL);
	json_t *ep = nwgcli_jget(obj, "endpoint", NULL);
	struct nwg_key k;

	if (!key || !ep)
		return nwg_err_set(err, ENOENT,
				   "hub %s is not realized yet (no %s): is the WireGuard agent "
				   "running on its host? Try again once the hub port shows a "
				   "public_key and an endpoint",
				   h->port_id, key ? "endpoint" : "public_key");
	if (nwgcli_jstr(h->public_key, sizeof(h->public_key), key) < 0 ||
	    nwg_key_from_b64(&k, h->public_key, strlen(h->public_key)) < 0)
		return nwg_err_set(err, EINVAL, "hub %s: public_key is not a valid WireGuard key",
				   h->port_id);
	if (nwgcli_jstr(h->endpoint, sizeof(h->endpoint), ep) < 0 ||
	    nwgcli_endpoint_ok(h->endpoint) < 0)
		return nwg_err_set(err, EINVAL, "hub %s: endpoint is not host:port", h->port_id);
	return 0;
}

static int parse_hub(struct nwgcli_hub *h, const json_t *obj, size_t i, struct nwg_err *err)
{
	int ret;

	if (!json_is_object(obj))
		return nwg_err_set(err, EINVAL, "peers[%zu] must be an object", i);
	if (nwgcli_jstr(h->port_id, sizeof(h->port_id), nwgcli_jget(obj, "port_id", NULL)) < 0 ||
	    !nwgcli_id_ok(h->port_id))
		return nwg_err_set(err, EINVAL, "peers[%zu]: no valid port_id", i);
	if ((ret = parse_identity(h, obj, err)) ||
	    (ret = add_cidrs(h, nwgcli_jget(obj, "allowed_ips", NULL), "allowed_ips", err)))
		return ret;
	if (h->n_cidrs == 0)
		return nwg_err_set(err, EINVAL, "hub %s advertises no allowed_ips (its subnets)",
				   h->port_id);
	/* L3 hook: the router's other subnets, once the L3 work publishes them. */
	if ((ret = add_cidrs(h, nwgcli_jget(obj, "routes", NULL), "routes", err)))
		return ret;
	return parse_mtu(h, obj, err);
}

static const struct nwgcli_hub *find_hub(const struct nwgcli_spoke *s, const char *id)
{
	for (size_t i = 0; i < s->n_hubs; i++)
		if (strcmp(s->hubs[i].port_id, id) == 0)
			return &s->hubs[i];
	return NULL;
}

/* binding:profile peers: a list of hub port ids. */
static int check_ids(const struct nwgcli_spoke *s, const json_t *wanted, struct nwg_err *err)
{
	size_t i;
	json_t *it;

	if (wanted && !json_is_array(wanted))
		return nwg_err_set(err, EINVAL, "port %s: binding:profile peers must be a list",
				   s->port_id);
	json_array_foreach(wanted, i, it)
	{
		const char *id = json_string_value(it);

		if (!id || !nwgcli_id_ok(id))
			return nwg_err_set(err, EINVAL,
					   "port %s: binding:profile peers[%zu] is not a port id",
					   s->port_id, i);
	}
	return 0;
}

/* Every hub id in binding:profile peers must have its details. */
static int check_wanted(const struct nwgcli_spoke *s, const json_t *wanted, struct nwg_err *err)
{
	size_t i;
	json_t *it;

	json_array_foreach(wanted, i, it)
	{
		const char *id = json_string_value(it);

		if (!find_hub(s, id))
			return nwg_err_set(
			    err, ENOENT,
			    "hub %s is not realized yet: the spoke port carries no "
			    "public_key/endpoint for it (is the WireGuard agent running "
			    "on its host?)",
			    id);
	}
	return 0;
}

static const json_t *peer_details(const json_t *wg, const json_t *vif, struct nwg_err *err,
				  const char *id, int *ret)
{
	json_t *d = nwgcli_jget(wg, "peers", NULL);

	if (!d || (json_is_array(d) && json_array_size(d) == 0 && nwgcli_jget(vif, "peers", NULL)))
		d = nwgcli_jget(vif, "peers", NULL);
	*ret = 0;
	if (d && !json_is_array(d))
		*ret = nwg_err_set(err, EINVAL, "port %s: peers must be a list", id);
	return d;
}

int nwgcli_hubs_parse(struct nwgcli_spoke *s, const json_t *wg, const json_t *profile,
		      const json_t *vif, struct nwg_err *err)
{
	const json_t *wanted = nwgcli_jget(profile, "peers", NULL), *details;
	size_t n;
	int ret;

	if ((ret = check_ids(s, wanted, err)))
		return ret;
	details = peer_details(wg, vif, err, s->port_id, &ret);
	if (ret < 0)
		return ret;
	n = json_array_size(details);
	if (n == 0 && !wg && json_array_size(wanted) > 0)
		return nwg_err_set(
		    err, ENOENT,
		    "spoke port %s: this input has no peer data (no wireguard "
		    "attribute, no binding:vif_details peers; `openstack port show` "
		    "drops the attribute of unbound spokes): use --neutron URL --port "
		    "ID or the GET /v2.0/ports/ID body",
		    s->port_id);
	if (n == 0 && json_array_size(wanted) == 0)
		return nwg_err_set(err, EINVAL,
				   "spoke port %s has no peers: set binding:profile peers to the "
				   "hub port id(s)",
				   s->port_id);
	if (n > NWGCLI_MAX_HUBS)
		return nwg_err_set(err, EINVAL, "port %s: too many peers", s->port_id);
	if (n > 0 && !(s->hubs = calloc(n, sizeof(*s->hubs))))
		return nwg_err_set(err, ENOMEM, "out of memory");
	for (s->n_hubs = 0; s->n_hubs < n; s->n_hubs++) {
		struct nwgcli_hub *h = &s->hubs[s->n_hubs];

		if ((ret = parse_hub(h, json_array_get(details, s->n_hubs), s->n_hubs, err)))
			return ret;
		if (find_hub(s, h->port_id))
			return nwg_err_set(err, EINVAL, "port %s: hub %s is listed twice in peers",
					   s->port_id, h->port_id);
	}
	return check_wanted(s, wanted, err);
}
