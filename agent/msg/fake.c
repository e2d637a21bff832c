/* SPDX-License-Identifier: Apache-2.0 */
/* msg/fake.h: the test double of the broker connection. */
#include "msg/fake.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "msg/msg_conn.h"

struct nwg_msg *nwg_msg_fake_open(const char *topic, nwg_msg_handler h, void *hctx,
				  nwg_msg_fake_publish pub, void *pctx)
{
	struct nwg_msg *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->h = h;
	m->ctx = hctx;
	m->fake_publish = pub;
	m->fake_ctx = pctx;
	m->exchange = strdup("neutron");
	m->host = strdup("fake-host");
	m->exchange_declared = true;
	strcpy(m->reply_q, "reply_fake");
	m->cons[0] = (struct msg_consumer){.topic = strdup("reply"), .reply = true};
	m->cons[1] = (struct msg_consumer){.topic = strdup(topic ? topic : "fake")};
	m->n_cons = 2;
	if (!m->exchange || !m->host || !m->cons[0].topic || !m->cons[1].topic) {
		nwg_msg_close(m);
		return NULL;
	}
	return m;
}

void nwg_msg_fake_deliver(struct nwg_msg *m, bool reply, const char *body, size_t len)
{
	char *copy = body ? malloc(len + 1) : NULL;

	if (copy) {
		memcpy(copy, body, len);
		copy[len] = '\0';
	}
	msg_route(m, reply ? 0 : 1, ++m->fake_dtag, copy, copy ? len : 0);
}

void nwg_msg_fake_break(struct nwg_msg *m, const char *why)
{
	msg_broken(m, NULL, "%s", why ? why : "fake broker gone");
}

char *nwg_msg_fake_reply(const char *msg_id, json_t *result, const char *cls, const char *msg,
			 size_t *len)
{
	char uid[NWG_UUID_HEX_LEN + 1], *out = NULL, *failure = NULL;
	json_t *inner;

	if (nwg_uuid4_hex(uid) < 0)
		return NULL;
	if (cls) {
		json_t *f = json_pack("{s:s, s:s, s:[], s:{}}", "class", cls, "message",
				      msg ? msg : "", "tb", "kwargs");

		failure = f ? json_dumps(f, JSON_COMPACT) : NULL;
		json_decref(f);
		if (!failure)
			return NULL;
	}
	inner = json_pack("{s:O?, s:s?, s:b, s:s, s:s}", "result", cls ? NULL : result, "failure",
			  failure, "ending", 1, "_msg_id", msg_id, "_unique_id", uid);
	free(failure);
	if (inner && nwg_msg_encode_envelope(inner, &out, len) < 0)
		out = NULL;
	json_decref(inner);
	return out;
}
