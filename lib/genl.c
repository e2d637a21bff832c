/* SPDX-License-Identifier: Apache-2.0 */
/* Generic netlink family resolution (CTRL_CMD_GETFAMILY), per socket: the
 * id is asked on the socket that will use it, nothing is cached globally. */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <stdio.h>
#include <string.h>

#include "wg_backend.h"
#include "wg_kernel_int.h"

#define GENL_MSG_MAX 256

struct family {
	uint16_t id;
	int found;
};

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct family *f = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0) {
		f->id = mnl_attr_get_u16(attr);
		f->found = 1;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data) < 0)
		return -EBADMSG;
	return 0;
}

int nwg_genl_resolve(struct nwg_nl *nl, const char *name, uint16_t *id, struct nwg_err *err)
{
	char buf[GENL_MSG_MAX], what[64];
	struct family f = {0};
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int ret;

	if (!nl || !name || !id || strlen(name) >= GENL_NAMSIZ)
		return nwg_err_set(err, EINVAL, "genl family: bad arguments");
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	snprintf(what, sizeof(what), "resolve genl family %s", name);
	ret = nwg_nl_talk(nl, nlh, family_cb, &f, what, err);
	if (ret < 0)
		return ret;
	if (!f.found)
		return nwg_err_set(err, ENOENT, "%s: no family id in reply", what);
	*id = f.id;
	return 0;
}

int nwg_wg_sock_open(struct nwg_wg_sock *s, const char *netns, struct nwg_err *err)
{
	int ret;

	if (!s)
		return nwg_err_set(err, EINVAL, "nwg_wg_sock_open: NULL socket");
	ret = nwg_nl_open(&s->nl, NETLINK_GENERIC, netns, err);
	if (ret < 0)
		return ret;
	ret = nwg_genl_resolve(&s->nl, WG_GENL_NAME, &s->family, err);
	if (ret < 0)
		nwg_nl_close(&s->nl);
	return ret;
}

/* Kept apart from wg_kernel.c so that a probe does not pull in the device
 * model. */
int nwg_kernel_available(void)
{
	struct nwg_wg_sock s;

	if (nwg_wg_sock_open(&s, NULL, NULL) < 0)
		return 0; /* -ENOENT: no wireguard family (module absent) */
	nwg_nl_close(&s.nl);
	return 1;
}
