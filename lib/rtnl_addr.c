/* SPDX-License-Identifier: Apache-2.0 */
/* Interface addresses: add, flush, list (nwg/rtnl.h). */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtnl_int.h"
#include "rtnl_msg.h"

#define DUMP_RETRIES 5

int nwg_addr_add(struct nwg_rtnl *r, const char *ifname, const char *cidr, struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX], what[96];
	struct nwg_ifaddr a;
	struct nwg_link l;
	struct nlmsghdr *nlh;
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	if (nwg_ifaddr_parse(&a, cidr) < 0)
		return nwg_err_set(err, EINVAL, "invalid address (want ADDR/PLEN)");
	ret = nwg_link_get(r, ifname, &l, err);
	if (ret < 0)
		return ret;
	nlh = nwg_rtnl_msg_addr(buf, sizeof(buf), 0, RTM_NEWADDR, l.ifindex, &a);
	if (!nlh)
		return nwg_err_set(err, EMSGSIZE, "RTM_NEWADDR: message too large");
	snprintf(what, sizeof(what), "add address %s to %s", cidr, ifname);
	ret = nwg_nl_talk(&r->nl, nlh, NULL, NULL, what, err);
	if (ret == -EEXIST) {
		nwg_err_clear(err);
		return 0;
	}
	return ret;
}

/* The addresses of one link, collected from a dump. */
struct addrs {
	int ifindex;
	struct nwg_ifaddr *v;
	size_t n, cap;
};

static int addrs_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addrs *s = data;
	struct nwg_ifaddr a;
	int idx, ret;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	ret = nwg_rtnl_parse_addr(nlh, &a, &idx);
	if (ret == -ENOENT || (ret == 0 && idx != s->ifindex))
		return 0;
	if (ret < 0)
		return ret;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct nwg_ifaddr *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = a;
	return 0;
}

/* Fills s (caller frees s->v) with the addresses of ifname. */
static int collect(struct nwg_rtnl *r, const char *ifname, struct addrs *s, struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX];
	struct nlmsghdr *nlh;
	struct nwg_link l;
	int ret = nwg_link_get(r, ifname, &l, err);

	if (ret < 0)
		return ret;
	s->ifindex = l.ifindex;
	ret = -EINTR;
	for (int i = 0; i < DUMP_RETRIES && ret == -EINTR; i++) {
		s->n = 0;
		nlh = nwg_rtnl_msg_getaddr(buf, sizeof(buf), 0);
		if (!nlh)
			return nwg_err_set(err, EMSGSIZE, "RTM_GETADDR: message too large");
		ret = nwg_nl_talk(&r->nl, nlh, addrs_cb, s, "list addresses", err);
	}
	return ret;
}

static int del_addr(struct nwg_rtnl *r, const char *ifname, int ifindex, const struct nwg_ifaddr *a,
		    struct nwg_err *err)
{
	char buf[NWG_RTNL_MSG_MAX], what[96], txt[INET6_ADDRSTRLEN + 5] = "?";
	struct nlmsghdr *nlh;
	int ret;

	nlh = nwg_rtnl_msg_addr(buf, sizeof(buf), 0, RTM_DELADDR, ifindex, a);
	if (!nlh)
		return nwg_err_set(err, EMSGSIZE, "RTM_DELADDR: message too large");
	nwg_ifaddr_format(a, txt, sizeof(txt));
	snprintf(what, sizeof(what), "delete address %s from %s", txt, ifname);
	ret = nwg_nl_talk(&r->nl, nlh, NULL, NULL, what, err);
	/* Deleting a primary IPv4 address can take its secondaries with it. */
	if (ret == -EADDRNOTAVAIL || ret == -ENOENT) {
		nwg_err_clear(err);
		return 0;
	}
	return ret;
}

static bool same_addr(const struct nwg_ifaddr *x, const struct nwg_ifaddr *y)
{
	if (x->family != y->family || x->prefixlen != y->prefixlen)
		return false;
	return x->family == AF_INET ? x->addr.v4.s_addr == y->addr.v4.s_addr
				    : memcmp(&x->addr.v6, &y->addr.v6, sizeof(x->addr.v6)) == 0;
}

int nwg_addr_del(struct nwg_rtnl *r, const char *ifname, const char *cidr, struct nwg_err *err)
{
	struct addrs s = {0};
	struct nwg_ifaddr a;
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	if (nwg_ifaddr_parse(&a, cidr) < 0)
		return nwg_err_set(err, EINVAL, "invalid address (want ADDR/PLEN)");
	ret = collect(r, ifname, &s, err);
	for (size_t i = 0; ret == 0 && i < s.n; i++) {
		if (same_addr(&s.v[i], &a) &&
		    (ret = del_addr(r, ifname, s.ifindex, &s.v[i], err)) == 0)
			ret = 1;
	}
	free(s.v);
	return ret;
}

int nwg_addr_flush(struct nwg_rtnl *r, const char *ifname, struct nwg_err *err)
{
	struct addrs s = {0};
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	ret = collect(r, ifname, &s, err);
	for (size_t i = 0; ret == 0 && i < s.n; i++)
		ret = del_addr(r, ifname, s.ifindex, &s.v[i], err);
	free(s.v);
	return ret;
}

static void free_strv(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static char **to_strv(const struct addrs *s)
{
	char **v = calloc(s->n + 1, sizeof(*v));
	char txt[INET6_ADDRSTRLEN + 5];

	if (!v)
		return NULL;
	for (size_t i = 0; i < s->n; i++) {
		if (nwg_ifaddr_format(&s->v[i], txt, sizeof(txt)) < 0 || !(v[i] = strdup(txt))) {
			free_strv(v);
			return NULL;
		}
	}
	return v;
}

int nwg_addr_list(struct nwg_rtnl *r, const char *ifname, char ***cidrs, struct nwg_err *err)
{
	struct addrs s = {0};
	int ret = nwg_rtnl_check(r, ifname, err);

	if (ret < 0)
		return ret;
	if (!cidrs)
		return nwg_err_set(err, EINVAL, "nwg_addr_list: NULL out");
	ret = collect(r, ifname, &s, err);
	if (ret == 0) {
		*cidrs = to_strv(&s);
		ret = *cidrs ? (int)s.n : nwg_err_set(err, ENOMEM, "out of memory");
	}
	free(s.v);
	return ret;
}
