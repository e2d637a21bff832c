/* SPDX-License-Identifier: Apache-2.0 */
/* A spoke port's JSON -> struct nwgcli_spoke: role, addresses, keepalive. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "json_util.h"
#include "port_peers.h"
#include "spoke.h"

#define ROLE_OWNER_PREFIX "channel:wireguard:"

/* Where a spoke's data lives: the `wireguard` attribute (extension driver),
 * binding:profile (input), binding:vif_details (bound ports). */
struct port_ctx {
	const json_t *port;
	const json_t *wg; /* borrowed, NULL when absent */
	json_t *profile;  /* owned */
	json_t *vif;	  /* owned */
};

static const char *role_of(const struct port_ctx *c, int *bad)
{
	json_t *v = nwgcli_jget(c->wg, "role", NULL);
	const char *owner;

	if (!v)
		v = nwgcli_jget(c->profile, "wg_role", NULL);
	if (v) {
		*bad = !json_is_string(v);
		return json_string_value(v);
	}
	v = nwgcli_jget(c->port, "device_owner", NULL);
	owner = json_string_value(v);
	if (owner && strncmp(owner, ROLE_OWNER_PREFIX, strlen(ROLE_OWNER_PREFIX)) == 0)
		return owner + strlen(ROLE_OWNER_PREFIX);
	return NULL;
}

static int check_role(const struct port_ctx *c, const char *id, struct nwg_err *err)
{
	int bad = 0;
	const char *role = role_of(c, &bad);

	if (bad)
		return nwg_err_set(err, EINVAL, "port %s: the WireGuard role must be a string", id);
	if (!role)
		return nwg_err_set(
		    err, EINVAL,
		    "port %s is not a WireGuard port (no wireguard.role, binding:profile "
		    "wg_role or device_owner channel:wireguard:spoke)",
		    id);
	if (strcmp(role, "spoke") == 0)
		return 0;
	if (strcmp(role, "hub") == 0)
		return nwg_err_set(
		    err, EINVAL,
		    "port %s is a WireGuard hub, not a spoke: render the config of a "
		    "spoke port that peers with it",
		    id);
	return nwg_err_set(err, EINVAL, "port %s has an unknown WireGuard role (not a spoke)", id);
}

static int add_addr(struct nwgcli_spoke *s, const char *ip, struct nwg_err *err)
{
	if (s->n_addrs >= NWGCLI_MAX_ADDRS)
		return nwg_err_set(err, EINVAL, "port %s has too many fixed IPs", s->port_id);
	if (nwgcli_host_parse(&s->addrs[s->n_addrs], ip) < 0)
		return nwg_err_set(err, EINVAL, "port %s: fixed_ips has an invalid ip_address",
				   s->port_id);
	s->n_addrs++;
	return 0;
}

/* OSC's human form: "ip_address='10.0.0.5', subnet_id='...'" (one per line). */
static int addrs_from_text(struct nwgcli_spoke *s, const char *text, struct nwg_err *err)
{
	static const char key[] = "ip_address='";
	const char *p = text;
	char ip[64];

	while ((p = strstr(p, key)) != NULL) {
		const char *end;

		p += strlen(key);
		end = strchr(p, '\'');
		if (!end || (size_t)(end - p) >= sizeof(ip))
			return nwg_err_set(err, EINVAL, "port %s: cannot read fixed_ips",
					   s->port_id);
		memcpy(ip, p, (size_t)(end - p));
		ip[end - p] = '\0';
		if (add_addr(s, ip, err) < 0)
			return -EINVAL;
		p = end;
	}
	return 0;
}

static int parse_addrs(struct nwgcli_spoke *s, const json_t *port, struct nwg_err *err)
{
	json_t *ips = nwgcli_jget(port, "fixed_ips", NULL), *it;
	size_t i;
	int ret = 0;

	if (json_is_string(ips))
		ret = addrs_from_text(s, json_string_value(ips), err);
	else if (ips && !json_is_array(ips))
		return nwg_err_set(err, EINVAL, "port %s: fixed_ips must be a list", s->port_id);
	json_array_foreach(ips, i, it)
	{
		json_t *ip = nwgcli_jget(it, "ip_address", NULL);

		if (!json_is_string(ip))
			return nwg_err_set(err, EINVAL,
					   "port %s: fixed_ips[%zu].ip_address must be "
					   "a string",
					   s->port_id, i);
		if (add_addr(s, json_string_value(ip), err) < 0)
			return -EINVAL;
	}
	if (ret == 0 && s->n_addrs == 0)
		return nwg_err_set(err, EINVAL,
				   "spoke port %s has no fixed IPs: the device needs an address on "
				   "its hubs' subnet",
				   s->port_id);
	return ret;
}

