/* SPDX-License-Identifier: Apache-2.0 */
/* Strict "address/prefixlen" parsing for desired state coming off the wire. */
#ifndef NWG_AGENT_IPNET_H
#define NWG_AGENT_IPNET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nwg/wg.h"

#define NWG_IPNET_STRLEN (INET6_ADDRSTRLEN + 4)

struct nwg_ipnet {
	uint16_t family; /* AF_INET / AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	} a;
	uint8_t plen;
};

/* "10.0.0.1/24", "fd00::1/64": the prefix length is mandatory, no spaces.
 * need_network: the host bits must be zero (AllowedIPs). -EINVAL if bad. */
int nwg_ipnet_parse(const char *s, struct nwg_ipnet *out, bool need_network);
int nwg_ipnet_format(const struct nwg_ipnet *c, char *buf, size_t len);
bool nwg_ipnet_equal(const struct nwg_ipnet *a, const struct nwg_ipnet *b);
/* Same prefix as a WireGuard allowed IP. */
bool nwg_ipnet_equal_aip(const struct nwg_ipnet *a, const struct nwg_allowedip *b);
void nwg_ipnet_to_aip(const struct nwg_ipnet *c, struct nwg_allowedip *out);

#endif
