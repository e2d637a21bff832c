/* SPDX-License-Identifier: Apache-2.0 */
/* Routing of complete deliveries: replies to the waiting call, requests to
 * a bounded FIFO that nwg_msg_poll hands to the handler (ack afterwards). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg/msg_conn.h"

static void ack(struct nwg_msg *m, uint64_t dtag)
{
	if (!m->broken && m->conn)
		amqp_basic_ack(m->conn, MSG_CHANNEL, dtag, 0);
}

static void route_reply(struct nwg_msg *m, const char *body, size_t len)
{
	struct nwg_msg_in in;

	if (!body || nwg_msg_decode(body, len, &in, NULL) < 0)
		return;
	if (msg_seen(m, in.unique_id)) {
		nwg_msg_in_clear(&in);
		return;
	}
	/* heartbeats (ending false, no failure) and stale replies are ignored */
	if (m->wait_msg_id && !m->wait_done && !in.method && in.msg_id &&
	    strcmp(in.msg_id, m->wait_msg_id) == 0 && (in.ending || in.failure)) {
		*m->wait_reply = in;
		m->wait_done = true;
		return;
	}
	if (!msg_calls_reply(&m->calls, &in))
		nwg_msg_in_clear(&in);
}

void msg_route(struct nwg_msg *m, int cons, uint64_t dtag, char *body, size_t len)
{
	struct msg_pending *p;

	if (cons < 0 || m->cons[cons].reply) {
		if (cons >= 0)
			route_reply(m, body, len);
		free(body);
		ack(m, dtag);
		return;
	}
	p = m->n_pending < MSG_MAX_PENDING && m->pending_bytes + len <= MSG_MAX_PENDING_B
		? calloc(1, sizeof(*p))
		: NULL;
	if (!p) {
		/* bounded memory: drop (the agent resyncs) and report it */
		free(body);
		m->dropped++;
		if (!m->broken && m->conn)
			amqp_basic_reject(m->conn, MSG_CHANNEL, dtag, 0);
		return;
	}
	*p = (struct msg_pending){.cons = cons, .dtag = dtag, .body = body, .len = len};
	if (m->tail)
		m->tail->next = p;
	else
		m->head = p;
	m->tail = p;
	m->n_pending++;
	m->pending_bytes += len;
}

static void dispatch_one(struct nwg_msg *m, const struct msg_pending *p)
{
	const char *topic = m->cons[p->cons].topic;
	struct nwg_msg_in in;
	struct nwg_err e = {{0}};

	if (!p->body) {
		m->h(m->ctx, topic, NULL, NULL, "message larger than 4 MiB dropped");
		return;
	}
	if (nwg_msg_decode(p->body, p->len, &in, &e) < 0) {
		m->h(m->ctx, topic, NULL, NULL, e.msg);
		return;
	}
	if (!in.method)
		m->h(m->ctx, topic, NULL, NULL, "a reply arrived on a request queue");
	else if (!msg_seen(m, in.unique_id))
		m->h(m->ctx, topic, in.method, in.args, NULL);
	nwg_msg_in_clear(&in);
}

/* Pops and dispatches up to max deliveries; returns how many. The handler
 * may call nwg_msg_call/cast (re-entrancy safe: the entry is unlinked). */
int msg_dispatch_pending(struct nwg_msg *m, int max)
{
	int n = 0;

	if (m->dropped) {
		char why[96];

		snprintf(why, sizeof(why), "%u deliveries dropped (queue full)", m->dropped);
		m->dropped = 0;
		m->h(m->ctx, "", NULL, NULL, why);
	}
	while (m->head && n < max) {
		struct msg_pending *p = m->head;

		m->head = p->next;
		if (!m->head)
			m->tail = NULL;
		m->n_pending--;
		m->pending_bytes -= p->len;
		dispatch_one(m, p);
		ack(m, p->dtag);
		free(p->body);
		free(p);
		n++;
	}
	return n;
}

void msg_pending_free(struct nwg_msg *m)
{
	while (m->head) {
		struct msg_pending *p = m->head;

		m->head = p->next;
		free(p->body);
		free(p);
	}
	m->tail = NULL;
	m->n_pending = 0;
	m->pending_bytes = 0;
}
