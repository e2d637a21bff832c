/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wireguard-go UAPI: parsing replies (pure, no I/O). Strict on framing
 * ("key=value\n" lines, LF only, a final "errno=N\n\n"), numbers and keys;
 * unknown keys are skipped so newer wireguard-go versions still parse.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uapi_parse.h"
#include "wg_backend.h"

#define KEY_MAX 32

int nwg_uapi_next_line(struct nwg_uapi_lines *it, struct nwg_uapi_kv *kv)
{
	const char *nl, *eq;
	size_t n, max;

	if (it->p >= it->end)
		return -EBADMSG; /* truncated: no terminating blank line */
	max = (size_t)(it->end - it->p);
	if (max > NWG_UAPI_LINE_MAX + 1)
		max = NWG_UAPI_LINE_MAX + 1;
	nl = memchr(it->p, '\n', max);
	if (!nl)
		return -EBADMSG; /* overlong or truncated line */
	n = (size_t)(nl - it->p);
	it->line++;
	if (n == 0) {
		it->p = nl + 1;
		return 0;
	}
	eq = memchr(it->p, '=', n);
	if (!eq || eq == it->p || (size_t)(eq - it->p) > KEY_MAX)
		return -EBADMSG;
	for (const char *c = it->p; c < eq; c++)
		if (!((*c >= 'a' && *c <= 'z') || *c == '_'))
			return -EBADMSG;
	for (const char *c = eq + 1; c < nl; c++)
		if ((unsigned char)*c < 0x21 || (unsigned char)*c == 0x7f)
			return -EBADMSG; /* no spaces, CR, NUL or controls */
	kv->key = it->p;
	kv->key_len = (size_t)(eq - it->p);
	kv->val = eq + 1;
	kv->val_len = (size_t)(nl - eq - 1);
	it->p = nl + 1;
	return 1;
}

bool nwg_uapi_key_is(const struct nwg_uapi_kv *kv, const char *name)
{
	size_t n = strlen(name);

	return kv->key_len == n && memcmp(kv->key, name, n) == 0;
}

int nwg_uapi_parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return -EBADMSG;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -EBADMSG;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -EBADMSG;
		v = v * 10 + d;
	}
	if (v > max)
		return -EBADMSG;
	*out = v;
	return 0;
}

/* "0" or "-N", 1 <= N <= 4095. Stores the (non-positive) value. */
int nwg_uapi_parse_errval(const struct nwg_uapi_kv *kv, int *out)
{
	uint64_t v;

	if (kv->val_len == 1 && kv->val[0] == '0') {
		*out = 0;
		return 0;
	}
	if (kv->val_len < 2 || kv->val[0] != '-')
		return -EBADMSG;
	if (nwg_uapi_parse_u64(kv->val + 1, kv->val_len - 1, 4095, &v) < 0 || v == 0)
		return -EBADMSG;
	*out = -(int)v;
	return 0;
}

/* Shared tail check: after "errno=N" comes exactly one blank line, then the end. */
static int expect_end(struct nwg_uapi_lines *it)
{
	struct nwg_uapi_kv kv;

	if (nwg_uapi_next_line(it, &kv) != 0)
		return -EBADMSG;
	return it->p == it->end ? 0 : -EBADMSG;
}

int nwg_uapi_parse_errno(const char *buf, size_t len)
{
	struct nwg_uapi_lines it;
	struct nwg_uapi_kv kv;
	int r, val;

	if (!buf)
		return -EBADMSG;
	it = (struct nwg_uapi_lines){buf, buf + len, 0};
	for (;;) {
		r = nwg_uapi_next_line(&it, &kv);
		if (r <= 0)
			return -EBADMSG; /* blank line before errno, or malformed */
		if (nwg_uapi_key_is(&kv, "errno"))
			break;
	}
	if (nwg_uapi_parse_errval(&kv, &val) < 0 || expect_end(&it) < 0)
		return -EBADMSG;
	return val;
}
