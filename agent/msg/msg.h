/* SPDX-License-Identifier: Apache-2.0 */
/* oslo.messaging (rabbit driver, Zed) over AMQP 0-9-1 with rabbitmq-c. */
#ifndef NWG_AGENT_MSG_H
#define NWG_AGENT_MSG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "nwg/err.h"

struct nwg_msg_host {
	char *host;
	int port;
	char *user;
	char *password; /* never logged */
};

struct nwg_msg_opts {
	struct nwg_msg_host *hosts; /* from [DEFAULT] transport_url, tried in order */
	size_t n_hosts;
	char *vhost;		  /* "/" when the URL has none */
	char *control_exchange;	  /* [DEFAULT] control_exchange, default "neutron" */
	char *host;		  /* [DEFAULT] host (server name for <topic>.<host>) */
	bool amqp_durable_queues; /* [oslo_messaging_rabbit] */
	bool amqp_auto_delete;
	int transient_queues_ttl_s; /* rabbit_transient_queues_ttl, default 1800 */
	int heartbeat_timeout_s;    /* heartbeat_timeout_threshold, default 60 (0 = off) */
	int rpc_response_timeout_s; /* [DEFAULT] rpc_response_timeout, default 60 */
	bool ssl;		    /* [oslo_messaging_rabbit] ssl */
	char *ssl_ca_file, *ssl_cert_file, *ssl_key_file;
};

/* Parses "rabbit://u:p@h1:5672,u:p@h2:5672/vhost". */
int nwg_msg_parse_transport_url(struct nwg_msg_opts *opts, const char *url, struct nwg_err *err);
void nwg_msg_opts_clear(struct nwg_msg_opts *opts); /* frees, wipes passwords */

/* ---- envelope (pure; oslo.version 2.0, double-encoded oslo.message) ---- */

struct nwg_msg_in {
	char *method;	 /* NULL for replies */
	json_t *args;	 /* owned; {} when absent */
	char *msg_id;	 /* _msg_id (calls and replies), else NULL */
	char *reply_q;	 /* _reply_q (calls), else NULL */
	char *unique_id; /* _unique_id */
	json_t *result;	 /* replies: owned, may be json null */
	char *failure;	 /* replies: the remote failure JSON string, else NULL */
	bool ending;	 /* replies */
};
/* Decodes a body. Rejects (-EBADMSG, reason in err) anything not an object,
 * a wrong oslo.version, a non-string oslo.message, invalid inner JSON, a
 * non-string method, non-object args. Never crashes on any input. */
int nwg_msg_decode(const void *body, size_t len, struct nwg_msg_in *out, struct nwg_err *err);
void nwg_msg_in_clear(struct nwg_msg_in *m);
/* Encodes a request (admin context fields included). msg_id/reply_q NULL for
 * a cast. *out malloc'd. */
int nwg_msg_encode_request(const char *method, const char *version, json_t *args,
			   const char *msg_id, const char *reply_q, char **out, size_t *len);

/* ---- connection ---- */

struct nwg_msg;

/* Called for every delivery on our consumers that is a request (cast or
 * call). topic = the consumer's topic. A body that fails to decode is
 * reported with method == NULL and reason set (the agent logs it). */
typedef void (*nwg_msg_handler)(void *ctx, const char *topic, const char *method, json_t *args,
				const char *reason);

/* Connects to the first reachable host; declares a reply queue. */
int nwg_msg_open(struct nwg_msg **out, const struct nwg_msg_opts *opts, nwg_msg_handler h,
		 void *ctx, struct nwg_err *err);
/* Completes every pending asynchronous call with -ECONNRESET, then frees. */
void nwg_msg_close(struct nwg_msg *m);

/* Topic consumer on the control exchange: queues <topic> and, when
 * with_host, <topic>.<host>. */
int nwg_msg_consume_topic(struct nwg_msg *m, const char *topic, bool with_host,
			  struct nwg_err *err);
/* Fanout consumer: exchange <topic>_fanout, queue <topic>_fanout_<uuid hex>
 * with x-expires. */
int nwg_msg_consume_fanout(struct nwg_msg *m, const char *topic, struct nwg_err *err);

/* RPC call; args is borrowed. Deliveries for consumers that arrive while
 * waiting are queued and handed to the handler by the next nwg_msg_poll.
 * *result (new reference) on success; a remote failure is -EREMOTEIO with
 * "Class: message" in err; no reply in timeout_ms is -ETIMEDOUT. */
int nwg_msg_call(struct nwg_msg *m, const char *topic, const char *server, const char *method,
		 const char *version, json_t *args, int timeout_ms, json_t **result,
		 struct nwg_err *err);
/* ---- asynchronous calls (the agent's loop never waits for a reply) ---- */

/* Completion of an asynchronous call, run from nwg_msg_poll (or from
 * nwg_msg_close with -ECONNRESET): rc 0 with result (borrowed, may be json
 * null); -EREMOTEIO with why "Class: message"; -ETIMEDOUT when no reply came
 * within the call's timeout; -ECONNRESET when the connection was lost or
 * closed first. Exactly one completion per accepted call. A completion may
 * start new calls, except from nwg_msg_close (the connection is going). */
typedef void (*nwg_msg_reply_cb)(void *ctx, int rc, json_t *result, const char *why);

/* Publishes the request and returns at once; the pending entry is keyed by
 * its _msg_id. -EBUSY when NWG_MSG_MAX_CALLS calls are already pending. */
#define NWG_MSG_MAX_CALLS 16384
int nwg_msg_call_async(struct nwg_msg *m, const char *topic, const char *server, const char *method,
		       const char *version, json_t *args, int timeout_ms, nwg_msg_reply_cb cb,
		       void *ctx, struct nwg_err *err);
/* Calls waiting for a reply or for their completion to run. */
size_t nwg_msg_calls_pending(const struct nwg_msg *m);
/* Earliest deadline (monotonic ms, CLOCK_MONOTONIC) of a pending call, or -1. */
long long nwg_msg_next_deadline(const struct nwg_msg *m);

/* Cast to <topic> (server NULL) or <topic>.<server>. */
int nwg_msg_cast(struct nwg_msg *m, const char *topic, const char *server, const char *method,
		 const char *version, json_t *args, struct nwg_err *err);

/* For poll(): the socket fd of the connection. */
int nwg_msg_fd(const struct nwg_msg *m);
/* Dispatches queued and available deliveries to the handler, runs the
 * completions of answered and timed-out asynchronous calls, services
 * heartbeats, waits at most timeout_ms. A lost connection or basic.cancel of
 * one of our consumers returns -ECONNRESET: the caller closes, reopens with
 * backoff, re-declares consumers and resyncs. */
int nwg_msg_poll(struct nwg_msg *m, int timeout_ms, struct nwg_err *err);

#endif
