/* SPDX-License-Identifier: Apache-2.0 */
/* nwg_wg_*: argument checks, then the kernel or the userspace backend. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "nwg/netns.h"
#include "nwg/rtnl.h"
#include "uapi_spawn.h"
#include "wg_priv.h"

#define EXIT_WAIT_MS 2000 /* wireguard-go exits ~5 ms after its TUN goes */
#define STOP_GRACE   1000

static int check(const struct nwg_backend *b, const char *ifname, const char *netns,
		 struct nwg_err *err)
{
	if (!b)
		return nwg_err_set(err, EINVAL, "no backend");
	if (!ifname || nwg_ifname_valid(ifname) < 0)
		return nwg_err_set(err, EINVAL, "invalid interface name");
	if (netns && (!*netns || strlen(netns) > NWG_NETNS_NAME_MAX || strchr(netns, '/') ||
		      !strcmp(netns, ".") || !strcmp(netns, "..")))
		return nwg_err_set(err, EINVAL, "invalid namespace name");
	return 0;
}

/* Fills *link from netns (NULL = root). -ENODEV when absent. */
static int link_lookup(const char *netns, const char *ifname, struct nwg_link *link,
		       struct nwg_err *err)
{
	struct nwg_rtnl *r;
	int rc = nwg_rtnl_open(&r, netns, err);

	if (rc < 0)
		return rc;
	rc = nwg_link_get(r, ifname, link, err);
	nwg_rtnl_close(r);
	return rc;
}

static int link_delete(const char *netns, const char *ifname, struct nwg_err *err)
{
	struct nwg_rtnl *r;
	int rc = nwg_rtnl_open(&r, netns, err);

	if (rc < 0)
		return rc;
	rc = nwg_link_del(r, ifname, err);
	nwg_rtnl_close(r);
	return rc;
}

static int kernel_create(const char *ifname, struct nwg_err *err)
{
	struct nwg_rtnl *r;
	int rc = nwg_rtnl_open(&r, NULL, err);

	if (rc < 0)
		return rc;
	rc = nwg_link_add_wireguard(r, ifname, err);
	nwg_rtnl_close(r);
	return rc;
}

static int uapi_create(struct nwg_backend *b, const char *ifname, struct nwg_err *err)
{
	struct nwg_link link;
	pid_t pid;
	int r = link_lookup(NULL, ifname, &link, NULL);

	if (r == 0)
		return nwg_err_set(err, EEXIST, "a link called %s already exists", ifname);
	r = nwg_uapi_create(&b->uapi, ifname, &pid, err);
	if (r < 0)
		return r;
	if (nwg_children_add(b, ifname, pid) < 0) {
		/* cannot track it: do not leave an unsupervised process behind */
		link_delete(NULL, ifname, NULL);
		nwg_child_stop(pid, STOP_GRACE);
		nwg_uapi_exists(&b->uapi, ifname);
		return nwg_err_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int nwg_wg_create(struct nwg_backend *b, const char *ifname, struct nwg_err *err)
{
	int r = check(b, ifname, NULL, err);

	if (r < 0)
		return r;
	if (b->kind == NWG_BACKEND_KERNEL)
		return kernel_create(ifname, err);
	return uapi_create(b, ifname, err);
}

/* After the link is gone: wait for wireguard-go to exit and reap it. */
static void wait_exit(struct nwg_backend *b, const char *ifname, pid_t pid)
{
	struct timespec nap = {0, 2000000L};

	if (pid) {
		if (nwg_child_wait(pid, EXIT_WAIT_MS, NULL) == 0)
			nwg_child_stop(pid, STOP_GRACE);
		nwg_children_forget(b, ifname);
	} else {
		for (int ms = 0; ms < EXIT_WAIT_MS && nwg_uapi_exists(&b->uapi, ifname); ms += 2)
			nanosleep(&nap, NULL);
	}
}

static int uapi_delete(struct nwg_backend *b, const char *ifname, const char *netns,
		       struct nwg_err *err)
{
	pid_t pid = nwg_children_find(b, ifname);
	int r;

	if (!pid && !nwg_uapi_exists(&b->uapi, ifname))
		return nwg_err_set(err, ENODEV, "no wireguard-go device %s", ifname);
	r = link_delete(netns, ifname, err);
	if (r == 0) {
		wait_exit(b, ifname, pid);
	} else if (pid && nwg_child_wait(pid, 0, NULL) != 0) {
		nwg_children_forget(b, ifname); /* it had already exited */
	}
	nwg_uapi_exists(&b->uapi, ifname); /* unlinks a stale socket */
	return r;
}

static int kernel_delete(const char *ifname, const char *netns, struct nwg_err *err)
{
	struct nwg_link link;
	int r = link_lookup(netns, ifname, &link, err);

	if (r < 0)
		return r;
	if (strcmp(link.kind, "wireguard") != 0)
		return nwg_err_set(err, ENODEV, "%s is not a wireguard link", ifname);
	return link_delete(netns, ifname, err);
}

int nwg_wg_delete(struct nwg_backend *b, const char *ifname, const char *netns, struct nwg_err *err)
{
	int r = check(b, ifname, netns, err);

	if (r < 0)
		return r;
	if (b->kind == NWG_BACKEND_KERNEL)
		return kernel_delete(ifname, netns, err);
	return uapi_delete(b, ifname, netns, err);
}

int nwg_wg_get(struct nwg_backend *b, const char *ifname, const char *netns,
	       struct nwg_device **out, struct nwg_err *err)
{
	int r = check(b, ifname, netns, err);

	if (r < 0)
		return r;
	if (!out)
		return nwg_err_set(err, EINVAL, "get: no output");
	if (b->kind == NWG_BACKEND_KERNEL)
		return nwg_kernel_get(ifname, netns, out, err);
	return nwg_uapi_get(&b->uapi, ifname, out, err);
}

int nwg_wg_set(struct nwg_backend *b, const char *ifname, const char *netns,
	       const struct nwg_device *dev, struct nwg_err *err)
{
	int r = check(b, ifname, netns, err);

	if (r < 0)
		return r;
	if (!dev)
		return nwg_err_set(err, EINVAL, "set: no device");
	if (b->kind == NWG_BACKEND_KERNEL)
		return nwg_kernel_set(ifname, netns, dev, err);
	return nwg_uapi_set(&b->uapi, ifname, dev, err);
}

int nwg_wg_exists(struct nwg_backend *b, const char *ifname, const char *netns)
{
	struct nwg_link link;

	if (check(b, ifname, netns, NULL) < 0)
		return 0;
	if (b->kind == NWG_BACKEND_KERNEL)
		return link_lookup(netns, ifname, &link, NULL) == 0 &&
		       strcmp(link.kind, "wireguard") == 0;
	return nwg_uapi_exists(&b->uapi, ifname);
}
