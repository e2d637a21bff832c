/* SPDX-License-Identifier: Apache-2.0 */
/* WG_CMD_GET_DEVICE: a dump, merged across messages into one nwg_device
 * (lib/wg_kernel_parse.c), read inside the interface's namespace. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nwg/rtnl.h"
#include "wg_backend.h"
#include "wg_kernel_int.h"

#define GET_RETRIES 5 /* NLM_F_DUMP_INTR: the device changed mid-dump */

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	return nwg_kernel_parse_get(nlh, data);
}

static int get_on(struct nwg_wg_sock *s, const char *ifname, struct nwg_device *dev,
		  struct nwg_err *err)
{
	char buf[256], what[64];
	struct nlmsghdr *nlh = nwg_kernel_build_get(buf, sizeof(buf), s->family, 0, ifname);

	if (!nlh)
		return nwg_err_set(err, EINVAL, "WG_CMD_GET_DEVICE: bad interface name");
	snprintf(what, sizeof(what), "get wireguard device %s", ifname);
	return nwg_nl_talk(&s->nl, nlh, get_cb, dev, what, err);
}

int nwg_kernel_get(const char *ifname, const char *netns, struct nwg_device **out,
		   struct nwg_err *err)
{
	struct nwg_device *dev;
	struct nwg_wg_sock s;
	int ret;

	if (!out || nwg_ifname_valid(ifname) < 0)
		return nwg_err_set(err, EINVAL, "nwg_kernel_get: bad arguments");
	*out = NULL;
	dev = nwg_device_new(ifname);
	if (!dev)
		return nwg_err_set(err, ENOMEM, "out of memory");
	ret = nwg_wg_sock_open(&s, netns, err);
	if (ret == 0) {
		for (int i = 0; i < GET_RETRIES; i++) {
			ret = get_on(&s, ifname, dev, err);
			if (ret != -EINTR)
				break;
			/* a torn read: drop the partial result and read again */
			nwg_device_free(dev);
			dev = nwg_device_new(ifname);
			if (!dev) {
				ret = nwg_err_set(err, ENOMEM, "out of memory");
				break;
			}
		}
		nwg_nl_wipe_rx(&s.nl); /* replies carried the private key */
		nwg_nl_close(&s.nl);
	}
	if (ret < 0) {
		nwg_device_free(dev);
		return ret;
	}
	*out = dev;
	return 0;
}
