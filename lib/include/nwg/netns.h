/* SPDX-License-Identifier: Apache-2.0 */
/* Named network namespaces, compatible with iproute2 (/run/netns/NAME). */
#ifndef NWG_NETNS_H
#define NWG_NETNS_H

#include <stdbool.h>
#include <stddef.h>

#include "nwg/err.h"

#define NWG_NETNS_NAME_MAX 255

/*
 * Names are validated (non-empty, <= NWG_NETNS_NAME_MAX, no '/', not "." or
 * ".."). A NULL name means "the namespace this process started in" (the
 * node's root namespace): the library remembers /proc/self/ns/net of the
 * main thread the first time it is used.
 */

/* Creates /run/netns/NAME like `ip netns add` (shared bind mount of
 * /run/netns, then a bind mount of a fresh namespace). Already existing is
 * success (returns 0), so the call is idempotent. */
int nwg_netns_create(const char *name, struct nwg_err *err);
/* Unmounts and removes /run/netns/NAME. Missing is -ENOENT. */
int nwg_netns_delete(const char *name, struct nwg_err *err);
/* 1 if it exists, 0 if not, negative errno on a bad name. */
int nwg_netns_exists(const char *name);
/* Opens the namespace; returns an O_RDONLY|O_CLOEXEC fd usable with setns()
 * and IFLA_NET_NS_FD, or a negative errno. NULL = root namespace. */
int nwg_netns_open(const char *name, struct nwg_err *err);
/* Lists /run/netns entries; *names is a NULL-terminated array owned by the
 * caller (free with nwg_netns_list_free). */
int nwg_netns_list(char ***names, size_t *count, struct nwg_err *err);
void nwg_netns_list_free(char **names);

/* Runs fn(arg) on a helper thread that has entered the namespace (NULL =
 * root), so the caller's thread never changes namespace. Returns fn's
 * return value, or a negative errno if the namespace could not be entered. */
typedef int (*nwg_netns_fn)(void *arg);
int nwg_netns_run(const char *name, nwg_netns_fn fn, void *arg, struct nwg_err *err);

/* Turns IPv4 and IPv6 forwarding on or off inside a named namespace (its
 * own net.ipv4.ip_forward and net.ipv6.conf.all.forwarding). Refuses the
 * root namespace (NULL or ""): the host's routing is not ours to change. */
int nwg_netns_set_forwarding(const char *name, bool on, struct nwg_err *err);

/* Sets a per-interface knob inside a named namespace:
 * /proc/sys/net/<proto>/conf/<ifname>/<key> = value ("0".."9" digits only).
 * proto "ipv4" or "ipv6"; key [a-z_]{1,32}. -ENOENT when the knob does not
 * exist (no IPv6). Refuses the root namespace (NULL or ""). */
int nwg_netns_if_sysctl(const char *name, const char *proto, const char *ifname, const char *key,
			const char *value, struct nwg_err *err);

#endif
