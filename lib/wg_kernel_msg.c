/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WG_CMD_SET_DEVICE / WG_CMD_GET_DEVICE request builders (pure, no socket).
 * A set that does not fit one message is split the way wireguard-tools'
 * kernel_set_device does: the open peer (or allowed-IP) nest is cancelled,
 * the message is sent, and the next one resumes from that peer/allowed IP.
 * Device attributes and WGDEVICE_F_REPLACE_PEERS go in the first message
 * only; a peer continued into a new message carries only its key, the
 * UPDATE_ONLY flag and the remaining allowed IPs (no REPLACE_ALLOWEDIPS,
 * which would drop the ones already sent).
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>
#include <string.h>

#include "nwg/rtnl.h"
#include "wg_backend.h"
#include "wg_kernel_int.h"

static bool aip_ok(const struct nwg_allowedip *a)
{
	return (a->family == AF_INET && a->cidr <= 32) || (a->family == AF_INET6 && a->cidr <= 128);
}

static bool peer_ok(const struct nwg_peer *p)
{
	sa_family_t f = p->endpoint.sa.sa_family;

	if (p->n_allowedips && !p->allowedips)
		return false;
	if ((p->flags & NWG_PEER_HAS_ENDPOINT) && f != AF_INET && f != AF_INET6)
		return false;
	for (size_t i = 0; i < p->n_allowedips; i++)
		if (!aip_ok(&p->allowedips[i]))
			return false;
	return true;
}

int nwg_kernel_check_device(const struct nwg_device *dev)
{
	if (!dev || (dev->n_peers && !dev->peers))
		return -EINVAL;
	for (size_t i = 0; i < dev->n_peers; i++)
		if (!peer_ok(&dev->peers[i]))
			return -EINVAL;
	return 0;
}

static struct nlmsghdr *genl_start(void *buf, size_t buflen, uint16_t family_id, uint16_t flags,
				   uint32_t seq, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	if (!buf || buflen < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*g)))
		return NULL;
	memset(buf, 0, buflen);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = WG_GENL_VERSION;
	return nlh;
}

struct nlmsghdr *nwg_kernel_build_get(void *buf, size_t buflen, uint16_t family_id, uint32_t seq,
				      const char *ifname)
{
	struct nlmsghdr *nlh =
	    genl_start(buf, buflen, family_id, NLM_F_REQUEST | NLM_F_DUMP, seq, WG_CMD_GET_DEVICE);

	if (!nlh || nwg_ifname_valid(ifname) < 0 ||
	    !mnl_attr_put_strz_check(nlh, buflen, WGDEVICE_A_IFNAME, ifname))
		return NULL;
	return nlh;
}

static bool put_device_attrs(struct nlmsghdr *nlh, size_t len, const struct nwg_device *dev)
{
	if ((dev->flags & NWG_DEV_HAS_PRIVATE_KEY) &&
	    !mnl_attr_put_check(nlh, len, WGDEVICE_A_PRIVATE_KEY, NWG_KEY_LEN, dev->private_key.b))
		return false;
	if ((dev->flags & NWG_DEV_HAS_LISTEN_PORT) &&
	    !mnl_attr_put_u16_check(nlh, len, WGDEVICE_A_LISTEN_PORT, dev->listen_port))
		return false;
	if ((dev->flags & NWG_DEV_REPLACE_PEERS) &&
	    !mnl_attr_put_u32_check(nlh, len, WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS))
		return false;
	return true;
}

static bool put_aip(struct nlmsghdr *nlh, size_t len, const struct nwg_allowedip *a)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, len, 0);
	size_t alen = a->family == AF_INET ? sizeof(a->ip4) : sizeof(a->ip6);

	if (!nest)
		return false;
	if (!mnl_attr_put_u16_check(nlh, len, WGALLOWEDIP_A_FAMILY, a->family) ||
	    !mnl_attr_put_check(nlh, len, WGALLOWEDIP_A_IPADDR, alen, &a->ip4) ||
	    !mnl_attr_put_u8_check(nlh, len, WGALLOWEDIP_A_CIDR_MASK, a->cidr)) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* Public key, then (fresh peers only) endpoint and keepalive, then flags. */
static bool put_peer_head(struct nlmsghdr *nlh, size_t len, const struct nwg_peer *p, bool cont)
{
	uint32_t flags = 0;

	if (!mnl_attr_put_check(nlh, len, WGPEER_A_PUBLIC_KEY, NWG_KEY_LEN, p->public_key.b))
		return false;
	if (p->flags & NWG_PEER_REMOVE)
		return mnl_attr_put_u32_check(nlh, len, WGPEER_A_FLAGS, WGPEER_F_REMOVE_ME);
	if (!cont && (p->flags & NWG_PEER_HAS_ENDPOINT)) {
		size_t elen = p->endpoint.sa.sa_family == AF_INET ? sizeof(p->endpoint.sin)
								  : sizeof(p->endpoint.sin6);

		if (!mnl_attr_put_check(nlh, len, WGPEER_A_ENDPOINT, elen, &p->endpoint))
			return false;
	}
	if (!cont && (p->flags & NWG_PEER_HAS_KEEPALIVE) &&
	    !mnl_attr_put_u16_check(nlh, len, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
				    p->persistent_keepalive))
		return false;
	if (p->flags & NWG_PEER_UPDATE_ONLY)
		flags |= WGPEER_F_UPDATE_ONLY;
	if (!cont && (p->flags & NWG_PEER_REPLACE_ALLOWEDIPS))
		flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
	return !flags || mnl_attr_put_u32_check(nlh, len, WGPEER_A_FLAGS, flags);
}

