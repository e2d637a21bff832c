/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the WG_CMD_GET_DEVICE reply parser
 * (nwg_kernel_parse_get). The input is a stream of netlink messages, as one
 * dump reply split across several messages. Properties:
 *  - nothing crashes, leaks or reads out of bounds on any input;
 *  - a parsed device is valid for a set (nwg_kernel_check_device): every
 *    allowed IP and endpoint the parser accepts, the builder accepts too;
 *  - the parsed peers, rebuilt as WG_CMD_SET_DEVICE messages (split over
 *    small buffers) and parsed again, give the same peers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "wg_backend.h"
#include "wg_kernel_int.h"

#define MAX_IN	 65536
#define SET_BUF	 512 /* small: forces peers and allowed IPs to split */
#define MAX_MSGS 4096

static void same_aips(const struct nwg_peer *x, const struct nwg_peer *y)
{
	if (x->n_allowedips != y->n_allowedips)
		abort();
	for (size_t j = 0; j < x->n_allowedips; j++) {
		const struct nwg_allowedip *a = &x->allowedips[j], *b = &y->allowedips[j];
		size_t alen = a->family == AF_INET ? sizeof(a->ip4) : sizeof(a->ip6);

		if (a->family != b->family || a->cidr != b->cidr || memcmp(&a->ip6, &b->ip6, alen))
			abort();
	}
}

static void same_peers(const struct nwg_device *a, const struct nwg_device *b)
{
	if (a->n_peers != b->n_peers)
		abort();
	for (size_t i = 0; i < a->n_peers; i++) {
		const struct nwg_peer *x = &a->peers[i], *y = &b->peers[i];

		if (!nwg_key_equal(&x->public_key, &y->public_key) ||
		    (x->flags & NWG_PEER_HAS_ENDPOINT) != (y->flags & NWG_PEER_HAS_ENDPOINT))
			abort();
		if ((x->flags & NWG_PEER_HAS_ENDPOINT) &&
		    memcmp(&x->endpoint, &y->endpoint, sizeof(x->endpoint)))
			abort();
		same_aips(x, y);
	}
}

/* dev -> set messages -> parsed again into a fresh device. */
static void round_trip(const struct nwg_device *dev)
{
	static uint8_t buf[SET_BUF] __attribute__((aligned(8)));
	struct nwg_device *again = nwg_device_new("fz0");
	size_t peer = 0, aip = 0;
	int first = 1, len, n = 0;

	if (!again)
		abort();
	while ((len = nwg_kernel_build_set(buf, sizeof(buf), 0x20, 1, "fz0", dev, &peer, &aip,
					   &first)) > 0) {
		if (nwg_kernel_parse_get((const struct nlmsghdr *)buf, again) != 0 ||
		    ++n > MAX_MSGS)
			abort();
	}
	if (len < 0 && len != -EMSGSIZE)
		abort(); /* a device the parser accepted is a device the builder takes */
	if (len == 0)
		same_peers(dev, again);
	nwg_device_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t in[MAX_IN] __attribute__((aligned(8)));
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)in;
	struct nwg_device *dev;
	int len, r = 0;

	if (size > sizeof(in))
		return 0;
	memcpy(in, data, size);
	dev = nwg_device_new("fz0");
	if (!dev)
		return 0;
	len = (int)size;
	/* mnl_nlmsg_ok compares nlmsg_len as an int: a length above INT_MAX
	 * (which the kernel never sends) passes it, so it is checked here. */
	for (;
	     len >= (int)sizeof(*nlh) && nlh->nlmsg_len <= (uint32_t)len && mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		r = nwg_kernel_parse_get(nlh, dev);
		if (r != 0 && r != -EBADMSG && r != -ENOMEM)
			abort();
		if (r < 0)
			break;
	}
	if (r == 0) {
		if (nwg_kernel_check_device(dev) != 0)
			abort();
		round_trip(dev);
	}
	nwg_device_free(dev);
	return 0;
}
