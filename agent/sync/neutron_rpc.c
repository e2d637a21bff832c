/* SPDX-License-Identifier: Apache-2.0 */
#include "sync/neutron_rpc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

#include "msg/msg.h"

void nwg_utcnow(char *buf, size_t len)
{
	struct timeval tv;
	struct tm tm;
	size_t n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ld", (long)tv.tv_usec);
}

void nwg_uuid4(char out[37])
{
	unsigned char b[16] = {0};

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		memcpy(b, &ts, sizeof(ts) < sizeof(b) ? sizeof(ts) : sizeof(b));
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

json_t *nwg_rpc_report_args(const struct nwg_report *r)
{
	const struct nwg_conf *c = r->conf;
	char now[40];
	json_t *state;

	nwg_utcnow(now, sizeof(now));
	state = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:I, s:s, s:s, s:s, s:s}}", "binary",
			  NWG_AGENT_BINARY, "host", c->host, "topic", "N/A", "agent_type",
			  NWG_AGENT_TYPE, "uuid", r->uuid, "start_flag", r->start_flag,
			  "configurations", "hubs", (json_int_t)r->hubs, "backend", r->backend,
			  "listen_port_range", c->port_range_str, "WG_HUB_IP", c->wg_hub_ip,
			  "namespace_prefix", c->ns_prefix);
	if (!state)
		return NULL;
	if (!r->start_flag)
		json_object_del(state, "start_flag");
	/* HA hubs (doc/ha.md): the public half only; the private one never
	 * leaves the node */
	if (r->enroll_pub && json_object_set_new(json_object_get(state, "configurations"),
						 "enroll_pub", json_string(r->enroll_pub)) < 0) {
		json_decref(state);
		return NULL;
	}
	return json_pack("{s:{s:o}, s:s}", "agent_state", "agent_state", state, "time", now);
}

int nwg_rpc_report_state(struct nwg_msg *m, const struct nwg_report *r, bool call, int timeout_ms,
			 nwg_msg_reply_cb cb, void *ctx, struct nwg_err *err)
{
	json_t *args = nwg_rpc_report_args(r);
	int rc;

	if (!args)
		return nwg_err_set(err, ENOMEM, "out of memory");
	if (call)
		rc = nwg_msg_call_async(m, NWG_TOPIC_REPORTS, NULL, "report_state", "1.2", args,
					timeout_ms, cb, ctx, err);
	else
		rc = nwg_msg_cast(m, NWG_TOPIC_REPORTS, NULL, "report_state", "1.2", args, err);
	json_decref(args);
	return rc < 0 ? rc : 0;
}

json_t *nwg_rpc_get_hubs_args(const char *host, char *const *port_ids, size_t n,
			      const struct nwg_page *page)
{
	json_t *args = json_pack("{s:s}", "host", host);
	json_t *ids = port_ids ? json_array() : NULL;

	for (size_t i = 0; ids && i < n; i++)
		json_array_append_new(ids, json_string(port_ids[i]));
	if (!args || (port_ids && (!ids || json_object_set_new(args, "port_ids", ids) < 0)))
		goto fail;
	if (page && json_object_set_new(args, "page",
					json_pack("{s:s?, s:I}", "after",
						  page->after[0] ? page->after : NULL, "max_spokes",
						  (json_int_t)page->max_spokes)) < 0)
		goto fail;
	if (page && page->digests && json_object_set(args, "digests", page->digests) < 0)
		goto fail;
	if (page && page->digests && page->deltas &&
	    (json_object_set(args, "deltas", page->deltas) < 0 ||
	     json_object_set_new(args, "delta_min", json_integer((json_int_t)page->delta_min)) < 0))
		goto fail;
	return args;
fail:
	json_decref(args);
	return NULL;
}

int nwg_rpc_get_hubs(struct nwg_msg *m, const char *host, char *const *port_ids, size_t n,
		     const struct nwg_page *page, int timeout_ms, nwg_msg_reply_cb cb, void *ctx,
		     struct nwg_err *err)
{
	json_t *args = nwg_rpc_get_hubs_args(host, port_ids, n, page);
	int rc;