enum { PEER_NONE = 0, PEER_PARTIAL, PEER_DONE };

/* Emits peer p from allowed IP *aip on; advances *aip by what fitted.
 * PEER_NONE: nothing of it fitted (its nest was cancelled). */
static int put_peer(struct nlmsghdr *nlh, size_t len, const struct nwg_peer *p, size_t *aip)
{
	struct nlattr *nest = mnl_attr_nest_start_check(nlh, len, 0), *aips;
	size_t i = *aip;

	if (!nest)
		return PEER_NONE;
	if (!put_peer_head(nlh, len, p, *aip > 0))
		goto none;
	if ((p->flags & NWG_PEER_REMOVE) || p->n_allowedips == 0) {
		mnl_attr_nest_end(nlh, nest);
		return PEER_DONE;
	}
	aips = mnl_attr_nest_start_check(nlh, len, WGPEER_A_ALLOWEDIPS);
	if (!aips)
		goto none;
	while (i < p->n_allowedips && put_aip(nlh, len, &p->allowedips[i]))
		i++;
	if (i == *aip)
		goto none; /* not one allowed IP fitted: the whole peer moves on */
	mnl_attr_nest_end(nlh, aips);
	mnl_attr_nest_end(nlh, nest);
	*aip = i;
	return i == p->n_allowedips ? PEER_DONE : PEER_PARTIAL;
none:
	mnl_attr_nest_cancel(nlh, nest);
	return PEER_NONE;
}

/* Emits peers from the peer_idx/aip_idx position on; returns how many peer
 * into this message. */
static size_t put_peers(struct nlmsghdr *nlh, size_t len, const struct nwg_device *dev,
			size_t *peer_idx, size_t *aip_idx)
{
	struct nlattr *peers = mnl_attr_nest_start_check(nlh, len, WGDEVICE_A_PEERS);
	size_t emitted = 0;
	int r = PEER_DONE;

	if (!peers)
		return 0;
	while (*peer_idx < dev->n_peers && r == PEER_DONE) {
		r = put_peer(nlh, len, &dev->peers[*peer_idx], aip_idx);
		if (r != PEER_NONE)
			emitted++;
		if (r == PEER_DONE) {
			++*peer_idx;
			*aip_idx = 0;
		}
	}
	if (emitted)
		mnl_attr_nest_end(nlh, peers);
	else
		mnl_attr_nest_cancel(nlh, peers);
	return emitted;
}

static int check_args(void *buf, const char *ifname, const struct nwg_device *dev,
		      const size_t *peer_idx, const size_t *aip_idx, const int *first)
{
	if (!buf || !dev || !peer_idx || !aip_idx || !first || nwg_ifname_valid(ifname) < 0)
		return -EINVAL;
	if (*peer_idx > dev->n_peers || (dev->n_peers && !dev->peers))
		return -EINVAL;
	if (*peer_idx<dev->n_peers && * aip_idx> 0 &&
	    *aip_idx >= dev->peers[*peer_idx].n_allowedips)
		return -EINVAL;
	return *first ? nwg_kernel_check_device(dev) : 0;
}

int nwg_kernel_build_set(void *buf, size_t buflen, uint16_t family_id, uint32_t seq,
			 const char *ifname, const struct nwg_device *dev, size_t *peer_idx,
			 size_t *aip_idx, int *first)
{
	struct nlmsghdr *nlh;
	int ret = check_args(buf, ifname, dev, peer_idx, aip_idx, first);

	if (ret < 0)
		return ret;
	if (buflen > UINT16_MAX)
		buflen = UINT16_MAX; /* nest lengths are 16 bits */
	if (!*first && *peer_idx == dev->n_peers)
		return 0; /* everything was emitted */
	nlh = genl_start(buf, buflen, family_id, NLM_F_REQUEST | NLM_F_ACK, seq, WG_CMD_SET_DEVICE);
	if (!nlh || !mnl_attr_put_strz_check(nlh, buflen, WGDEVICE_A_IFNAME, ifname))
		return -EMSGSIZE;
	if (*first && !put_device_attrs(nlh, buflen, dev))
		return -EMSGSIZE;
	if (put_peers(nlh, buflen, dev, peer_idx, aip_idx) == 0 && !*first &&
	    *peer_idx < dev->n_peers)
		return -EMSGSIZE; /* not even one peer fits an empty message */
	*first = 0;
	return (int)nlh->nlmsg_len;
}
