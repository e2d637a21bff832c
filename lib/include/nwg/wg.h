/* SPDX-License-Identifier: Apache-2.0 */
/* WireGuard device model and the backend seam (kernel genl / userspace UAPI). */
#ifndef NWG_WG_H
#define NWG_WG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "nwg/err.h"
#include "nwg/key.h"

struct nwg_allowedip {
	uint16_t family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	};
	uint8_t cidr;
};

union nwg_endpoint {
	struct sockaddr sa; /* sa_family == AF_UNSPEC: no endpoint */
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

enum {
	NWG_PEER_REMOVE = 1U << 0,	       /* set: remove this peer */
	NWG_PEER_UPDATE_ONLY = 1U << 1,	       /* set: do not create if absent */
	NWG_PEER_REPLACE_ALLOWEDIPS = 1U << 2, /* set: replace, not append */
	NWG_PEER_HAS_ENDPOINT = 1U << 3,
	NWG_PEER_HAS_KEEPALIVE = 1U << 4,
};

struct nwg_peer {
	struct nwg_key public_key;
	uint32_t flags;
	union nwg_endpoint endpoint;
	uint16_t persistent_keepalive; /* seconds, 0 = off */
	/* read-only, filled by get: */
	struct timespec last_handshake; /* {0,0} = never */
	uint64_t rx_bytes, tx_bytes;
	struct nwg_allowedip *allowedips; /* owned by the peer */
	size_t n_allowedips;
};

enum {
	NWG_DEV_HAS_PRIVATE_KEY = 1U << 0,
	NWG_DEV_HAS_PUBLIC_KEY = 1U << 1, /* get only */
	NWG_DEV_HAS_LISTEN_PORT = 1U << 2,
	NWG_DEV_REPLACE_PEERS = 1U << 3, /* set: peers not listed are removed */
};

struct nwg_device {
	char name[IFNAMSIZ];
	uint32_t flags;
	struct nwg_key private_key; /* wiped by nwg_device_free */
	struct nwg_key public_key;
	uint16_t listen_port;
	struct nwg_peer *peers; /* owned by the device */
	size_t n_peers;
};

/* Model helpers (lib/device.c). All allocations are owned by the device; the
 * device itself lives in secure memory (nwg/secmem.h): never copy it by value. */
struct nwg_device *nwg_device_new(const char *name);
void nwg_device_free(struct nwg_device *dev); /* wipes keys, NULL-safe */
/* Appends a zeroed peer with the given key; returns it or NULL (ENOMEM). */
struct nwg_peer *nwg_device_add_peer(struct nwg_device *dev, const struct nwg_key *pub);
struct nwg_peer *nwg_device_find_peer(const struct nwg_device *dev, const struct nwg_key *pub);
/* "10.0.0.2/32", "fd00::2/128"; host bits must be zero -> else -EINVAL. */
int nwg_peer_add_allowedip(struct nwg_peer *peer, const char *cidr);
int nwg_allowedip_parse(struct nwg_allowedip *out, const char *cidr);
int nwg_allowedip_format(const struct nwg_allowedip *a, char *buf, size_t len);
/* "1.2.3.4:51820" or "[fd00::1]:51820" (numeric only) -> endpoint. */
int nwg_endpoint_parse(union nwg_endpoint *out, const char *s);
int nwg_endpoint_format(const union nwg_endpoint *e, char *buf, size_t len);

/* ---- backend seam ---- */

enum nwg_backend_kind {
	NWG_BACKEND_AUTO = 0, /* kernel where `wireguard` links can be created */
	NWG_BACKEND_KERNEL,
	NWG_BACKEND_USERSPACE, /* wireguard-go + UAPI */
};

struct nwg_backend_opts {
	enum nwg_backend_kind kind;
	const char *wireguard_go; /* userspace: binary, default "wireguard-go" */
	const char *uapi_dir;	  /* userspace: default "/var/run/wireguard" */
	int start_timeout_ms;	  /* userspace: wait for UAPI, default 5000 */
};

struct nwg_backend;

/* NULL opts = defaults (auto). Resolves auto at open time. */
int nwg_backend_open(struct nwg_backend **out, const struct nwg_backend_opts *opts,
		     struct nwg_err *err);
void nwg_backend_close(struct nwg_backend *b); /* does not delete devices */
/* The resolved kind (never AUTO). */
enum nwg_backend_kind nwg_backend_kind(const struct nwg_backend *b);
const char *nwg_backend_name(enum nwg_backend_kind kind);	  /* "kernel"/"userspace"/"auto" */
int nwg_backend_parse(const char *s, enum nwg_backend_kind *out); /* -EINVAL */

/*
 * Creates a WireGuard link called ifname in the caller's (root) namespace.
 * Userspace: spawns `wireguard-go -f ifname` detached (setsid,
 * WG_PROCESS_FOREGROUND=1) as a child of this process and returns only once
 * its UAPI socket has answered a get. -EEXIST if the link already exists.
 */
int nwg_wg_create(struct nwg_backend *b, const char *ifname, struct nwg_err *err);
/* Deletes the link, wherever netns says it lives (NULL = root); userspace:
 * also reaps the child and removes a stale socket. Missing is -ENODEV. */
int nwg_wg_delete(struct nwg_backend *b, const char *ifname, const char *netns,
		  struct nwg_err *err);
/* Reads the device; *out owned by the caller (nwg_device_free). netns is
 * where the link lives now (kernel genl must be asked from there). */
int nwg_wg_get(struct nwg_backend *b, const char *ifname, const char *netns,
	       struct nwg_device **out, struct nwg_err *err);
/* Applies dev (flags say what is set). Large peer lists are split. */
int nwg_wg_set(struct nwg_backend *b, const char *ifname, const char *netns,
	       const struct nwg_device *dev, struct nwg_err *err);
/* 1 if a WireGuard device called ifname is reachable through this backend
 * (userspace: its UAPI socket answers), 0 if not. */
int nwg_wg_exists(struct nwg_backend *b, const char *ifname, const char *netns);
/* A link created as `created` now carries the name `ifname` (a router
 * interface). Userspace: wireguard-go keeps answering on the socket of the
 * name it was created with, so <uapi_dir>/<ifname>.sock becomes a link to it
 * (add) or is removed (!add, back home); every nwg_wg_* call then reaches the
 * device under either name. Kernel: nothing to do. Idempotent. */
int nwg_wg_alias(struct nwg_backend *b, const char *created, const char *ifname, bool add,
		 struct nwg_err *err);
/* Userspace: removes aliases whose device is gone (deleted while renamed). */
void nwg_wg_alias_sweep(struct nwg_backend *b);
/* Reaps exited wireguard-go children (userspace); no-op for kernel. */
void nwg_backend_reap(struct nwg_backend *b);

#endif
