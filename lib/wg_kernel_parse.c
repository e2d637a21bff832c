/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WG_CMD_GET_DEVICE reply parsing. The kernel splits a large device across
 * several dump messages; a peer whose allowed IPs did not fit is repeated at
 * the start of the next message with only its public key and the remaining
 * allowed IPs. Such a peer is merged into the last peer by public key.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <stdlib.h>
#include <string.h>

#include "wg_kernel_int.h"

/* An allowed IP as the nest carries it: the address length is checked
 * against the family once every attribute is seen. */
struct aip_in {
	struct nwg_allowedip a;
	size_t addr_len;
};

struct parse_ctx {
	struct nwg_device *dev;
	struct nwg_peer *peer; /* the peer being filled */
	const struct nlattr *aips;
	int error;
};

static int fail(struct parse_ctx *c, int error)
{
	c->error = error;
	return MNL_CB_ERROR;
}

static int aip_attr_cb(const struct nlattr *attr, void *data)
{
	struct aip_in *in = data;
	struct nwg_allowedip *a = &in->a;
	size_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case WGALLOWEDIP_A_FAMILY:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			a->family = mnl_attr_get_u16(attr);
		break;
	case WGALLOWEDIP_A_IPADDR:
		if (len == sizeof(a->ip4) || len == sizeof(a->ip6)) {
			memcpy(&a->ip6, mnl_attr_get_payload(attr), len);
			in->addr_len = len;
		}
		break;
	case WGALLOWEDIP_A_CIDR_MASK:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) == 0)
			a->cidr = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

static int aip_cb(const struct nlattr *attr, void *data)
{
	struct parse_ctx *c = data;
	struct nwg_peer *p = c->peer;
	struct aip_in in;
	struct nwg_allowedip a, *v;

	memset(&in, 0, sizeof(in));
	if (mnl_attr_parse_nested(attr, aip_attr_cb, &in) < 0)
		return fail(c, -EBADMSG);
	a = in.a;
	/* the family decides the address length and the prefix bound, as the
	 * set builder checks them (wg_kernel_msg.c) */
	if (!((a.family == AF_INET && in.addr_len == sizeof(a.ip4) && a.cidr <= 32) ||
	      (a.family == AF_INET6 && in.addr_len == sizeof(a.ip6) && a.cidr <= 128)))
		return fail(c, -EBADMSG);
	v = realloc(p->allowedips, (p->n_allowedips + 1) * sizeof(*v));
	if (!v)
		return fail(c, -ENOMEM);
	p->allowedips = v;
	v[p->n_allowedips++] = a;
	return MNL_CB_OK;
}

/* An endpoint is a sockaddr_in or sockaddr_in6 whose family matches its
 * length; anything else is a malformed reply. */
static int endpoint_attr(struct parse_ctx *c, struct nwg_peer *p, const struct nlattr *attr)
{
	size_t len = mnl_attr_get_payload_len(attr);
	union nwg_endpoint ep;

	if (len != sizeof(ep.sin) && len != sizeof(ep.sin6))
		return fail(c, -EBADMSG);
	memset(&ep, 0, sizeof(ep));
	memcpy(&ep, mnl_attr_get_payload(attr), len);
	if (!(ep.sa.sa_family == AF_INET && len == sizeof(ep.sin)) &&
	    !(ep.sa.sa_family == AF_INET6 && len == sizeof(ep.sin6)))
		return fail(c, -EBADMSG);
	p->endpoint = ep;
	p->flags |= NWG_PEER_HAS_ENDPOINT;
	return MNL_CB_OK;
}

