/* SPDX-License-Identifier: Apache-2.0 */
#include "conf/conf_ha.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf/ini.h"
#include "nwg/rtnl.h"

#define S "wireguard_ha"

static int vip(struct nwg_conf_ha *h, const char *s, struct nwg_err *err)
{
	unsigned char buf[sizeof(struct in6_addr)];
	const char *slash = strchr(s, '/');
	unsigned int plen;
	char tail;
	size_t n = slash ? (size_t)(slash - s) : 0;

	if (!slash || n == 0 || n >= sizeof(h->vip_addr) ||
	    sscanf(slash + 1, "%u%c", &plen, &tail) != 1 || slash[1] == '+' || slash[1] == '0')
		goto bad;
	memcpy(h->vip_addr, s, n);
	h->vip_addr[n] = '\0';
	if (inet_pton(AF_INET, h->vip_addr, buf) == 1 && plen >= 1 && plen <= 32)
		h->vip_family = AF_INET;
	else if (inet_pton(AF_INET6, h->vip_addr, buf) == 1 && plen >= 1 && plen <= 128)
		h->vip_family = AF_INET6;
	else
		goto bad;
	snprintf(h->vip, sizeof(h->vip), "%s/%u", h->vip_addr, plen);
	return 0;
bad:
	return nwg_err_set(err, EINVAL, "[" S "] vip: '%.64s' is not ADDRESS/PREFIXLEN", s);
}

static int get_uint(const struct nwg_ini *ini, const char *key, long def, long min, long max,
		    unsigned int *out, struct nwg_err *err)
{
	long v;
	int r = nwg_ini_get_int(ini, S, key, def, min, max, &v, err);

	if (r == 0)
		*out = (unsigned int)v;
	return r;
}

static int stream(struct nwg_conf_ha *h, const struct nwg_ini *ini, struct nwg_err *err)
{
	unsigned char buf[sizeof(struct in6_addr)];
	const char *s = NULL;
	int r = nwg_ini_get_str(ini, S, "stream_peer", "", &s, err);

	if (r < 0)
		return r;
	if (s && *s) {
		if (strlen(s) >= sizeof(h->stream_peer) ||
		    (inet_pton(AF_INET, s, buf) != 1 && inet_pton(AF_INET6, s, buf) != 1))
			return nwg_err_set(err, EINVAL,
					   "[" S "] stream_peer: '%.64s' is not an IP address", s);
		snprintf(h->stream_peer, sizeof(h->stream_peer), "%s", s);
	}
	if ((r = nwg_ini_get_str(ini, S, "peer_host", "", &s, err)) < 0)
		return r;
	/* (the host grammar is checked where hubs name hosts: a name no hub
	 * can name refuses every HA hub, with the reason) */
	if (s && (strlen(s) >= sizeof(h->peer_host) || strpbrk(s, " \t\n\"'\\/")))
		return nwg_err_set(err, EINVAL, "[" S "] peer_host: not a host name");
	snprintf(h->peer_host, sizeof(h->peer_host), "%s", s ? s : "");
	if ((r = get_uint(ini, "stream_port", 51900, 1, 65535, &h->stream_port, err)) < 0)
		return r;
	return get_uint(ini, "stream_interval_ms", 300, 50, 10000, &h->stream_interval_ms, err);
}

int nwg_conf_load_ha(struct nwg_conf_ha *h, const struct nwg_ini *ini, struct nwg_err *err)
{
	const char *s = NULL;
	int r;

	memset(h, 0, sizeof(*h));
	if ((r = nwg_ini_get_str(ini, S, "vrrp_interface", "", &s, err)) < 0)
		return r;
	if (!s || !*s)
		return 0;
	if (nwg_ifname_valid(s) < 0)
		return nwg_err_set(err, EINVAL, "[" S "] vrrp_interface: not an interface name");
	snprintf(h->interface, sizeof(h->interface), "%s", s);
	if ((r = nwg_ini_get_str(ini, S, "vip", "", &s, err)) < 0)
		return r;
	if (!s || !*s)
		return nwg_err_set(err, EINVAL,
				   "[" S "] vip: required with vrrp_interface (ADDRESS/PREFIXLEN)");
	if ((r = vip(h, s, err)) < 0 ||
	    (r = get_uint(ini, "virtual_router_id", 51, 1, 255, &h->vrid, err)) < 0 ||
	    (r = get_uint(ini, "priority", 100, 1, 254, &h->priority, err)) < 0 ||
	    (r = get_uint(ini, "advert_interval_ms", 100, 10, 40950, &h->advert_ms, err)) < 0 ||
	    (r = get_uint(ini, "takeover_pace", 8, 1, 100000, &h->pace, err)) < 0 ||
	    (r = stream(h, ini, err)) < 0)
		return r;
	if (h->advert_ms % 10)
		return nwg_err_set(err, EINVAL,
				   "[" S
				   "] advert_interval_ms: a multiple of 10 (VRRPv3 centiseconds)");
	if ((r = nwg_ini_get_str(ini, S, "keepalived", "/usr/sbin/keepalived", &s, err)) < 0)
		return r;
	if (!s || s[0] != '/' || strlen(s) >= sizeof(h->keepalived) || strpbrk(s, " \t\n\"'\\"))
		return nwg_err_set(err, EINVAL, "[" S "] keepalived: an absolute path");
	snprintf(h->keepalived, sizeof(h->keepalived), "%s", s);
	h->on = true;
	return 0;
}

int nwg_conf_ha_endpoint(const struct nwg_conf_ha *h, unsigned int port, char *buf, size_t len)
{
	int n =
	    snprintf(buf, len, h->vip_family == AF_INET6 ? "[%s]:%u" : "%s:%u", h->vip_addr, port);

	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
