/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "nl.h"
#include "nwg/netns.h"
#include "nwg/secmem.h"

struct open_job {
	int bus;
	struct mnl_socket *sock;
	const char *step;
	int error;
};

static int fail(struct open_job *job, const char *step)
{
	job->error = errno;
	job->step = step;
	return -job->error;
}

/* Runs inside the target namespace (helper thread): a netlink socket belongs
 * to the namespace it was created in, for its whole life. */
static int open_in_ns(void *arg)
{
	struct open_job *job = arg;
	int one = 1;

	job->sock = mnl_socket_open2(job->bus, SOCK_CLOEXEC);
	if (!job->sock)
		return fail(job, "socket");
	if (mnl_socket_bind(job->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return fail(job, "bind");
	/* Older kernels lack extended acks: then only errno is reported. */
	mnl_socket_setsockopt(job->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(job->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

int nwg_nl_open(struct nwg_nl *nl, int bus, const char *netns, struct nwg_err *err)
{
	struct open_job job = {.bus = bus};
	int ret;

	if (!nl)
		return nwg_err_set(err, EINVAL, "nwg_nl_open: NULL socket");
	memset(nl, 0, sizeof(*nl));
	nl->rx = nwg_secmem_alloc(NWG_NL_RXBUF); /* replies may carry a private key */
	if (!nl->rx)
		return nwg_err_set(err, ENOMEM, "out of memory");
	ret = nwg_netns_run(netns, open_in_ns, &job, err);
	if (ret < 0) {
		if (job.sock)
			mnl_socket_close(job.sock);
		nwg_secmem_free(nl->rx);
		nl->rx = NULL;
		if (job.error)
			return nwg_err_set(err, job.error, "netlink %s: %s", job.step,
					   strerror(job.error));
		return ret; /* the namespace could not be entered; err is set */
	}
	nl->sock = job.sock;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

void nwg_nl_close(struct nwg_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nwg_secmem_free(nl->rx);
	memset(nl, 0, sizeof(*nl));
}

void nwg_nl_wipe_rx(struct nwg_nl *nl)
{
	if (nl && nl->rx)
		explicit_bzero(nl->rx, NWG_NL_RXBUF);
}

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

void nwg_nl_extack_msg(const struct nlmsghdr *nlh, char *out, size_t len)
{
	const struct nlmsgerr *e;
	const char *msg = NULL;
	size_t off = sizeof(*e), plen;

	if (!out || len == 0)
		return;
	out[0] = '\0';
	if (!nlh || nlh->nlmsg_len < sizeof(*nlh))
		return;
	plen = mnl_nlmsg_get_payload_len(nlh);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || plen < sizeof(*e))
		return;
	e = mnl_nlmsg_get_payload(nlh);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(e->msg))
			return;
		off += MNL_ALIGN(e->msg.nlmsg_len - sizeof(e->msg));
	}
	if (off > plen)
		return;
	mnl_attr_parse(nlh, off, extack_attr_cb, &msg);
	if (msg)
		snprintf(out, len, "%s", msg);
}
