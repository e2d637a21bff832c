/* SPDX-License-Identifier: Apache-2.0 */
#include "ha/stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent.h"
#include "log/log.h"
#include "privsep/hostops.h"
#include "reconcile/actual.h"

#define SOCK_BUF (4 << 20)

void nwg_ha_stream_init(struct nwg_ha_stream *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static void shub_free(struct nwg_ha_shub *h)
{
	nwg_ha_asm_free(&h->asm_);
	free(h->eps);
	h->eps = NULL;
	h->n_eps = 0;
}

void nwg_ha_stream_fini(struct nwg_ha_stream *s)
{
	for (size_t i = 0; i < s->n; i++)
		shub_free(&s->v[i]);
	free(s->v);
	if (s->fd >= 0)
		close(s->fd);
	nwg_ha_stream_init(s);
}

/* The receiving socket only: datagrams are sealed and opened on the
 * privileged side (hostops.h stream_seal / stream_open), which alone holds
 * the node's enrollment private key. */
static int open_socket(struct nwg_agent *a, struct nwg_ha_stream *s)
{
	union nwg_endpoint b = {0};
	int buf = SOCK_BUF, fam = strchr(a->conf.ha.stream_peer, ':') ? AF_INET6 : AF_INET;
	int fd, r;

	fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	b.sa.sa_family = (sa_family_t)fam;
	if (fam == AF_INET)
		b.sin.sin_port = htons((uint16_t)a->conf.ha.stream_port);
	else
		b.sin6.sin6_port = htons((uint16_t)a->conf.ha.stream_port);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (bind(fd, &b.sa, fam == AF_INET ? sizeof(b.sin) : sizeof(b.sin6)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	s->fd = fd;
	return 0;
}

static struct nwg_ha_shub *find(const struct nwg_ha_stream *s, const char *port_id)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].port_id, port_id) == 0)
			return &s->v[i];
	}
	return NULL;
}

/* The hub's link from its record's view (through the seam: no record is
 * loaded here). */
static void add(struct nwg_agent *a, struct nwg_ha_stream *s, const struct nwg_hubstate *st)
{
	const char *ids[] = {st->port_id};
	const struct nwg_hub_view *rec;
	struct nwg_actual *act = NULL;
	struct nwg_ha_shub *v, *h;

	if (nwg_hostops_records(a, ids, 1, &act, NULL) < 0)
		return; /* the next refresh */
	if (!(rec = nwg_actual_find_record(act, st->port_id)) ||
	    !(v = realloc(s->v, (s->n + 1) * sizeof(*v)))) {
		nwg_actual_free(act); /* not realized yet: the next refresh */
		return;
	}
	s->v = v;
	h = &v[s->n++];
	memset(h, 0, sizeof(*h));
	snprintf(h->port_id, sizeof(h->port_id), "%s", st->port_id);
	snprintf(h->ifname, sizeof(h->ifname), "%s", rec->ifname);
	snprintf(h->netns, sizeof(h->netns), "%s", rec->netns);
	h->peer = st->ha_peer;
	nwg_ha_asm_init(&h->asm_);
	h->live = true;
	nwg_actual_free(act);
}

void nwg_ha_stream_refresh(struct nwg_agent *a, struct nwg_ha_stream *s)
{
	size_t j = 0;
	int r;

	if (!a->conf.ha.stream_peer[0])
		return;
	for (size_t i = 0; i < s->n; i++)
		s->v[i].live = false;
	for (size_t i = 0; i < a->hubs.n; i++) {
		const struct nwg_hubstate *st = &a->hubs.v[i];
		struct nwg_ha_shub *h;

		if (!st->ha_hub || !st->ha_has_peer)
			continue;
		h = find(s, st->port_id);
		if (h && !nwg_key_equal(&h->peer, &st->ha_peer)) {
			h->peer = st->ha_peer; /* the peer node re-enrolled */
			shub_free(h);
			nwg_ha_asm_init(&h->asm_);
		}
		if (h)
			h->live = true;
		else
			add(a, s, st);
	}
	for (size_t i = 0; i < s->n; i++) { /* drop hubs no longer HA here */
		if (s->v[i].live)
			s->v[j++] = s->v[i];
		else
			shub_free(&s->v[i]);
	}
	s->n = j;
	if (s->n && s->fd < 0 && !s->failed && (r = open_socket(a, s)) < 0) {
		s->failed = true; /* logged once; the agent runs on without a stream */
		log_err("HA stream: cannot open UDP port %u: %s; takeovers use Neutron's "
			"endpoints only",
			a->conf.ha.stream_port, strerror(-r));
	}
}

