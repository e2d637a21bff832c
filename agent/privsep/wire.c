/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded big-endian reader and writer of the privsep messages. */
#include <string.h>

#include "privsep/wire.h"

static uint8_t *w_room(struct nwg_psw *w, size_t n)
{
	if (w->err || n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	w->len += n;
	return w->buf + w->len - n;
}

void nwg_psw_bytes(struct nwg_psw *w, const void *p, size_t n)
{
	uint8_t *d = w_room(w, n);

	if (d && n)
		memcpy(d, p, n);
}

void nwg_psw_u8(struct nwg_psw *w, uint8_t v)
{
	nwg_psw_bytes(w, &v, 1);
}

void nwg_psw_u16(struct nwg_psw *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	nwg_psw_bytes(w, b, sizeof(b));
}

void nwg_psw_u32(struct nwg_psw *w, uint32_t v)
{
	nwg_psw_u16(w, (uint16_t)(v >> 16));
	nwg_psw_u16(w, (uint16_t)v);
}

void nwg_psw_u64(struct nwg_psw *w, uint64_t v)
{
	nwg_psw_u32(w, (uint32_t)(v >> 32));
	nwg_psw_u32(w, (uint32_t)v);
}

void nwg_psw_str(struct nwg_psw *w, const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max || n > 255) {
		w->err = true;
		return;
	}
	nwg_psw_u8(w, (uint8_t)n);
	nwg_psw_bytes(w, s, n);
}

static const uint8_t *r_take(struct nwg_psr *r, size_t n)
{
	if (r->err || n > r->len - r->off) {
		r->err = true;
		return NULL;
	}
	r->off += n;
	return r->buf + r->off - n;
}

void nwg_psr_bytes(struct nwg_psr *r, void *p, size_t n)
{
	const uint8_t *s = r_take(r, n);

	if (s)
		memcpy(p, s, n);
	else
		memset(p, 0, n);
}

uint8_t nwg_psr_u8(struct nwg_psr *r)
{
	uint8_t v;

	nwg_psr_bytes(r, &v, 1);
	return v;
}

uint16_t nwg_psr_u16(struct nwg_psr *r)
{
	uint8_t b[2];

	nwg_psr_bytes(r, b, sizeof(b));
	return (uint16_t)(b[0] << 8 | b[1]);
}

uint32_t nwg_psr_u32(struct nwg_psr *r)
{
	uint32_t hi = nwg_psr_u16(r);

	return hi << 16 | nwg_psr_u16(r);
}

uint64_t nwg_psr_u64(struct nwg_psr *r)
{
	uint64_t hi = nwg_psr_u32(r);

	return hi << 32 | nwg_psr_u32(r);
}

bool nwg_psr_bool(struct nwg_psr *r)
{
	uint8_t v = nwg_psr_u8(r);

	if (v > 1)
		r->err = true;
	return v == 1;
}

void nwg_psr_str(struct nwg_psr *r, char *out, size_t cap)
{
	size_t n = nwg_psr_u8(r);
	const uint8_t *s;

	out[0] = '\0';
	if (r->err)
		return;
	if (n >= cap) {
		r->err = true;
		return;
	}
	s = r_take(r, n);
	if (!s || memchr(s, '\0', n)) {
		r->err = true;
		return;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}
