/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the rtnetlink reply parsers: RTM_NEWLINK
 * (nwg_rtnl_parse_link), RTM_NEWADDR (nwg_rtnl_parse_addr) and the extended
 * ack message of an NLMSG_ERROR (nwg_nl_extack_msg). The input is a stream
 * of netlink messages; each goes through every parser. Properties:
 *  - nothing crashes or reads out of bounds on any input;
 *  - a parsed link has a non-empty name and NUL-terminated strings;
 *  - a parsed address is IPv4 or IPv6 with a prefix length of its family,
 *    formats as text, and that text parses back to the same address;
 *  - an extack message is always a NUL-terminated string within its buffer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "nl.h"
#include "rtnl_msg.h"

#define MAX_IN 65536

static void check_link(const struct nlmsghdr *nlh)
{
	struct nwg_link l;
	int r = nwg_rtnl_parse_link(nlh, &l);

	if (r != 0 && r != -EBADMSG)
		abort();
	if (r != 0)
		return;
	if (!l.name[0] || strnlen(l.name, sizeof(l.name)) == sizeof(l.name))
		abort();
	if (strnlen(l.kind, sizeof(l.kind)) == sizeof(l.kind) ||
	    strnlen(l.alias, sizeof(l.alias)) == sizeof(l.alias))
		abort();
}

static void check_addr(const struct nlmsghdr *nlh)
{
	struct nwg_ifaddr a, b;
	char text[64];
	int ifindex = -1;
	int r = nwg_rtnl_parse_addr(nlh, &a, &ifindex);

	if (r != 0 && r != -EBADMSG && r != -ENOENT)
		abort();
	if (r != 0)
		return;
	if (!((a.family == AF_INET && a.prefixlen <= 32) ||
	      (a.family == AF_INET6 && a.prefixlen <= 128)))
		abort();
	if (nwg_ifaddr_format(&a, text, sizeof(text)) != 0 || nwg_ifaddr_parse(&b, text) != 0 ||
	    a.family != b.family || a.prefixlen != b.prefixlen ||
	    memcmp(&a.addr, &b.addr, a.family == AF_INET ? 4 : 16))
		abort();
}

static void check_extack(const struct nlmsghdr *nlh)
{
	char msg[NWG_ERR_MSG_LEN];

	memset(msg, 'x', sizeof(msg));
	nwg_nl_extack_msg(nlh, msg, sizeof(msg));
	if (strnlen(msg, sizeof(msg)) == sizeof(msg))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t in[MAX_IN] __attribute__((aligned(8)));
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)in;
	int len;

	if (size > sizeof(in))
		return 0;
	memcpy(in, data, size);
	len = (int)size;
	/* mnl_nlmsg_ok compares nlmsg_len as an int: a length above INT_MAX
	 * (which the kernel never sends) passes it, so it is checked here. */
	for (;
	     len >= (int)sizeof(*nlh) && nlh->nlmsg_len <= (uint32_t)len && mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		check_link(nlh);
		check_addr(nlh);
		check_extack(nlh);
	}
	return 0;
}
