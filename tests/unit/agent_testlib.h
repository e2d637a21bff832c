/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the agent's unit tests (header only, no separate binary). */
#ifndef NWG_AGENT_TESTLIB_H
#define NWG_AGENT_TESTLIB_H

#include <stdio.h>
#include <string.h>

#include "nwg/key.h"

/* A deterministic key: 32 bytes of `fill` (clamped like a private key). */
static inline struct nwg_key tkey(unsigned char fill)
{
	struct nwg_key k;

	memset(k.b, fill, sizeof(k.b));
	k.b[0] &= 248;
	k.b[31] = (unsigned char)((k.b[31] & 127) | 64);
	return k;
}

static inline const char *tkey_b64(unsigned char fill, char buf[NWG_KEY_B64_LEN + 1])
{
	struct nwg_key k = tkey(fill);

	nwg_key_to_b64(buf, &k);
	return buf;
}

/* Port ids used across tests. */
#define HUB_A	"aaaaaaaa-0000-4000-8000-000000000001"
#define HUB_B	"bbbbbbbb-0000-4000-8000-000000000002"
#define HUB_C	"cccccccc-0000-4000-8000-000000000003"
#define SPOKE_1 "11111111-0000-4000-8000-000000000011"
#define SPOKE_2 "22222222-0000-4000-8000-000000000022"
#define SPOKE_3 "33333333-0000-4000-8000-000000000033"
#define PROJECT "p1234567890abcdef"

#endif
