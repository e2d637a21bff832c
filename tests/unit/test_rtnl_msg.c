/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtnetlink builders against golden bytes, reply parsers, ext-ack parsing and
 * argument validation (no root, no kernel objects).
 *
 * How the fixtures were derived (x86-64, little endian; linux/netlink.h,
 * linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h):
 *   struct nlmsghdr  = u32 len, u16 type, u16 flags, u32 seq, u32 pid (16 bytes)
 *   struct ifinfomsg = u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change (16)
 *   struct ifaddrmsg = u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index (8)
 *   struct nlattr    = u16 len (header + payload, unpadded), u16 type; payload
 *                      padded to 4 bytes; nests carry NLA_F_NESTED (0x8000).
 *   RTM_NEWLINK 16, RTM_DELLINK 17, RTM_GETLINK 18, RTM_NEWADDR 20,
 *   RTM_DELADDR 21, RTM_GETADDR 22; NLM_F_REQUEST 0x1, NLM_F_ACK 0x4,
 *   NLM_F_DUMP 0x300, NLM_F_EXCL 0x200, NLM_F_CREATE 0x400;
 *   IFLA_ADDRESS..: IFLA_IFNAME 3, IFLA_MTU 4, IFLA_LINKINFO 18,
 *   IFLA_IFALIAS 20, IFLA_NET_NS_FD 28; IFLA_INFO_KIND 1; IFA_ADDRESS 1,
 *   IFA_LOCAL 2. Strings (IFLA_IFNAME, IFLA_INFO_KIND) include their NUL as
 *   wireguard-tools sends them; IFLA_IFALIAS has none, like iproute2.
 * Each fixture lists its total length, which is the sum of the commented
 * pieces; seq is fixed so the bytes are deterministic.
 */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nl.h"
#include "nwg/netns.h"
#include "nwg/rtnl.h"
#include "rtnl_msg.h"

static uint8_t buf[NWG_RTNL_MSG_MAX] __attribute__((aligned(8)));

static void assert_msg(const struct nlmsghdr *nlh, const uint8_t *want, size_t len)
{
	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_len, len);
	assert_memory_equal(nlh, want, len);
}

#define IFINFO_ZERO 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define IFNAME_WG0  0x08, 0, 0x03, 0, 'w', 'g', '0', 0 /* IFLA_IFNAME "wg0\0" */

static void test_newlink_wireguard(void **state)
{
	/* 16 hdr + 16 ifinfomsg + 8 IFLA_IFNAME + 4 LINKINFO + 16 INFO_KIND = 60 */
	static const uint8_t want[] = {
	    0x3c,	 0,	     0,	   0,	0x10, 0,    0x05, 0x06, 1,
	    0,		 0,	     0,	   0,	0,    0,    0, /* NEWLINK,REQ|ACK|EXCL|CREATE */
	    IFINFO_ZERO, IFNAME_WG0, 0x14, 0,	0x12, 0x80,    /* LINKINFO nest, len 20 */
	    0x0e,	 0,	     0x01, 0,	'w',  'i',  'r',  'e',	'g',
	    'u',	 'a',	     'r',  'd', 0,    0,    0, /* KIND, len 14 + pad */
	};
	(void)state;
	assert_msg(nwg_rtnl_msg_newlink_kind(buf, sizeof(buf), 1, "wg0", "wireguard"), want,
		   sizeof(want));
}

static void test_dellink(void **state)
{
	static const uint8_t want[] = {
	    0x28,	 0,	     0, 0, 0x11, 0, 0x05, 0,
	    2,		 0,	     0, 0, 0,	 0, 0,	  0, /* 40: DELLINK, REQ|ACK */
	    IFINFO_ZERO, IFNAME_WG0,
	};
	(void)state;
	assert_msg(nwg_rtnl_msg_dellink(buf, sizeof(buf), 2, "wg0"), want, sizeof(want));
}

