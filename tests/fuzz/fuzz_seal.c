/* SPDX-License-Identifier: Apache-2.0 */
/* Sealed hub keys: any input either opens to exactly the sealed key (only
 * when it is a real envelope for this node and port) or is refused cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char PORT[] = "1bb4d55a-1267-42e5-a68c-b9f2ffd073b6";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nwg_key priv, pub, hub;
	static char sealed[NWG_SEALED_B64_LEN + 1];
	static int ready;
	struct nwg_key got = {{0}};
	int rc;

	if (!ready) {
		if (nwg_key_generate(&priv) || nwg_key_public(&pub, &priv) ||
		    nwg_key_generate(&hub) || nwg_seal_hub_key(sealed, &hub, PORT, &pub))
			abort();
		ready = 1;
	}
	rc = nwg_unseal_hub_key(&got, (const char *)data, size, PORT, &pub, &priv);
	if (rc == 0 && !nwg_key_equal(&got, &hub))
		abort();
	if (rc != 0 && !nwg_key_is_zero(&got))
		abort();
	/* a mutation of a real envelope: splice the input over its start */
	char t[NWG_SEALED_B64_LEN + 1];
	memcpy(t, sealed, sizeof(t));
	memcpy(t, data, size < NWG_SEALED_B64_LEN ? size : NWG_SEALED_B64_LEN);
	rc = nwg_unseal_hub_key(&got, t, NWG_SEALED_B64_LEN, PORT, &pub, &priv);
	if (rc == 0 && !nwg_key_equal(&got, &hub))
		abort();
	return 0;
}
