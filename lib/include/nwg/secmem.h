/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory for secrets (hub private keys and every buffer that carries one):
 * pages excluded from core dumps (MADV_DONTDUMP) and locked in RAM where the
 * limit allows (mlock), wiped on free. Small blocks come from slabs of such
 * pages; large ones are libsodium guarded allocations (guard pages, canary).
 * Thread-safe. Nothing here logs.
 */
#ifndef NWG_SECMEM_H
#define NWG_SECMEM_H

#include <stddef.h>

/* A zeroed block of len bytes (len > 0), or NULL with errno set. */
void *nwg_secmem_alloc(size_t len);
/* Wipes the whole block and releases it; NULL-safe. */
void nwg_secmem_free(void *p);
/* The usable size of a block from nwg_secmem_alloc (0 for NULL). */
size_t nwg_secmem_size(const void *p);

struct nwg_secmem_stats {
	size_t blocks;	     /* live blocks */
	size_t mapped;	     /* bytes of secure pages mapped */
	size_t locked;	     /* bytes of those that mlock accepted */
	int last_lock_errno; /* errno of the last refused mlock, 0 if none */
};
void nwg_secmem_stats(struct nwg_secmem_stats *out);

/* Test hook: called by nwg_secmem_free with the block after it was wiped
 * and before it is released (NULL to remove). */
typedef void (*nwg_secmem_free_hook)(const void *p, size_t len, void *ctx);
void nwg_secmem_set_free_hook(nwg_secmem_free_hook hook, void *ctx);

#endif