static void test_setlink_move(void **state)
{
	static const uint8_t want[] = {
	    0x30,	 0,	     0,	   0, 0x10, 0, 0x05, 0, 3, 0,
	    0,		 0,	     0,	   0, 0,    0,		      /* 48: NEWLINK, REQ|ACK */
	    IFINFO_ZERO, IFNAME_WG0, 0x08, 0, 0x1c, 0, 7,    0, 0, 0, /* IFLA_NET_NS_FD u32 7 */
	};
	struct nwg_linkset ls = {.ifname = "wg0", .netns_fd = 7, .up = -1};

	(void)state;
	assert_msg(nwg_rtnl_msg_setlink(buf, sizeof(buf), 3, &ls), want, sizeof(want));
}

static void test_setlink_rename(void **state)
{
	static const uint8_t want[] = {
	    0x2c, 0, 0,	   0, 0x10, 0,	 0x05, 0,   4,	 0,   0, 0, 0, 0, 0, 0, /* 44 */
	    0,	  0, 0,	   0, 5,    0,	 0,    0,   0,	 0,   0, 0, 0, 0, 0, 0, /* ifi_index 5 */
	    0x0b, 0, 0x03, 0, 'w',  'g', '-',  'n', 'e', 'w', 0, 0, /* IFNAME len 11 + 1 pad */
	};
	struct nwg_linkset ls = {.ifindex = 5, .ifname = "wg-new", .netns_fd = -1, .up = -1};

	(void)state;
	assert_msg(nwg_rtnl_msg_setlink(buf, sizeof(buf), 4, &ls), want, sizeof(want));
}

static void test_setlink_alias(void **state)
{
	/* 16 + 16 + 8 + IFLA_IFALIAS (4 + 21 bytes, no NUL, 3 pad) = 68 */
	static const uint8_t want[] = {
	    0x44, 0,   0,   0,	 0x10,	      0,	  0x05, 0,   5,	   0,	0,   0,
	    0,	  0,   0,   0,	 IFINFO_ZERO, IFNAME_WG0, 0x19, 0,   0x14, 0,	'n', 'e',
	    'u',  't', 'r', 'o', 'n',	      '-',	  'w',	'i', 'r',  'e', 'g', 'u',
	    'a',  'r', 'd', ':', 'a',	      'b',	  'c',	0,   0,	   0,
	};
	static const uint8_t clear[] = {
	    0x2c, 0, 0, 0, 0x10,	0,	    0x05, 0, 6,	   0, 0, 0,
	    0,	  0, 0, 0, IFINFO_ZERO, IFNAME_WG0, 0x04, 0, 0x14, 0, /* empty IFLA_IFALIAS clears
								       */
	};
	struct nwg_linkset ls = {
	    .ifname = "wg0", .alias = "neutron-wireguard:abc", .netns_fd = -1, .up = -1};

	(void)state;
	assert_msg(nwg_rtnl_msg_setlink(buf, sizeof(buf), 5, &ls), want, sizeof(want));
	ls.alias = "";
	assert_msg(nwg_rtnl_msg_setlink(buf, sizeof(buf), 6, &ls), clear, sizeof(clear));
}

static void test_setlink_updown_mtu(void **state)
{
	static const uint8_t up[] = {
	    0x28,	0, 0, 0, 0x10, 0, 0x05, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0,
	    0,		0, 0, 0, 0,    0, 0,	1, 0, 0, 0, 1, 0, 0, 0, /* ifi_flags IFF_UP,
									   ifi_change IFF_UP */
	    IFNAME_WG0,
	};
	static const uint8_t down[] = {
	    0x28,	0, 0, 0, 0x10, 0, 0x05, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0,
	    0,		0, 0, 0, 0,    0, 0,	0, 0, 0, 0, 1, 0, 0, 0, /* flags 0, change IFF_UP */
	    IFNAME_WG0,
	};
	static const uint8_t mtu[] = {
	    0x30, 0, 0,		  0,	      0x10, 0, 0x05, 0, 9,    0,    0, 0, 0, 0,
	    0,	  0, IFINFO_ZERO, IFNAME_WG0, 0x08, 0, 0x04, 0, 0x8c, 0x05, 0, 0, /* IFLA_MTU u32
										     1420 = 0x58c */
	};
	struct nwg_linkset ls = {.ifname = "wg0", .netns_fd = -1, .up = 1};

	(void)state;
	assert_msg(nwg_rtnl_msg_setlink(buf, sizeof(buf), 7, &ls), up, sizeof(up));
	ls.up = 0;
	assert_msg(nwg_rtnl_msg_setlink(buf, sizeof(buf), 8, &ls), down, sizeof(down));
	ls.up = -1;
	ls.mtu = 1420;
	assert_msg(nwg_rtnl_msg_setlink(buf, sizeof(buf), 9, &ls), mtu, sizeof(mtu));
}

