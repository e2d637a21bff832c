/* SPDX-License-Identifier: Apache-2.0 */
/* The privsep channel: one message per SEQPACKET datagram; the engine's
 * call and the executor's serve loop. Single-threaded on each side. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "privsep/proc.h"

static uint8_t txbuf[NWG_PS_MAX_MSG];
static uint8_t rxbuf[NWG_PS_MAX_MSG + 1]; /* one more: a longer datagram is truncated */

/* pass: a descriptor sent along (SCM_RIGHTS), -1 = none */
static int send_raw(int fd, const uint8_t *b, size_t n, int pass, struct nwg_err *err)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = {.iov_base = (void *)b, .iov_len = n};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t w;

	if (pass >= 0) {
		memset(&c, 0, sizeof(c));
		mh.msg_control = c.buf;
		mh.msg_controllen = sizeof(c.buf);
		c.h.cmsg_level = SOL_SOCKET;
		c.h.cmsg_type = SCM_RIGHTS;
		c.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&c.h), &pass, sizeof(int));
	}
	do
		w = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_EOR);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return nwg_err_set(err, errno, "privsep send: %s", strerror(errno));
	return (size_t)w == n ? 0 : nwg_err_set(err, EIO, "privsep send: short write");
}

int nwg_ps_send(int fd, const struct nwg_ps_msg *m, struct nwg_err *err)
{
	int n = nwg_ps_encode(m, txbuf, sizeof(txbuf), err);
	int pass = m->type == NWG_PS_RESULT && m->u.result.fd_set ? m->u.result.fd : -1;

	return n < 0 ? n : send_raw(fd, txbuf, (size_t)n, pass, err);
}

/* The descriptor that came with the last datagram the engine read (-1:
 * none); the engine's reader takes it or closes it. */
static int rx_fd = -1;

static void rx_fd_drop(void)
{
	if (rx_fd >= 0)
		close(rx_fd);
	rx_fd = -1;
}

/* The descriptors of one datagram: the first SCM_RIGHTS one kept in rx_fd
 * (the engine's reader only: pass = true), every other one closed. */
static void take_fds(struct msghdr *mh, bool pass)
{
	for (struct cmsghdr *h = CMSG_FIRSTHDR(mh); h; h = CMSG_NXTHDR(mh, h)) {
		size_t n;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			if (pass && rx_fd < 0)
				rx_fd = fd;
			else
				close(fd);
		}
	}
}

/* pass: the engine's reader (a descriptor may come with a RESULT); the
 * executor takes none (any sent to it is closed). */
static ssize_t recv_raw(int fd, bool pass, struct nwg_err *err)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} c;
	struct iovec iov = {.iov_base = rxbuf, .iov_len = sizeof(rxbuf)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = c.buf,
			    .msg_controllen = sizeof(c.buf)};
	ssize_t r;

	rx_fd_drop();
	do
		r = recvmsg(fd, &mh, MSG_TRUNC | MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r >= 0)
		take_fds(&mh, pass);
	if (r < 0)
		return nwg_err_set(err, errno, "privsep recv: %s", strerror(errno));
	if (r == 0)
		return nwg_err_set(err, ECONNRESET, "privsep: the other process is gone");
	if ((size_t)r > NWG_PS_MAX_MSG)
		return nwg_err_set(err, EBADMSG, "privsep: datagram of %zd bytes", r);
	return r;
}

int nwg_ps_recv(int fd, struct nwg_ps_msg *m, struct nwg_err *err)
{
	ssize_t r = recv_raw(fd, true, err);

	memset(m, 0, sizeof(*m));
	return r < 0 ? (int)r : nwg_ps_decode(rxbuf, (size_t)r, m, err);
}

/* An ACTUAL for a hub the engine did not ask about is a protocol error. */
static bool asked(const struct nwg_ps_msg *req, const char *port_id)
{
	if (!req->u.ids.n)
		return true;
	for (size_t i = 0; i < req->u.ids.n; i++)
		if (strcmp(req->u.ids.ids[i], port_id) == 0)
			return true;
	return false;
}

