/* SPDX-License-Identifier: Apache-2.0 */
/* The fake-broker fixture shared by the sync tests (test_agent_sync.c,
 * test_sync_digest.c): an agent whose messaging publishes into an array,
 * the i-th request decoded back, and a reply delivered into the loop.
 * Header only; include it after <cmocka.h>. */
#ifndef NWG_BROKER_TESTLIB_H
#define NWG_BROKER_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "msg/fake.h"
#include "sync/neutron_rpc.h"

struct broker {
	char *body[64];
	size_t n;
};

static inline int publish(void *ctx, const char *exchange, const char *rkey, const char *body,
			  size_t len)
{
	struct broker *b = ctx;

	(void)exchange;
	(void)rkey;
	assert_true(b->n < 64);
	b->body[b->n++] = strndup(body, len);
	return 0;
}

struct fixture {
	struct nwg_agent a;
	struct broker b;
};

static inline int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->a.conf.host, sizeof(f->a.conf.host), "%s", "node-1");
	f->a.rpc_timeout_ms = 60000;
	f->a.msg = nwg_msg_fake_open(NWG_TOPIC_AGENT, nwg_events_handle, &f->a, publish, &f->b);
	assert_non_null(f->a.msg);
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;
	struct nwg_msg *m = f->a.msg;

	f->a.msg = NULL;
	nwg_msg_close(m);
	for (size_t i = 0; i < f->b.n; i++)
		free(f->b.body[i]);
	nwg_strv_free(f->a.want_ids);
	nwg_hubtab_clear(&f->a.hubs);
	nwg_acache_clear(&f->a.acache);
	free(f);
	return 0;
}

/* The i-th request: method, version, args (new ref), msg_id copied. */
static inline json_t *request(struct fixture *f, size_t i, const char *method, const char *version,
			      char msg_id[64])
{
	struct nwg_msg_in in;
	json_t *outer = json_loads(f->b.body[i], 0, NULL), *inner, *args;

	assert_true(i < f->b.n);
	inner = json_loads(json_string_value(json_object_get(outer, "oslo.message")), 0, NULL);
	assert_string_equal(json_string_value(json_object_get(inner, "version")), version);
	json_decref(inner);
	json_decref(outer);
	assert_int_equal(nwg_msg_decode(f->b.body[i], strlen(f->b.body[i]), &in, NULL), 0);
	assert_string_equal(in.method, method);
	snprintf(msg_id, 64, "%s", in.msg_id);
	args = json_incref(in.args);
	nwg_msg_in_clear(&in);
	return args;
}

static inline void answer(struct fixture *f, const char *msg_id, json_t *result, const char *cls)
{
	size_t len;
	char *body = nwg_msg_fake_reply(msg_id, result, cls, "no", &len);

	nwg_msg_fake_deliver(f->a.msg, true, body, len);
	free(body);
	assert_int_equal(nwg_msg_poll(f->a.msg, 0, NULL), 0);
}

/* ---- the link-time seam: is the cached link still there? ---- */

#endif
