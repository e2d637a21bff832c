/* SPDX-License-Identifier: Apache-2.0 */
/* Frame pump: assembles deliveries (bounded), handles broker-side cancels
 * and closes. rabbitmq-c sends and checks heartbeats inside the wait. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "msg/msg_conn.h"

void msg_delivery_reset(struct msg_delivery *d)
{
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

bool msg_seen(struct nwg_msg *m, const char *unique_id)
{
	if (!unique_id || strlen(unique_id) > NWG_UUID_HEX_LEN)
		return false;
	for (int i = 0; i < MSG_SEEN; i++) {
		if (strcmp(m->seen[i], unique_id) == 0)
			return true;
	}
	strcpy(m->seen[m->seen_pos], unique_id);
	m->seen_pos = (m->seen_pos + 1) % MSG_SEEN;
	return false;
}

static int find_consumer(const struct nwg_msg *m, amqp_bytes_t tag)
{
	for (int i = 0; i < m->n_cons; i++) {
		if (m->cons[i].tag && strlen(m->cons[i].tag) == tag.len &&
		    memcmp(m->cons[i].tag, tag.bytes, tag.len) == 0)
			return i;
	}
	return -1;
}

static void complete(struct nwg_msg *m)
{
	struct msg_delivery d = m->cur;

	memset(&m->cur, 0, sizeof(m->cur));
	if (d.skip) {
		free(d.buf);
		d.buf = NULL;
	}
	msg_route(m, d.cons, d.dtag, d.buf, d.skip ? 0 : d.size);
}

static int on_method(struct nwg_msg *m, const amqp_method_t *meth, struct nwg_err *err)
{
	if (meth->id == AMQP_BASIC_DELIVER_METHOD) {
		const amqp_basic_deliver_t *d = meth->decoded;

		msg_delivery_reset(&m->cur);
		m->cur.active = true;
		m->cur.dtag = d->delivery_tag;
		m->cur.cons = find_consumer(m, d->consumer_tag);
		return 0;
	}
	if (meth->id == AMQP_BASIC_CANCEL_METHOD) {
		const amqp_basic_cancel_t *c = meth->decoded;
		int i = find_consumer(m, c->consumer_tag);

		return msg_broken(m, err, "broker cancelled the consumer of queue %s",
				  i >= 0 ? m->cons[i].queue : "?");
	}
	if (meth->id == AMQP_CHANNEL_CLOSE_METHOD || meth->id == AMQP_CONNECTION_CLOSE_METHOD) {
		const amqp_channel_close_t *c = meth->decoded; /* same layout for both */

		return msg_broken(m, err, "closed by the broker: %u %.*s", c->reply_code,
				  (int)(c->reply_text.len > 120 ? 120 : c->reply_text.len),
				  (const char *)c->reply_text.bytes);
	}
	return 0; /* basic.return, basic.ack, ...: nothing to do */
}

static int on_header(struct nwg_msg *m, const amqp_frame_t *f)
{
	if (!m->cur.active || m->cur.have_header)
		return 0;
	m->cur.have_header = true;
	m->cur.size = (size_t)f->payload.properties.body_size;
	if (f->payload.properties.body_size > NWG_MSG_MAX_BODY)
		m->cur.skip = true;
	else if (!(m->cur.buf = malloc(m->cur.size + 1)))
		m->cur.skip = true;
	if (m->cur.size == 0)
		complete(m);
	return 0;
}

static int on_body(struct nwg_msg *m, const amqp_frame_t *f, struct nwg_err *err)
{
	const amqp_bytes_t *b = &f->payload.body_fragment;

	if (!m->cur.active || !m->cur.have_header)
		return 0;
	if (b->len > m->cur.size - m->cur.got)
		return msg_broken(m, err, "body larger than announced");
	if (!m->cur.skip)
		memcpy(m->cur.buf + m->cur.got, b->bytes, b->len);
	m->cur.got += b->len;
	if (m->cur.got == m->cur.size)
		complete(m);
	return 0;
}

int msg_pump(struct nwg_msg *m, int timeout_ms, struct nwg_err *err)
{
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	amqp_frame_t f;
	int rc;

	if (m->broken)
		return msg_broken(m, err, "%s", m->broken_why);
	if (!m->conn) /* fake (tests): deliveries are injected */
		return 0;
	rc = amqp_simple_wait_frame_noblock(m->conn, &f, timeout_ms < 0 ? NULL : &tv);
	if (rc == AMQP_STATUS_TIMEOUT)
		return 0;
	if (rc != AMQP_STATUS_OK)
		return msg_broken(m, err, "%s", amqp_error_string2(rc));
	if (f.frame_type == AMQP_FRAME_METHOD)
		rc = on_method(m, &f.payload.method, err);
	else if (f.frame_type == AMQP_FRAME_HEADER && f.channel == MSG_CHANNEL)
		rc = on_header(m, &f);
	else if (f.frame_type == AMQP_FRAME_BODY && f.channel == MSG_CHANNEL)
		rc = on_body(m, &f, err);
	amqp_maybe_release_buffers(m->conn);
	return rc < 0 ? rc : 1;
}
