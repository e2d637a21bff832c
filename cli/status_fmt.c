/* SPDX-License-Identifier: Apache-2.0 */
/* `neutron-wireguard status`: checks and formats the agent's status reply. */
#include "status_fmt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

void nwgcli_fmt_age(char *buf, size_t len, int64_t ts, time_t now)
{
	int64_t d = (int64_t)now - ts;

	if (ts <= 0) {
		snprintf(buf, len, "never");
		return;
	}
	if (d < 0)
		d = 0;
	if (d < 60)
		snprintf(buf, len, "%" PRId64 "s ago", d);
	else if (d < 3600)
		snprintf(buf, len, "%" PRId64 "m %" PRId64 "s ago", d / 60, d % 60);
	else if (d < 86400)
		snprintf(buf, len, "%" PRId64 "h %" PRId64 "m ago", d / 3600, d % 3600 / 60);
	else
		snprintf(buf, len, "%" PRId64 "d %" PRId64 "h ago", d / 86400, d % 86400 / 3600);
}

void nwgcli_fmt_bytes(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", n);
		return;
	}
	v /= 1024.0;
	while (v >= 1024.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
}

static int want(const json_t *o, const char *k, json_type type, bool nullable, const char *where,
		struct nwg_err *err)
{
	const json_t *v = json_object_get(o, k);

	if (v && json_typeof(v) == type)
		return 0;
	if (nullable && (!v || json_is_null(v)))
		return 0;
	if (type == JSON_TRUE && (json_is_boolean(v) || (nullable && !v)))
		return 0;
	return nwg_err_set(err, EINVAL, "bad reply from agent: %s%s: missing or wrong type", where,
			   k);
}

static int check_peer(const json_t *p, struct nwg_err *err)
{
	int r;

	if (!json_is_object(p))
		return nwg_err_set(err, EINVAL, "bad reply from agent: peer is not an object");
	if ((r = want(p, "port_id", JSON_STRING, false, "peer.", err)) < 0 ||
	    (r = want(p, "endpoint", JSON_STRING, true, "peer.", err)) < 0 ||
	    (r = want(p, "latest_handshake", JSON_INTEGER, false, "peer.", err)) < 0 ||
	    (r = want(p, "rx_bytes", JSON_INTEGER, false, "peer.", err)) < 0 ||
	    (r = want(p, "tx_bytes", JSON_INTEGER, false, "peer.", err)) < 0)
		return r;
	return 0;
}

static int check_hub(const json_t *h, struct nwg_err *err)
{
	const json_t *peers = json_object_get(h, "peers");
	size_t i;
	int r;

	if (!json_is_object(h))
		return nwg_err_set(err, EINVAL, "bad reply from agent: hub is not an object");
	if ((r = want(h, "port_id", JSON_STRING, false, "hub.", err)) < 0 ||
	    (r = want(h, "project_id", JSON_STRING, false, "hub.", err)) < 0 ||
	    (r = want(h, "interface", JSON_STRING, true, "hub.", err)) < 0 ||
	    (r = want(h, "namespace", JSON_STRING, true, "hub.", err)) < 0 ||
	    (r = want(h, "listen_port", JSON_INTEGER, true, "hub.", err)) < 0 ||
	    (r = want(h, "public_key", JSON_STRING, true, "hub.", err)) < 0 ||
	    (r = want(h, "up", JSON_TRUE, false, "hub.", err)) < 0 ||
	    (r = want(h, "last_sync", JSON_STRING, false, "hub.", err)) < 0 ||
	    (r = want(h, "error", JSON_STRING, true, "hub.", err)) < 0)
		return r;
	if (!json_is_array(peers))
		return nwg_err_set(err, EINVAL, "bad reply from agent: hub.peers: not a list");
	for (i = 0; i < json_array_size(peers); i++) {
		if ((r = check_peer(json_array_get(peers, i), err)) < 0)
			return r;
	}
	return 0;
}

int nwgcli_status_check(const json_t *res, struct nwg_err *err)
{
	const json_t *hubs = json_object_get(res, "hubs");
	size_t i;
	int r;

	if (!json_is_object(res))
		return nwg_err_set(err, EINVAL, "bad reply from agent: result is not an object");
	if ((r = want(res, "host", JSON_STRING, false, "", err)) < 0 ||
	    (r = want(res, "backend", JSON_STRING, false, "", err)) < 0)
		return r;
	if (!json_is_array(hubs))
		return nwg_err_set(err, EINVAL, "bad reply from agent: hubs: not a list");
	for (i = 0; i < json_array_size(hubs); i++) {
		if ((r = check_hub(json_array_get(hubs, i), err)) < 0)
			return r;
	}
	return 0;
}

int nwgcli_status_parse_reply(const char *line, json_t **res, struct nwg_err *err)
{
	json_error_t je;
	json_t *root = json_loads(line, JSON_REJECT_DUPLICATES, &je);
	const json_t *ok = json_object_get(root, "ok");
	int r = 0;

	*res = NULL;
	if (!json_is_object(root) || !json_is_boolean(ok)) {
		r = nwg_err_set(err, EINVAL, "bad reply from agent: %s",
				root ? "no \"ok\" field" : je.text);
	} else if (!json_is_true(ok)) {
		const char *m = json_string_value(json_object_get(root, "error"));

		r = nwg_err_set(err, EREMOTEIO, "agent: %s", m ? m : "error without a message");
	} else if ((r = nwgcli_status_check(json_object_get(root, "result"), err)) == 0) {
		*res = json_incref(json_object_get(root, "result"));
	}
	json_decref(root);
	return r;
}
