/* SPDX-License-Identifier: Apache-2.0 */
/* Pure rtnetlink request builders (see rtnl_msg.h). */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include "rtnl_msg.h"

/* Zeroed buffer, header with type/flags/seq, and the family header. */
static struct nlmsghdr *start(void *buf, size_t buflen, uint16_t type, uint16_t flags, uint32_t seq,
			      size_t extra)
{
	struct nlmsghdr *nlh;

	if (!buf || buflen < MNL_NLMSG_HDRLEN + MNL_ALIGN(extra))
		return NULL;
	memset(buf, 0, buflen);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	mnl_nlmsg_put_extra_header(nlh, extra);
	return nlh;
}

static struct ifinfomsg *ifi(struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload(nlh);
}

struct nlmsghdr *nwg_rtnl_msg_newlink_kind(void *buf, size_t buflen, uint32_t seq,
					   const char *ifname, const char *kind)
{
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	struct nlmsghdr *nlh =
	    start(buf, buflen, RTM_NEWLINK, flags, seq, sizeof(struct ifinfomsg));
	struct nlattr *linkinfo;

	if (!nlh || !ifname || !kind)
		return NULL;
	ifi(nlh)->ifi_family = AF_UNSPEC;
	if (!mnl_attr_put_strz_check(nlh, buflen, IFLA_IFNAME, ifname))
		return NULL;
	linkinfo = mnl_attr_nest_start_check(nlh, buflen, IFLA_LINKINFO);
	if (!linkinfo || !mnl_attr_put_strz_check(nlh, buflen, IFLA_INFO_KIND, kind))
		return NULL;
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

struct nlmsghdr *nwg_rtnl_msg_dellink(void *buf, size_t buflen, uint32_t seq, const char *ifname)
{
	struct nlmsghdr *nlh = start(buf, buflen, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, seq,
				     sizeof(struct ifinfomsg));

	if (!nlh || !ifname || !mnl_attr_put_strz_check(nlh, buflen, IFLA_IFNAME, ifname))
		return NULL;
	return nlh;
}

static bool put_linkset_attrs(struct nlmsghdr *nlh, size_t buflen, const struct nwg_linkset *ls)
{
	if (ls->ifname && !mnl_attr_put_strz_check(nlh, buflen, IFLA_IFNAME, ls->ifname))
		return false;
	/* Like iproute2: the alias goes without its NUL; length 0 clears it. */
	if (ls->alias &&
	    !mnl_attr_put_check(nlh, buflen, IFLA_IFALIAS, strlen(ls->alias), ls->alias))
		return false;
	if (ls->netns_fd >= 0 &&
	    !mnl_attr_put_u32_check(nlh, buflen, IFLA_NET_NS_FD, (uint32_t)ls->netns_fd))
		return false;
	if (ls->mtu && !mnl_attr_put_u32_check(nlh, buflen, IFLA_MTU, ls->mtu))
		return false;
	return true;
}

struct nlmsghdr *nwg_rtnl_msg_setlink(void *buf, size_t buflen, uint32_t seq,
				      const struct nwg_linkset *ls)
{
	struct nlmsghdr *nlh = start(buf, buflen, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq,
				     sizeof(struct ifinfomsg));

	if (!nlh || !ls)
		return NULL;
	ifi(nlh)->ifi_family = AF_UNSPEC;
	ifi(nlh)->ifi_index = ls->ifindex;
	if (ls->up >= 0) {
		ifi(nlh)->ifi_flags = ls->up ? IFF_UP : 0;
		ifi(nlh)->ifi_change = IFF_UP;
	}
	if (!put_linkset_attrs(nlh, buflen, ls))
		return NULL;
	return nlh;
}

struct nlmsghdr *nwg_rtnl_msg_getlink(void *buf, size_t buflen, uint32_t seq, const char *ifname)
{
	uint16_t flags = NLM_F_REQUEST | (ifname ? NLM_F_ACK : NLM_F_DUMP);
	struct nlmsghdr *nlh =
	    start(buf, buflen, RTM_GETLINK, flags, seq, sizeof(struct ifinfomsg));

	if (!nlh)
		return NULL;
	if (ifname && !mnl_attr_put_strz_check(nlh, buflen, IFLA_IFNAME, ifname))
		return NULL;
	return nlh;
}

struct nlmsghdr *nwg_rtnl_msg_addr(void *buf, size_t buflen, uint32_t seq, uint16_t type,
				   int ifindex, const struct nwg_ifaddr *a)
{
	uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	size_t alen;

	if (type == RTM_NEWADDR)
		flags |= NLM_F_CREATE | NLM_F_EXCL;
	nlh = start(buf, buflen, type, flags, seq, sizeof(*ifa));
	if (!nlh || !a || (a->family != AF_INET && a->family != AF_INET6))
		return NULL;
	alen = a->family == AF_INET ? sizeof(a->addr.v4) : sizeof(a->addr.v6);
	ifa = mnl_nlmsg_get_payload(nlh);
	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->prefixlen;
	ifa->ifa_index = (uint32_t)ifindex;
	/* Like `ip addr add`: local and address both set (no peer). */
	if (!mnl_attr_put_check(nlh, buflen, IFA_LOCAL, alen, &a->addr))
		return NULL;
	if (type == RTM_NEWADDR && !mnl_attr_put_check(nlh, buflen, IFA_ADDRESS, alen, &a->addr))
		return NULL;
	return nlh;
}

struct nlmsghdr *nwg_rtnl_msg_getaddr(void *buf, size_t buflen, uint32_t seq)
{
	return start(buf, buflen, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq,
		     sizeof(struct ifaddrmsg));
}
