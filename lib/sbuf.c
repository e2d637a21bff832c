/* SPDX-License-Identifier: Apache-2.0 */
/* A growable string that may hold secrets: every buffer it drops is wiped. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/secmem.h"
#include "sbuf.h"

/* Grows to hold need more bytes plus a NUL, in secure memory; never realloc
 * (it would leave a copy of the secret behind). */
static int reserve(struct nwg_sbuf *sb, size_t need)
{
	size_t cap = sb->cap ? sb->cap : 256;
	char *p;

	if (sb->len + need + 1 <= sb->cap)
		return 0;
	while (cap < sb->len + need + 1)
		cap *= 2;
	p = nwg_secmem_alloc(cap);
	if (!p)
		return -ENOMEM;
	if (sb->p) {
		memcpy(p, sb->p, sb->len + 1);
		nwg_secmem_free(sb->p); /* wipes */
	}
	sb->p = p;
	sb->cap = cap;
	return 0;
}

void nwg_sbuf_printf(struct nwg_sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(sb, (size_t)n) < 0) {
		sb->err = n < 0 ? -EINVAL : -ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void nwg_sbuf_puts(struct nwg_sbuf *sb, const char *s)
{
	size_t n = strlen(s);

	if (sb->err)
		return;
	if (reserve(sb, n) < 0) {
		sb->err = -ENOMEM;
		return;
	}
	memcpy(sb->p + sb->len, s, n + 1);
	sb->len += n;
}

void nwg_sbuf_wipe(struct nwg_sbuf *sb)
{
	nwg_secmem_free(sb->p);
	sb->p = NULL;
	sb->len = sb->cap = 0;
}
