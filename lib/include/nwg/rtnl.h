/* SPDX-License-Identifier: Apache-2.0 */
/* rtnetlink through libmnl: links and addresses in one namespace. */
#ifndef NWG_RTNL_H
#define NWG_RTNL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "nwg/err.h"

#define NWG_ALIAS_MAX 256

/* An rtnetlink socket opened inside one namespace (NULL = root), with
 * extended acks on: kernel error text is copied into struct nwg_err. */
struct nwg_rtnl;

int nwg_rtnl_open(struct nwg_rtnl **out, const char *netns, struct nwg_err *err);
void nwg_rtnl_close(struct nwg_rtnl *r);

struct nwg_link {
	int ifindex;
	char name[IFNAMSIZ];
	char kind[32];		   /* IFLA_INFO_KIND: "wireguard", "tun", "veth", "" */
	char alias[NWG_ALIAS_MAX]; /* IFLA_IFALIAS, "" when unset */
	unsigned int mtu;
	bool up; /* IFF_UP */
};

/* Interface names: 1..15 bytes, no '/', ':' or whitespace; else -EINVAL. */
int nwg_ifname_valid(const char *ifname);

int nwg_link_add_wireguard(struct nwg_rtnl *r, const char *ifname, struct nwg_err *err);
int nwg_link_del(struct nwg_rtnl *r, const char *ifname, struct nwg_err *err);
/* Moves the link into the namespace behind netns_fd. */
int nwg_link_move(struct nwg_rtnl *r, const char *ifname, int netns_fd, struct nwg_err *err);
int nwg_link_rename(struct nwg_rtnl *r, const char *ifname, const char *newname,
		    struct nwg_err *err);
int nwg_link_set_alias(struct nwg_rtnl *r, const char *ifname, const char *alias,
		       struct nwg_err *err);
int nwg_link_set_up(struct nwg_rtnl *r, const char *ifname, bool up, struct nwg_err *err);
int nwg_link_set_mtu(struct nwg_rtnl *r, const char *ifname, unsigned int mtu, struct nwg_err *err);
/* -ENODEV when absent. */
int nwg_link_get(struct nwg_rtnl *r, const char *ifname, struct nwg_link *out, struct nwg_err *err);
/* All links of the namespace; *links owned by the caller (free()). */
int nwg_link_list(struct nwg_rtnl *r, struct nwg_link **links, size_t *count, struct nwg_err *err);

/* cidr: "10.0.0.1/24" or "fd00::1/64"; adding an existing address is 0. */
int nwg_addr_add(struct nwg_rtnl *r, const char *ifname, const char *cidr, struct nwg_err *err);
/* Removes one address (cidr as for nwg_addr_add): 1 removed, 0 it was not
 * there. */
int nwg_addr_del(struct nwg_rtnl *r, const char *ifname, const char *cidr, struct nwg_err *err);
/* Removes every IPv4 and IPv6 address of the link (link-local included). */
int nwg_addr_flush(struct nwg_rtnl *r, const char *ifname, struct nwg_err *err);
/* Lists addresses of a link as "addr/plen" strings (NULL-terminated array,
 * free with nwg_strv_free). */
int nwg_addr_list(struct nwg_rtnl *r, const char *ifname, char ***cidrs, struct nwg_err *err);
void nwg_strv_free(char **v);

/* `ip route replace DST [via GW] dev IFNAME` in the main table. dst
 * "10.0.0.5/32", "0.0.0.0/0"; gw a plain address of the same family or
 * NULL (a link route). */
int nwg_route_replace(struct nwg_rtnl *r, const char *dst, const char *gw, const char *ifname,
		      struct nwg_err *err);
/* `ip route del DST dev IFNAME` in the main table; an absent route is 0. */
int nwg_route_del(struct nwg_rtnl *r, const char *dst, const char *ifname, struct nwg_err *err);
/* The destinations ("addr/plen", NULL-terminated, free with nwg_strv_free)
 * of the static unicast routes of the main table through IFNAME (those
 * nwg_route_replace adds); returns their count. */
int nwg_route_list(struct nwg_rtnl *r, const char *ifname, char ***dsts, struct nwg_err *err);

#endif
