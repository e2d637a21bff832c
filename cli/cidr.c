/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "cidr.h"

static void clear_host_bits(struct nwg_allowedip *a)
{
	size_t n = a->family == AF_INET ? 4 : 16;
	uint8_t *b = a->family == AF_INET ? (uint8_t *)&a->ip4 : a->ip6.s6_addr;

	for (size_t i = 0; i < n; i++) {
		unsigned int keep = a->cidr >= 8 * (i + 1) ? 8
				    : a->cidr > 8 * i	   ? a->cidr - 8 * i
							   : 0;

		b[i] &= (uint8_t)(0xff00 >> keep);
	}
}

static int parse_addr(struct nwg_allowedip *out, const char *s, size_t n)
{
	char buf[INET6_ADDRSTRLEN];

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, sizeof(*out));
	out->family = memchr(buf, ':', n) ? AF_INET6 : AF_INET;
	if (inet_pton(out->family, buf,
		      out->family == AF_INET ? (void *)&out->ip4 : (void *)&out->ip6) != 1)
		return -EINVAL;
	out->cidr = out->family == AF_INET ? 32 : 128;
	return 0;
}

static int parse_plen(const char *s, unsigned int max, unsigned int *out)
{
	unsigned int v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 3)
			return -EINVAL;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (i == 0 || v > max || (i > 1 && s[0] == '0'))
		return -EINVAL;
	*out = v;
	return 0;
}

int nwgcli_host_parse(struct nwg_allowedip *out, const char *s)
{
	if (!out || !s)
		return -EINVAL;
	return parse_addr(out, s, strlen(s));
}

int nwgcli_prefix_parse(struct nwg_allowedip *out, const char *s)
{
	const char *slash;
	unsigned int plen;

	if (!out || !s)
		return -EINVAL;
	slash = strchr(s, '/');
	if (!slash)
		return nwgcli_host_parse(out, s);
	if (parse_addr(out, s, (size_t)(slash - s)) < 0 || parse_plen(slash + 1, out->cidr, &plen))
		return -EINVAL;
	out->cidr = (uint8_t)plen;
	clear_host_bits(out);
	return 0;
}

bool nwgcli_prefix_equal(const struct nwg_allowedip *a, const struct nwg_allowedip *b)
{
	if (a->family != b->family || a->cidr != b->cidr)
		return false;
	if (a->family == AF_INET)
		return a->ip4.s_addr == b->ip4.s_addr;
	return memcmp(&a->ip6, &b->ip6, sizeof(a->ip6)) == 0;
}