static int one_reply(const struct nwg_ps_msg *req, struct nwg_ps_msg *m, nwg_ps_each_fn each,
		     void *ctx, struct nwg_ps_result *res, struct nwg_err *err)
{
	bool reads = req->type == NWG_PS_READ_ACTUAL || req->type == NWG_PS_STATUS;

	if (m->seq != req->seq)
		return nwg_err_set(err, EPROTO, "privsep: reply %u to request %u", m->seq,
				   req->seq);
	if (m->type == NWG_PS_RESULT) {
		bool fd_wanted = req->type == NWG_PS_VRRP && req->u.vrrp.op == NWG_PS_VRRP_START &&
				 m->u.result.rc == 0;

		if (m->u.result.text && req->type != NWG_PS_STREAM)
			return nwg_err_set(err, EPROTO, "privsep: chunk text in answer to %s",
					   nwg_ps_type_name(req->type));
		if (fd_wanted != (rx_fd >= 0))
			return nwg_err_set(err, EPROTO, "privsep: %s descriptor in answer to %s",
					   fd_wanted ? "no" : "a", nwg_ps_type_name(req->type));
		*res = m->u.result;
		m->u.result.text = NULL; /* res's now */
		res->fd_set = fd_wanted;
		res->fd = rx_fd;
		rx_fd = -1;
		return 1;
	}
	if (m->type != NWG_PS_ACTUAL || !reads || !asked(req, m->u.link.port_id) || rx_fd >= 0)
		return nwg_err_set(err, EPROTO, "privsep: %s in answer to %s",
				   nwg_ps_type_name(m->type), nwg_ps_type_name(req->type));
	return each ? each(ctx, &m->u.link) : 0;
}

int nwg_ps_call(struct nwg_ps_client *c, struct nwg_ps_msg *req, nwg_ps_each_fn each, void *ctx,
		struct nwg_ps_result *res, struct nwg_err *err)
{
	int rc;

	memset(res, 0, sizeof(*res));
	res->fd = -1;
	req->seq = ++c->seq;
	rc = nwg_ps_send(c->fd, req, err);
	while (rc == 0) {
		struct nwg_ps_msg m;

		struct nwg_err why = {{0}};

		rc = nwg_ps_recv(c->fd, &m, &why);
		if (rc == 0)
			rc = one_reply(req, &m, each, ctx, res, err);
		else if (rc != -ECONNRESET)
			rc = nwg_err_set(err, EPROTO, "privsep: unreadable reply: %s", why.msg);
		else
			rc = nwg_err_set(err, ECONNRESET, "%s", why.msg);
		nwg_ps_msg_clear(&m);
	}
	rx_fd_drop();
	return rc < 0 ? rc : 0;
}

struct sink {
	int fd;
	struct nwg_err *err;
};

static int emit(void *ectx, const struct nwg_ps_msg *m)
{
	struct sink *s = ectx;

	return nwg_ps_send(s->fd, m, s->err);
}

int nwg_ps_serve_one(int fd, const struct nwg_ps_policy *pol, const struct nwg_ps_ops *ops,
		     void *ctx, struct nwg_err *err)
{
	struct sink s = {fd, err};
	ssize_t r = recv_raw(fd, false, err);
	int rc;

	if (r == -ECONNRESET)
		return NWG_PS_SERVE_STOP;
	if (r < 0)
		return (int)r;
	rc = nwg_ps_serve(pol, ops, ctx, rxbuf, (size_t)r, emit, &s);
	if (rc >= 0)
		return rc;
	return err && err->msg[0]
		   ? rc
		   : nwg_err_set(err, -rc,
				 "privsep: request refused (%s), the engine cannot be "
				 "trusted",
				 strerror(-rc));
}

int nwg_ps_serve_loop(int fd, const struct nwg_ps_policy *pol, const struct nwg_ps_ops *ops,
		      void *ctx, struct nwg_err *err)
{
	for (;;) {
		int rc = nwg_ps_serve_one(fd, pol, ops, ctx, err);

		if (rc != NWG_PS_SERVE_MORE)
			return rc == NWG_PS_SERVE_STOP ? 0 : rc;
	}
}
