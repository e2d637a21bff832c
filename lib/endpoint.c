/* SPDX-License-Identifier: Apache-2.0 */
/* Endpoints ("1.2.3.4:51820", "[fd00::1]:51820"): numeric parse and format. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "num.h"
#include "nwg/wg.h"

/* Splits s into a bracket-less host and the port text. */
static int split_host_port(const char *s, char *host, size_t hostlen, const char **port, bool *v6)
{
	const char *end, *h = s;
	size_t n;

	*v6 = s[0] == '[';
	if (*v6) {
		h = s + 1;
		end = strchr(h, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
	} else {
		end = strchr(s, ':');
		if (!end || strchr(end + 1, ':'))
			return -EINVAL;
	}
	n = (size_t)(end - h);
	if (n == 0 || n >= hostlen)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	*port = *v6 ? end + 2 : end + 1;
	return 0;
}

int nwg_endpoint_parse(union nwg_endpoint *out, const char *s)
{
	char host[INET6_ADDRSTRLEN];
	const char *port;
	uint32_t p;
	bool v6;

	if (!out || !s)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (split_host_port(s, host, sizeof(host), &port, &v6) < 0 ||
	    nwg_parse_u32(port, strlen(port), 65535, &p) < 0 || p == 0)
		goto bad;
	if (v6) {
		out->sin6.sin6_family = AF_INET6;
		out->sin6.sin6_port = htons((uint16_t)p);
		if (inet_pton(AF_INET6, host, &out->sin6.sin6_addr) != 1)
			goto bad;
	} else {
		out->sin.sin_family = AF_INET;
		out->sin.sin_port = htons((uint16_t)p);
		if (inet_pton(AF_INET, host, &out->sin.sin_addr) != 1)
			goto bad;
	}
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

/* AF_UNSPEC (no endpoint) formats as "" and returns 0. */
int nwg_endpoint_format(const union nwg_endpoint *e, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];
	int n;

	if (!e || !buf || !len)
		return -EINVAL;
	buf[0] = '\0';
	if (e->sa.sa_family == AF_UNSPEC)
		return 0;
	if (e->sa.sa_family == AF_INET) {
		if (!inet_ntop(AF_INET, &e->sin.sin_addr, host, sizeof(host)))
			return -EINVAL;
		n = snprintf(buf, len, "%s:%u", host, (unsigned int)ntohs(e->sin.sin_port));
	} else if (e->sa.sa_family == AF_INET6) {
		if (!inet_ntop(AF_INET6, &e->sin6.sin6_addr, host, sizeof(host)))
			return -EINVAL;
		n = snprintf(buf, len, "[%s]:%u", host, (unsigned int)ntohs(e->sin6.sin6_port));
	} else {
		return -EINVAL;
	}
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -ENOSPC;
	}
	return n;
}
