/* SPDX-License-Identifier: Apache-2.0 */
/* Pure rtnetlink reply parsers, interface-name and address-text checks. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "rtnl_msg.h"

int nwg_ifname_valid(const char *ifname)
{
	size_t len;

	if (!ifname)
		return -EINVAL;
	len = strnlen(ifname, IFNAMSIZ);
	if (len == 0 || len >= IFNAMSIZ)
		return -EINVAL;
	if (!strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return -EINVAL; /* the kernel refuses these too */
	for (const char *p = ifname; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return -EINVAL;
	return 0;
}

/* ---- addresses as text ---- */

static int parse_prefix(const char *s, unsigned int max, uint8_t *out)
{
	unsigned int v = 0;
	size_t n = 0;

	for (; s[n]; n++) {
		if (!isdigit((unsigned char)s[n]) || n >= 3)
			return -EINVAL;
		v = v * 10 + (unsigned int)(s[n] - '0');
	}
	if (n == 0 || v > max)
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

int nwg_ifaddr_parse(struct nwg_ifaddr *out, const char *cidr)
{
	char tmp[INET6_ADDRSTRLEN + 5];
	char *slash;

	if (!out || !cidr || strnlen(cidr, sizeof(tmp)) >= sizeof(tmp))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	strcpy(tmp, cidr);
	slash = strchr(tmp, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	if (inet_pton(AF_INET, tmp, &out->addr.v4) == 1) {
		out->family = AF_INET;
		return parse_prefix(slash + 1, 32, &out->prefixlen);
	}
	if (inet_pton(AF_INET6, tmp, &out->addr.v6) == 1) {
		out->family = AF_INET6;
		return parse_prefix(slash + 1, 128, &out->prefixlen);
	}
	return -EINVAL;
}

int nwg_ifaddr_format(const struct nwg_ifaddr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	int n;

	if (!a || !buf || (a->family != AF_INET && a->family != AF_INET6))
		return -EINVAL;
	if (!inet_ntop(a->family, &a->addr, ip, sizeof(ip)))
		return -EINVAL;
	n = snprintf(buf, len, "%s/%u", ip, a->prefixlen);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}

/* ---- links ---- */

/* Copies a string attribute, truncating, always NUL-terminated. */
static void copy_str(char *dst, size_t len, const struct nlattr *attr)
{
	size_t n = mnl_attr_get_payload_len(attr);
	const char *s = mnl_attr_get_payload(attr);

	n = strnlen(s, n);
	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int linkinfo_cb(const struct nlattr *attr, void *data)
{
	struct nwg_link *l = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND)
		copy_str(l->kind, sizeof(l->kind), attr);
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct nwg_link *l = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		copy_str(l->name, sizeof(l->name), attr);
		break;
	case IFLA_IFALIAS:
		copy_str(l->alias, sizeof(l->alias), attr);
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			l->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			return mnl_attr_parse_nested(attr, linkinfo_cb, l);
		break;
	}
	return MNL_CB_OK;
}

int nwg_rtnl_parse_link(const struct nlmsghdr *nlh, struct nwg_link *out)
{
	const struct ifinfomsg *ifm;

	if (!nlh || !out || nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	ifm = mnl_nlmsg_get_payload(nlh);
	out->ifindex = ifm->ifi_index;
	out->up = (ifm->ifi_flags & IFF_UP) != 0;
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, out) < 0 || !out->name[0])
		return -EBADMSG;
	return 0;
}

/* ---- addresses ---- */

struct addr_attrs {
	const struct nlattr *local, *address;
};

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	struct addr_attrs *a = data;

	if (mnl_attr_get_type(attr) == IFA_LOCAL)
		a->local = attr;
	else if (mnl_attr_get_type(attr) == IFA_ADDRESS)
		a->address = attr;
	return MNL_CB_OK;
}

int nwg_rtnl_parse_addr(const struct nlmsghdr *nlh, struct nwg_ifaddr *out, int *ifindex)
{
	const struct ifaddrmsg *ifa;
	struct addr_attrs at = {0};
	const struct nlattr *use;
	size_t alen;

	if (!nlh || !out || !ifindex || nlh->nlmsg_type != RTM_NEWADDR ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return -EBADMSG;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -ENOENT;
	alen = ifa->ifa_family == AF_INET ? sizeof(out->addr.v4) : sizeof(out->addr.v6);
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, &at) < 0)
		return -EBADMSG;
	use = at.local ? at.local : at.address; /* IFA_LOCAL is ours; ADDRESS may be the peer */
	if (!use || mnl_attr_get_payload_len(use) != alen || ifa->ifa_prefixlen > alen * 8)
		return -EBADMSG; /* the prefix is bounded by its family, as nwg_ifaddr_parse checks
				  */
	memset(out, 0, sizeof(*out));
	out->family = ifa->ifa_family;
	out->prefixlen = ifa->ifa_prefixlen;
	memcpy(&out->addr, mnl_attr_get_payload(use), alen);
	*ifindex = (int)ifa->ifa_index;
	return 0;
}
