/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: line-level helpers shared by the UAPI reply parsers. */
#ifndef NWG_UAPI_PARSE_H
#define NWG_UAPI_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NWG_UAPI_LINE_MAX 1024 /* longer lines are malformed */

struct nwg_uapi_lines {
	const char *p, *end;
	unsigned line; /* 1-based number of the last line read */
};

struct nwg_uapi_kv {
	const char *key, *val; /* not NUL-terminated */
	size_t key_len, val_len;
};

/* 1: a key=value line in kv; 0: the blank line; -EBADMSG: malformed or
 * truncated (keys are [a-z_]{1,32}, values have no spaces or controls). */
int nwg_uapi_next_line(struct nwg_uapi_lines *it, struct nwg_uapi_kv *kv);
bool nwg_uapi_key_is(const struct nwg_uapi_kv *kv, const char *name);
/* Decimal, no sign, no leading zeros, <= max. */
int nwg_uapi_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out);
int nwg_uapi_parse_errval(const struct nwg_uapi_kv *kv, int *out);

#endif
