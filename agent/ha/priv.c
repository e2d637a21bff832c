/* SPDX-License-Identifier: Apache-2.0 */
#include "ha/priv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/conf.h"
#include "nwg/repo.h"
#include "nwg/rtnl.h"
#include "nwg/seal.h"
#include "nwg/wg.h"

#define STOP_WAIT_MS 2000

struct nwg_ha_priv *nwg_ha_priv_new(void)
{
	struct nwg_ha_priv *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	nwg_vrrp_init(&p->vrrp);
	p->send_fd = -1;
	return p;
}

void nwg_ha_priv_free(struct nwg_ha_priv *p)
{
	if (!p)
		return;
	nwg_vrrp_stop(&p->vrrp, STOP_WAIT_MS);
	if (p->send_fd >= 0)
		close(p->send_fd);
	nwg_key_wipe(&p->enroll);
	free(p);
}

/* keepalived died without giving the VIP up (SIGKILL, a crash): take it
 * off now, so that the other node is the only one holding it. 1 removed,
 * 0 not there. */
static int release_vip(const struct nwg_conf_ha *h, struct nwg_err *err)
{
	struct nwg_rtnl *r = NULL;
	int ret = nwg_rtnl_open(&r, NULL, err);

	if (ret == 0)
		ret = nwg_addr_del(r, h->interface, h->vip, err);
	nwg_rtnl_close(r);
	return ret;
}

static int vrrp_start(struct nwg_ha_priv *p, const struct nwg_conf *c, struct nwg_vrrp_out *out,
		      struct nwg_err *err)
{
	int r;

	if (p->vrrp.pid > 0)
		return nwg_err_set(err, EBUSY, "keepalived runs already (pid %d)",
				   (int)p->vrrp.pid);
	r = nwg_vrrp_start(&p->vrrp, &c->ha, c->state_path, err);
	if (r < 0)
		return r;
	out->pid = (int)p->vrrp.pid;
	out->fifo = fcntl(p->vrrp.fifo, F_DUPFD_CLOEXEC, 3);
	if (out->fifo < 0) {
		r = errno;
		nwg_vrrp_stop(&p->vrrp, STOP_WAIT_MS);
		return nwg_err_set(err, r, "notify FIFO: %s", strerror(r));
	}
	return 0;
}

int nwg_ha_priv_vrrp(struct nwg_ha_priv *p, const struct nwg_conf *c, uint8_t op,
		     struct nwg_vrrp_out *out, struct nwg_err *err)
{
	int r;

	memset(out, 0, sizeof(*out));
	out->fifo = -1;
	if (!p || !c || !c->ha.on)
		return nwg_err_set(err, EOPNOTSUPP, "VRRP: no [wireguard_ha] on this node");
	switch (op) {
	case NWG_VRRP_OP_START:
		return vrrp_start(p, c, out, err);
	case NWG_VRRP_OP_REAP:
		r = nwg_vrrp_reap(&p->vrrp, &out->status);
		out->exited = r == 1;
		return 0;
	case NWG_VRRP_OP_STOP:
		/* the FIFO stays open: the next START's keepalived writes there */
		if (p->vrrp.pid > 0) {
			int fifo = p->vrrp.fifo;

			p->vrrp.fifo = -1;
			nwg_vrrp_stop(&p->vrrp, STOP_WAIT_MS);
			p->vrrp.fifo = fifo;
		}
		return 0;
	case NWG_VRRP_OP_RELEASE_VIP:
		r = release_vip(&c->ha, err);
		out->removed = r == 1;
		return r < 0 ? r : 0;
	default:
		return nwg_err_set(err, EINVAL, "VRRP: op %u", op);
	}
}

/* ---- the endpoint stream ---- */

static int enroll_key(struct nwg_ha_priv *p, const struct nwg_conf *c, struct nwg_err *err)
{
	char path[4200];
	struct nwg_key pub;
	int r;

	if (p->have_enroll)
		return 0;
	if (!c->state_path)
		return nwg_err_set(err, EINVAL, "stream: no state_path");
	snprintf(path, sizeof(path), "%s/enroll.key", c->state_path);
	r = nwg_enroll_load_or_create(path, &p->enroll, &pub);
	if (r < 0)
		return nwg_err_set(err, -r, "stream: enrollment key %s: %s", path, strerror(-r));
	p->have_enroll = true;
	return 0;
}

static int peer_addr(const struct nwg_conf_ha *h, union nwg_endpoint *to)
{
	char buf[INET6_ADDRSTRLEN + 16];

	snprintf(buf, sizeof(buf), strchr(h->stream_peer, ':') ? "[%s]:%u" : "%s:%u",
		 h->stream_peer, h->stream_port);
	return nwg_endpoint_parse(to, buf);
}

struct send_ctx {
	int fd;
	union nwg_endpoint to;
	size_t sent;
};

