/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WG_CMD_SET_DEVICE builder (nwg_kernel_build_set): golden bytes, splitting
 * across messages (parsed back with libmnl and compared with the input),
 * validation. No root, no kernel module.
 *
 * Fixture derivation (x86-64, little endian; linux/netlink.h,
 * linux/genetlink.h, linux/wireguard.h from linux-libc-dev):
 *   nlmsghdr 16 bytes (u32 len, u16 type = genl family id, u16 flags, u32 seq,
 *   u32 pid); genlmsghdr 4 bytes (u8 cmd, u8 version, u16 reserved):
 *   WG_CMD_SET_DEVICE = 1, WG_GENL_VERSION = 1. nlattr = u16 len (unpadded),
 *   u16 type, payload padded to 4; nests carry NLA_F_NESTED (0x8000) and the
 *   list entries (peers, allowed IPs) are nests of type 0, i.e. 0x8000.
 *   WGDEVICE_A_IFNAME 2, PRIVATE_KEY 3, FLAGS 5, LISTEN_PORT 6, PEERS 8;
 *   WGPEER_A_PUBLIC_KEY 1, FLAGS 3, ENDPOINT 4, PERSISTENT_KEEPALIVE_INTERVAL
 *   5, ALLOWEDIPS 9; WGALLOWEDIP_A_FAMILY 1, IPADDR 2, CIDR_MASK 3;
 *   WGDEVICE_F_REPLACE_PEERS 1; WGPEER_F_REMOVE_ME 1, REPLACE_ALLOWEDIPS 2,
 *   UPDATE_ONLY 4. u16/u32 attributes are host order; the endpoint is a
 *   struct sockaddr_in (u16 family, port and address in network order, 8
 *   zero bytes). Family id 0x20 and seq 1 are fixed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>

#include "wg_backend.h"

#define FAMILY 0x20

static uint8_t buf[16384] __attribute__((aligned(8)));

static void fill_key(struct nwg_key *k, uint8_t first)
{
	for (int i = 0; i < NWG_KEY_LEN; i++)
		k->b[i] = (uint8_t)(first + i);
}

#define KEY_01                                                                                     \
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,  \
	    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,    \
	    0x1e, 0x1f, 0x20
#define KEY_A0                                                                                     \
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae,  \
	    0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc,    \
	    0xbd, 0xbe, 0xbf

/* Device wg0: private key 01..20, port 51820, REPLACE_PEERS; one peer a0..bf
 * with endpoint 192.0.2.1:51820, keepalive 25, REPLACE_ALLOWEDIPS,
 * allowed IPs 10.0.0.2/32 and fd00::2/128. */
