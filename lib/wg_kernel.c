/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel WireGuard over generic netlink (lib/wg_backend.h). WireGuard's
 * genl commands address a device by name only, in the namespace of the
 * socket, so every call opens its genl socket inside the interface's
 * namespace (nwg_nl_open -> nwg_netns_run) and resolves the family there.
 */
#include <errno.h>
#include <linux/wireguard.h>
#include <stdio.h>
#include <string.h>

#include "nwg/rtnl.h"
#include "nwg/secmem.h"
#include "wg_backend.h"
#include "wg_kernel_int.h"

#define WG_MSG_MAX 8192 /* like wireguard-tools: one page-sized message at a time */

static int set_on(struct nwg_wg_sock *s, const char *ifname, const struct nwg_device *dev,
		  char *buf, struct nwg_err *err)
{
	size_t peer = 0, aip = 0;
	int first = 1, len, ret = 0, n = 0;
	char what[64];

	while (ret == 0) {
		len = nwg_kernel_build_set(buf, WG_MSG_MAX, s->family, 0, ifname, dev, &peer, &aip,
					   &first);
		if (len <= 0) {
			if (len < 0)
				ret =
				    nwg_err_set(err, -len, "WG_CMD_SET_DEVICE %s: %s", ifname,
						len == -EINVAL ? "invalid device" : strerror(-len));
			break;
		}
		snprintf(what, sizeof(what), "set wireguard device %s (message %d)", ifname, ++n);
		ret = nwg_nl_talk(&s->nl, (struct nlmsghdr *)buf, NULL, NULL, what, err);
	}
	return ret;
}

int nwg_kernel_set(const char *ifname, const char *netns, const struct nwg_device *dev,
		   struct nwg_err *err)
{
	struct nwg_wg_sock s;
	char *buf;
	int ret;

	if (!dev || nwg_ifname_valid(ifname) < 0)
		return nwg_err_set(err, EINVAL, "nwg_kernel_set: bad arguments");
	if (nwg_kernel_check_device(dev) < 0)
		return nwg_err_set(err, EINVAL, "nwg_kernel_set: invalid device");
	buf = nwg_secmem_alloc(WG_MSG_MAX); /* the request holds the private key */
	if (!buf)
		return nwg_err_set(err, ENOMEM, "out of memory");
	ret = nwg_wg_sock_open(&s, netns, err);
	if (ret == 0) {
		ret = set_on(&s, ifname, dev, buf, err);
		nwg_nl_close(&s.nl);
	}
	nwg_secmem_free(buf); /* wipes */
	return ret;
}
