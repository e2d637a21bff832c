/* SPDX-License-Identifier: Apache-2.0 */
/* Reading links: one by name, or all of them (dump). */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtnl_int.h"
#include "rtnl_msg.h"

#define DUMP_RETRIES 5 /* NLM_F_DUMP_INTR: the link set changed mid-dump */

struct get_one {
	struct nwg_link *out;
	int found;
};

static int get_one_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_one *g = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (nwg_rtnl_parse_link(nlh, g->out) < 0)
		return -EBADMSG;
	g->found = 1;
	return 0;
}

int nwg_link_get(struct nwg_rtnl *r, const char *ifname, struct nwg_link *out, struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX], what[64];
	struct get_one g = {.out = out};
	struct nlmsghdr *nlh;
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	if (!out)
		return nwg_err_set(err, EINVAL, "nwg_link_get: NULL out");
	nlh = nwg_rtnl_msg_getlink(buf, sizeof(buf), 0, ifname);
	if (!nlh)
		return nwg_err_set(err, EMSGSIZE, "RTM_GETLINK: message too large");
	snprintf(what, sizeof(what), "get link %s", ifname);
	ret = nwg_nl_talk(&r->nl, nlh, get_one_cb, &g, what, err);
	if (ret < 0)
		return ret;
	if (!g.found)
		return nwg_err_set(err, ENODEV, "%s: no such device", what);
	return 0;
}

struct get_all {
	struct nwg_link *v;
	size_t n, cap;
};

static int get_all_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_all *g = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		struct nwg_link *v = realloc(g->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		g->v = v;
		g->cap = cap;
	}
	if (nwg_rtnl_parse_link(nlh, &g->v[g->n]) < 0)
		return -EBADMSG;
	g->n++;
	return 0;
}

static int dump_links(struct nwg_rtnl *r, struct get_all *g, struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX];
	struct nlmsghdr *nlh = nwg_rtnl_msg_getlink(buf, sizeof(buf), 0, NULL);

	if (!nlh)
		return nwg_err_set(err, EMSGSIZE, "RTM_GETLINK: message too large");
	return nwg_nl_talk(&r->nl, nlh, get_all_cb, g, "list links", err);
}

int nwg_link_list(struct nwg_rtnl *r, struct nwg_link **links, size_t *count, struct nwg_err *err)
{
	struct get_all g = {0};
	int ret = -EINTR;

	if (!r || !links || !count)
		return nwg_err_set(err, EINVAL, "nwg_link_list: NULL argument");
	for (int i = 0; i < DUMP_RETRIES && ret == -EINTR; i++) {
		g.n = 0;
		ret = dump_links(r, &g, err);
	}
	if (ret < 0) {
		free(g.v);
		return ret;
	}
	nwg_err_clear(err);
	*links = g.v;
	*count = g.n;
	return 0;
}
