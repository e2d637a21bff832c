/* SPDX-License-Identifier: Apache-2.0 */
/* Asynchronous calls over the fake broker: pending calls keyed by _msg_id,
 * replies, remote failures, timeouts, broker loss, dropped deliveries. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "msg/fake.h"
#include "msg/msg.h"

#define MAXPUB 2048

struct broker {
	char *body[MAXPUB];
	char rkey[MAXPUB][128];
	size_t n;
	int fail; /* publish returns this when set */
};

static int publish(void *ctx, const char *exchange, const char *rkey, const char *body, size_t len)
{
	struct broker *b = ctx;

	assert_string_equal(exchange, "neutron");
	if (b->fail)
		return b->fail;
	assert_true(b->n < MAXPUB);
	b->body[b->n] = strndup(body, len);
	snprintf(b->rkey[b->n], sizeof(b->rkey[0]), "%s", rkey);
	b->n++;
	return 0;
}

static void broker_clear(struct broker *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->body[i]);
	memset(b, 0, sizeof(*b));
}

struct done {
	int calls, rc;
	char result[64];
	char why[256];
};

static void on_reply(void *ctx, int rc, json_t *result, const char *why)
{
	struct done *d = ctx;

	d->calls++;
	d->rc = rc;
	snprintf(d->result, sizeof(d->result), "%s",
		 json_is_string(result) ? json_string_value(result)
		 : json_is_null(result) ? "null"
					: "-");
	snprintf(d->why, sizeof(d->why), "%s", why ? why : "");
}

struct events {
	int n, lost;
	char method[64], reason[128];
};

static void handler(void *ctx, const char *topic, const char *method, json_t *args,
		    const char *reason)
{
	struct events *e = ctx;

	(void)topic;
	(void)args;
	e->n++;
	if (!method)
		e->lost++;
	snprintf(e->method, sizeof(e->method), "%s", method ? method : "");
	snprintf(e->reason, sizeof(e->reason), "%s", reason ? reason : "");
}

/* The _msg_id of the i-th published request (checked to be a call). */
static char *msg_id_of(struct broker *b, size_t i, char *method_out)
{
	struct nwg_msg_in in;
	static char id[64];

	assert_true(i < b->n);
	assert_int_equal(nwg_msg_decode(b->body[i], strlen(b->body[i]), &in, NULL), 0);
	assert_non_null(in.msg_id);
	assert_string_equal(in.reply_q, "reply_fake");
	snprintf(id, sizeof(id), "%s", in.msg_id);
	if (method_out)
		strcpy(method_out, in.method);
	nwg_msg_in_clear(&in);
	return id;
}

static void reply(struct nwg_msg *m, const char *msg_id, json_t *result, const char *cls)
{
	size_t len;
	char *body = nwg_msg_fake_reply(msg_id, result, cls, cls ? "bad thing" : NULL, &len);

	assert_non_null(body);
	nwg_msg_fake_deliver(m, true, body, len);
	free(body);
}

static void test_call_reply(void **state)
{
	struct broker b = {0};
	struct events ev = {0};
	struct done d = {0};
	struct nwg_msg *m = nwg_msg_fake_open("q-test", handler, &ev, publish, &b);
	json_t *args = json_pack("{s:s}", "host", "h1");
	char method[64];
	json_t *r = json_string("alive");

	(void)state;
	assert_non_null(m);
	assert_int_equal(nwg_msg_call_async(m, "q-plugin", NULL, "report_state", "1.2", args, 5000,
					    on_reply, &d, NULL),
			 0);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.rkey[0], "q-plugin");
	assert_int_equal(nwg_msg_calls_pending(m), 1);
	assert_true(nwg_msg_next_deadline(m) > 0);
	/* nothing happens before the reply: the call returned at once */
	assert_int_equal(nwg_msg_poll(m, 0, NULL), 0);
	assert_int_equal(d.calls, 0);
	/* a stale reply (unknown _msg_id) is ignored */
	reply(m, "0123456789abcdef0123456789abcdef", r, NULL);
	assert_int_equal(nwg_msg_poll(m, 0, NULL), 0);
	assert_int_equal(d.calls, 0);
	reply(m, msg_id_of(&b, 0, method), r, NULL);
	assert_string_equal(method, "report_state");
	assert_int_equal(d.calls, 0); /* completions run from poll, not from the frame pump */
	assert_int_equal(nwg_msg_poll(m, 0, NULL), 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.rc, 0);
	assert_string_equal(d.result, "alive");
	assert_int_equal(nwg_msg_calls_pending(m), 0);
	assert_int_equal(nwg_msg_next_deadline(m), -1);
	/* a duplicate reply completes nothing */
	reply(m, msg_id_of(&b, 0, NULL), r, NULL);
	assert_int_equal(nwg_msg_poll(m, 0, NULL), 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(ev.n, 0);
	nwg_msg_close(m);
	json_decref(args);
	json_decref(r);
	broker_clear(&b);
}

