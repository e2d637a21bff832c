/* SPDX-License-Identifier: Apache-2.0 */
/* A growable string that may hold secrets: it lives in secure memory
 * (nwg/secmem.h) and every buffer it drops is wiped. */
#ifndef NWG_SBUF_H
#define NWG_SBUF_H

#include <stddef.h>

struct nwg_sbuf {
	char *p; /* NUL-terminated once anything was appended */
	size_t len, cap;
	int err; /* first error (negative errno), sticky */
};

/* Appends formatted text; on failure records -ENOMEM in sb->err. */
void nwg_sbuf_printf(struct nwg_sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void nwg_sbuf_puts(struct nwg_sbuf *sb, const char *s);
/* Wipes and frees (sb->p, if kept, is freed with nwg_secmem_free). */
void nwg_sbuf_wipe(struct nwg_sbuf *sb);

#endif
