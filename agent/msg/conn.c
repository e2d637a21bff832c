/* SPDX-License-Identifier: Apache-2.0 */
/* Connection set-up and tear-down (rabbitmq-c), TLS, login, errors. */
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "msg/msg_conn.h"

#define CONNECT_TIMEOUT_S 5
#define RPC_TIMEOUT_S	  30
#define FRAME_MAX	  131072

int msg_broken(struct nwg_msg *m, struct nwg_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!m->broken) {
		va_start(ap, fmt);
		vsnprintf(m->broken_why, sizeof(m->broken_why), fmt, ap);
		va_end(ap);
		m->broken = true;
	}
	return nwg_err_set(err, ECONNRESET, "AMQP connection lost: %s", m->broken_why);
}

static void describe_reply(amqp_rpc_reply_t r, char *buf, size_t cap)
{
	const amqp_bytes_t *text = NULL;
	unsigned code = 0;

	if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
		snprintf(buf, cap, "%s", amqp_error_string2(r.library_error));
		return;
	}
	if (r.reply_type != AMQP_RESPONSE_SERVER_EXCEPTION || !r.reply.decoded) {
		snprintf(buf, cap, "no reply");
		return;
	}
	if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
		const amqp_channel_close_t *c = r.reply.decoded;

		code = c->reply_code;
		text = &c->reply_text;
	} else if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
		const amqp_connection_close_t *c = r.reply.decoded;

		code = c->reply_code;
		text = &c->reply_text;
	}
	if (text)
		snprintf(buf, cap, "%u %.*s", code, (int)(text->len > 120 ? 120 : text->len),
			 (const char *)text->bytes);
	else
		snprintf(buf, cap, "unexpected method 0x%08x", r.reply.id);
}

/* After a synchronous method: 0, or the channel/connection is unusable and
 * the error names what failed (e.g. "406 PRECONDITION_FAILED - ..."). */
int msg_rpc_check(struct nwg_msg *m, const char *what, struct nwg_err *err)
{
	amqp_rpc_reply_t r = amqp_get_rpc_reply(m->conn);
	char why[160];

	if (r.reply_type == AMQP_RESPONSE_NORMAL)
		return 0;
	describe_reply(r, why, sizeof(why));
	msg_broken(m, NULL, "%s: %s", what, why);
	return nwg_err_set(err,
			   r.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION ? EPROTO : ECONNRESET,
			   "%s: %s", what, why);
}

static int ssl_setup(amqp_socket_t *s, const struct nwg_msg_opts *o, struct nwg_err *err)
{
	/* Like oslo: verify the broker only when a CA file is configured. */
	amqp_ssl_socket_set_verify_peer(s, o->ssl_ca_file != NULL);
	amqp_ssl_socket_set_verify_hostname(s, o->ssl_ca_file != NULL);
	if (o->ssl_ca_file && amqp_ssl_socket_set_cacert(s, o->ssl_ca_file) != AMQP_STATUS_OK)
		return nwg_err_set(err, EINVAL, "ssl_ca_file %s: cannot load", o->ssl_ca_file);
	if (o->ssl_cert_file && o->ssl_key_file &&
	    amqp_ssl_socket_set_key(s, o->ssl_cert_file, o->ssl_key_file) != AMQP_STATUS_OK)
		return nwg_err_set(err, EINVAL, "ssl_cert_file/ssl_key_file: cannot load");
	return 0;
}

static amqp_table_t client_props(amqp_table_entry_t *e, amqp_table_entry_t *caps,
				 amqp_table_t *cap_table)
{
	caps[0].key = amqp_cstring_bytes("consumer_cancel_notify");
	caps[0].value.kind = AMQP_FIELD_KIND_BOOLEAN;
	caps[0].value.value.boolean = 1;
	caps[1].key = amqp_cstring_bytes("authentication_failure_close");
	caps[1].value.kind = AMQP_FIELD_KIND_BOOLEAN;
	caps[1].value.value.boolean = 1;
	cap_table->num_entries = 2;
	cap_table->entries = caps;
	e[0].key = amqp_cstring_bytes("capabilities");
	e[0].value.kind = AMQP_FIELD_KIND_TABLE;
	e[0].value.value.table = *cap_table;
	e[1].key = amqp_cstring_bytes("connection_name");
	e[1].value.kind = AMQP_FIELD_KIND_UTF8;
	e[1].value.value.bytes = amqp_cstring_bytes("neutron-wireguard-agent");
	return (amqp_table_t){.num_entries = 2, .entries = e};
}

static int login(struct nwg_msg *m, const struct nwg_msg_opts *o, const struct nwg_msg_host *h,
		 struct nwg_err *err)
{
	amqp_table_entry_t e[2], caps[2];
	amqp_table_t cap_table, props = client_props(e, caps, &cap_table);
	int hb = o->heartbeat_timeout_s > 0 ? o->heartbeat_timeout_s / 2 : 0;
	amqp_rpc_reply_t r;
	char why[160];

