/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to lib/wg_kernel*.c: WireGuard generic netlink pieces. */
#ifndef NWG_WG_KERNEL_INT_H
#define NWG_WG_KERNEL_INT_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"
#include "nwg/wg.h"

/* Validates dev for a set (peers/allowed IPs/endpoints well formed). */
int nwg_kernel_check_device(const struct nwg_device *dev);

/* WG_CMD_GET_DEVICE dump request for ifname; NULL if buflen is too small. */
struct nlmsghdr *nwg_kernel_build_get(void *buf, size_t buflen, uint16_t family_id, uint32_t seq,
				      const char *ifname);

/* Merges one WG_CMD_GET_DEVICE reply message into dev: device attributes,
 * and peers appended, a peer continued from the previous message (same
 * public key as the last peer) getting its allowed IPs appended. 0 or a
 * negative errno (-EBADMSG, -ENOMEM). */
int nwg_kernel_parse_get(const struct nlmsghdr *nlh, struct nwg_device *dev);

/* CTRL_CMD_GETFAMILY name on nl: the family id, -ENOENT if unknown. */
int nwg_genl_resolve(struct nwg_nl *nl, const char *name, uint16_t *id, struct nwg_err *err);

/* A genl socket inside one namespace with the "wireguard" family id
 * resolved on it (lib/genl.c). */
struct nwg_wg_sock {
	struct nwg_nl nl;
	uint16_t family;
};

/* 0, or a negative errno (-ENOENT: no WireGuard in that kernel). */
int nwg_wg_sock_open(struct nwg_wg_sock *s, const char *netns, struct nwg_err *err);

#endif
