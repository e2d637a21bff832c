/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal: pure rtnetlink message builders and parsers (no socket), so they
 * can be checked byte for byte against golden fixtures. Every builder
 * zeroes buf, writes one request with nlmsg_seq = seq and returns the
 * struct nlmsghdr, or NULL if buflen is too small (NWG_RTNL_MSG_MAX always
 * fits). Arguments are validated by the callers in rtnl*.c.
 */
#ifndef NWG_RTNL_MSG_H
#define NWG_RTNL_MSG_H

#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <stdint.h>

#include "nwg/rtnl.h"

#define NWG_RTNL_MSG_MAX 1024

/* Which changes an RTM_NEWLINK on an existing link carries. */
struct nwg_linkset {
	int ifindex;	    /* ifi_index; 0 = look the link up by ifname */
	const char *ifname; /* IFLA_IFNAME: lookup name, or the new name */
	const char *alias;  /* IFLA_IFALIAS (no NUL, "" clears) when non-NULL */
	int netns_fd;	    /* IFLA_NET_NS_FD when >= 0 */
	unsigned int mtu;   /* IFLA_MTU when non-zero */
	int up;		    /* -1 untouched, 0 down, 1 up (ifi_flags/ifi_change) */
};

/* An interface address: family, address bytes, prefix length. */
struct nwg_ifaddr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t prefixlen;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
};

struct nlmsghdr *nwg_rtnl_msg_newlink_kind(void *buf, size_t buflen, uint32_t seq,
					   const char *ifname, const char *kind);
struct nlmsghdr *nwg_rtnl_msg_dellink(void *buf, size_t buflen, uint32_t seq, const char *ifname);
struct nlmsghdr *nwg_rtnl_msg_setlink(void *buf, size_t buflen, uint32_t seq,
				      const struct nwg_linkset *ls);
/* ifname NULL: dump every link. */
struct nlmsghdr *nwg_rtnl_msg_getlink(void *buf, size_t buflen, uint32_t seq, const char *ifname);
/* type RTM_NEWADDR (create, excl) or RTM_DELADDR. */
struct nlmsghdr *nwg_rtnl_msg_addr(void *buf, size_t buflen, uint32_t seq, uint16_t type,
				   int ifindex, const struct nwg_ifaddr *a);
/* Dump of every address (all families, all links). */
struct nlmsghdr *nwg_rtnl_msg_getaddr(void *buf, size_t buflen, uint32_t seq);

/* "10.0.0.1/24", "fd00::1/64": prefix required, numeric only. 0 or -EINVAL. */
int nwg_ifaddr_parse(struct nwg_ifaddr *out, const char *cidr);
/* "addr/plen"; 0 or -EINVAL / -ENOSPC. */
int nwg_ifaddr_format(const struct nwg_ifaddr *a, char *buf, size_t len);

/* RTM_NEWLINK reply -> out. 0 or -EBADMSG. */
int nwg_rtnl_parse_link(const struct nlmsghdr *nlh, struct nwg_link *out);
/* RTM_NEWADDR reply -> out and its ifindex. 0, or -EBADMSG, or -ENOENT for
 * a family other than IPv4/IPv6. */
int nwg_rtnl_parse_addr(const struct nlmsghdr *nlh, struct nwg_ifaddr *out, int *ifindex);

#endif
