/* SPDX-License-Identifier: Apache-2.0 */
/* Exchanges, queues, bindings and consumers declared exactly as
 * oslo.messaging 14 (Zed) impl_rabbit does, so that neutron-server's own
 * declarations never conflict (406 PRECONDITION_FAILED). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/msg_conn.h"

int msg_declare_exchange(struct nwg_msg *m, const char *name, const char *type, bool durable,
			 bool auto_delete, struct nwg_err *err)
{
	char what[300];

	snprintf(what, sizeof(what), "exchange.declare %s", name);
	amqp_exchange_declare(m->conn, MSG_CHANNEL, amqp_cstring_bytes(name),
			      amqp_cstring_bytes(type), 0, durable, auto_delete, 0,
			      amqp_empty_table);
	return msg_rpc_check(m, what, err);
}

/* x-expires = ttl ms when expires, else no arguments. */
static int declare_queue(struct nwg_msg *m, const char *name, bool durable, bool auto_delete,
			 bool expires, struct nwg_err *err)
{
	amqp_table_entry_t e = {
	    .key = amqp_cstring_bytes("x-expires"),
	    .value = {.kind = AMQP_FIELD_KIND_I32, .value.i32 = m->ttl_s * 1000}};
	amqp_table_t args = {.num_entries = expires ? 1 : 0, .entries = &e};
	char what[300];

	snprintf(what, sizeof(what), "queue.declare %s", name);
	amqp_queue_declare(m->conn, MSG_CHANNEL, amqp_cstring_bytes(name), 0, durable, 0,
			   auto_delete, args);
	return msg_rpc_check(m, what, err);
}

static int bind_queue(struct nwg_msg *m, const char *queue, const char *exchange, const char *key,
		      struct nwg_err *err)
{
	char what[300];

	snprintf(what, sizeof(what), "queue.bind %s", queue);
	amqp_queue_bind(m->conn, MSG_CHANNEL, amqp_cstring_bytes(queue),
			amqp_cstring_bytes(exchange), amqp_cstring_bytes(key), amqp_empty_table);
	return msg_rpc_check(m, what, err);
}

/* basic.consume with acks (no_ack=False, as oslo); remembers the tag. */
static int consume(struct nwg_msg *m, const char *topic, const char *queue, bool reply,
		   struct nwg_err *err)
{
	struct msg_consumer *c;
	amqp_basic_consume_ok_t *ok;
	char what[300];
	int rc;

	if (m->n_cons >= MSG_MAX_CONSUMERS)
		return nwg_err_set(err, ENOSPC, "too many consumers");
	snprintf(what, sizeof(what), "basic.consume %s", queue);
	ok = amqp_basic_consume(m->conn, MSG_CHANNEL, amqp_cstring_bytes(queue), amqp_empty_bytes,
				0, 0, 0, amqp_empty_table);
	rc = msg_rpc_check(m, what, err);
	if (rc < 0)
		return rc;
	if (!ok)
		return msg_broken(m, err, "%s: no consume-ok", what);
	c = &m->cons[m->n_cons];
	c->topic = strdup(topic);
	c->queue = strdup(queue);
	c->tag = strndup(ok->consumer_tag.bytes, ok->consumer_tag.len);
	c->reply = reply;
	m->n_cons++;
	if (!c->topic || !c->queue || !c->tag)
		return nwg_err_set(err, ENOMEM, "out of memory");
	return 0;
}

int msg_declare_reply(struct nwg_msg *m, struct nwg_err *err)
{
	int rc;

	memcpy(m->reply_q, "reply_", 6);
	rc = nwg_uuid4_hex(m->reply_q + 6);
	if (rc < 0)
		return nwg_err_set(err, -rc, "getrandom failed");
	rc = declare_queue(m, m->reply_q, false, false, true, err);
	return rc < 0 ? rc : consume(m, "", m->reply_q, true, err);
}

static int usable(struct nwg_msg *m, const char *topic, struct nwg_err *err)
{
	if (!m || !topic || !*topic || strlen(topic) > 100)
		return nwg_err_set(err, EINVAL, "bad topic");
	if (m->broken)
		return msg_broken(m, err, "%s", m->broken_why);
	return 0;
}

static int topic_queue(struct nwg_msg *m, const char *topic, const char *queue, struct nwg_err *err)
{
	int rc = declare_queue(m, queue, m->durable, m->auto_delete, false, err);

	if (rc == 0)
		rc = bind_queue(m, queue, m->exchange, queue, err);
	return rc < 0 ? rc : consume(m, topic, queue, false, err);
}

int nwg_msg_consume_topic(struct nwg_msg *m, const char *topic, bool with_host, struct nwg_err *err)
{
	char q[512];
	int rc = usable(m, topic, err);

	if (rc == 0 && !m->exchange_declared) {
		rc = msg_declare_exchange(m, m->exchange, "topic", m->durable, m->auto_delete, err);
		m->exchange_declared = rc == 0;
	}
	if (rc == 0)
		rc = topic_queue(m, topic, topic, err);
	if (rc == 0 && with_host) {
		snprintf(q, sizeof(q), "%s.%s", topic, m->host);
		rc = topic_queue(m, topic, q, err);
	}
	return rc;
}

int nwg_msg_consume_fanout(struct nwg_msg *m, const char *topic, struct nwg_err *err)
{
	char ex[256], q[300], hex[NWG_UUID_HEX_LEN + 1];
	int rc = usable(m, topic, err);

	if (rc < 0)
		return rc;
	rc = nwg_uuid4_hex(hex);
	if (rc < 0)
		return nwg_err_set(err, -rc, "getrandom failed");
	snprintf(ex, sizeof(ex), "%s_fanout", topic);
	snprintf(q, sizeof(q), "%s_fanout_%s", topic, hex);
	rc = msg_declare_exchange(m, ex, "fanout", false, true, err);
	if (rc == 0)
		rc = declare_queue(m, q, false, false, true, err);
	if (rc == 0)
		rc = bind_queue(m, q, ex, topic, err);
	return rc < 0 ? rc : consume(m, topic, q, false, err);
}