static const uint8_t golden_full[] = {
    0xe8, 0,	0,    0,    FAMILY, 0,	  0x05, 0,    1,   0, 0, 0, 0, 0, 0, 0, /* 232 bytes,
										   REQ|ACK */
    0x01, 0x01, 0,    0,							/* SET_DEVICE v1 */
    0x08, 0,	0x02, 0,    'w',    'g',  '0',	0,				/* IFNAME */
    0x24, 0,	0x03, 0,    KEY_01,		   /* PRIVATE_KEY (36) */
    0x06, 0,	0x06, 0,    0x6c,   0xca, 0,	0, /* LISTEN_PORT 51820 */
    0x08, 0,	0x05, 0,    0x01,   0,	  0,	0, /* FLAGS REPLACE_PEERS */
    0x98, 0,	0x08, 0x80,			   /* PEERS nest, 152 */
    0x94, 0,	0x00, 0x80,			   /* peer nest, 148 */
    0x24, 0,	0x01, 0,    KEY_A0,		   /* PUBLIC_KEY (36) */
    0x14, 0,	0x04, 0,    0x02,   0,	  0xca, 0x6c, 192, 0, 2, 1, 0, 0, 0, 0, 0,
    0,	  0,	0,				   /* ENDPOINT */
    0x06, 0,	0x05, 0,    25,	    0,	  0,	0, /* KEEPALIVE 25 */
    0x08, 0,	0x03, 0,    0x02,   0,	  0,	0, /* FLAGS REPLACE_ALLOWEDIPS */
    0x48, 0,	0x09, 0x80,			   /* ALLOWEDIPS nest, 72 */
    0x1c, 0,	0x00, 0x80,			   /* allowed IP nest, 28 */
    0x06, 0,	0x01, 0,    0x02,   0,	  0,	0, /* FAMILY AF_INET */
    0x08, 0,	0x02, 0,    10,	    0,	  0,	2, /* IPADDR */
    0x05, 0,	0x03, 0,    32,	    0,	  0,	0, /* CIDR_MASK */
    0x28, 0,	0x00, 0x80,			   /* allowed IP nest, 40 */
    0x06, 0,	0x01, 0,    0x0a,   0,	  0,	0, /* FAMILY AF_INET6 */
    0x14, 0,	0x02, 0,    0xfd,   0,	  0,	0,    0,   0, 0, 0, 0, 0, 0, 0, 0,
    0,	  0,	2,				   /* IPADDR */
    0x05, 0,	0x03, 0,    128,    0,	  0,	0, /* CIDR_MASK */
};

static void test_golden_full(void **state)
{
	struct nwg_allowedip aips[2] = {{.family = AF_INET, .cidr = 32},
					{.family = AF_INET6, .cidr = 128}};
	struct nwg_peer peer = {.flags = NWG_PEER_HAS_ENDPOINT | NWG_PEER_HAS_KEEPALIVE |
					 NWG_PEER_REPLACE_ALLOWEDIPS,
				.persistent_keepalive = 25,
				.allowedips = aips,
				.n_allowedips = 2};
	struct nwg_device dev = {.name = "wg0",
				 .flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_LISTEN_PORT |
					  NWG_DEV_REPLACE_PEERS,
				 .listen_port = 51820,
				 .peers = &peer,
				 .n_peers = 1};
	size_t p = 0, a = 0;
	int first = 1;

	(void)state;
	fill_key(&dev.private_key, 0x01);
	fill_key(&peer.public_key, 0xa0);
	peer.endpoint.sin.sin_family = AF_INET;
	peer.endpoint.sin.sin_port = htons(51820);
	inet_pton(AF_INET, "192.0.2.1", &peer.endpoint.sin.sin_addr);
	inet_pton(AF_INET, "10.0.0.2", &aips[0].ip4);
	inet_pton(AF_INET6, "fd00::2", &aips[1].ip6);
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", &dev, &p, &a, &first),
			 sizeof(golden_full));
	assert_memory_equal(buf, golden_full, sizeof(golden_full));
	assert_int_equal(p, 1);
	assert_int_equal(first, 0);
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 2, "wg0", &dev, &p, &a, &first),
			 0);
}

/* Peer removal: key + WGPEER_F_REMOVE_ME only; nothing device-wide. And a
 * peer with UPDATE_ONLY and no allowed IPs. */
static const uint8_t golden_remove[] = {
    0x80, 0,	0,    0,    FAMILY, 0,	  0x05, 0,    1,   0,	 0,   0, 0, 0, 0, 0, /* 128 */
    0x01, 0x01, 0,    0,    0x08,   0,	  0x02, 0,    'w', 'g',	 '0', 0,    /* genl, IFNAME */
    0x64, 0,	0x08, 0x80,						    /* PEERS nest, 100 */
    0x30, 0,	0x00, 0x80,						    /* peer, 48 */
    0x24, 0,	0x01, 0,    KEY_A0, 0x08, 0,	0x03, 0,   0x01, 0,   0, 0, /* key, FLAGS REMOVE_ME
									     */
    0x30, 0,	0x00, 0x80,						    /* peer, 48 */
    0x24, 0,	0x01, 0,    KEY_01, 0x08, 0,	0x03, 0,   0x04, 0,   0, 0, /* key, FLAGS
									       UPDATE_ONLY */
};

