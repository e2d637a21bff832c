/* SPDX-License-Identifier: Apache-2.0 */
/* Routes of the main table: replace, delete, list per link (nwg/rtnl.h). */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtnl_int.h"
#include "rtnl_msg.h"

#define DUMP_RETRIES 5

/* RTM_NEWROUTE with NLM_F_CREATE|NLM_F_REPLACE (`ip route replace`), or
 * RTM_DELROUTE matching any protocol, scope and type (`ip route del`). */
static struct nlmsghdr *msg_route(void *buf, size_t buflen, uint16_t type,
				  const struct nwg_ifaddr *dst, const struct nwg_ifaddr *gw,
				  int ifindex)
{
	size_t alen = dst->family == AF_INET ? sizeof(dst->addr.v4) : sizeof(dst->addr.v6);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (buflen < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*rtm)))
		return NULL;
	memset(buf, 0, buflen);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = dst->prefixlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	if (type == RTM_NEWROUTE) {
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
		rtm->rtm_type = RTN_UNICAST;
	} else {
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	}
	if (dst->prefixlen && !mnl_attr_put_check(nlh, buflen, RTA_DST, alen, &dst->addr))
		return NULL;
	if (gw && !mnl_attr_put_check(nlh, buflen, RTA_GATEWAY, alen, &gw->addr))
		return NULL;
	if (!mnl_attr_put_u32_check(nlh, buflen, RTA_OIF, (uint32_t)ifindex))
		return NULL;
	return nlh;
}

/* The checks every route request starts with: a valid handle and link name,
 * dst as ADDR/PLEN, the link's ifindex. */
static int route_target(struct nwg_rtnl *r, const char *dst, const char *ifname,
			struct nwg_ifaddr *d, struct nwg_link *l, struct nwg_err *err)
{
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	if (!dst || nwg_ifaddr_parse(d, dst) < 0)
		return nwg_err_set(err, EINVAL, "invalid route destination (want ADDR/PLEN)");
	return nwg_link_get(r, ifname, l, err);
}

int nwg_route_replace(struct nwg_rtnl *r, const char *dst, const char *gw, const char *ifname,
		      struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX], what[160], gwc[64];
	struct nwg_ifaddr d, g;
	struct nwg_link l;
	struct nlmsghdr *nlh;
	int ret = route_target(r, dst, ifname, &d, &l, err);

	if (ret < 0)
		return ret;
	if (gw) {
		snprintf(gwc, sizeof(gwc), "%s/%d", gw, d.family == AF_INET ? 32 : 128);
		if (nwg_ifaddr_parse(&g, gwc) < 0 || g.family != d.family)
			return nwg_err_set(err, EINVAL, "invalid gateway %s for %s", gw, dst);
	}
	nlh = msg_route(buf, sizeof(buf), RTM_NEWROUTE, &d, gw ? &g : NULL, l.ifindex);
	if (!nlh)
		return nwg_err_set(err, EMSGSIZE, "RTM_NEWROUTE: message too large");
	snprintf(what, sizeof(what), "route %s%s%s dev %s", dst, gw ? " via " : "", gw ? gw : "",
		 ifname);
	return nwg_nl_talk(&r->nl, nlh, NULL, NULL, what, err);
}

int nwg_route_del(struct nwg_rtnl *r, const char *dst, const char *ifname, struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX], what[160];
	struct nwg_ifaddr d;
	struct nwg_link l;
	struct nlmsghdr *nlh;
	int ret = route_target(r, dst, ifname, &d, &l, err);

	if (ret < 0)
		return ret;
	nlh = msg_route(buf, sizeof(buf), RTM_DELROUTE, &d, NULL, l.ifindex);
	if (!nlh)
		return nwg_err_set(err, EMSGSIZE, "RTM_DELROUTE: message too large");
	snprintf(what, sizeof(what), "delete route %s dev %s", dst, ifname);
	ret = nwg_nl_talk(&r->nl, nlh, NULL, NULL, what, err);
	if (ret == -ESRCH) {
		nwg_err_clear(err);
		return 0;
	}
	return ret;
}

