/* SPDX-License-Identifier: Apache-2.0 */
/* The request/reply loop of nl.h: one request, every reply message until
 * the kernel terminates it (ack, NLMSG_DONE or error). Replies that belong
 * to an older request (another seq) are skipped, and after a failure the
 * rest of the reply is still drained, so the socket stays usable. */
#include <errno.h>
#include <linux/netlink.h>
#include <string.h>

#include "nl.h"

struct talk {
	nwg_nl_cb cb;
	void *data;
	int error; /* first negative errno */
	int intr;
	int done;
	char ext[NWG_ERR_MSG_LEN];
};

static void set_error(struct talk *t, int error, const struct nlmsghdr *ack)
{
	if (t->error)
		return;
	t->error = error;
	if (ack)
		nwg_nl_extack_msg(ack, t->ext, sizeof(t->ext));
}

static void on_error_msg(struct talk *t, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	t->done = 1;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		set_error(t, -EBADMSG, NULL);
		return;
	}
	if (e->error)
		set_error(t, e->error < 0 ? e->error : -e->error, nlh);
}

static void on_done_msg(struct talk *t, const struct nlmsghdr *nlh)
{
	int status = 0;

	t->done = 1;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof(int));
	if (status < 0)
		set_error(t, status, NULL);
}

static void process(struct talk *t, const struct nwg_nl *nl, uint32_t seq, const void *buf, int len)
{
	const struct nlmsghdr *nlh = buf;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != nl->portid)
			continue; /* stale reply of an earlier request */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			t->intr = 1;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			break;
		case NLMSG_ERROR:
			on_error_msg(t, nlh);
			break;
		case NLMSG_DONE:
			on_done_msg(t, nlh);
			break;
		default:
			if (!t->error && t->cb) {
				int r = t->cb(nlh, t->data);

				if (r < 0)
					set_error(t, r, NULL);
			}
		}
	}
}

static int report(const struct talk *t, const char *what, struct nwg_err *err)
{
	int e = -t->error;

	if (t->error == 0 && t->intr)
		return nwg_err_set(err, EINTR, "%s: dump interrupted by a change, retry", what);
	if (t->error == 0)
		return 0;
	if (t->ext[0])
		return nwg_err_set(err, e, "%s: %s (%s)", what, t->ext, strerror(e));
	return nwg_err_set(err, e, "%s: %s", what, strerror(e));
}

int nwg_nl_talk(struct nwg_nl *nl, struct nlmsghdr *nlh, nwg_nl_cb cb, void *data, const char *what,
		struct nwg_err *err)
{
	struct talk t = {.cb = cb, .data = data};
	ssize_t n;

	if (!nl || !nl->sock || !nlh || !what)
		return nwg_err_set(err, EINVAL, "netlink: bad arguments");
	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_pid = 0;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return nwg_err_set(err, errno, "%s: send: %s", what, strerror(errno));
	while (!t.done) {
		n = mnl_socket_recvfrom(nl->sock, nl->rx, NWG_NL_RXBUF);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return nwg_err_set(err, errno, "%s: receive: %s", what, strerror(errno));
		}
		process(&t, nl, nlh->nlmsg_seq, nl->rx, (int)n);
	}
	return report(&t, what, err);
}
