/* SPDX-License-Identifier: Apache-2.0 */
/* Publishing: casts and calls (reply matched by _msg_id). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg/msg_conn.h"

int msg_publish(struct nwg_msg *m, const char *exchange, const char *rkey, const char *body,
		size_t len, int expiration_ms, struct nwg_err *err)
{
	amqp_basic_properties_t p = {0};
	char exp[16];
	int rc;

	p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CONTENT_ENCODING_FLAG |
		   AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_PRIORITY_FLAG |
		   AMQP_BASIC_HEADERS_FLAG;
	p.content_type = amqp_cstring_bytes("application/json");
	p.content_encoding = amqp_cstring_bytes("utf-8");
	p.delivery_mode = AMQP_DELIVERY_PERSISTENT;
	p.priority = 0;
	p.headers = amqp_empty_table;
	if (expiration_ms > 0) {
		snprintf(exp, sizeof(exp), "%d", expiration_ms);
		p._flags |= AMQP_BASIC_EXPIRATION_FLAG;
		p.expiration = amqp_cstring_bytes(exp);
	}
	if (m->fake_publish)
		return m->fake_publish(m->fake_ctx, exchange, rkey, body, len);
	rc = amqp_basic_publish(m->conn, MSG_CHANNEL, amqp_cstring_bytes(exchange),
				amqp_cstring_bytes(rkey), 0, 0, &p,
				(amqp_bytes_t){.len = len, .bytes = (void *)body});
	if (rc != AMQP_STATUS_OK)
		return msg_broken(m, err, "publish: %s", amqp_error_string2(rc));
	return 0;
}

static int send_request(struct nwg_msg *m, const char *topic, const char *server,
			const char *method, const char *version, json_t *args, const char *msg_id,
			int timeout_ms, struct nwg_err *err)
{
	char rkey[300], *body;
	size_t len;
	int rc;

	if (!topic || !*topic || !method || !*method || (args && !json_is_object(args)) ||
	    strlen(topic) > 100 || (server && strlen(server) > 150))
		return nwg_err_set(err, EINVAL, "bad topic, server, method or args");
	if (m->broken)
		return msg_broken(m, err, "%s", m->broken_why);
	if (!m->exchange_declared) {
		rc = msg_declare_exchange(m, m->exchange, "topic", m->durable, m->auto_delete, err);
		if (rc < 0)
			return rc;
		m->exchange_declared = true;
	}
	snprintf(rkey, sizeof(rkey), server ? "%s.%s" : "%s", topic, server);
	rc = nwg_msg_encode_request(method, version, args, msg_id, msg_id ? m->reply_q : NULL,
				    &body, &len);
	if (rc < 0)
		return nwg_err_set(err, -rc, "cannot encode %s", method);
	rc = msg_publish(m, m->exchange, rkey, body, len, timeout_ms, err);
	free(body);
	return rc;
}

int nwg_msg_cast(struct nwg_msg *m, const char *topic, const char *server, const char *method,
		 const char *version, json_t *args, struct nwg_err *err)
{
	if (!m)
		return nwg_err_set(err, EINVAL, "NULL connection");
	return send_request(m, topic, server, method, version, args, NULL, 0, err);
}

static long long now_ms(void)
{
	return msg_now_ms();
}

int nwg_msg_call_async(struct nwg_msg *m, const char *topic, const char *server, const char *method,
		       const char *version, json_t *args, int timeout_ms, nwg_msg_reply_cb cb,
		       void *ctx, struct nwg_err *err)
{
	char msg_id[NWG_UUID_HEX_LEN + 1];
	int rc;

	if (!m || !cb || timeout_ms <= 0)
		return nwg_err_set(err, EINVAL, "call: bad argument");
	if (m->calls.n >= NWG_MSG_MAX_CALLS)
		return nwg_err_set(err, EBUSY, "call %s: %d calls already pending",
				   method ? method : "?", NWG_MSG_MAX_CALLS);
	rc = nwg_uuid4_hex(msg_id);
	if (rc < 0)
		return nwg_err_set(err, -rc, "getrandom failed");
	rc = send_request(m, topic, server, method, version, args, msg_id, timeout_ms, err);
	if (rc < 0)
		return rc;
	rc = msg_calls_add(&m->calls, msg_id, method, now_ms() + timeout_ms, cb, ctx);
	if (rc < 0)
		return nwg_err_set(err, -rc, "call %s: cannot track the reply", method);
	return 0;
}

size_t nwg_msg_calls_pending(const struct nwg_msg *m)
{
	return m ? m->calls.n : 0;
}

long long nwg_msg_next_deadline(const struct nwg_msg *m)
{
	return m ? msg_calls_next_deadline(&m->calls) : -1;
}

/* Timed-out calls first, then up to max completions. */
static int run_calls(struct nwg_msg *m, int max)
{
	msg_calls_expire(&m->calls, now_ms());
	return max > 0 ? msg_calls_run(&m->calls, max) : 0;
}

