/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal: one libmnl netlink socket created inside a namespace (the socket
 * stays bound to that namespace), extended acks on, and a request/reply loop
 * that copies the kernel's NLMSGERR_ATTR_MSG text into struct nwg_err.
 * Used by rtnl*.c (NETLINK_ROUTE) and wg_kernel*.c (NETLINK_GENERIC).
 */
#ifndef NWG_NL_H
#define NWG_NL_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#include "nwg/err.h"

#define NWG_NL_RXBUF 32768 /* room for a whole kernel dump skb */

struct nwg_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	char *rx; /* NWG_NL_RXBUF bytes */
};

/* Called for every reply message that is not an error/done/noop; returns 0
 * or a negative errno (the loop then drains the rest and returns it). */
typedef int (*nwg_nl_cb)(const struct nlmsghdr *nlh, void *data);

/* bus: NETLINK_ROUTE or NETLINK_GENERIC; netns NULL = root namespace. */
int nwg_nl_open(struct nwg_nl *nl, int bus, const char *netns, struct nwg_err *err);
void nwg_nl_close(struct nwg_nl *nl);

/* Sends nlh (its seq and pid are set here) and reads until the ack, the
 * NLMSG_DONE of a dump or an error. what prefixes error messages. Returns 0
 * or a negative errno; with a kernel error, err gets "what: <ext-ack text>"
 * (or strerror when the kernel gave no text). The request must carry
 * NLM_F_ACK or NLM_F_DUMP so that the kernel always terminates the reply. */
int nwg_nl_talk(struct nwg_nl *nl, struct nlmsghdr *nlh, nwg_nl_cb cb, void *data, const char *what,
		struct nwg_err *err);

/* Wipes the receive buffer (after replies that carried private keys). */
void nwg_nl_wipe_rx(struct nwg_nl *nl);

/* Pure: the NLMSGERR_ATTR_MSG text of an NLMSG_ERROR message into out
 * ("" if none). */
void nwg_nl_extack_msg(const struct nlmsghdr *nlh, char *out, size_t len);

#endif
