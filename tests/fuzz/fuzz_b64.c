/* SPDX-License-Identifier: Apache-2.0 */
/* Strict key codecs: whatever decodes must re-encode to the same text; the
 * public-key decoder (table) gives the constant-time one's verdict and key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char b64[NWG_KEY_B64_LEN + 1], hex[NWG_KEY_HEX_LEN + 1];
	struct nwg_key k, back, pub;
	int r = nwg_key_from_b64(&k, (const char *)data, size);

	if (nwg_pubkey_from_b64(&pub, (const char *)data, size) != r ||
	    (r == 0 && !nwg_key_equal(&k, &pub)))
		abort();
	if (r == 0) {
		nwg_key_to_b64(b64, &k);
		if (size != NWG_KEY_B64_LEN || memcmp(b64, data, size))
			abort();
	}
	if (nwg_key_from_hex(&k, (const char *)data, size) == 0) {
		nwg_key_to_hex(hex, &k);
		if (size != NWG_KEY_HEX_LEN || strncasecmp(hex, (const char *)data, size))
			abort();
		nwg_key_to_b64(b64, &k);
		if (nwg_key_from_b64(&back, b64, strlen(b64)) || !nwg_key_equal(&k, &back))
			abort();
	}
	return 0;
}