static void test_getlink(void **state)
{
	static const uint8_t one[] = {
	    0x28, 0, 0, 0, 0x12, 0, 0x05, 0, 10, 0, 0, 0, 0, 0, 0, 0, IFINFO_ZERO, IFNAME_WG0,
	};
	static const uint8_t dump[] = {
	    0x20, 0, 0, 0, 0x12, 0, 0x01, 0x03, 11, 0, 0, 0, 0, 0, 0, 0, IFINFO_ZERO, /* REQ|DUMP */
	};
	(void)state;
	assert_msg(nwg_rtnl_msg_getlink(buf, sizeof(buf), 10, "wg0"), one, sizeof(one));
	assert_msg(nwg_rtnl_msg_getlink(buf, sizeof(buf), 11, NULL), dump, sizeof(dump));
}

static void test_addr_v4(void **state)
{
	static const uint8_t add[] = {
	    0x28, 0,	0,    0, 0x14, 0, 0x05, 0x06, 12, 0, 0, 0, 0, 0, 0, 0, /* 40: NEWADDR */
	    0x02, 0x18, 0,    0, 3,    0, 0,	0, /* AF_INET /24, index 3 */
	    0x08, 0,	0x02, 0, 10,   0, 0,	1, /* IFA_LOCAL 10.0.0.1 */
	    0x08, 0,	0x01, 0, 10,   0, 0,	1, /* IFA_ADDRESS 10.0.0.1 */
	};
	static const uint8_t del[] = {
	    0x20, 0,	0,    0, 0x15, 0, 0x05, 0,
	    13,	  0,	0,    0, 0,    0, 0,	0, /* 32: DELADDR, REQ|ACK */
	    0x02, 0x18, 0,    0, 3,    0, 0,	0,
	    0x08, 0,	0x02, 0, 10,   0, 0,	1, /* IFA_LOCAL only */
	};
	struct nwg_ifaddr a;

	(void)state;
	assert_int_equal(nwg_ifaddr_parse(&a, "10.0.0.1/24"), 0);
	assert_msg(nwg_rtnl_msg_addr(buf, sizeof(buf), 12, RTM_NEWADDR, 3, &a), add, sizeof(add));
	assert_msg(nwg_rtnl_msg_addr(buf, sizeof(buf), 13, RTM_DELADDR, 3, &a), del, sizeof(del));
}

static void test_addr_v6(void **state)
{
#define FD00_1 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	static const uint8_t add[] = {
	    0x40, 0,	0,    0, 0x14,	 0,    0x05, 0x06, 14, 0,      0, 0, 0, 0, 0, 0, /* 64 */
	    0x0a, 0x40, 0,    0, 9,	 0,    0,    0, /* AF_INET6 /64, index 9 */
	    0x14, 0,	0x02, 0, FD00_1, 0x14, 0,    0x01, 0,  FD00_1,
	};
	static const uint8_t dump[] = {
	    0x18, 0, 0, 0, 0x16, 0, 0x01, 0x03, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct nwg_ifaddr a;

	(void)state;
	assert_int_equal(nwg_ifaddr_parse(&a, "fd00::1/64"), 0);
	assert_msg(nwg_rtnl_msg_addr(buf, sizeof(buf), 14, RTM_NEWADDR, 9, &a), add, sizeof(add));
	assert_msg(nwg_rtnl_msg_getaddr(buf, sizeof(buf), 15), dump, sizeof(dump));
}

static void test_builders_small_buffer(void **state)
{
	struct nwg_linkset ls = {.ifname = "wg0", .netns_fd = 3, .up = -1};

	(void)state;
	assert_null(nwg_rtnl_msg_newlink_kind(buf, 40, 1, "wg0", "wireguard"));
	assert_null(nwg_rtnl_msg_setlink(buf, 36, 1, &ls));
	assert_null(nwg_rtnl_msg_getlink(NULL, sizeof(buf), 1, "wg0"));
}

