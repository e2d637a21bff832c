/* SPDX-License-Identifier: Apache-2.0 */
/* A connection without a broker, for unit tests of everything above the
 * AMQP frames: publishes are handed to a hook, deliveries are injected. */
#ifndef NWG_AGENT_MSG_FAKE_H
#define NWG_AGENT_MSG_FAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "msg/msg.h"

typedef int (*nwg_msg_fake_publish)(void *ctx, const char *exchange, const char *rkey,
				    const char *body, size_t len);

/* Consumers: a reply queue and a topic consumer for `topic`. */
struct nwg_msg *nwg_msg_fake_open(const char *topic, nwg_msg_handler h, void *hctx,
				  nwg_msg_fake_publish pub, void *pctx);
/* Injects one delivery (copied) on the reply queue or the topic consumer;
 * body NULL = a delivery dropped for its size. */
void nwg_msg_fake_deliver(struct nwg_msg *m, bool reply, const char *body, size_t len);
/* The broker went away: the next poll returns -ECONNRESET. */
void nwg_msg_fake_break(struct nwg_msg *m, const char *why);
/* A reply body for msg_id: result (borrowed, NULL = null) or failure
 * "Class"/"message" when cls is set. malloc'd. */
char *nwg_msg_fake_reply(const char *msg_id, json_t *result, const char *cls, const char *msg,
			 size_t *len);

#endif