/* Pass 2 over a peer nest: scalar attributes (absent in a continuation). */
static int peer_attr_cb(const struct nlattr *attr, void *data)
{
	struct parse_ctx *c = data;
	struct nwg_peer *p = c->peer;
	size_t len = mnl_attr_get_payload_len(attr);
	struct __kernel_timespec ts;

	switch (mnl_attr_get_type(attr)) {
	case WGPEER_A_ENDPOINT:
		return endpoint_attr(c, p, attr);
	case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0) {
			p->persistent_keepalive = mnl_attr_get_u16(attr);
			p->flags |= NWG_PEER_HAS_KEEPALIVE;
		}
		break;
	case WGPEER_A_LAST_HANDSHAKE_TIME:
		if (len == sizeof(ts)) {
			memcpy(&ts, mnl_attr_get_payload(attr), sizeof(ts));
			p->last_handshake.tv_sec = (time_t)ts.tv_sec;
			p->last_handshake.tv_nsec = (long)ts.tv_nsec;
		}
		break;
	case WGPEER_A_RX_BYTES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) == 0)
			p->rx_bytes = mnl_attr_get_u64(attr);
		break;
	case WGPEER_A_TX_BYTES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) == 0)
			p->tx_bytes = mnl_attr_get_u64(attr);
		break;
	case WGPEER_A_ALLOWEDIPS:
		c->aips = attr;
		break;
	}
	return MNL_CB_OK;
}

static int find_key_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **key = data;

	if (mnl_attr_get_type(attr) == WGPEER_A_PUBLIC_KEY &&
	    mnl_attr_get_payload_len(attr) == NWG_KEY_LEN)
		*key = attr;
	return MNL_CB_OK;
}

/* Pass 1: the public key picks the target peer (the last one, when this is
 * its continuation, else a new one). */
static struct nwg_peer *target_peer(struct nwg_device *dev, const struct nlattr *keyattr)
{
	struct nwg_key k;

	memcpy(k.b, mnl_attr_get_payload(keyattr), NWG_KEY_LEN);
	if (dev->n_peers && !memcmp(dev->peers[dev->n_peers - 1].public_key.b, k.b, NWG_KEY_LEN))
		return &dev->peers[dev->n_peers - 1];
	return nwg_device_add_peer(dev, &k);
}

static int peer_cb(const struct nlattr *attr, void *data)
{
	struct parse_ctx *c = data;
	const struct nlattr *key = NULL;

	if (mnl_attr_parse_nested(attr, find_key_cb, &key) < 0 || !key)
		return fail(c, -EBADMSG);
	c->peer = target_peer(c->dev, key);
	if (!c->peer)
		return fail(c, -ENOMEM);
	c->aips = NULL;
	if (mnl_attr_parse_nested(attr, peer_attr_cb, c) < 0)
		return fail(c, -EBADMSG);
	if (c->aips && mnl_attr_parse_nested(c->aips, aip_cb, c) < 0)
		return fail(c, c->error ? c->error : -EBADMSG);
	return MNL_CB_OK;
}

static void copy_key(struct nwg_key *k, const struct nlattr *attr, uint32_t *flags, uint32_t f)
{
	if (mnl_attr_get_payload_len(attr) != NWG_KEY_LEN)
		return;
	memcpy(k->b, mnl_attr_get_payload(attr), NWG_KEY_LEN);
	*flags |= f;
}

static int device_cb(const struct nlattr *attr, void *data)
{
	struct parse_ctx *c = data;
	struct nwg_device *d = c->dev;

	switch (mnl_attr_get_type(attr)) {
	case WGDEVICE_A_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0 &&
		    mnl_attr_get_payload_len(attr) <= sizeof(d->name))
			strcpy(d->name, mnl_attr_get_str(attr));
		break;
	case WGDEVICE_A_PRIVATE_KEY:
		copy_key(&d->private_key, attr, &d->flags, NWG_DEV_HAS_PRIVATE_KEY);
		break;
	case WGDEVICE_A_PUBLIC_KEY:
		copy_key(&d->public_key, attr, &d->flags, NWG_DEV_HAS_PUBLIC_KEY);
		break;
	case WGDEVICE_A_LISTEN_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0) {
			d->listen_port = mnl_attr_get_u16(attr);
			d->flags |= NWG_DEV_HAS_LISTEN_PORT;
		}
		break;
	case WGDEVICE_A_PEERS:
		return mnl_attr_parse_nested(attr, peer_cb, c);
	}
	return MNL_CB_OK;
}

int nwg_kernel_parse_get(const struct nlmsghdr *nlh, struct nwg_device *dev)
{
	struct parse_ctx c = {.dev = dev};

	if (!nlh || !dev || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), device_cb, &c) < 0)
		return c.error ? c.error : -EBADMSG;
	return 0;
}
