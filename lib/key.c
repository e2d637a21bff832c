/* SPDX-License-Identifier: Apache-2.0 */
/* Key generation, X25519 public keys, constant-time comparison, wiping. */
#include <errno.h>
#include <sodium.h>
#include <sys/random.h>

#include "nwg/key.h"

static int fill_random(uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom(buf + done, len - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

int nwg_key_generate(struct nwg_key *priv)
{
	int ret;

	if (!priv)
		return -EINVAL;
	ret = fill_random(priv->b, NWG_KEY_LEN);
	if (ret < 0) {
		nwg_key_wipe(priv);
		return ret;
	}
	/* RFC 7748 §5 clamping, as `wg genkey` does. */
	priv->b[0] &= 248;
	priv->b[31] = (uint8_t)((priv->b[31] & 127) | 64);
	return 0;
}

int nwg_key_public(struct nwg_key *pub, const struct nwg_key *priv)
{
	if (!pub || !priv)
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	/* libsodium clamps the scalar itself, exactly like `wg pubkey`. */
	if (crypto_scalarmult_curve25519_base(pub->b, priv->b) != 0)
		return -EINVAL;
	return 0;
}

bool nwg_key_equal(const struct nwg_key *a, const struct nwg_key *b)
{
	if (!a || !b)
		return false;
	return sodium_memcmp(a->b, b->b, NWG_KEY_LEN) == 0;
}

bool nwg_key_is_zero(const struct nwg_key *k)
{
	if (!k)
		return true;
	return sodium_is_zero(k->b, NWG_KEY_LEN) == 1;
}

void nwg_key_wipe(struct nwg_key *k)
{
	if (k)
		sodium_memzero(k->b, NWG_KEY_LEN);
}

void nwg_wipe(void *p, size_t len)
{
	if (p && len)
		sodium_memzero(p, len);
}