/* The static routes of the main table through one link, from a dump. */
struct rlist {
	int ifindex;
	char **v;
	size_t n, cap;
};

struct rattrs {
	const struct nlattr *dst, *oif, *table;
};

static int rattr_cb(const struct nlattr *a, void *data)
{
	struct rattrs *at = data;

	switch (mnl_attr_get_type(a)) {
	case RTA_DST:
		at->dst = a;
		break;
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		at->oif = a;
		break;
	case RTA_TABLE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		at->table = a;
		break;
	}
	return MNL_CB_OK;
}

/* One RTM_NEWROUTE -> "dst/plen" when it is ours to list, "" when not. */
static int route_dst(const struct nlmsghdr *nlh, int ifindex, char *out, size_t len)
{
	const struct rtmsg *rtm;
	struct rattrs at = {0};
	struct nwg_ifaddr d = {0};
	size_t alen;

	out[0] = '\0';
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return -EBADMSG;
	rtm = mnl_nlmsg_get_payload(nlh);
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_protocol != RTPROT_STATIC || rtm->rtm_type != RTN_UNICAST)
		return 0;
	if (mnl_attr_parse(nlh, sizeof(*rtm), rattr_cb, &at) < 0)
		return -EBADMSG;
	if ((at.table ? mnl_attr_get_u32(at.table) : rtm->rtm_table) != RT_TABLE_MAIN || !at.oif ||
	    (int)mnl_attr_get_u32(at.oif) != ifindex)
		return 0;
	alen = rtm->rtm_family == AF_INET ? sizeof(d.addr.v4) : sizeof(d.addr.v6);
	d.family = rtm->rtm_family;
	d.prefixlen = rtm->rtm_dst_len;
	if (at.dst) {
		if (mnl_attr_get_payload_len(at.dst) != alen)
			return -EBADMSG;
		memcpy(&d.addr, mnl_attr_get_payload(at.dst), alen);
	}
	return nwg_ifaddr_format(&d, out, len) < 0 ? -EBADMSG : 0;
}

static int routes_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rlist *s = data;
	char txt[INET6_ADDRSTRLEN + 5];
	int ret;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if ((ret = route_dst(nlh, s->ifindex, txt, sizeof(txt))) < 0 || !txt[0])
		return ret;
	if (s->n + 1 >= s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		char **v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	if (!(s->v[s->n] = strdup(txt)))
		return -ENOMEM;
	s->v[++s->n] = NULL;
	return 0;
}

static void rlist_clear(struct rlist *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	s->n = 0;
	if (s->v)
		s->v[0] = NULL;
}

int nwg_route_list(struct nwg_rtnl *r, const char *ifname, char ***dsts, struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX];
	struct rlist s = {0};
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct nwg_link l;
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	if (!dsts)
		return nwg_err_set(err, EINVAL, "nwg_route_list: NULL out");
	if ((ret = nwg_link_get(r, ifname, &l, err)) < 0)
		return ret;
	s.ifindex = l.ifindex;
	ret = -EINTR;
	for (int i = 0; i < DUMP_RETRIES && ret == -EINTR; i++) {
		rlist_clear(&s);
		memset(buf, 0, sizeof(buf));
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETROUTE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = AF_UNSPEC;
		ret = nwg_nl_talk(&r->nl, nlh, routes_cb, &s, "list routes", err);
	}
	if (ret == 0 && !s.v && !(s.v = calloc(1, sizeof(*s.v))))
		ret = nwg_err_set(err, ENOMEM, "out of memory");
	if (ret < 0) {
		rlist_clear(&s);
		free(s.v);
		return ret;
	}
	*dsts = s.v;
	return (int)s.n;
}
