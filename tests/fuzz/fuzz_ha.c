/* SPDX-License-Identifier: Apache-2.0 */
/* HA endpoint lists and stream datagrams from the wire: any input is either
 * refused cleanly or parses to a list that formats back to the same bytes;
 * a datagram opens only when it is a real one (then its text is the sent
 * text). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/ha.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void list_roundtrip(const uint8_t *data, size_t size)
{
	struct nwg_ha_ep *v = NULL;
	char *text = NULL;
	size_t n = 0, len = 0;

	if (nwg_ha_parse((const char *)data, size, &v, &n, NULL) != 0)
		return;
	if (nwg_ha_format(v, n, &text, &len) != 0)
		abort();
	/* the grammar is canonical except IPv6 spelling: compare re-parsed */
	{
		struct nwg_ha_ep *w = NULL;
		size_t m = 0;

		if (nwg_ha_parse(text, len, &w, &m, NULL) != 0 || m != n)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!nwg_key_equal(&v[i].pub, &w[i].pub) ||
			    memcmp(&v[i].ep, &w[i].ep, sizeof(v[i].ep)) != 0)
				abort();
		free(w);
	}
	free(text);
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nwg_key a_priv, a_pub, b_priv, b_pub;
	static int ready;
	char *text = NULL;
	size_t len = 0;
	uint64_t seq = 0;

	if (!ready) {
		if (nwg_key_generate(&a_priv) || nwg_key_public(&a_pub, &a_priv) ||
		    nwg_key_generate(&b_priv) || nwg_key_public(&b_pub, &b_priv))
			abort();
		ready = 1;
	}
	list_roundtrip(data, size);
	/* a forged datagram never opens (no valid MAC without a's key) */
	if (nwg_ha_msg_open(&text, &len, &seq, data, size, "hub", 0, &b_priv, &a_pub, NULL) == 0)
		abort();
	if (text)
		abort();
	return 0;
}