	if (!args)
		return nwg_err_set(err, ENOMEM, "out of memory");
	rc = nwg_msg_call_async(m, NWG_TOPIC_PLUGIN, NULL, "get_hubs",
				!page		 ? "1.0"
				: !page->digests ? "1.1"
				: page->deltas	 ? "1.3"
						 : "1.2",
				args, timeout_ms, cb, ctx, err);
	json_decref(args);
	return rc < 0 ? rc : 0;
}

json_t *nwg_rpc_realized_args(const struct nwg_realized *h)
{
	json_t *args = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s?, s:i, s:s}", "port_id", h->port_id,
				 "public_key", h->public_key, "listen_port", (int)h->listen_port,
				 "endpoint", h->endpoint, "interface", h->interface, "namespace",
				 h->netns && *h->netns ? h->netns : NULL, "mtu", (int)h->mtu,
				 "host", h->host ? h->host : "");

	if (args && ((h->ha_envelope &&
		      json_object_set_new(args, "ha_envelope", json_string(h->ha_envelope)) < 0) ||
		     (h->ha_state &&
		      json_object_set_new(args, "ha_state", json_string(h->ha_state)) < 0))) {
		json_decref(args);
		return NULL;
	}
	return args;
}

static int call(struct nwg_msg *m, const char *topic, const char *method, const char *version,
		json_t *args, int timeout_ms, nwg_msg_reply_cb cb, void *ctx, struct nwg_err *err)
{
	int rc;

	if (!args)
		return nwg_err_set(err, ENOMEM, "out of memory");
	rc = nwg_msg_call_async(m, topic, NULL, method, version, args, timeout_ms, cb, ctx, err);
	json_decref(args);
	return rc < 0 ? rc : 0;
}

int nwg_rpc_hub_realized(struct nwg_msg *m, const struct nwg_realized *h, int timeout_ms,
			 nwg_msg_reply_cb cb, void *ctx, struct nwg_err *err)
{
	return call(m, NWG_TOPIC_PLUGIN, "hub_realized", "1.0", nwg_rpc_realized_args(h),
		    timeout_ms, cb, ctx, err);
}

int nwg_rpc_device_status(struct nwg_msg *m, const char *port_id, const char *agent_id,
			  const char *host, bool up, int timeout_ms, nwg_msg_reply_cb cb, void *ctx,
			  struct nwg_err *err)
{
	json_t *args =
	    json_pack("{s:s, s:s, s:s}", "device", port_id, "agent_id", agent_id, "host", host);

	return call(m, NWG_TOPIC_Q_PLUGIN, up ? "update_device_up" : "update_device_down", "1.9",
		    args, timeout_ms, cb, ctx, err);
}
static json_t *str_list(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *nwg_rpc_device_list_args(const char *const *up, size_t n_up, const char *const *down,
				 size_t n_down, const char *agent_id, const char *host)
{
	json_t *u = str_list(up, n_up), *d = str_list(down, n_down);

	if (!u || !d) {
		json_decref(u);
		json_decref(d);
		return NULL;
	}
	return json_pack("{s:o, s:o, s:s, s:s, s:b}", "devices_up", u, "devices_down", d,
			 "agent_id", agent_id, "host", host, "refresh_tunnels", 0);
}

int nwg_rpc_device_list(struct nwg_msg *m, const char *const *up, size_t n_up,
			const char *const *down, size_t n_down, const char *agent_id,
			const char *host, int timeout_ms, nwg_msg_reply_cb cb, void *ctx,
			struct nwg_err *err)
{
	return call(m, NWG_TOPIC_Q_PLUGIN, "update_device_list", "1.9",
		    nwg_rpc_device_list_args(up, n_up, down, n_down, agent_id, host), timeout_ms,
		    cb, ctx, err);
}
