/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal seam between lib/wg.c (the public nwg_wg_* API and backend
 * choice) and the two backends. Not installed; not for callers.
 *
 *   lib/wg_kernel.c   WireGuard generic netlink (libmnl): the genl socket is
 *                     opened inside the interface's namespace (NULL = root);
 *                     set/get split/merge across as many messages as needed.
 *   lib/wg_uapi.c     wireguard-go: spawn detached, UAPI text protocol over
 *                     /var/run/wireguard/<ifname>.sock, one request per
 *                     connection, hex keys, errno= reply.
 *
 * Link creation/deletion for the kernel backend goes through rtnl.h
 * (nwg_link_add_wireguard / nwg_link_del).
 */
#ifndef NWG_WG_BACKEND_H
#define NWG_WG_BACKEND_H

#include <sys/types.h>

#include "nwg/wg.h"

/* ---- kernel (lib/wg_kernel.c) ---- */

/* 1 if the kernel can create `wireguard` links in the root namespace
 * (probe: genl family "wireguard" resolves, or a throw-away link can be
 * created and deleted), 0 if not. */
int nwg_kernel_available(void);
int nwg_kernel_get(const char *ifname, const char *netns, struct nwg_device **out,
		   struct nwg_err *err);
int nwg_kernel_set(const char *ifname, const char *netns, const struct nwg_device *dev,
		   struct nwg_err *err);

/* Builders exposed for golden-fixture unit tests: fill buf with the
 * WG_CMD_SET_DEVICE messages for dev, starting at peer *peer_idx /
 * allowed-ip *aip_idx, and advance them; returns the message length, 0
 * when everything was emitted, negative errno on error. */
int nwg_kernel_build_set(void *buf, size_t buflen, uint16_t family_id, uint32_t seq,
			 const char *ifname, const struct nwg_device *dev, size_t *peer_idx,
			 size_t *aip_idx, int *first);

/* ---- userspace (lib/wg_uapi.c) ---- */

struct nwg_uapi {
	const char *wireguard_go; /* binary */
	const char *dir;	  /* socket directory */
	int start_timeout_ms;
};

int nwg_uapi_create(const struct nwg_uapi *u, const char *ifname, pid_t *child,
		    struct nwg_err *err);
int nwg_uapi_get(const struct nwg_uapi *u, const char *ifname, struct nwg_device **out,
		 struct nwg_err *err);
int nwg_uapi_set(const struct nwg_uapi *u, const char *ifname, const struct nwg_device *dev,
		 struct nwg_err *err);
/* 1 if the socket answers a get, 0 otherwise (a stale socket is removed). */
int nwg_uapi_exists(const struct nwg_uapi *u, const char *ifname);

/* Pure protocol pieces, for unit tests and the fuzzer. */
/* Serialises a set request ("set=1\n...\n\n"); *out is secure memory the
 * caller releases with nwg_secmem_free (it holds the private key in hex). */
int nwg_uapi_format_set(const struct nwg_device *dev, char **out, size_t *len);
/* Parses a get reply (up to and including "errno=N\n\n"); a non-zero errno
 * returns that (negative) errno. */
int nwg_uapi_parse_get(const char *buf, size_t len, struct nwg_device **out, struct nwg_err *err);
/* Parses a set reply: 0 or the negative errno it carries; -EBADMSG if malformed. */
int nwg_uapi_parse_errno(const char *buf, size_t len);

#endif