size_t nwg_ha_stream_cached(const struct nwg_ha_stream *s, const char *port_id,
			    const struct nwg_ha_ep **out)
{
	const struct nwg_ha_shub *h = find(s, port_id);

	*out = h ? h->eps : NULL;
	return h ? h->n_eps : 0;
}

/* One hub's snapshot: read, sealed and sent by the privileged side. */
static void send_hub(struct nwg_agent *a, struct nwg_ha_stream *s, const struct nwg_ha_shub *h)
{
	struct nwg_err err = {{0}};
	size_t sent = 0, eps = 0;
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);
	int r = ops->stream_seal(ctx, h->port_id, &h->peer, &sent, &eps, &err);

	s->sent += sent;
	if (r < 0)
		log_debug("HA stream: hub %s: %s", h->port_id, err.msg[0] ? err.msg : strerror(-r));
}

int64_t nwg_ha_stream_send_due(struct nwg_agent *a, struct nwg_ha_stream *s, int64_t now)
{
	if (s->fd < 0)
		return 0;
	if (now >= s->next_send_ms) {
		for (size_t i = 0; i < s->n; i++)
			send_hub(a, s, &s->v[i]);
		s->next_send_ms = now + a->conf.ha.stream_interval_ms;
	}
	return s->next_send_ms;
}

/* A complete snapshot: parsed with the one strict grammar, then kept. */
static void apply(struct nwg_ha_stream *s, struct nwg_ha_shub *h, const char *text, size_t len)
{
	struct nwg_ha_ep *v = NULL;
	struct nwg_err err = {{0}};
	size_t n = 0;

	if (nwg_ha_parse(text, len, &v, &n, &err) < 0) {
		log_warn("HA stream: hub %s: dropped a snapshot: %s", h->port_id, err.msg);
		return;
	}
	if (!h->eps)
		log_info("HA stream: hub %s: first snapshot from the active node (%zu endpoints)",
			 h->port_id, n);
	free(h->eps);
	h->eps = v;
	h->n_eps = n;
	s->snapshots++;
}

/* One datagram: the hub it names (opened on the privileged side, tried
 * against each HA hub's peer key), its chunk reassembled here. */
static void one(struct nwg_agent *a, struct nwg_ha_stream *s, const uint8_t *msg, size_t len)
{
	uint64_t now = nwg_ha_seq_now();
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);

	for (size_t i = 0; i < s->n; i++) {
		struct nwg_ha_shub *h = &s->v[i];
		struct nwg_ha_chunk_out ch;
		char *all = NULL;
		size_t alen = 0;
		int r = ops->stream_open(ctx, h->port_id, &h->peer, nwg_ha_asm_floor(&h->asm_, now),
					 msg, len, &ch, NULL);

		if (r == -EXDEV || r == -EACCES)
			continue; /* another hub's (or another peer's) */
		if (r < 0)
			return;
		if (!ch.text && !(ch.text = strdup(""))) /* an empty snapshot */
			return;
		r = nwg_ha_asm_add(&h->asm_, ch.seq, &ch.c, ch.text, ch.len, &all, &alen);
		if (r == 1)
			apply(s, h, all, alen);
		free(all);
		return;
	}
}

void nwg_ha_stream_receive(struct nwg_agent *a, struct nwg_ha_stream *s)
{
	static uint8_t msg[NWG_HA_MSG_MAX + 1];
	ssize_t got;

	while (s->fd >= 0 && (got = recv(s->fd, msg, sizeof(msg), MSG_DONTWAIT)) > 0) {
		s->received++;
		if ((size_t)got <= NWG_HA_MSG_MAX)
			one(a, s, msg, (size_t)got);
	}
}
