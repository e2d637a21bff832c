/* SPDX-License-Identifier: Apache-2.0 */
/* transport_url parsing: rabbit://u:p@h1:5672,u:p@[::1]:5672/vhost?ssl=1 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msg/msg.h"
#include "msg/msg_int.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Percent-decodes s[0..len) into a new string; rejects bad escapes and NUL. */
int nwg_msg_pct_decode(const char *s, size_t len, char **out)
{
	char *d = malloc(len + 1);
	size_t j = 0;

	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		int hi = -1, lo = -1;

		if (s[i] != '%') {
			d[j++] = s[i];
			continue;
		}
		if (i + 2 < len) {
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
		}
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			explicit_bzero(d, j);
			free(d);
			return -EINVAL;
		}
		d[j++] = (char)(hi << 4 | lo);
		i += 2;
	}
	d[j] = '\0';
	*out = d;
	return 0;
}

static int parse_port(const char *s, size_t len, int *port)
{
	long v = 0;

	if (len == 0 || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -EINVAL;
	*port = (int)v;
	return 0;
}

/* "host", "host:port", "[v6]", "[v6]:port" */
static int parse_hostport(const char *s, size_t len, struct nwg_msg_host *h, struct nwg_err *err)
{
	const char *hs = s, *colon;
	size_t hl = len;

	h->port = 5672;
	if (len && s[0] == '[') {
		const char *rb = memchr(s, ']', len);

		if (!rb)
			return nwg_err_set(err, EINVAL, "transport_url: unterminated '[' in host");
		hs = s + 1;
		hl = (size_t)(rb - hs);
		colon = rb + 1 < s + len ? rb + 1 : NULL;
		if (colon && *colon != ':')
			return nwg_err_set(err, EINVAL, "transport_url: junk after ']' in host");
	} else {
		colon = memchr(s, ':', len);
		hl = colon ? (size_t)(colon - s) : len;
	}
	if (hl == 0)
		return nwg_err_set(err, EINVAL, "transport_url: empty host");
	if (colon && parse_port(colon + 1, (size_t)(s + len - colon - 1), &h->port) < 0)
		return nwg_err_set(err, EINVAL, "transport_url: bad port (1..65535 expected)");
	if (nwg_msg_pct_decode(hs, hl, &h->host) < 0 || !h->host[0] || strpbrk(h->host, "/@[] "))
		return nwg_err_set(err, EINVAL, "transport_url: bad host name");
	return 0;
}

/* "[user[:pass]@]hostport" */
static int parse_netloc(const char *s, size_t len, struct nwg_msg_host *h, struct nwg_err *err)
{
	const char *at = NULL;

	for (size_t i = len; i-- > 0;) {
		if (s[i] == '@') {
			at = s + i;
			break;
		}
	}
	if (at) {
		const char *colon = memchr(s, ':', (size_t)(at - s));
		size_t ul = colon ? (size_t)(colon - s) : (size_t)(at - s);

		if (nwg_msg_pct_decode(s, ul, &h->user) < 0)
			return nwg_err_set(err, EINVAL, "transport_url: bad %%-escape in user");
		if (colon &&
		    nwg_msg_pct_decode(colon + 1, (size_t)(at - colon - 1), &h->password) < 0)
			return nwg_err_set(err, EINVAL, "transport_url: bad %%-escape in password");
		len -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	return parse_hostport(s, len, h, err);
}

static void hosts_free(struct nwg_msg_host *hosts, size_t n)
{
	for (size_t i = 0; hosts && i < n; i++) {
		free(hosts[i].host);
		free(hosts[i].user);
		wipe_free(hosts[i].password);
	}
	free(hosts);
}

/* Hosts without credentials take the previous host's (oslo does the same);
 * the first defaults to guest/guest like kombu. */
static int fill_credentials(struct nwg_msg_host *hosts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *u = i ? hosts[i - 1].user : "guest";
		const char *p = i ? hosts[i - 1].password : "guest";

		if (!hosts[i].user && !(hosts[i].user = strdup(u)))
			return -ENOMEM;
		if (!hosts[i].password && !(hosts[i].password = strdup(p ? p : "")))
			return -ENOMEM;
	}
	return 0;
}

static void parse_query(struct nwg_msg_opts *opts, const char *q, size_t qlen)
{
	while (qlen) {
		const char *amp = memchr(q, '&', qlen);
		size_t len = amp ? (size_t)(amp - q) : qlen;
		char v[8];

		if (len > 4 && len - 4 < sizeof(v) && strncmp(q, "ssl=", 4) == 0) {
			memcpy(v, q + 4, len - 4);
			v[len - 4] = '\0';
			opts->ssl = strcasecmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
				    strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0;
		}
		qlen -= amp ? len + 1 : len;
		q = amp ? amp + 1 : q + len;
	}
}

static int parse_hosts(struct nwg_msg_opts *opts, const char *s, size_t len, struct nwg_err *err)
{
	size_t n = 1;
	int rc = 0;

	for (size_t i = 0; i < len; i++)
		n += s[i] == ',';
	if (n > 64)
		return nwg_err_set(err, EINVAL, "transport_url: too many hosts");
	opts->hosts = calloc(n, sizeof(*opts->hosts));
	if (!opts->hosts)
		return nwg_err_set(err, ENOMEM, "transport_url: out of memory");
	opts->n_hosts = n;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *comma = memchr(s, ',', len);
		size_t l = comma ? (size_t)(comma - s) : len;

		rc = parse_netloc(s, l, &opts->hosts[i], err);
		s += l + (comma ? 1 : 0);
		len -= l + (comma ? 1 : 0);
	}
	if (rc == 0 && fill_credentials(opts->hosts, n) < 0)
		rc = nwg_err_set(err, ENOMEM, "transport_url: out of memory");
	return rc;
}

