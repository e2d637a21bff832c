/* SPDX-License-Identifier: Apache-2.0 */
/* Listen-port allocation: lowest port of the range neither taken nor bound. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "num.h"
#include "nwg/portalloc.h"

static int parse_port(const char *s, size_t len, uint16_t *out)
{
	uint32_t v;

	if (nwg_parse_u32(s, len, 65535, &v) < 0 || v == 0)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int nwg_port_range_parse(const char *s, struct nwg_port_range *out)
{
	static const char *const seps[] = {"..", ":", "-"};
	struct nwg_port_range r;

	if (!s || !out)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		const char *sep = strstr(s, seps[i]);

		if (!sep)
			continue;
		if (parse_port(s, (size_t)(sep - s), &r.first) < 0 ||
		    parse_port(sep + strlen(seps[i]), strlen(sep + strlen(seps[i])), &r.last) < 0 ||
		    r.first > r.last)
			return -EINVAL;
		*out = r;
		return 0;
	}
	return -EINVAL;
}

/* 1 if bind() says EADDRINUSE, 0 otherwise (including "no such family"). */
static int bind_in_use(int family, uint16_t port)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(port)};
	int one = 1, fd, ret = 0;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		s6.sin6_addr = in6addr_any;
		ret = bind(fd, (struct sockaddr *)&s6, sizeof(s6));
	} else {
		s4.sin_addr.s_addr = htonl(INADDR_ANY);
		ret = bind(fd, (struct sockaddr *)&s4, sizeof(s4));
	}
	ret = ret < 0 && errno == EADDRINUSE;
	close(fd);
	return ret;
}

bool nwg_port_busy_default(uint16_t port, void *ctx)
{
	(void)ctx;
	return bind_in_use(AF_INET, port) || bind_in_use(AF_INET6, port);
}

static bool in_taken(uint16_t port, const uint16_t *taken, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (taken[i] == port)
			return true;
	}
	return false;
}

int nwg_port_alloc(const struct nwg_port_range *range, const uint16_t *taken, size_t n_taken,
		   nwg_port_busy_fn busy, void *busy_ctx, uint16_t *out, struct nwg_err *err)
{
	if (!range || !out || (n_taken && !taken))
		return nwg_err_set(err, EINVAL, "port allocation: missing argument");
	if (range->first == 0 || range->first > range->last)
		return nwg_err_set(err, EINVAL, "port allocation: invalid range %u..%u",
				   range->first, range->last);
	if (!busy)
		busy = nwg_port_busy_default;
	for (uint32_t p = range->first; p <= range->last; p++) {
		if (in_taken((uint16_t)p, taken, n_taken) || busy((uint16_t)p, busy_ctx))
			continue;
		*out = (uint16_t)p;
		return 0;
	}
	return nwg_err_set(err, EADDRNOTAVAIL, "no free UDP port in range %u..%u", range->first,
			   range->last);
}