static void test_remote_failure(void **state)
{
	struct broker b = {0};
	struct events ev = {0};
	struct done d = {0};
	struct nwg_msg *m = nwg_msg_fake_open("q-test", handler, &ev, publish, &b);

	(void)state;
	assert_int_equal(nwg_msg_call_async(m, "q-plugin", NULL, "hub_realized", "1.0", NULL, 5000,
					    on_reply, &d, NULL),
			 0);
	reply(m, msg_id_of(&b, 0, NULL), NULL, "InvalidInput");
	assert_int_equal(nwg_msg_poll(m, 0, NULL), 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.rc, -EREMOTEIO);
	assert_string_equal(d.why, "InvalidInput: bad thing");
	nwg_msg_close(m);
	broker_clear(&b);
}

static void test_timeout(void **state)
{
	struct broker b = {0};
	struct events ev = {0};
	struct done d = {0}, d2 = {0};
	struct nwg_msg *m = nwg_msg_fake_open("q-test", handler, &ev, publish, &b);
	struct timespec ts = {0, 30 * 1000 * 1000};

	(void)state;
	assert_int_equal(nwg_msg_call_async(m, "q-plugin", NULL, "get_hubs", "1.1", NULL, 10,
					    on_reply, &d, NULL),
			 0);
	assert_int_equal(nwg_msg_call_async(m, "q-plugin", NULL, "get_hubs", "1.1", NULL, 60000,
					    on_reply, &d2, NULL),
			 0);
	nanosleep(&ts, NULL);
	assert_int_equal(nwg_msg_poll(m, 0, NULL), 0);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.rc, -ETIMEDOUT);
	assert_string_equal(d.why, "no reply to get_hubs in time");
	assert_int_equal(d2.calls, 0); /* the other call still waits */
	assert_int_equal(nwg_msg_calls_pending(m), 1);
	/* the late reply of the timed-out call is ignored */
	reply(m, msg_id_of(&b, 0, NULL), NULL, NULL);
	assert_int_equal(nwg_msg_poll(m, 0, NULL), 0);
	assert_int_equal(d.calls, 1);
	nwg_msg_close(m); /* the waiting call completes with -ECONNRESET */
	assert_int_equal(d2.calls, 1);
	assert_int_equal(d2.rc, -ECONNRESET);
	broker_clear(&b);
}

static void test_broker_loss(void **state)
{
	struct broker b = {0};
	struct events ev = {0};
	struct done d[3] = {{0}};
	struct nwg_msg *m = nwg_msg_fake_open("q-test", handler, &ev, publish, &b);
	struct nwg_err err = {{0}};

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(nwg_msg_call_async(m, "q-plugin", NULL, "hub_realized", "1.0",
						    NULL, 60000, on_reply, &d[i], NULL),
				 0);
	nwg_msg_fake_break(m, "socket closed");
	assert_int_equal(nwg_msg_poll(m, 0, &err), -ECONNRESET);
	assert_non_null(strstr(err.msg, "socket closed"));
	/* a call on a broken connection is refused, not queued */
	assert_int_equal(
	    nwg_msg_call_async(m, "q-plugin", NULL, "x", "1.0", NULL, 60000, on_reply, &d[0], NULL),
	    -ECONNRESET);
	nwg_msg_close(m);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_int_equal(d[i].rc, -ECONNRESET);
		assert_non_null(strstr(d[i].why, "socket closed"));
	}
	broker_clear(&b);
}

