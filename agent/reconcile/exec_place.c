/* SPDX-License-Identifier: Apache-2.0 */
/* The executor's placement of a hub link for the L3 control methods:
 * attach (router namespace, qr- name, MTU, addresses, up) and detach (home
 * namespace, wg- name, down). Idempotent: what is already right is left
 * alone, so a repeated attach after an L3 agent restart changes nothing.
 * Links through rtnetlink, the UAPI socket name through the backend seam. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nwg/netns.h"
#include "nwg/rtnl.h"
#include "reconcile/exec.h"

static const char *ns_or_root(const char *ns)
{
	return ns && *ns ? ns : NULL;
}

/* Down, then into netns, then renamed. */
static int move(const struct nwg_place *p, bool *changed, struct nwg_err *err)
{
	struct nwg_rtnl *r = NULL;
	int fd = -1, rc;

	if (strcmp(p->from_netns, p->netns) == 0 && strcmp(p->from_ifname, p->ifname) == 0)
		return 0;
	*changed = true;
	rc = nwg_rtnl_open(&r, ns_or_root(p->from_netns), err);
	if (rc >= 0)
		rc = nwg_link_set_up(r, p->from_ifname, false, err);
	if (rc >= 0 && strcmp(p->from_netns, p->netns) != 0) {
		fd = nwg_netns_open(ns_or_root(p->netns), err);
		rc = fd < 0 ? fd : nwg_link_move(r, p->from_ifname, fd, err);
		if (fd >= 0)
			close(fd);
		nwg_rtnl_close(r);
		r = NULL;
		if (rc >= 0)
			rc = nwg_rtnl_open(&r, ns_or_root(p->netns), err);
	}
	if (rc >= 0 && strcmp(p->from_ifname, p->ifname) != 0)
		rc = nwg_link_rename(r, p->from_ifname, p->ifname, err);
	nwg_rtnl_close(r);
	return rc;
}

static bool same_addrs(char **have, char *const *want)
{
	size_t n = 0, n_want = 0;

	while (want && want[n_want])
		n_want++;
	for (size_t k = 0; have && have[k]; k++) {
		bool found = false;

		if (strncmp(have[k], "fe80:", 5) == 0) /* the kernel's own */
			continue;
		n++;
		for (size_t i = 0; i < n_want && !found; i++)
			found = strcmp(want[i], have[k]) == 0;
		if (!found)
			return false;
	}
	return n == n_want;
}

/* MTU, addresses (only when they differ), up. */
static int configure(const struct nwg_place *p, bool *changed, struct nwg_err *err)
{
	struct nwg_rtnl *r = NULL;
	struct nwg_link l = {.ifindex = 0};
	char **have = NULL;
	int rc = nwg_rtnl_open(&r, ns_or_root(p->netns), err);

	if (rc >= 0)
		rc = nwg_link_get(r, p->ifname, &l, err);
	if (rc >= 0 && p->mtu && l.mtu != p->mtu) {
		*changed = true;
		rc = nwg_link_set_mtu(r, p->ifname, p->mtu, err);
	}
	if (rc >= 0)
		rc = nwg_addr_list(r, p->ifname, &have, err);
	if (rc >= 0 && !same_addrs(have, p->cidrs)) {
		*changed = true;
		rc = nwg_addr_flush(r, p->ifname, err);
		for (size_t i = 0; rc >= 0 && p->cidrs && p->cidrs[i]; i++)
			rc = nwg_addr_add(r, p->ifname, p->cidrs[i], err);
	}
	if (rc >= 0 && !l.up) {
		*changed = true;
		rc = nwg_link_set_up(r, p->ifname, true, err);
	}
	nwg_strv_free(have);
	nwg_rtnl_close(r);
	return rc;
}

int nwg_exec_place(struct nwg_backend *b, const struct nwg_place *p, bool *changed,
		   struct nwg_err *err)
{
	int rc;

	*changed = false;
	if (!p->attach) /* the name goes before the link leaves it */
		nwg_wg_alias(b, p->created_as, p->from_ifname, false, NULL);
	rc = move(p, changed, err);
	if (rc >= 0 && p->attach)
		rc = configure(p, changed, err);
	if (rc < 0 || !p->attach)
		return rc;
	nwg_wg_alias_sweep(b);
	return nwg_wg_alias(b, p->created_as, p->ifname, true, err);
}
