/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: arbitrary bodies on the reply queue and a request queue of a
 * connection (fake broker) with asynchronous calls pending: every call
 * completes exactly once (here: when the connection closes, at the latest). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "msg/fake.h"
#include "msg/msg.h"

static int publish(void *ctx, const char *exchange, const char *rkey, const char *body, size_t len)
{
	(void)ctx;
	(void)exchange;
	(void)rkey;
	(void)body;
	(void)len;
	return 0;
}

static void handler(void *ctx, const char *topic, const char *method, json_t *args,
		    const char *reason)
{
	(void)ctx;
	(void)topic;
	if (!method && !reason)
		__builtin_trap(); /* a lost message always says why */
	if (method && !json_is_object(args))
		__builtin_trap();
}

static void on_reply(void *ctx, int rc, json_t *result, const char *why)
{
	int *done = ctx;

	(*done)++;
	if ((rc == 0) != (result != NULL) || (rc < 0 && !why))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nwg_msg *m = nwg_msg_fake_open("q-fuzz", handler, NULL, publish, NULL);
	int done[4] = {0};

	if (!m)
		return 0;
	for (int i = 0; i < 4; i++)
		nwg_msg_call_async(m, "q-plugin", NULL, "get_hubs", "1.1", NULL, 60000, on_reply,
				   &done[i], NULL);
	nwg_msg_fake_deliver(m, true, (const char *)data, size);
	nwg_msg_fake_deliver(m, false, (const char *)data, size);
	nwg_msg_poll(m, 0, NULL);
	nwg_msg_close(m);
	for (int i = 0; i < 4; i++) {
		if (done[i] != 1)
			__builtin_trap();
	}
	return 0;
}
