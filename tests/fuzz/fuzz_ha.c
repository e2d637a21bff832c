/* SPDX-License-Identifier: Apache-2.0 */
/* HA endpoint lists and stream datagrams from the wire: any input is either
 * refused cleanly or parses to a list that formats back to the same bytes;
 * a datagram opens only when it is a real one. The input is also sealed as
 * the plain text of a real datagram (the peer's key), so the header decoder
 * (hub, seq, chunk idx/total) and the reassembly see arbitrary bytes. */
#include <errno.h>
#include <sodium.h>
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

/* data as the plain text of a datagram from a to b (wire: "NWGHA2" | nonce |
 * crypto_box): whatever opens has sane chunk fields and reassembles sanely. */
static void header_and_asm(const uint8_t *data, size_t size, const struct nwg_key *a_priv,
			   const struct nwg_key *a_pub, const struct nwg_key *b_priv,
			   const struct nwg_key *b_pub)
{
	static uint8_t m[NWG_HA_MSG_MAX];
	const size_t over = 6 + crypto_box_NONCEBYTES + crypto_box_MACBYTES;
	struct nwg_ha_asm a;
	struct nwg_ha_chunk c;
	char *text = NULL, *out = NULL;
	size_t len = 0, olen = 0;
	uint64_t seq = 0;
	int r;

	if (size + over > sizeof(m))
		return;
	memcpy(m, "NWGHA2", 6);
	memset(m + 6, 7, crypto_box_NONCEBYTES);
	if (crypto_box_easy(m + 6 + crypto_box_NONCEBYTES, data, size, m + 6, b_pub->b,
			    a_priv->b) != 0)
		abort();
	if (nwg_ha_msg_open(&text, &len, &seq, &c, m, size + over, "hub", 0, b_priv, a_pub, NULL) !=
	    0) {
		if (text)
			abort();
		return;
	}
	if (!seq || c.idx >= c.total || c.total > NWG_HA_CHUNKS_MAX || len >= size ||
	    strlen(text) > len)
		abort();
	nwg_ha_asm_init(&a);
	r = nwg_ha_asm_add(&a, seq, &c, text, len, &out, &olen);
	if (r != (c.total == 1) || (r == 1 && (olen != len || !out)))
		abort();
	/* the same chunk again: held already, or its snapshot is done */
	text = strdup("");
	if (!text)
		abort();
	r = nwg_ha_asm_add(&a, seq, &c, text, 0, &out, &olen);
	if (r != (c.total == 1 ? -ESTALE : -EALREADY))
		abort();
	free(out);
	nwg_ha_asm_free(&a);
	/* the one receive path (agent and CLI) answers the same, twice */
	out = NULL;
	nwg_ha_asm_init(&a);
	r = nwg_ha_asm_open(&a, m, size + over, "hub", 0, b_priv, a_pub, &out, &olen, NULL);
	if (r != (c.total == 1) || (r == 1 && (olen != len || !out)))
		abort();
	free(out);
	out = NULL;
	r = nwg_ha_asm_open(&a, m, size + over, "hub", 0, b_priv, a_pub, &out, &olen, NULL);
	if (r != (c.total == 1 ? -ESTALE : -EALREADY) || out)
		abort();
	nwg_ha_asm_free(&a);
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
	{
		struct nwg_ha_chunk c;

		if (nwg_ha_msg_open(&text, &len, &seq, &c, data, size, "hub", 0, &b_priv, &a_pub,
				    NULL) == 0)
			abort();
	}
	if (text)
		abort();
	header_and_asm(data, size, &a_priv, &a_pub, &b_priv, &b_pub);
	return 0;
}