/* "Class: message" from the failure JSON string. */
static int remote_error(const char *failure, const char *method, struct nwg_err *err)
{
	json_t *f = json_loads(failure, 0, NULL);
	const char *cls = json_string_value(json_object_get(f, "class"));
	const char *msg = json_string_value(json_object_get(f, "message"));

	if (cls)
		nwg_err_set(err, EREMOTEIO, "%s: %.200s", cls, msg ? msg : "");
	else
		nwg_err_set(err, EREMOTEIO, "%s: remote error: %.160s", method, failure);
	json_decref(f);
	return -EREMOTEIO;
}

static int wait_reply(struct nwg_msg *m, long long deadline, struct nwg_err *err)
{
	while (!m->wait_done) {
		long long left = deadline - now_ms();
		int rc;

		if (left <= 0)
			return 0;
		rc = msg_pump(m, left > 1000 ? 1000 : (int)left, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int nwg_msg_call(struct nwg_msg *m, const char *topic, const char *server, const char *method,
		 const char *version, json_t *args, int timeout_ms, json_t **result,
		 struct nwg_err *err)
{
	char msg_id[NWG_UUID_HEX_LEN + 1];
	struct nwg_msg_in reply = {0};
	int rc;

	if (!m || !result || timeout_ms <= 0)
		return nwg_err_set(err, EINVAL, "call: bad argument");
	*result = NULL;
	if (m->in_call)
		return nwg_err_set(err, EBUSY, "call: another call is in progress");
	rc = nwg_uuid4_hex(msg_id);
	if (rc < 0)
		return nwg_err_set(err, -rc, "getrandom failed");
	rc = send_request(m, topic, server, method, version, args, msg_id, timeout_ms, err);
	if (rc < 0)
		return rc;
	m->in_call = true;
	m->wait_msg_id = msg_id;
	m->wait_reply = &reply;
	m->wait_done = false;
	rc = wait_reply(m, now_ms() + timeout_ms, err);
	m->in_call = false;
	m->wait_msg_id = NULL;
	m->wait_reply = NULL;
	if (rc == 0 && !m->wait_done)
		rc = nwg_err_set(err, ETIMEDOUT, "no reply to %s on %s within %d ms", method, topic,
				 timeout_ms);
	else if (rc == 0 && reply.failure)
		rc = remote_error(reply.failure, method, err);
	else if (rc == 0)
		*result = json_incref(reply.result);
	m->wait_done = false;
	nwg_msg_in_clear(&reply);
	return rc;
}

/* Dispatches queued deliveries and completions, then reads frames until
 * timeout_ms passes or something was dispatched (then only what is already
 * buffered). At most 64 deliveries and completions per call so that the
 * caller's loop keeps turning. */
int nwg_msg_poll(struct nwg_msg *m, int timeout_ms, struct nwg_err *err)
{
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int n = 0, rc;

	if (!m || (!m->conn && !m->fake_publish))
		return nwg_err_set(err, EINVAL, "poll: NULL connection");
	if (m->in_call)
		return nwg_err_set(err, EBUSY, "poll: called from inside a call");
	for (;;) {
		long long left = deadline - now_ms();

		n += msg_dispatch_pending(m, 64 - n);
		n += run_calls(m, 64 - n);
		if (m->broken)
			return msg_broken(m, err, "%s", m->broken_why);
		if (n >= 64 || (n && (!m->conn || (!amqp_data_in_buffer(m->conn) &&
						   !amqp_frames_enqueued(m->conn)))))
			return 0;
		rc = msg_pump(m, n || left < 0 ? 0 : (int)left, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			n += msg_dispatch_pending(m, 64 - n);
			run_calls(m, 64 - n);
			return m->broken ? msg_broken(m, err, "%s", m->broken_why) : 0;
		}
	}
}