static void test_publish_failure(void **state)
{
	struct broker b = {.fail = -ECONNRESET};
	struct events ev = {0};
	struct done d = {0};
	struct nwg_msg *m = nwg_msg_fake_open("q-test", handler, &ev, publish, &b);

	(void)state;
	assert_int_equal(
	    nwg_msg_call_async(m, "q-plugin", NULL, "x", "1.0", NULL, 1000, on_reply, &d, NULL),
	    -ECONNRESET);
	assert_int_equal(nwg_msg_calls_pending(m), 0);
	nwg_msg_close(m);
	assert_int_equal(d.calls, 0); /* refused calls never complete */
	assert_int_equal(
	    nwg_msg_call_async(NULL, "q", NULL, "x", "1.0", NULL, 1, on_reply, &d, NULL), -EINVAL);
}

/* 1,000 calls in flight at once, answered in reverse order. */
static void test_pipelined(void **state)
{
	enum { N = 1000 };
	struct broker b = {0};
	struct events ev = {0};
	struct done *d = calloc(N, sizeof(*d));
	struct nwg_msg *m = nwg_msg_fake_open("q-test", handler, &ev, publish, &b);
	json_t *r = json_string("ok");

	(void)state;
	for (int i = 0; i < N; i++)
		assert_int_equal(nwg_msg_call_async(m, "q-plugin", NULL, "hub_realized", "1.0",
						    NULL, 60000, on_reply, &d[i], NULL),
				 0);
	assert_int_equal(nwg_msg_calls_pending(m), N);
	for (int i = N - 1; i >= 0; i--)
		reply(m, msg_id_of(&b, (size_t)i, NULL), r, NULL);
	/* at most 64 completions per poll: the loop keeps turning */
	assert_int_equal(nwg_msg_poll(m, 0, NULL), 0);
	assert_int_equal(nwg_msg_calls_pending(m), N - 64);
	for (int k = 0; k < N && nwg_msg_calls_pending(m); k++)
		assert_int_equal(nwg_msg_poll(m, 0, NULL), 0);
	for (int i = 0; i < N; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_int_equal(d[i].rc, 0);
	}
	nwg_msg_close(m);
	json_decref(r);
	free(d);
	broker_clear(&b);
}

static void test_deliveries(void **state)
{
	struct broker b = {0};
	struct events ev = {0};
	struct nwg_msg *m = nwg_msg_fake_open("q-test", handler, &ev, publish, &b);
	json_t *args = json_pack("{s:[s]}", "port_ids", "x");
	char *body;
	size_t len;

	(void)state;
	assert_int_equal(
	    nwg_msg_encode_request("hubs_changed", "1.0", args, NULL, NULL, &body, &len), 0);
	nwg_msg_fake_deliver(m, false, body, len);
	nwg_msg_fake_deliver(m, false, "{not json", 9);
	nwg_msg_fake_deliver(m, false, NULL, 0); /* dropped for its size */
	assert_int_equal(ev.n, 0);
	assert_int_equal(nwg_msg_poll(m, 0, NULL), 0);
	assert_int_equal(ev.n, 3);
	assert_int_equal(ev.lost, 2);
	assert_string_equal(ev.reason, "message larger than 4 MiB dropped");
	free(body);
	json_decref(args);
	nwg_msg_close(m);
	broker_clear(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_call_reply),	    cmocka_unit_test(test_remote_failure),
	    cmocka_unit_test(test_timeout),	    cmocka_unit_test(test_broker_loss),
	    cmocka_unit_test(test_publish_failure), cmocka_unit_test(test_pipelined),
	    cmocka_unit_test(test_deliveries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