/* ---- reply parsers ---- */

static struct nlmsghdr *reply(uint16_t type, size_t extra)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	mnl_nlmsg_put_extra_header(nlh, extra);
	return nlh;
}

static void test_parse_link(void **state)
{
	struct nlmsghdr *nlh = reply(RTM_NEWLINK, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	char longalias[300];
	struct nlattr *nest;
	struct nwg_link l;

	(void)state;
	ifm->ifi_index = 7;
	ifm->ifi_flags = IFF_UP | IFF_RUNNING;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put(nlh, IFLA_IFALIAS, 5, "hello");
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(nwg_rtnl_parse_link(nlh, &l), 0);
	assert_int_equal(l.ifindex, 7);
	assert_string_equal(l.name, "veth0");
	assert_string_equal(l.kind, "veth");
	assert_string_equal(l.alias, "hello");
	assert_int_equal(l.mtu, 1500);
	assert_true(l.up);

	/* an over-long alias is truncated, never overflows */
	memset(longalias, 'x', sizeof(longalias));
	mnl_attr_put(nlh, IFLA_IFALIAS, sizeof(longalias), longalias);
	assert_int_equal(nwg_rtnl_parse_link(nlh, &l), 0);
	assert_int_equal(strlen(l.alias), NWG_ALIAS_MAX - 1);

	/* no name, wrong type, truncated header: -EBADMSG */
	nlh = reply(RTM_NEWLINK, sizeof(struct ifinfomsg));
	assert_int_equal(nwg_rtnl_parse_link(nlh, &l), -EBADMSG);
	nlh->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(nwg_rtnl_parse_link(nlh, &l), -EBADMSG);
	nlh = reply(RTM_NEWLINK, 4);
	assert_int_equal(nwg_rtnl_parse_link(nlh, &l), -EBADMSG);
	assert_int_equal(nwg_rtnl_parse_link(NULL, &l), -EBADMSG);
}

static void test_parse_addr(void **state)
{
	struct nlmsghdr *nlh = reply(RTM_NEWADDR, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	uint8_t local[4] = {10, 0, 0, 1}, peer[4] = {10, 0, 0, 2}, v6[16] = {0xfe, 0x80};
	struct nwg_ifaddr a;
	char txt[64];
	int idx;

	(void)state;
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 32;
	ifa->ifa_index = 4;
	mnl_attr_put(nlh, IFA_ADDRESS, 4, peer); /* point-to-point: ADDRESS is the peer */
	mnl_attr_put(nlh, IFA_LOCAL, 4, local);
	assert_int_equal(nwg_rtnl_parse_addr(nlh, &a, &idx), 0);
	assert_int_equal(idx, 4);
	assert_int_equal(nwg_ifaddr_format(&a, txt, sizeof(txt)), 0);
	assert_string_equal(txt, "10.0.0.1/32");

	nlh = reply(RTM_NEWADDR, sizeof(struct ifaddrmsg));
	ifa = mnl_nlmsg_get_payload(nlh);
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = 64;
	ifa->ifa_index = 5;
	v6[15] = 1;
	mnl_attr_put(nlh, IFA_ADDRESS, 16, v6);
	assert_int_equal(nwg_rtnl_parse_addr(nlh, &a, &idx), 0);
	assert_int_equal(nwg_ifaddr_format(&a, txt, sizeof(txt)), 0);
	assert_string_equal(txt, "fe80::1/64");
	assert_int_equal(nwg_ifaddr_format(&a, txt, 5), -ENOSPC);

	ifa->ifa_family = AF_INET; /* 16-byte address for IPv4 */
	assert_int_equal(nwg_rtnl_parse_addr(nlh, &a, &idx), -EBADMSG);
	ifa->ifa_family = AF_PACKET;
	assert_int_equal(nwg_rtnl_parse_addr(nlh, &a, &idx), -ENOENT);
}

/* NLMSG_ERROR for a rejected RTM_NEWLINK of 60 bytes, error -EOPNOTSUPP,
 * with NLMSGERR_ATTR_MSG; capped (header only) and uncapped (whole request). */
static void test_extack(void **state)
{
	static const char text[] = "Unknown device type";
	char out[NWG_ERR_MSG_LEN];
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	(void)state;
	nlh = reply(NLMSG_ERROR, sizeof(*e));
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	e = mnl_nlmsg_get_payload(nlh);
	e->error = -EOPNOTSUPP;
	e->msg.nlmsg_len = 60;
	e->msg.nlmsg_type = RTM_NEWLINK;
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 36);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	nwg_nl_extack_msg(nlh, out, sizeof(out));
	assert_string_equal(out, text);

	nlh = reply(NLMSG_ERROR, sizeof(*e) + 44); /* uncapped: request payload echoed */
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	e = mnl_nlmsg_get_payload(nlh);
	e->error = -EOPNOTSUPP;
	e->msg.nlmsg_len = 60;
	memset((char *)(e + 1), 0x03, 44); /* garbage that must not be read as TLVs */
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	nwg_nl_extack_msg(nlh, out, sizeof(out));
	assert_string_equal(out, text);

	nlh->nlmsg_flags = 0; /* no TLVs announced */
	nwg_nl_extack_msg(nlh, out, sizeof(out));
	assert_string_equal(out, "");
	e->msg.nlmsg_len = 4000; /* claims more than the message holds */
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	nwg_nl_extack_msg(nlh, out, sizeof(out));
	assert_string_equal(out, "");
}

/* ---- validation ---- */

static void test_ifname_valid(void **state)
{
	(void)state;
	assert_int_equal(nwg_ifname_valid("wg-0123456789a"), 0);  /* 14 */
	assert_int_equal(nwg_ifname_valid("abcdefghijklmno"), 0); /* 15 */
	assert_int_equal(nwg_ifname_valid("abcdefghijklmnop"), -EINVAL);
	assert_int_equal(nwg_ifname_valid(NULL), -EINVAL);
	assert_int_equal(nwg_ifname_valid(""), -EINVAL);
	assert_int_equal(nwg_ifname_valid("a/b"), -EINVAL);
	assert_int_equal(nwg_ifname_valid("a:b"), -EINVAL);
	assert_int_equal(nwg_ifname_valid("a b"), -EINVAL);
	assert_int_equal(nwg_ifname_valid("a\tb"), -EINVAL);
	assert_int_equal(nwg_ifname_valid(".."), -EINVAL);
}

static void test_ifaddr_parse(void **state)
{
	static const char *bad[] = {"10.0.0.1",	    "10.0.0.1/33",
				    "10.0.0.1/",    "/24",
				    "10.0.0/24",    "10.0.0.1/2a",
				    "10.0.0.1/-1",  "fd00::1/129",
				    "fd00::1/0064", "x/8",
				    " 10.0.0.1/8",  "10.0.0.1/8 ",
				    "fd00:::1/64",  ""};
	struct nwg_ifaddr a;

	(void)state;
	assert_int_equal(nwg_ifaddr_parse(&a, "0.0.0.0/0"), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(nwg_ifaddr_parse(&a, "fd00::1/128"), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.prefixlen, 128);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("bad cidr \"%s\"\n", bad[i]);
		assert_int_equal(nwg_ifaddr_parse(&a, bad[i]), -EINVAL);
	}
	assert_int_equal(nwg_ifaddr_parse(NULL, "10.0.0.1/8"), -EINVAL);
	assert_int_equal(nwg_ifaddr_parse(&a, NULL), -EINVAL);
}

/* Public API: bad arguments are -EINVAL with a message, before any I/O. */
static void test_api_validation(void **state)
{
	struct nwg_err err = {{0}};
	struct nwg_link l;
	char **v;
	size_t n;

	(void)state;
	assert_int_equal(nwg_link_add_wireguard(NULL, "wg0", &err), -EINVAL);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(nwg_link_del(NULL, "wg0", NULL), -EINVAL);
	assert_int_equal(nwg_link_get(NULL, "wg0", &l, NULL), -EINVAL);
	assert_int_equal(nwg_link_list(NULL, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(nwg_addr_list(NULL, "wg0", &v, NULL), -EINVAL);
	assert_int_equal(nwg_rtnl_open(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(nwg_netns_create(NULL, &err), -EINVAL);
	assert_int_equal(nwg_netns_create("a/b", &err), -EINVAL);
	assert_int_equal(nwg_netns_create("..", &err), -EINVAL);
	assert_int_equal(nwg_netns_create("", &err), -EINVAL);
	assert_int_equal(nwg_netns_delete(".", &err), -EINVAL);
	assert_int_equal(nwg_netns_exists("x/y"), -EINVAL);
	assert_int_equal(nwg_netns_open("a/b", &err), -EINVAL);
	assert_int_equal(nwg_netns_run(NULL, NULL, NULL, &err), -EINVAL);
	assert_int_equal(nwg_netns_list(NULL, &n, &err), -EINVAL);
	{
		char longname[NWG_NETNS_NAME_MAX + 2];

		memset(longname, 'n', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		assert_int_equal(nwg_netns_create(longname, &err), -EINVAL);
	}
}

static int in_ns(void *arg)
{
	*(int *)arg = 1;
	return 7;
}

/* With a real socket in the caller's own namespace (no privilege needed):
 * names and values are validated before anything is sent. */
static void test_api_validation_live(void **state)
{
	struct nwg_err err = {{0}};
	struct nwg_rtnl *r;
	struct nwg_link l;
	char alias[NWG_ALIAS_MAX + 1];
	int ran = 0;

	(void)state;
	assert_int_equal(nwg_netns_run(NULL, in_ns, &ran, &err), 7);
	assert_int_equal(ran, 1);
	assert_int_equal(nwg_rtnl_open(&r, NULL, &err), 0);
	assert_int_equal(nwg_link_get(r, "abcdefghijklmnop", &l, &err), -EINVAL);
	assert_int_equal(nwg_link_get(r, "lo", NULL, &err), -EINVAL);
	assert_int_equal(nwg_link_rename(r, "lo", "abcdefghijklmnop", &err), -EINVAL);
	assert_int_equal(nwg_link_move(r, "lo", -1, &err), -EINVAL);
	assert_int_equal(nwg_link_set_mtu(r, "lo", 0, &err), -EINVAL);
	assert_int_equal(nwg_link_set_alias(r, "lo", NULL, &err), -EINVAL);
	memset(alias, 'a', sizeof(alias) - 1);
	alias[NWG_ALIAS_MAX] = '\0';
	assert_int_equal(nwg_link_set_alias(r, "lo", alias, &err), -EINVAL);
	assert_int_equal(nwg_addr_add(r, "lo", "10.0.0.1/33", &err), -EINVAL);
	assert_int_equal(nwg_addr_add(r, "lo", NULL, &err), -EINVAL);
	assert_int_equal(nwg_addr_list(r, "lo", NULL, &err), -EINVAL);
	/* a read that needs no privilege */
	assert_int_equal(nwg_link_get(r, "lo", &l, &err), 0);
	assert_int_equal(l.ifindex, 1);
	assert_int_equal(nwg_link_get(r, "nwg-none-xyz", &l, &err), -ENODEV);
	nwg_rtnl_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_newlink_wireguard),
	    cmocka_unit_test(test_dellink),
	    cmocka_unit_test(test_setlink_move),
	    cmocka_unit_test(test_setlink_rename),
	    cmocka_unit_test(test_setlink_alias),
	    cmocka_unit_test(test_setlink_updown_mtu),
	    cmocka_unit_test(test_getlink),
	    cmocka_unit_test(test_addr_v4),
	    cmocka_unit_test(test_addr_v6),
	    cmocka_unit_test(test_builders_small_buffer),
	    cmocka_unit_test(test_parse_link),
	    cmocka_unit_test(test_parse_addr),
	    cmocka_unit_test(test_extack),
	    cmocka_unit_test(test_ifname_valid),
	    cmocka_unit_test(test_ifaddr_parse),
	    cmocka_unit_test(test_api_validation),
	    cmocka_unit_test(test_api_validation_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