/* non-blocking: a full socket buffer costs this snapshot's datagram only */
static int emit(void *ctx, const uint8_t *msg, size_t len)
{
	struct send_ctx *s = ctx;
	socklen_t sl = s->to.sa.sa_family == AF_INET6 ? sizeof(s->to.sin6) : sizeof(s->to.sin);

	if (sendto(s->fd, msg, len, MSG_DONTWAIT, &s->to.sa, sl) == (ssize_t)len)
		s->sent++;
	return 0;
}

static int send_socket(struct nwg_ha_priv *p, int family, struct nwg_err *err)
{
	if (p->send_fd >= 0)
		return 0;
	p->send_fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->send_fd < 0)
		return nwg_err_set(err, errno, "stream: socket: %s", strerror(errno));
	return 0;
}

/* The device's endpoints as the stream's text (*text NULL when none). */
static int snapshot_text(struct nwg_backend *b, const struct nwg_hub_record *rec, char **text,
			 size_t *len, size_t *eps, struct nwg_err *err)
{
	struct nwg_device *dev = NULL;
	struct nwg_ha_ep *v = NULL;
	size_t n = 0;
	int r = nwg_wg_get(b, rec->ifname, rec->netns[0] ? rec->netns : NULL, &dev, err);

	if (r >= 0 && (r = nwg_ha_snapshot(dev, &v, &n)) < 0)
		nwg_err_set(err, -r, "%s: %s", rec->ifname, strerror(-r));
	if (r >= 0 && n && (r = nwg_ha_format(v, n, text, len)) < 0)
		nwg_err_set(err, -r, "%s: %s", rec->ifname, strerror(-r));
	*eps = n;
	free(v);
	nwg_device_free(dev);
	return r < 0 ? r : 0;
}

int nwg_ha_priv_seal(struct nwg_ha_priv *p, struct nwg_backend *b, struct nwg_repo *repo,
		     const struct nwg_conf *c, const char *port_id, const struct nwg_key *peer,
		     size_t *sent, size_t *eps, struct nwg_err *err)
{
	struct send_ctx s = {.fd = -1};
	struct nwg_hub_record *rec = NULL;
	char *text = NULL;
	size_t len = 0;
	int r;

	*sent = *eps = 0;
	if (!p || !c || !c->ha.on || !c->ha.stream_peer[0] || !b)
		return nwg_err_set(err, EOPNOTSUPP, "stream: no stream_peer on this node");
	if (peer_addr(&c->ha, &s.to) < 0)
		return nwg_err_set(err, EINVAL, "stream: stream_peer %s", c->ha.stream_peer);
	if ((r = enroll_key(p, c, err)) < 0 || (r = send_socket(p, s.to.sa.sa_family, err)) < 0)
		return r;
	if ((r = nwg_repo_load(repo, port_id, &rec, err)) < 0)
		return r;
	r = snapshot_text(b, rec, &text, &len, eps, err);
	nwg_hub_record_free(rec); /* wipes the hub's key */
	s.fd = p->send_fd;
	if (r >= 0 && text)
		r = nwg_ha_seal_text(port_id, nwg_ha_seq_now(), text, len, NWG_HA_DGRAM_DEF,
				     &p->enroll, peer, emit, &s, err);
	free(text);
	*sent = s.sent;
	return r < 0 ? r : 0;
}

/* The lib's refusals, as fixed texts and errnos the engine tells apart. */
static int open_refused(int r, struct nwg_err *err)
{
	switch (r) {
	case -EXDEV:
		return nwg_err_set(err, EXDEV, "stream: another hub's datagram");
	case -EBADMSG:
		return nwg_err_set(err, EACCES, "stream: not from the peer node, or altered");
	case -ESTALE:
		return nwg_err_set(err, ESTALE, "stream: a datagram of an older snapshot");
	case -ENOMEM:
		return nwg_err_set(err, ENOMEM, "out of memory");
	default:
		return nwg_err_set(err, EINVAL, "stream: a malformed datagram");
	}
}

int nwg_ha_priv_open(struct nwg_ha_priv *p, const struct nwg_conf *c, const char *port_id,
		     const struct nwg_key *peer, uint64_t min_seq, const uint8_t *msg, size_t len,
		     struct nwg_ha_chunk_out *out, struct nwg_err *err)
{
	struct nwg_ha_ep *v = NULL;
	size_t n = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (!p || !c || !c->ha.on)
		return nwg_err_set(err, EOPNOTSUPP, "stream: no [wireguard_ha] on this node");
	if ((r = enroll_key(p, c, err)) < 0)
		return r;
	r = nwg_ha_msg_open(&out->text, &out->len, &out->seq, &out->c, msg, len, port_id, min_seq,
			    &p->enroll, peer, NULL);
	if (r < 0)
		return open_refused(r, err);
	/* only endpoint lines leave this side: the grammar the engine's
	 * reassembly and the takeover parse with */
	if (out->len && nwg_ha_parse(out->text, out->len, &v, &n, NULL) < 0)
		r = nwg_err_set(err, EINVAL, "stream: a chunk outside the endpoint-list grammar");
	free(v);
	if (r < 0 || !out->len) {
		free(out->text);
		out->text = NULL;
		out->len = 0;
	}
	return r < 0 ? r : 0;
}
