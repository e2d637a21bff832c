/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/ipnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int parse_plen(const char *s, unsigned int max, uint8_t *out)
{
	unsigned int v = 0;

	if (!*s || strlen(s) > 3 || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(*s - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

static bool host_bits_zero(const struct nwg_ipnet *c)
{
	unsigned int bytes = c->family == AF_INET ? 4 : 16;

	for (unsigned int i = 0; i < bytes; i++) {
		unsigned int first = i * 8;
		uint8_t mask;

		if (first + 8 <= c->plen)
			continue;
		mask = first >= c->plen ? 0xff : (uint8_t)(0xff >> (c->plen - first));
		if (c->a.b[i] & mask)
			return false;
	}
	return true;
}

int nwg_ipnet_parse(const char *s, struct nwg_ipnet *out, bool need_network)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash;
	size_t alen;

	if (!s || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	slash = strchr(s, '/');
	if (!slash)
		return -EINVAL;
	alen = (size_t)(slash - s);
	if (alen == 0 || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, &out->a.v4) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, &out->a.v6) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	if (parse_plen(slash + 1, out->family == AF_INET ? 32 : 128, &out->plen) < 0)
		return -EINVAL;
	if (need_network && !host_bits_zero(out))
		return -EINVAL;
	return 0;
}

int nwg_ipnet_format(const struct nwg_ipnet *c, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	int n;

	if (!inet_ntop(c->family, c->a.b, addr, sizeof(addr)))
		return -EINVAL;
	n = snprintf(buf, len, "%s/%u", addr, (unsigned int)c->plen);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

bool nwg_ipnet_equal(const struct nwg_ipnet *a, const struct nwg_ipnet *b)
{
	size_t n = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && a->plen == b->plen && memcmp(a->a.b, b->a.b, n) == 0;
}

bool nwg_ipnet_equal_aip(const struct nwg_ipnet *a, const struct nwg_allowedip *b)
{
	if (a->family != b->family || a->plen != b->cidr)
		return false;
	if (a->family == AF_INET)
		return memcmp(&a->a.v4, &b->ip4, 4) == 0;
	return memcmp(&a->a.v6, &b->ip6, 16) == 0;
}

void nwg_ipnet_to_aip(const struct nwg_ipnet *c, struct nwg_allowedip *out)
{
	memset(out, 0, sizeof(*out));
	out->family = c->family;
	out->cidr = c->plen;
	if (c->family == AF_INET)
		out->ip4 = c->a.v4;
	else
		out->ip6 = c->a.v6;
}
