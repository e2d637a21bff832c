/* SPDX-License-Identifier: Apache-2.0 */
/* Hub keys sealed to a node's enrollment key (libsodium sealed boxes). */
#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "nwg/seal.h"

/* plaintext: magic (16, NUL-padded) | port id (36) | hub private key (32) */
#define MAGIC	   "nwg-hub-key-v1"
#define MAGIC_LEN  16
#define PLAIN_LEN  (MAGIC_LEN + NWG_PORT_ID_LEN + NWG_KEY_LEN)
#define SEALED_LEN (PLAIN_LEN + crypto_box_SEALBYTES)

_Static_assert(SEALED_LEN == 132, "envelope size");
_Static_assert(NWG_SEALED_B64_LEN == ((SEALED_LEN + 2) / 3) * 4, "base64 size");

static int port_id_ok(const char *id)
{
	if (!id || strlen(id) != NWG_PORT_ID_LEN)
		return 0;
	for (int i = 0; i < NWG_PORT_ID_LEN; i++) {
		char c = id[i];
		int dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return 1;
}

static void plain_build(unsigned char p[PLAIN_LEN], const struct nwg_key *k, const char *id)
{
	memset(p, 0, MAGIC_LEN);
	memcpy(p, MAGIC, sizeof(MAGIC) - 1);
	memcpy(p + MAGIC_LEN, id, NWG_PORT_ID_LEN);
	memcpy(p + MAGIC_LEN + NWG_PORT_ID_LEN, k->b, NWG_KEY_LEN);
}

int nwg_seal_hub_key(char out[NWG_SEALED_B64_LEN + 1], const struct nwg_key *hub_priv,
		     const char *port_id, const struct nwg_key *recipient_pub)
{
	unsigned char plain[PLAIN_LEN], sealed[SEALED_LEN];
	int rc = 0;

	if (!port_id_ok(port_id) || nwg_key_is_zero(hub_priv) || nwg_key_is_zero(recipient_pub))
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	plain_build(plain, hub_priv, port_id);
	if (crypto_box_seal(sealed, plain, PLAIN_LEN, recipient_pub->b) != 0)
		rc = -EIO;
	else
		sodium_bin2base64(out, NWG_SEALED_B64_LEN + 1, sealed, SEALED_LEN,
				  sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(plain, sizeof(plain));
	return rc;
}

static int decode(unsigned char sealed[SEALED_LEN], const char *s, size_t len)
{
	size_t bin_len = 0;
	const char *end = NULL;

	if (len != NWG_SEALED_B64_LEN || memchr(s, '\0', len))
		return -EINVAL;
	if (sodium_base642bin(sealed, SEALED_LEN, s, len, NULL, &bin_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    bin_len != SEALED_LEN || end != s + len)
		return -EINVAL;
	return 0;
}

bool nwg_sealed_valid(const char *s, size_t len)
{
	unsigned char box[SEALED_LEN];

	return s && decode(box, s, len) == 0;
}

int nwg_unseal_hub_key(struct nwg_key *hub_priv, const char *sealed, size_t len,
		       const char *port_id, const struct nwg_key *own_pub,
		       const struct nwg_key *own_priv)
{
	unsigned char box[SEALED_LEN], plain[PLAIN_LEN], want[MAGIC_LEN] = MAGIC;
	int rc;

	if (!sealed || !port_id_ok(port_id))
		return -EINVAL;
	rc = decode(box, sealed, len);
	if (rc < 0)
		return rc;
	if (sodium_init() < 0)
		return -EIO;
	if (crypto_box_seal_open(plain, box, SEALED_LEN, own_pub->b, own_priv->b) != 0)
		return -ENOKEY;
	if (sodium_memcmp(plain, want, MAGIC_LEN) != 0 ||
	    memcmp(plain + MAGIC_LEN, port_id, NWG_PORT_ID_LEN) != 0 ||
	    sodium_is_zero(plain + MAGIC_LEN + NWG_PORT_ID_LEN, NWG_KEY_LEN))
		rc = -EBADMSG;
	else
		memcpy(hub_priv->b, plain + MAGIC_LEN + NWG_PORT_ID_LEN, NWG_KEY_LEN);
	sodium_memzero(plain, sizeof(plain));
	return rc;
}