static void test_golden_remove(void **state)
{
	struct nwg_allowedip aip = {.family = AF_INET, .cidr = 32};
	struct nwg_peer peers[2] = {
	    {.flags = NWG_PEER_REMOVE | NWG_PEER_REPLACE_ALLOWEDIPS | NWG_PEER_HAS_KEEPALIVE,
	     .persistent_keepalive = 5,
	     .allowedips = &aip,
	     .n_allowedips = 1}, /* all ignored for a removal */
	    {.flags = NWG_PEER_UPDATE_ONLY},
	};
	struct nwg_device dev = {.name = "wg0", .peers = peers, .n_peers = 2};
	size_t p = 0, a = 0;
	int first = 1;

	(void)state;
	fill_key(&peers[0].public_key, 0xa0);
	fill_key(&peers[1].public_key, 0x01);
	fill_key(&dev.private_key, 0x55); /* not flagged: must not be sent */
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", &dev, &p, &a, &first),
			 sizeof(golden_remove));
	assert_memory_equal(buf, golden_remove, sizeof(golden_remove));
}

/* A device with no peers: exactly one message (ifname only), then 0. */
static void test_no_peers(void **state)
{
	static const uint8_t want[] = {
	    0x1c, 0, 0,	   0,	 FAMILY, 0, 0x05, 0, 1,	   0, 0,   0,	0,   0,
	    0,	  0, 0x01, 0x01, 0,	 0, 0x08, 0, 0x02, 0, 'w', 'g', '0', 0,
	};
	struct nwg_device dev = {.name = "wg0"};
	size_t p = 0, a = 0;
	int first = 1;

	(void)state;
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", &dev, &p, &a, &first),
			 sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 2, "wg0", &dev, &p, &a, &first),
			 0);
}

/* ---- splitting: build into a small buffer, parse every message back ---- */

struct seen_peer {
	struct nwg_key key;
	uint32_t flags;
	int has_endpoint, has_keepalive;
	struct nwg_allowedip aips[256];
	size_t n;
};

struct seen {
	struct seen_peer *peers;
	size_t n, cap;
	int msgs, continuations, device_attrs, replace_peers;
	struct seen_peer cur; /* the peer nest being parsed */
	int msg_first_peer;
};

