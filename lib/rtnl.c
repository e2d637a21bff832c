/* SPDX-License-Identifier: Apache-2.0 */
/* rtnetlink links through libmnl (nwg/rtnl.h); addresses are in rtnl_addr.c. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtnl_int.h"
#include "rtnl_msg.h"

int nwg_rtnl_open(struct nwg_rtnl **out, const char *netns, struct nwg_err *err)
{
	struct nwg_rtnl *r;
	int ret;

	if (!out)
		return nwg_err_set(err, EINVAL, "nwg_rtnl_open: NULL out");
	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return nwg_err_set(err, ENOMEM, "out of memory");
	ret = nwg_nl_open(&r->nl, NETLINK_ROUTE, netns, err);
	if (ret < 0) {
		free(r);
		return ret;
	}
	*out = r;
	return 0;
}

void nwg_rtnl_close(struct nwg_rtnl *r)
{
	if (!r)
		return;
	nwg_nl_close(&r->nl);
	free(r);
}

int nwg_rtnl_check(const struct nwg_rtnl *r, const char *ifname, struct nwg_err *err)
{
	if (!r)
		return nwg_err_set(err, EINVAL, "NULL rtnl handle");
	if (nwg_ifname_valid(ifname) < 0)
		return nwg_err_set(err, EINVAL, "invalid interface name");
	return 0;
}

int nwg_link_add_wireguard(struct nwg_rtnl *r, const char *ifname, struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX], what[64];
	struct nlmsghdr *nlh;
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	nlh = nwg_rtnl_msg_newlink_kind(buf, sizeof(buf), 0, ifname, "wireguard");
	if (!nlh)
		return nwg_err_set(err, EMSGSIZE, "RTM_NEWLINK: message too large");
	snprintf(what, sizeof(what), "add wireguard link %s", ifname);
	return nwg_nl_talk(&r->nl, nlh, NULL, NULL, what, err);
}

int nwg_link_del(struct nwg_rtnl *r, const char *ifname, struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX], what[64];
	struct nlmsghdr *nlh;
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	nlh = nwg_rtnl_msg_dellink(buf, sizeof(buf), 0, ifname);
	if (!nlh)
		return nwg_err_set(err, EMSGSIZE, "RTM_DELLINK: message too large");
	snprintf(what, sizeof(what), "delete link %s", ifname);
	return nwg_nl_talk(&r->nl, nlh, NULL, NULL, what, err);
}

/* One RTM_NEWLINK on an existing link; what names the operation. */
static int setlink(struct nwg_rtnl *r, const struct nwg_linkset *ls, const char *what,
		   struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX];
	struct nlmsghdr *nlh = nwg_rtnl_msg_setlink(buf, sizeof(buf), 0, ls);

	if (!nlh)
		return nwg_err_set(err, EMSGSIZE, "%s: message too large", what);
	return nwg_nl_talk(&r->nl, nlh, NULL, NULL, what, err);
}

int nwg_link_move(struct nwg_rtnl *r, const char *ifname, int netns_fd, struct nwg_err *err)
{
	struct nwg_linkset ls = {.ifname = ifname, .netns_fd = netns_fd, .up = -1};
	char what[64];
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	if (netns_fd < 0)
		return nwg_err_set(err, EINVAL, "move %s: bad namespace fd", ifname);
	snprintf(what, sizeof(what), "move link %s", ifname);
	return setlink(r, &ls, what, err);
}

int nwg_link_rename(struct nwg_rtnl *r, const char *ifname, const char *newname,
		    struct nwg_err *err)
{
	struct nwg_linkset ls = {.ifname = newname, .netns_fd = -1, .up = -1};
	struct nwg_link cur;
	char what[64];
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	if (nwg_ifname_valid(newname) < 0)
		return nwg_err_set(err, EINVAL, "invalid new interface name");
	ret = nwg_link_get(r, ifname, &cur, err);
	if (ret < 0)
		return ret;
	ls.ifindex = cur.ifindex;
	snprintf(what, sizeof(what), "rename link %s to %s", ifname, newname);
	return setlink(r, &ls, what, err);
}

int nwg_link_set_alias(struct nwg_rtnl *r, const char *ifname, const char *alias,
		       struct nwg_err *err)
{
	struct nwg_linkset ls = {.ifname = ifname, .alias = alias, .netns_fd = -1, .up = -1};
	char what[64];
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	if (!alias || strnlen(alias, NWG_ALIAS_MAX) >= NWG_ALIAS_MAX)
		return nwg_err_set(err, EINVAL, "alias missing or longer than %d bytes",
				   NWG_ALIAS_MAX - 1);
	snprintf(what, sizeof(what), "set alias of %s", ifname);
	return setlink(r, &ls, what, err);
}

int nwg_link_set_up(struct nwg_rtnl *r, const char *ifname, bool up, struct nwg_err *err)
{
	struct nwg_linkset ls = {.ifname = ifname, .netns_fd = -1, .up = up ? 1 : 0};
	char what[64];
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	snprintf(what, sizeof(what), "set %s %s", ifname, up ? "up" : "down");
	return setlink(r, &ls, what, err);
}

int nwg_link_set_mtu(struct nwg_rtnl *r, const char *ifname, unsigned int mtu, struct nwg_err *err)
{
	struct nwg_linkset ls = {.ifname = ifname, .netns_fd = -1, .mtu = mtu, .up = -1};
	char what[64];
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	if (mtu == 0)
		return nwg_err_set(err, EINVAL, "set mtu of %s: mtu 0", ifname);
	snprintf(what, sizeof(what), "set mtu %u on %s", mtu, ifname);
	return setlink(r, &ls, what, err);
}
