/* SPDX-License-Identifier: Apache-2.0 */
/* Bounded big-endian reader and writer of the privsep messages (internal). */
#ifndef NWG_AGENT_PRIVSEP_WIRE_H
#define NWG_AGENT_PRIVSEP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writer: a failed put sets err (past cap) and later puts do nothing. */
struct nwg_psw {
	uint8_t *buf;
	size_t cap, len;
	bool err;
};
void nwg_psw_u8(struct nwg_psw *w, uint8_t v);
void nwg_psw_u16(struct nwg_psw *w, uint16_t v);
void nwg_psw_u32(struct nwg_psw *w, uint32_t v);
void nwg_psw_u64(struct nwg_psw *w, uint64_t v);
void nwg_psw_bytes(struct nwg_psw *w, const void *p, size_t n);
/* u8 length + bytes; a string longer than max (or 255) sets err. */
void nwg_psw_str(struct nwg_psw *w, const char *s, size_t max);

/* Reader: a failed get sets err (truncated, bad string) and returns zeros. */
struct nwg_psr {
	const uint8_t *buf;
	size_t len, off;
	bool err;
};
uint8_t nwg_psr_u8(struct nwg_psr *r);
uint16_t nwg_psr_u16(struct nwg_psr *r);
uint32_t nwg_psr_u32(struct nwg_psr *r);
uint64_t nwg_psr_u64(struct nwg_psr *r);
void nwg_psr_bytes(struct nwg_psr *r, void *p, size_t n);
/* Into out[cap]: at most cap - 1 bytes, no NUL inside, NUL-terminated. */
void nwg_psr_str(struct nwg_psr *r, char *out, size_t cap);
bool nwg_psr_bool(struct nwg_psr *r); /* 0 or 1, anything else sets err */

#endif