	if (o->heartbeat_timeout_s > 0 && hb == 0)
		hb = 1;
	r = amqp_login_with_properties(m->conn, o->vhost ? o->vhost : "/", 0, FRAME_MAX, hb, &props,
				       AMQP_SASL_METHOD_PLAIN, h->user ? h->user : "",
				       h->password ? h->password : "");
	if (r.reply_type != AMQP_RESPONSE_NORMAL) {
		describe_reply(r, why, sizeof(why));
		return nwg_err_set(err, ECONNREFUSED, "%s:%d: login as %s: %s", h->host, h->port,
				   h->user ? h->user : "", why);
	}
	amqp_channel_open(m->conn, MSG_CHANNEL);
	return msg_rpc_check(m, "channel.open", err);
}

static int connect_host(struct nwg_msg *m, const struct nwg_msg_opts *o,
			const struct nwg_msg_host *h, struct nwg_err *err)
{
	struct timeval ct = {CONNECT_TIMEOUT_S, 0}, rt = {RPC_TIMEOUT_S, 0};
	amqp_socket_t *s;
	int rc;

	m->conn = amqp_new_connection();
	if (!m->conn)
		return nwg_err_set(err, ENOMEM, "out of memory");
	s = o->ssl ? amqp_ssl_socket_new(m->conn) : amqp_tcp_socket_new(m->conn);
	if (!s)
		return nwg_err_set(err, ENOMEM, "cannot create AMQP socket");
	if (o->ssl && (rc = ssl_setup(s, o, err)) < 0)
		return rc;
	rc = amqp_socket_open_noblock(s, h->host, h->port, &ct);
	if (rc != AMQP_STATUS_OK)
		return nwg_err_set(err, ECONNREFUSED, "%s:%d: %s", h->host, h->port,
				   amqp_error_string2(rc));
	amqp_set_handshake_timeout(m->conn, &rt);
	amqp_set_rpc_timeout(m->conn, &rt);
	m->broken = false;
	return login(m, o, h, err);
}

static void conn_destroy(struct nwg_msg *m)
{
	if (!m->conn)
		return;
	if (!m->broken) {
		amqp_channel_close(m->conn, MSG_CHANNEL, AMQP_REPLY_SUCCESS);
		amqp_connection_close(m->conn, AMQP_REPLY_SUCCESS);
	}
	amqp_destroy_connection(m->conn);
	m->conn = NULL;
}

static int msg_init(struct nwg_msg *m, const struct nwg_msg_opts *o, nwg_msg_handler h, void *ctx)
{
	m->exchange = strdup(o->control_exchange ? o->control_exchange : "neutron");
	m->host = strdup(o->host ? o->host : "localhost");
	m->durable = o->amqp_durable_queues;
	m->auto_delete = o->amqp_auto_delete;
	m->ttl_s = o->transient_queues_ttl_s > 0 ? o->transient_queues_ttl_s : 1800;
	m->h = h;
	m->ctx = ctx;
	return m->exchange && m->host ? 0 : -ENOMEM;
}

int nwg_msg_open(struct nwg_msg **out, const struct nwg_msg_opts *opts, nwg_msg_handler h,
		 void *ctx, struct nwg_err *err)
{
	struct nwg_msg *m;
	int rc = -EHOSTUNREACH;

	if (!out || !opts || !h || !opts->n_hosts || !opts->hosts)
		return nwg_err_set(err, EINVAL, "msg open: missing argument or host");
	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m || msg_init(m, opts, h, ctx) < 0) {
		nwg_msg_close(m);
		return nwg_err_set(err, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < opts->n_hosts; i++) {
		rc = connect_host(m, opts, &opts->hosts[i], err);
		if (rc == 0)
			rc = msg_declare_reply(m, err);
		if (rc == 0)
			break;
		m->broken = true;
		conn_destroy(m);
	}
	if (rc < 0) {
		nwg_msg_close(m);
		return rc;
	}
	*out = m;
	return 0;
}

void nwg_msg_close(struct nwg_msg *m)
{
	if (!m)
		return;
	conn_destroy(m);
	msg_calls_fail_all(&m->calls, -ECONNRESET,
			   m->broken_why[0] ? m->broken_why : "connection closed");
	while (msg_calls_run(&m->calls, 1024) > 0)
		;
	msg_pending_free(m);
	msg_delivery_reset(&m->cur);
	for (int i = 0; i < m->n_cons; i++) {
		free(m->cons[i].topic);
		free(m->cons[i].queue);
		free(m->cons[i].tag);
	}
	free(m->exchange);
	free(m->host);
	free(m);
}

int nwg_msg_fd(const struct nwg_msg *m)
{
	if (!m || !m->conn)
		return -EINVAL;
	return amqp_get_sockfd(m->conn);
}
