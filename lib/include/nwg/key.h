/* SPDX-License-Identifier: Apache-2.0 */
/* WireGuard keys: generation, X25519 public keys, strict base64/hex codecs. */
#ifndef NWG_KEY_H
#define NWG_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NWG_KEY_LEN	32
#define NWG_KEY_B64_LEN 44 /* without the terminating NUL */
#define NWG_KEY_HEX_LEN 64 /* without the terminating NUL */

struct nwg_key {
	uint8_t b[NWG_KEY_LEN];
};

/* A fresh, clamped private key from the kernel's randomness (getrandom). */
int nwg_key_generate(struct nwg_key *priv);
/* pub = X25519(priv, basepoint). */
int nwg_key_public(struct nwg_key *pub, const struct nwg_key *priv);

/*
 * Strict base64: exactly 44 characters, standard alphabet, one '=' of
 * padding, canonical (the unused low bits of the last symbol are zero),
 * no whitespace, no embedded NUL. len is the length of s (not NUL-terminated
 * necessarily). Returns 0 or -EINVAL.
 */
int nwg_key_from_b64(struct nwg_key *k, const char *s, size_t len);
/* The same grammar and result as nwg_key_from_b64, decoded through a table,
 * NOT in constant time: for public keys only (never a private key), where a
 * hub's thousands of spokes are decoded on every pass. */
int nwg_pubkey_from_b64(struct nwg_key *k, const char *s, size_t len);
/* out gets 44 chars + NUL. */
void nwg_key_to_b64(char out[NWG_KEY_B64_LEN + 1], const struct nwg_key *k);

/* Exactly 64 hex digits (either case accepted on input). -EINVAL otherwise. */
int nwg_key_from_hex(struct nwg_key *k, const char *s, size_t len);
/* Lowercase, 64 chars + NUL. */
void nwg_key_to_hex(char out[NWG_KEY_HEX_LEN + 1], const struct nwg_key *k);

/* Constant-time comparison. */
bool nwg_key_equal(const struct nwg_key *a, const struct nwg_key *b);
/* Constant-time all-zero test. */
bool nwg_key_is_zero(const struct nwg_key *k);
/* Wipes key material in a way the compiler cannot elide. */
void nwg_key_wipe(struct nwg_key *k);
/* Wipes any buffer (e.g. a base64 copy of a private key). */
void nwg_wipe(void *p, size_t len);

#endif