static int aip_attr(const struct nlattr *attr, void *data)
{
	struct nwg_allowedip *a = data;

	switch (mnl_attr_get_type(attr)) {
	case WGALLOWEDIP_A_FAMILY:
		a->family = mnl_attr_get_u16(attr);
		break;
	case WGALLOWEDIP_A_IPADDR:
		memcpy(&a->ip6, mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr));
		break;
	case WGALLOWEDIP_A_CIDR_MASK:
		a->cidr = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

static int aip_nest(const struct nlattr *attr, void *data)
{
	struct seen_peer *p = data;
	struct nwg_allowedip a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(mnl_attr_parse_nested(attr, aip_attr, &a), MNL_CB_OK);
	assert_true(p->n < 256);
	p->aips[p->n++] = a;
	return MNL_CB_OK;
}

static int peer_attr(const struct nlattr *attr, void *data)
{
	struct seen_peer *p = data;

	switch (mnl_attr_get_type(attr)) {
	case WGPEER_A_PUBLIC_KEY:
		memcpy(p->key.b, mnl_attr_get_payload(attr), NWG_KEY_LEN);
		break;
	case WGPEER_A_FLAGS:
		p->flags = mnl_attr_get_u32(attr);
		break;
	case WGPEER_A_ENDPOINT:
		p->has_endpoint = 1;
		break;
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		p->has_keepalive = 1;
		break;
	case WGPEER_A_ALLOWEDIPS:
		return mnl_attr_parse_nested(attr, aip_nest, p);
	}
	return MNL_CB_OK;
}

/* Merges a parsed peer nest: a continuation (same key as the last peer, at
 * the start of a later message) must not replace allowed IPs again. */
static void merge_peer(struct seen *s, const struct seen_peer *cur)
{
	struct seen_peer *last = s->n ? &s->peers[s->n - 1] : NULL;

	if (last && !memcmp(last->key.b, cur->key.b, NWG_KEY_LEN)) {
		assert_true(s->msg_first_peer); /* only ever at a message start */
		assert_false(cur->flags & WGPEER_F_REPLACE_ALLOWEDIPS);
		assert_false(cur->has_endpoint);
		assert_true(last->n + cur->n <= 256);
		memcpy(&last->aips[last->n], cur->aips, cur->n * sizeof(cur->aips[0]));
		last->n += cur->n;
		s->continuations++;
		return;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->peers = realloc(s->peers, s->cap * sizeof(*s->peers));
		assert_non_null(s->peers);
	}
	s->peers[s->n++] = *cur;
}

static int peer_nest(const struct nlattr *attr, void *data)
{
	struct seen *s = data;

	memset(&s->cur, 0, sizeof(s->cur));
	assert_int_equal(mnl_attr_parse_nested(attr, peer_attr, &s->cur), MNL_CB_OK);
	merge_peer(s, &s->cur);
	s->msg_first_peer = 0;
	return MNL_CB_OK;
}

static int device_attr(const struct nlattr *attr, void *data)
{
	struct seen *s = data;

	switch (mnl_attr_get_type(attr)) {
	case WGDEVICE_A_IFNAME:
		assert_string_equal(mnl_attr_get_str(attr), "wg-split");
		break;
	case WGDEVICE_A_PRIVATE_KEY:
	case WGDEVICE_A_LISTEN_PORT:
		s->device_attrs++;
		assert_int_equal(s->msgs, 1); /* first message only */
		break;
	case WGDEVICE_A_FLAGS:
		assert_int_equal(mnl_attr_get_u32(attr), WGDEVICE_F_REPLACE_PEERS);
		assert_int_equal(s->msgs, 1);
		s->replace_peers++;
		break;
	case WGDEVICE_A_PEERS:
		s->msg_first_peer = 1;
		return mnl_attr_parse_nested(attr, peer_nest, s);
	}
	return MNL_CB_OK;
}

static void parse_msg(struct seen *s, const void *msg, int len, size_t buflen)
{
	const struct nlmsghdr *nlh = msg;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	assert_true(mnl_nlmsg_ok(nlh, len));
	assert_true((size_t)len <= buflen);
	assert_int_equal(nlh->nlmsg_type, FAMILY);
	assert_int_equal(g->cmd, WG_CMD_SET_DEVICE);
	s->msgs++;
	assert_int_equal(mnl_attr_parse(nlh, sizeof(*g), device_attr, s), MNL_CB_OK);
}

static struct nwg_device *make_device(size_t n_peers, size_t n_aips)
{
	struct nwg_device *dev = calloc(1, sizeof(*dev));

	assert_non_null(dev);
	strcpy(dev->name, "wg-split");
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_LISTEN_PORT | NWG_DEV_REPLACE_PEERS;
	dev->listen_port = 51000;
	dev->peers = calloc(n_peers, sizeof(*dev->peers));
	dev->n_peers = n_peers;
	assert_non_null(dev->peers);
	for (size_t i = 0; i < n_peers; i++) {
		struct nwg_peer *p = &dev->peers[i];

		memset(p->public_key.b, 0x11, NWG_KEY_LEN);
		memcpy(p->public_key.b, &i, sizeof(i));
		p->flags =
		    NWG_PEER_REPLACE_ALLOWEDIPS | NWG_PEER_HAS_ENDPOINT | NWG_PEER_HAS_KEEPALIVE;
		p->endpoint.sin6.sin6_family = AF_INET6;
		p->endpoint.sin6.sin6_port = htons((uint16_t)(1000 + i));
		p->persistent_keepalive = 25;
		p->allowedips = calloc(n_aips, sizeof(*p->allowedips));
		p->n_allowedips = n_aips;
		assert_non_null(p->allowedips);
		for (size_t j = 0; j < n_aips; j++) {
			struct nwg_allowedip *a = &p->allowedips[j];
			uint32_t v4 = htonl((uint32_t)(0x0a000000 | (i << 10) | j));

			a->family = j % 2 ? AF_INET6 : AF_INET;
			if (a->family == AF_INET) {
				memcpy(&a->ip4, &v4, 4);
				a->cidr = 32;
			} else {
				a->ip6.s6_addr[0] = 0xfd;
				memcpy(&a->ip6.s6_addr[8], &i, sizeof(i));
				a->ip6.s6_addr[7] = (uint8_t)j;
				a->cidr = 128;
			}
		}
	}
	return dev;
}

static void free_device(struct nwg_device *dev)
{
	for (size_t i = 0; i < dev->n_peers; i++)
		free(dev->peers[i].allowedips);
	free(dev->peers);
	free(dev);
}

static void assert_same(const struct nwg_device *dev, const struct seen *s)
{
	assert_int_equal(s->n, dev->n_peers);
	for (size_t i = 0; i < dev->n_peers; i++) {
		const struct nwg_peer *p = &dev->peers[i];

		assert_memory_equal(s->peers[i].key.b, p->public_key.b, NWG_KEY_LEN);
		assert_int_equal(s->peers[i].flags, WGPEER_F_REPLACE_ALLOWEDIPS);
		assert_true(s->peers[i].has_endpoint && s->peers[i].has_keepalive);
		assert_int_equal(s->peers[i].n, p->n_allowedips);
		for (size_t j = 0; j < p->n_allowedips; j++) {
			assert_int_equal(s->peers[i].aips[j].family, p->allowedips[j].family);
			assert_int_equal(s->peers[i].aips[j].cidr, p->allowedips[j].cidr);
			assert_memory_equal(&s->peers[i].aips[j].ip6, &p->allowedips[j].ip6,
					    p->allowedips[j].family == AF_INET ? 4 : 16);
		}
	}
}

/* Builds every message of dev into buflen-sized buffers; returns what was seen. */
static void build_all(const struct nwg_device *dev, size_t buflen, struct seen *s)
{
	size_t p = 0, a = 0;
	int first = 1, len, guard = 0;

	memset(s, 0, sizeof(*s));
	while ((len = nwg_kernel_build_set(buf, buflen, FAMILY, (uint32_t)guard, "wg-split", dev,
					   &p, &a, &first)) > 0) {
		parse_msg(s, buf, len, buflen);
		assert_true(++guard < 100000);
	}
	assert_int_equal(len, 0);
	assert_int_equal(p, dev->n_peers);
}

static void test_split_300x4(void **state)
{
	struct nwg_device *dev = make_device(300, 4);
	struct seen s;

	(void)state;
	build_all(dev, 1024, &s);
	assert_true(s.msgs > 10);
	assert_int_equal(s.replace_peers, 1);
	assert_int_equal(s.device_attrs, 2);
	assert_same(dev, &s);
	print_message("300 peers x 4 allowed IPs in 1024-byte messages: %d messages, %d "
		      "continued peers\n",
		      s.msgs, s.continuations);
	free(s.peers);
	build_all(dev, 200, &s); /* too small for a whole peer: every peer is continued */
	assert_true(s.continuations >= 300);
	assert_int_equal(s.replace_peers, 1);
	assert_same(dev, &s);
	free(s.peers);
	build_all(dev, 8192, &s); /* the size nwg_kernel_set uses */
	assert_true(s.msgs > 1);
	assert_same(dev, &s);
	free(s.peers);
	free_device(dev);
}

/* Peers with more allowed IPs than one message holds: continued peers. */
static void test_split_within_peer(void **state)
{
	struct nwg_device *dev = make_device(3, 200);
	struct seen s;

	(void)state;
	build_all(dev, 1024, &s);
	assert_true(s.continuations >= 3);
	assert_int_equal(s.replace_peers, 1);
	assert_same(dev, &s);
	free(s.peers);
	free_device(dev);
}

/* ---- validation ---- */

static void test_validation(void **state)
{
	struct nwg_allowedip aip = {.family = AF_INET, .cidr = 33};
	struct nwg_peer peer = {.allowedips = &aip, .n_allowedips = 1};
	struct nwg_device dev = {.name = "wg0", .peers = &peer, .n_peers = 1};
	size_t p = 0, a = 0;
	int first = 1;

	(void)state;
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", &dev, &p, &a, &first),
			 -EINVAL); /* /33 */
	aip.cidr = 32;
	aip.family = AF_UNIX;
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", &dev, &p, &a, &first),
			 -EINVAL);
	aip.family = AF_INET6;
	aip.cidr = 129;
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", &dev, &p, &a, &first),
			 -EINVAL);
	aip.cidr = 128;
	peer.flags = NWG_PEER_HAS_ENDPOINT; /* but sa_family AF_UNSPEC */
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", &dev, &p, &a, &first),
			 -EINVAL);
	peer.flags = 0;
	assert_int_equal(
	    nwg_kernel_build_set(buf, 8192, FAMILY, 1, "abcdefghijklmnop", &dev, &p, &a, &first),
	    -EINVAL);
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, NULL, &dev, &p, &a, &first),
			 -EINVAL);
	assert_int_equal(nwg_kernel_build_set(NULL, 8192, FAMILY, 1, "wg0", &dev, &p, &a, &first),
			 -EINVAL);
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", NULL, &p, &a, &first),
			 -EINVAL);
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", &dev, NULL, &a, &first),
			 -EINVAL);
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", &dev, &p, &a, NULL),
			 -EINVAL);
	p = 2; /* beyond the peers */
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", &dev, &p, &a, &first),
			 -EINVAL);
	p = 0;
	dev.peers = NULL;
	assert_int_equal(nwg_kernel_build_set(buf, 8192, FAMILY, 1, "wg0", &dev, &p, &a, &first),
			 -EINVAL);
	/* the public API validates too, before opening any socket */
	assert_int_equal(nwg_kernel_set("abcdefghijklmnop", NULL, &dev, NULL), -EINVAL);
	assert_int_equal(nwg_kernel_set("wg0", NULL, NULL, NULL), -EINVAL);
	assert_int_equal(nwg_kernel_set("wg0", NULL, &dev, NULL), -EINVAL); /* peers NULL */
}

/* A buffer too small for even one peer: an error, never an endless loop. */
static void test_too_small(void **state)
{
	struct nwg_device *dev = make_device(2, 1);
	size_t p = 0, a = 0;
	int first = 1;

	(void)state;
	dev->flags = 0;
	assert_int_equal(nwg_kernel_build_set(buf, 64, FAMILY, 1, "wg-split", dev, &p, &a, &first),
			 36); /* the first message: ifname only; no peer fitted */
	assert_int_equal(p, 0);
	assert_int_equal(nwg_kernel_build_set(buf, 64, FAMILY, 1, "wg-split", dev, &p, &a, &first),
			 -EMSGSIZE);
	assert_int_equal(nwg_kernel_build_set(buf, 16, FAMILY, 1, "wg-split", dev, &p, &a, &first),
			 -EMSGSIZE);
	free_device(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden_full),	      cmocka_unit_test(test_golden_remove),
	    cmocka_unit_test(test_no_peers),	      cmocka_unit_test(test_split_300x4),
	    cmocka_unit_test(test_split_within_peer), cmocka_unit_test(test_validation),
	    cmocka_unit_test(test_too_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