static int parse_keepalive(struct nwgcli_spoke *s, const struct port_ctx *c, struct nwg_err *err)
{
	json_t *v = nwgcli_jget(c->profile, "persistent_keepalive", NULL);
	json_int_t k;

	if (!v)
		v = nwgcli_jget(c->wg, "persistent_keepalive", NULL);
	s->keepalive = NWGCLI_KEEPALIVE_DEF;
	if (!v)
		return 0;
	k = json_is_integer(v) ? json_integer_value(v) : -1;
	if (k < 0 || k > 65535)
		return nwg_err_set(err, EINVAL,
				   "port %s: persistent_keepalive must be an integer 0..65535",
				   s->port_id);
	s->keepalive = (unsigned int)k;
	return 0;
}

static int parse_own_key(struct nwgcli_spoke *s, const struct port_ctx *c, struct nwg_err *err)
{
	json_t *v = nwgcli_jget(c->wg, "public_key", NULL);
	struct nwg_key k;

	if (!v)
		v = nwgcli_jget(c->profile, "public_key", NULL);
	if (!v)
		return 0;
	if (nwgcli_jstr(s->public_key, sizeof(s->public_key), v) < 0 ||
	    nwg_key_from_b64(&k, s->public_key, strlen(s->public_key)) < 0) {
		s->public_key[0] = '\0';
		return nwg_err_set(err, EINVAL, "port %s: public_key is not a valid WireGuard key",
				   s->port_id);
	}
	return 0;
}

static int parse_port(struct nwgcli_spoke *s, struct port_ctx *c, struct nwg_err *err)
{
	json_t *wg;
	int ret;

	if (nwgcli_jstr(s->port_id, sizeof(s->port_id), nwgcli_jget(c->port, "id", NULL)) < 0 ||
	    !nwgcli_id_ok(s->port_id))
		return nwg_err_set(err, EINVAL, "not a port: no valid \"id\"");
	wg = nwgcli_jget(c->port, "wireguard", NULL);
	if (wg && !json_is_object(wg))
		return nwg_err_set(err, EINVAL, "port %s: wireguard must be an object", s->port_id);
	c->wg = wg;
	if ((ret = nwgcli_jdict(&c->profile, c->port, "binding:profile", "binding_profile", err)) ||
	    (ret = nwgcli_jdict(&c->vif, c->port, "binding:vif_details", "binding_vif_details",
				err)) ||
	    (ret = check_role(c, s->port_id, err)) || (ret = parse_own_key(s, c, err)) ||
	    (ret = parse_addrs(s, c->port, err)) || (ret = parse_keepalive(s, c, err)))
		return ret;
	return nwgcli_hubs_parse(s, c->wg, c->profile, c->vif, err);
}

int nwgcli_spoke_parse(struct nwgcli_spoke **out, const char *json, size_t len, struct nwg_err *err)
{
	struct port_ctx c = {0};
	struct nwgcli_spoke *s;
	json_error_t jerr;
	json_t *root, *port;
	int ret;

	if (!out || !json)
		return nwg_err_set(err, EINVAL, "no input");
	*out = NULL;
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return nwg_err_set(err, EINVAL, "malformed JSON (line %d, column %d): %s",
				   jerr.line, jerr.column, jerr.text);
	port = json_object_get(root, "port");
	c.port = json_is_object(port) ? port : root;
	s = calloc(1, sizeof(*s));
	if (!s)
		ret = nwg_err_set(err, ENOMEM, "out of memory");
	else if (!json_is_object(c.port))
		ret = nwg_err_set(err, EINVAL, "not a port: expected a JSON object");
	else
		ret = parse_port(s, &c, err);
	json_decref(c.profile);
	json_decref(c.vif);
	json_decref(root);
	if (ret < 0) {
		nwgcli_spoke_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void nwgcli_spoke_free(struct nwgcli_spoke *s)
{
	if (!s)
		return;
	free(s->hubs);
	free(s);
}
