/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: one UAPI request over a unix socket, with timeouts. */
#ifndef NWG_UAPI_IO_H
#define NWG_UAPI_IO_H

#include <stddef.h>

#define NWG_UAPI_IO_TIMEOUT_MS 2000 /* longest wait for any single step */
#define NWG_UAPI_REPLY_MAX     (64U << 20)

/* dir + "/" + ifname + ".sock" into buf; -ENAMETOOLONG if it does not fit a
 * sockaddr_un. */
int nwg_uapi_sock_path(const char *dir, const char *ifname, char *buf, size_t len);

/* Connects (non-blocking, retrying a full backlog until timeout_ms). Returns
 * an fd or a negative errno: -ENOENT (no socket), -ECONNREFUSED (stale). */
int nwg_uapi_connect(const char *path, int timeout_ms);

/*
 * Sends req on a fresh connection and reads the reply up to the blank line
 * that ends it (or EOF). *reply is NUL-terminated, in secure memory (it may
 * hold a private key); the caller releases it with nwg_uapi_reply_free. No step waits longer than
 * timeout_ms: -ETIMEDOUT. A reply over NWG_UAPI_REPLY_MAX is -EMSGSIZE.
 */
int nwg_uapi_request(const char *path, const char *req, size_t req_len, char **reply,
		     size_t *reply_len, int timeout_ms);

/* Wipes and frees a reply or a request from nwg_uapi_format_set. NULL-safe. */
void nwg_uapi_reply_free(char *reply, size_t cap_or_len);

#endif
