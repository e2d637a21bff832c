/* SPDX-License-Identifier: Apache-2.0 */
/* CIDRs ("10.0.0.2/32", "fd00::2/128"): strict parse and format. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "num.h"

static bool host_bits_zero(const uint8_t *a, size_t n, unsigned int cidr)
{
	for (size_t i = 0; i < n; i++) {
		unsigned int keep = cidr >= 8 * (i + 1) ? 8 : cidr > 8 * i ? cidr - 8 * i : 0;
		uint8_t mask = (uint8_t)(0xff00 >> keep);

		if (a[i] & (uint8_t)~mask)
			return false;
	}
	return true;
}

int nwg_cidr_parse(struct nwg_allowedip *out, const char *s, bool host_bits_ok)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash;
	uint32_t plen;
	size_t alen;

	if (!out || !s)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : 0;
	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	out->family = memchr(addr, ':', alen) ? AF_INET6 : AF_INET;
	if (inet_pton(out->family, addr, &out->ip6) != 1)
		return -EINVAL;
	if (nwg_parse_u32(slash + 1, strlen(slash + 1), out->family == AF_INET ? 32 : 128, &plen))
		return -EINVAL;
	out->cidr = (uint8_t)plen;
	if (!host_bits_ok &&
	    !host_bits_zero(out->ip6.s6_addr, out->family == AF_INET ? 4 : 16, out->cidr))
		return -EINVAL;
	return 0;
}

int nwg_allowedip_parse(struct nwg_allowedip *out, const char *cidr)
{
	int ret = nwg_cidr_parse(out, cidr, false);

	if (ret < 0 && out)
		memset(out, 0, sizeof(*out));
	return ret;
}

int nwg_allowedip_format(const struct nwg_allowedip *a, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	int n;

	if (!a || !buf || !len)
		return -EINVAL;
	buf[0] = '\0';
	if (!(a->family == AF_INET && a->cidr <= 32) && !(a->family == AF_INET6 && a->cidr <= 128))
		return -EINVAL;
	if (!inet_ntop(a->family, &a->ip6, addr, sizeof(addr)))
		return -EINVAL;
	n = snprintf(buf, len, "%s/%u", addr, (unsigned int)a->cidr);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -ENOSPC;
	}
	return n;
}
