/* SPDX-License-Identifier: Apache-2.0 */
/* Routes: replace one route of the main table (nwg/rtnl.h). */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rtnl_int.h"
#include "rtnl_msg.h"

/* RTM_NEWROUTE with NLM_F_CREATE|NLM_F_REPLACE (`ip route replace`). */
static struct nlmsghdr *msg_route(void *buf, size_t buflen, const struct nwg_ifaddr *dst,
				  const struct nwg_ifaddr *gw, int ifindex)
{
	size_t alen = dst->family == AF_INET ? sizeof(dst->addr.v4) : sizeof(dst->addr.v6);
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (buflen < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*rtm)))
		return NULL;
	memset(buf, 0, buflen);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = dst->prefixlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (dst->prefixlen && !mnl_attr_put_check(nlh, buflen, RTA_DST, alen, &dst->addr))
		return NULL;
	if (gw && !mnl_attr_put_check(nlh, buflen, RTA_GATEWAY, alen, &gw->addr))
		return NULL;
	if (!mnl_attr_put_u32_check(nlh, buflen, RTA_OIF, (uint32_t)ifindex))
		return NULL;
	return nlh;
}

int nwg_route_replace(struct nwg_rtnl *r, const char *dst, const char *gw, const char *ifname,
		      struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX], what[160], gwc[64];
	struct nwg_ifaddr d, g;
	struct nwg_link l;
	struct nlmsghdr *nlh;
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	if (!dst || nwg_ifaddr_parse(&d, dst) < 0)
		return nwg_err_set(err, EINVAL, "invalid route destination (want ADDR/PLEN)");
	if (gw) {
		snprintf(gwc, sizeof(gwc), "%s/%d", gw, d.family == AF_INET ? 32 : 128);
		if (nwg_ifaddr_parse(&g, gwc) < 0 || g.family != d.family)
			return nwg_err_set(err, EINVAL, "invalid gateway %s for %s", gw, dst);
	}
	ret = nwg_link_get(r, ifname, &l, err);
	if (ret < 0)
		return ret;
	nlh = msg_route(buf, sizeof(buf), &d, gw ? &g : NULL, l.ifindex);
	if (!nlh)
		return nwg_err_set(err, EMSGSIZE, "RTM_NEWROUTE: message too large");
	snprintf(what, sizeof(what), "route %s%s%s dev %s", dst, gw ? " via " : "", gw ? gw : "",
		 ifname);
	return nwg_nl_talk(&r->nl, nlh, NULL, NULL, what, err);
}
