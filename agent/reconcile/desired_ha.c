/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/desired_ha.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool nwg_ha_host_valid(const char *s)
{
	size_t n;

	if (!s || !alnum(s[0]))
		return false;
	for (n = 1; s[n]; n++) {
		if (!alnum(s[n]) && s[n] != '.' && s[n] != '-' && s[n] != '_')
			return false;
	}
	return n <= NWG_HA_HOST_MAX;
}

static int fail(char *why, size_t n, const char *msg)
{
	snprintf(why, n, "ha.%s", msg);
	return -EINVAL;
}

/* v a string holding a valid host name (no NUL inside): copied to out. */
static int host_value(const json_t *v, char *out)
{
	if (!json_is_string(v) || json_string_length(v) != strlen(json_string_value(v)) ||
	    !nwg_ha_host_valid(json_string_value(v)))
		return -EINVAL;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* A string member: valid host name; "" when absent/null unless required. */
static int get_host(const json_t *o, const char *key, bool required, char *out)
{
	const json_t *v = json_object_get(o, key);

	out[0] = '\0';
	if (!v || json_is_null(v))
		return required ? -EINVAL : 0;
	return host_value(v, out);
}

static int get_hosts(const json_t *j, struct nwg_dha *ha, char *why, size_t n)
{
	const json_t *hosts = json_object_get(j, "hosts");

	if (!json_is_array(hosts) || json_array_size(hosts) != 2)
		return fail(why, n, "hosts: not a list of two hosts");
	for (size_t i = 0; i < 2; i++) {
		if (host_value(json_array_get(hosts, i), ha->hosts[i]) < 0)
			return fail(why, n, "hosts: not a host name");
	}
	if (strcmp(ha->hosts[0], ha->hosts[1]) >= 0)
		return fail(why, n, "hosts: not two distinct hosts in order");
	return 0;
}

static bool is_host_of(const struct nwg_dha *ha, const char *h)
{
	return strcmp(ha->hosts[0], h) == 0 || strcmp(ha->hosts[1], h) == 0;
}

static int get_role(const json_t *j, struct nwg_dha *ha, char *why, size_t n)
{
	const char *role = json_string_value(json_object_get(j, "role"));

	if (!role || (strcmp(role, "primary") != 0 && strcmp(role, "secondary") != 0))
		return fail(why, n, "role: not primary or secondary");
	ha->primary = strcmp(role, "primary") == 0;
	if (get_host(j, "primary", true, ha->primary_host) < 0 || !is_host_of(ha, ha->primary_host))
		return fail(why, n, "primary: not one of the hosts");
	if (get_host(j, "peer_host", true, ha->peer_host) < 0 || !is_host_of(ha, ha->peer_host))
		return fail(why, n, "peer_host: not one of the hosts");
	if (ha->primary == (strcmp(ha->peer_host, ha->primary_host) == 0))
		return fail(why, n, "peer_host: does not match the role");
	return 0;
}

static int get_rest(const json_t *j, struct nwg_dha *ha, char *why, size_t n)
{
	const json_t *v = json_object_get(j, "peer_enroll_pub");

	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || nwg_key_from_b64(&ha->peer_pub, json_string_value(v),
							   json_string_length(v)) < 0)
			return fail(why, n, "peer_enroll_pub: not a base64 WireGuard key");
		ha->has_peer_pub = true;
	}
	v = json_object_get(j, "listen_port");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 65535)
			return fail(why, n, "listen_port: not an integer in 1..65535");
		ha->listen_port = (uint16_t)json_integer_value(v);
	}
	v = json_object_get(j, "envelope");
	if (v && !json_is_null(v)) {
		if (ha->primary || !json_is_string(v) ||
		    !nwg_sealed_valid(json_string_value(v), json_string_length(v)))
			return fail(why, n, "envelope: not a sealed hub key");
		memcpy(ha->envelope, json_string_value(v), NWG_SEALED_B64_LEN + 1);
	}
	v = json_object_get(j, "peer_sealed");
	if (v && !json_is_null(v) && !json_is_boolean(v))
		return fail(why, n, "peer_sealed: not a boolean");
	ha->peer_sealed = json_is_true(v);
	return 0;
}

static bool state_valid(const char *s)
{
	return strcmp(s, "active") == 0 || strcmp(s, "standby") == 0 || strcmp(s, "fault") == 0;
}

/* states: {host: "active"|"standby"|"fault"|null}; only this host's kept. */
static int get_states(const json_t *j, struct nwg_dha *ha, char *why, size_t n)
{
	const json_t *st = json_object_get(j, "states"), *v;
	const char *own = strcmp(ha->hosts[0], ha->peer_host) == 0 ? ha->hosts[1] : ha->hosts[0];

	ha->own_state[0] = '\0';
	if (!st || json_is_null(st))
		return 0;
	if (!json_is_object(st))
		return fail(why, n, "states: not an object");
	v = json_object_get(st, own);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || !state_valid(json_string_value(v)))
		return fail(why, n, "states: not active, standby, fault or null");
	snprintf(ha->own_state, sizeof(ha->own_state), "%s", json_string_value(v));
	return 0;
}

const char *nwg_ha_default_state(const struct nwg_dha *ha)
{
	if (!ha || ha->own_state[0])
		return NULL;
	return ha->primary ? "active" : "standby";
}

const char *nwg_ha_report_state(const struct nwg_dha *ha, const char *vrrp)
{
	const char *want;

	if (!ha)
		return NULL;
	if (!vrrp)
		return nwg_ha_default_state(ha);
	want = vrrp[0] ? vrrp : "standby";
	return strcmp(want, ha->own_state) == 0 ? NULL : want;
}

int nwg_desired_parse_ha(const json_t *j, struct nwg_dha **out, char *why, size_t why_len)
{
	struct nwg_dha *ha;
	int r;

	*out = NULL;
	if (!j || json_is_null(j))
		return 0;
	if (!json_is_object(j))
		return fail(why, why_len, "not an object");
	ha = calloc(1, sizeof(*ha));
	if (!ha) {
		snprintf(why, why_len, "ha: out of memory");
		return -ENOMEM;
	}
	r = get_hosts(j, ha, why, why_len);
	if (r == 0)
		r = get_role(j, ha, why, why_len);
	if (r == 0)
		r = get_rest(j, ha, why, why_len);
	if (r == 0)
		r = get_states(j, ha, why, why_len);
	if (r < 0) {
		free(ha);
		return r;
	}
	*out = ha;
	return 0;
}
