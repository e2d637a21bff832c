/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict base64 and hex codecs for keys. Decoding and encoding run in
 * constant time with respect to the key bytes (no table lookups, no branches
 * on secret data), in the manner of wireguard-tools' encoding.c; but for
 * nwg_pubkey_from_b64, the same grammar decoded with a table for public keys
 * only (10,000 spokes of a hub are decoded on every pass).
 */
#include <errno.h>

#include "nwg/key.h"

/* -1 when lo <= c <= hi, else 0 (c, lo, hi within 0..255). */
static int in_range(int c, int lo, int hi)
{
	return (((lo - 1) - c) & (c - (hi + 1))) >> 8;
}

/* 0..63 for a symbol of the standard alphabet, -1 otherwise. */
static int b64_val(int c)
{
	return -1 + (in_range(c, 'A', 'Z') & (c - 64)) + (in_range(c, 'a', 'z') & (c - 70)) +
	       (in_range(c, '0', '9') & (c + 5)) + (in_range(c, '+', '+') & 63) +
	       (in_range(c, '/', '/') & 64);
}

static char b64_chr(int v)
{
	return (char)(v + 'A' + (((25 - v) >> 8) & 6) - (((51 - v) >> 8) & 75) -
		      (((61 - v) >> 8) & 15) + (((62 - v) >> 8) & 3));
}

/* Decodes n (2..4) symbols into a 24-bit group; *bad gets bit 31 on error. */
static uint32_t b64_group(const char *s, int n, int *bad)
{
	uint32_t val = 0;

	for (int i = 0; i < n; i++) {
		int v = b64_val((unsigned char)s[i]);

		*bad |= v;
		val |= (uint32_t)(v & 63) << (18 - 6 * i);
	}
	return val;
}

int nwg_key_from_b64(struct nwg_key *k, const char *s, size_t len)
{
	struct nwg_key tmp;
	int bad = 0;
	uint32_t val;
	size_t i;

	if (!k || !s || len != NWG_KEY_B64_LEN)
		return -EINVAL;
	for (i = 0; i < NWG_KEY_LEN / 3; i++) {
		val = b64_group(s + i * 4, 4, &bad);
		tmp.b[i * 3 + 0] = (uint8_t)(val >> 16);
		tmp.b[i * 3 + 1] = (uint8_t)(val >> 8);
		tmp.b[i * 3 + 2] = (uint8_t)val;
	}
	val = b64_group(s + i * 4, 3, &bad);
	tmp.b[i * 3 + 0] = (uint8_t)(val >> 16);
	tmp.b[i * 3 + 1] = (uint8_t)(val >> 8);
	/* Canonical: the low 2 bits of the last symbol are unused, must be 0. */
	bad |= -(int)(val & 0xff);
	bad |= -(int)((unsigned char)s[NWG_KEY_B64_LEN - 1] ^ '=');
	if (bad < 0) {
		nwg_key_wipe(&tmp);
		return -EINVAL;
	}
	*k = tmp;
	nwg_key_wipe(&tmp);
	return 0;
}

/* The public-key decoder's table: a symbol's value + 1, 0 = not base64. */
static const uint8_t b64_pub[256] = {
    ['A'] = 1,	['B'] = 2,  ['C'] = 3,	['D'] = 4,  ['E'] = 5,	['F'] = 6,  ['G'] = 7,	['H'] = 8,
    ['I'] = 9,	['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64};

int nwg_pubkey_from_b64(struct nwg_key *k, const char *s, size_t len)
{
	struct nwg_key tmp;
	uint32_t acc = 0;
	unsigned int bits = 0;
	size_t o = 0;

	if (!k || !s || len != NWG_KEY_B64_LEN || s[NWG_KEY_B64_LEN - 1] != '=')
		return -EINVAL;
	for (size_t i = 0; i < NWG_KEY_B64_LEN - 1; i++) {
		unsigned int v = b64_pub[(unsigned char)s[i]];

		if (!v)
			return -EINVAL;
		acc = acc << 6 | (v - 1);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			tmp.b[o++] = (uint8_t)(acc >> bits);
			acc &= (1U << bits) - 1;
		}
	}
	if (o != NWG_KEY_LEN || acc) /* canonical: the last symbol's unused bits are 0 */
		return -EINVAL;
	*k = tmp;
	return 0;
}

void nwg_key_to_b64(char out[NWG_KEY_B64_LEN + 1], const struct nwg_key *k)
{
	size_t i;

	if (!out)
		return;
	if (!k) {
		out[0] = '\0';
		return;
	}
	for (i = 0; i < NWG_KEY_LEN / 3; i++) {
		const uint8_t *p = k->b + i * 3;

		out[i * 4 + 0] = b64_chr(p[0] >> 2);
		out[i * 4 + 1] = b64_chr(((p[0] << 4) | (p[1] >> 4)) & 63);
		out[i * 4 + 2] = b64_chr(((p[1] << 2) | (p[2] >> 6)) & 63);
		out[i * 4 + 3] = b64_chr(p[2] & 63);
	}
	out[i * 4 + 0] = b64_chr(k->b[i * 3] >> 2);
	out[i * 4 + 1] = b64_chr(((k->b[i * 3] << 4) | (k->b[i * 3 + 1] >> 4)) & 63);
	out[i * 4 + 2] = b64_chr((k->b[i * 3 + 1] << 2) & 63);
	out[i * 4 + 3] = '=';
	out[NWG_KEY_B64_LEN] = '\0';
}

/* 0..15 for a hex digit of either case, -1 otherwise. */
static int hex_val(int c)
{
	int l = c | 0x20;

	return -1 + (in_range(c, '0', '9') & (c - '0' + 1)) +
	       (in_range(l, 'a', 'f') & (l - 'a' + 11));
}

static char hex_chr(int v)
{
	return (char)(v + '0' + (((9 - v) >> 8) & ('a' - '0' - 10)));
}

int nwg_key_from_hex(struct nwg_key *k, const char *s, size_t len)
{
	struct nwg_key tmp;
	int bad = 0;

	if (!k || !s || len != NWG_KEY_HEX_LEN)
		return -EINVAL;
	for (size_t i = 0; i < NWG_KEY_LEN; i++) {
		int hi = hex_val((unsigned char)s[i * 2]);
		int lo = hex_val((unsigned char)s[i * 2 + 1]);

		bad |= hi | lo;
		tmp.b[i] = (uint8_t)(((hi & 15) << 4) | (lo & 15));
	}
	if (bad < 0) {
		nwg_key_wipe(&tmp);
		return -EINVAL;
	}
	*k = tmp;
	nwg_key_wipe(&tmp);
	return 0;
}

void nwg_key_to_hex(char out[NWG_KEY_HEX_LEN + 1], const struct nwg_key *k)
{
	if (!out)
		return;
	if (!k) {
		out[0] = '\0';
		return;
	}
	for (size_t i = 0; i < NWG_KEY_LEN; i++) {
		out[i * 2] = hex_chr(k->b[i] >> 4);
		out[i * 2 + 1] = hex_chr(k->b[i] & 15);
	}
	out[NWG_KEY_HEX_LEN] = '\0';
}
