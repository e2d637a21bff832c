/* SPDX-License-Identifier: Apache-2.0 */
/* Asynchronous calls waiting for their reply, keyed by _msg_id: a hash of
 * chains for the lookup, a FIFO of completions that nwg_msg_poll runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg/msg_conn.h"

long long msg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned bucket_of(const char *msg_id)
{
	unsigned h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)msg_id; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % MSG_CALL_BUCKETS;
}

int msg_calls_add(struct msg_calls *c, const char *msg_id, const char *method,
		  long long deadline_ms, nwg_msg_reply_cb cb, void *ctx)
{
	struct msg_call *k;
	unsigned b;

	if (!msg_id || strlen(msg_id) > NWG_UUID_HEX_LEN || !cb)
		return -EINVAL;
	if (c->n >= NWG_MSG_MAX_CALLS)
		return -EBUSY;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	snprintf(k->msg_id, sizeof(k->msg_id), "%s", msg_id);
	snprintf(k->method, sizeof(k->method), "%s", method ? method : "?");
	k->deadline_ms = deadline_ms;
	k->cb = cb;
	k->ctx = ctx;
	b = bucket_of(msg_id);
	k->next = c->bucket[b];
	c->bucket[b] = k;
	c->n++;
	return 0;
}

static void push_done(struct msg_calls *c, struct msg_call *k)
{
	k->next = NULL;
	if (c->done_tail)
		c->done_tail->next = k;
	else
		c->done = k;
	c->done_tail = k;
}

/* "Class: message" from the failure JSON string. */
static void remote_error(struct msg_call *k, const char *failure)
{
	json_t *f = json_loads(failure, 0, NULL);
	const char *cls = json_string_value(json_object_get(f, "class"));
	const char *msg = json_string_value(json_object_get(f, "message"));

	if (cls)
		snprintf(k->why, sizeof(k->why), "%.60s: %.170s", cls, msg ? msg : "");
	else
		snprintf(k->why, sizeof(k->why), "%.60s: remote error: %.160s", k->method, failure);
	json_decref(f);
	k->rc = -EREMOTEIO;
}

bool msg_calls_reply(struct msg_calls *c, struct nwg_msg_in *in)
{
	struct msg_call **pp;

	/* heartbeats (ending false, no failure) and stale replies are ignored */
	if (in->method || !in->msg_id || (!in->ending && !in->failure))
		return false;
	for (pp = &c->bucket[bucket_of(in->msg_id)]; *pp; pp = &(*pp)->next) {
		struct msg_call *k = *pp;

		if (strcmp(k->msg_id, in->msg_id) != 0)
			continue;
		*pp = k->next;
		if (in->failure)
			remote_error(k, in->failure);
		else
			k->result = json_incref(in->result ? in->result : json_null());
		push_done(c, k);
		nwg_msg_in_clear(in);
		return true;
	}
	return false;
}

static void fail_where(struct msg_calls *c, bool all, long long now_ms, int rc, const char *why)
{
	for (unsigned b = 0; b < MSG_CALL_BUCKETS; b++) {
		struct msg_call **pp = &c->bucket[b];

		while (*pp) {
			struct msg_call *k = *pp;

			if (!all && k->deadline_ms > now_ms) {
				pp = &k->next;
				continue;
			}
			*pp = k->next;
			k->rc = rc;
			if (all)
				snprintf(k->why, sizeof(k->why), "%.60s: %.170s", k->method, why);
			else
				snprintf(k->why, sizeof(k->why), "no reply to %.60s in time",
					 k->method);
			push_done(c, k);
		}
	}
}

void msg_calls_expire(struct msg_calls *c, long long now_ms)
{
	if (c->n && msg_calls_next_deadline(c) <= now_ms)
		fail_where(c, false, now_ms, -ETIMEDOUT, NULL);
}

void msg_calls_fail_all(struct msg_calls *c, int rc, const char *why)
{
	fail_where(c, true, 0, rc, why ? why : "connection closed");
}

int msg_calls_run(struct msg_calls *c, int max)
{
	int n = 0;

	while (c->done && n < max) {
		struct msg_call *k = c->done;

		c->done = k->next;
		if (!c->done)
			c->done_tail = NULL;
		c->n--;
		k->cb(k->ctx, k->rc, k->rc == 0 ? k->result : NULL, k->rc == 0 ? NULL : k->why);
		json_decref(k->result);
		free(k);
		n++;
	}
	return n;
}

long long msg_calls_next_deadline(const struct msg_calls *c)
{
	long long d = -1;

	if (c->done)
		return 0;
	for (unsigned b = 0; c->n && b < MSG_CALL_BUCKETS; b++) {
		for (const struct msg_call *k = c->bucket[b]; k; k = k->next) {
			if (d < 0 || k->deadline_ms < d)
				d = k->deadline_ms;
		}
	}
	return d;
}