static void url_reset(struct nwg_msg_opts *opts)
{
	hosts_free(opts->hosts, opts->n_hosts);
	opts->hosts = NULL;
	opts->n_hosts = 0;
	free(opts->vhost);
	opts->vhost = NULL;
}

int nwg_msg_parse_transport_url(struct nwg_msg_opts *opts, const char *url, struct nwg_err *err)
{
	static const char scheme[] = "rabbit://";
	const char *p, *end, *q;
	int rc;

	if (!opts || !url)
		return nwg_err_set(err, EINVAL, "transport_url: NULL argument");
	url_reset(opts);
	if (strncasecmp(url, scheme, sizeof(scheme) - 1) != 0)
		return nwg_err_set(err, EINVAL, "transport_url: scheme must be rabbit://");
	p = url + sizeof(scheme) - 1;
	end = p + strcspn(p, "#");
	q = p + strcspn(p, "/?#");
	if (q == p)
		return nwg_err_set(err, EINVAL, "transport_url: empty host");
	rc = parse_hosts(opts, p, (size_t)(q - p), err);
	if (rc == 0) {
		const char *path = *q == '/' ? q + 1 : q;
		const char *qm = path + strcspn(path, "?#");

		if (qm == path)
			opts->vhost = strdup("/");
		else if (nwg_msg_pct_decode(path, (size_t)(qm - path), &opts->vhost) < 0)
			rc = nwg_err_set(err, EINVAL, "transport_url: bad %%-escape in vhost");
		if (rc == 0 && !opts->vhost)
			rc = nwg_err_set(err, ENOMEM, "transport_url: out of memory");
		if (rc == 0 && *qm == '?')
			parse_query(opts, qm + 1, (size_t)(end - qm - 1));
	}
	if (rc < 0)
		url_reset(opts);
	return rc;
}

void nwg_msg_opts_clear(struct nwg_msg_opts *opts)
{
	if (!opts)
		return;
	url_reset(opts);
	free(opts->control_exchange);
	free(opts->host);
	free(opts->ssl_ca_file);
	free(opts->ssl_cert_file);
	free(opts->ssl_key_file);
	memset(opts, 0, sizeof(*opts));
}
