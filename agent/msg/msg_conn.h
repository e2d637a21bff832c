/* SPDX-License-Identifier: Apache-2.0 */
/* The AMQP connection behind struct nwg_msg (agent/msg_*.c internals). */
#ifndef NWG_AGENT_MSG_CONN_H
#define NWG_AGENT_MSG_CONN_H

#include <amqp.h>
#include <stdbool.h>
#include <stdint.h>

#include "msg/msg.h"
#include "msg/msg_int.h"

#define MSG_CHANNEL	  1
#define MSG_MAX_CONSUMERS 32
#define MSG_MAX_PENDING	  1024		      /* deliveries queued during a call */
#define MSG_MAX_PENDING_B (32u * 1024 * 1024) /* and their bytes */
#define MSG_SEEN	  64		      /* _unique_id duplicate cache */

struct msg_consumer {
	char *topic;
	char *queue;
	char *tag;
	bool reply;
};

struct msg_pending {
	struct msg_pending *next;
	int cons;
	uint64_t dtag;
	char *body; /* NULL: dropped because too large */
	size_t len;
};

struct msg_delivery {
	bool active, have_header, skip;
	int cons;
	uint64_t dtag;
	size_t size, got;
	char *buf;
};

#define MSG_CALL_BUCKETS 256

/* An asynchronous call (msg/pending.c). */
struct msg_call {
	struct msg_call *next; /* bucket chain, then the done FIFO */
	char msg_id[NWG_UUID_HEX_LEN + 1];
	char method[64];
	long long deadline_ms;
	nwg_msg_reply_cb cb;
	void *ctx;
	int rc;
	json_t *result;
	char why[240];
};

struct msg_calls {
	struct msg_call *bucket[MSG_CALL_BUCKETS];
	struct msg_call *done, *done_tail; /* completed, callbacks not yet run */
	size_t n;			   /* in buckets + done */
};

struct nwg_msg {
	amqp_connection_state_t conn;
	char *exchange, *host;
	bool durable, auto_delete, exchange_declared, broken, in_call;
	int ttl_s;
	nwg_msg_handler h;
	void *ctx;
	char reply_q[6 + NWG_UUID_HEX_LEN + 1];
	struct msg_consumer cons[MSG_MAX_CONSUMERS];
	int n_cons;
	struct msg_pending *head, *tail;
	size_t n_pending, pending_bytes;
	unsigned dropped;
	struct msg_delivery cur;
	const char *wait_msg_id; /* the call being waited for */
	struct nwg_msg_in *wait_reply;
	bool wait_done;
	char seen[MSG_SEEN][NWG_UUID_HEX_LEN + 1];
	unsigned seen_pos;
	char broken_why[160];
	struct msg_calls calls;
	/* msg/fake.c (tests): no broker; publishes go to this hook */
	int (*fake_publish)(void *fctx, const char *exchange, const char *rkey, const char *body,
			    size_t len);
	void *fake_ctx;
	uint64_t fake_dtag;
};

/* msg_conn.c */
int msg_rpc_check(struct nwg_msg *m, const char *what, struct nwg_err *err);
int msg_broken(struct nwg_msg *m, struct nwg_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* msg_declare.c */
int msg_declare_exchange(struct nwg_msg *m, const char *name, const char *type, bool durable,
			 bool auto_delete, struct nwg_err *err);
int msg_declare_reply(struct nwg_msg *m, struct nwg_err *err);
/* msg_frames.c: reads at most one frame (0 on timeout, 1 on a frame). */
int msg_pump(struct nwg_msg *m, int timeout_ms, struct nwg_err *err);
bool msg_seen(struct nwg_msg *m, const char *unique_id);
void msg_delivery_reset(struct msg_delivery *d);
/* msg_dispatch.c */
void msg_route(struct nwg_msg *m, int cons, uint64_t dtag, char *body, size_t len);
int msg_dispatch_pending(struct nwg_msg *m, int max);
void msg_pending_free(struct nwg_msg *m);
/* msg/pending.c */
int msg_calls_add(struct msg_calls *c, const char *msg_id, const char *method,
		  long long deadline_ms, nwg_msg_reply_cb cb, void *ctx);
/* A decoded reply: true when it completed a pending call (in is consumed). */
bool msg_calls_reply(struct msg_calls *c, struct nwg_msg_in *in);
/* Moves calls past their deadline to the done FIFO with -ETIMEDOUT. */
void msg_calls_expire(struct msg_calls *c, long long now_ms);
/* Moves every call still waiting to the done FIFO with rc/why. */
void msg_calls_fail_all(struct msg_calls *c, int rc, const char *why);
/* Runs up to max completions; returns how many ran. */
int msg_calls_run(struct msg_calls *c, int max);
long long msg_calls_next_deadline(const struct msg_calls *c);
long long msg_now_ms(void);
/* msg_call.c */
int msg_publish(struct nwg_msg *m, const char *exchange, const char *rkey, const char *body,
		size_t len, int expiration_ms, struct nwg_err *err);

#endif
