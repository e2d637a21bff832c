/* SPDX-License-Identifier: Apache-2.0 */
/* GET /v2.0/ports/<id> from a Neutron endpoint (libcurl). */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_util.h"

struct body {
	char *buf;
	size_t len;
	int too_big;
};

static size_t on_data(char *p, size_t sz, size_t nm, void *arg)
{
	struct body *b = arg;
	size_t n = sz * nm;
	char *nb;

	if (b->len + n > NWGCLI_INPUT_MAX) {
		b->too_big = 1;
		return 0;
	}
	nb = realloc(b->buf, b->len + n + 1);
	if (!nb)
		return 0;
	b->buf = nb;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return n;
}

static int build_url(char *url, size_t len, const char *base, const char *port_id,
		     struct nwg_err *err)
{
	size_t n = strlen(base);
	int w;

	if (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0)
		return nwg_err_set(err, EINVAL, "--neutron must be an http:// or https:// URL");
	if (strpbrk(base, " \t\r\n?#"))
		return nwg_err_set(err, EINVAL, "--neutron: invalid URL");
	if (!nwgcli_id_ok(port_id))
		return nwg_err_set(err, EINVAL, "--port: not a port id");
	while (n > 0 && base[n - 1] == '/')
		n--;
	w = (n >= 5 && strncmp(base + n - 5, "/v2.0", 5) == 0)
		? snprintf(url, len, "%.*s/ports/%s", (int)n, base, port_id)
		: snprintf(url, len, "%.*s/v2.0/ports/%s", (int)n, base, port_id);
	if (w < 0 || (size_t)w >= len)
		return nwg_err_set(err, EINVAL, "--neutron: URL too long");
	return 0;
}

/* A NeutronError message from an error body, for the user. */
static void neutron_message(const struct body *b, char *out, size_t len)
{
	json_t *root = b->buf ? json_loadb(b->buf, b->len, 0, NULL) : NULL;
	json_t *msg = json_object_get(json_object_get(root, "NeutronError"), "message");

	out[0] = '\0';
	if (nwgcli_jstr(out, len, msg) < 0)
		out[0] = '\0';
	json_decref(root);
}

static int perform(CURL *c, struct body *b, const char *url, const char *port_id,
		   struct nwg_err *err)
{
	char msg[160];
	long status = 0;
	CURLcode rc = curl_easy_perform(c);

	if (b->too_big)
		return nwg_err_set(err, EFBIG, "%s: answer larger than %u bytes", url,
				   NWGCLI_INPUT_MAX);
	if (rc != CURLE_OK)
		return nwg_err_set(err, EIO, "%s: %s", url, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200)
		return 0;
	neutron_message(b, msg, sizeof(msg));
	if (status == 404)
		return nwg_err_set(err, ENOENT, "port %s not found (%s)", port_id, url);
	return nwg_err_set(err, EIO, "%s: HTTP %ld%s%s", url, status, msg[0] ? ": " : "", msg);
}

static int do_get(const char *url, const char *port_id, const char *token, struct body *b,
		  struct nwg_err *err)
{
	struct curl_slist *hdr = NULL, *tmp;
	char auth[4200];
	CURL *c = curl_easy_init();
	int ret;

	if (!c)
		return nwg_err_set(err, ENOMEM, "libcurl: cannot initialise");
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (token && hdr) {
		snprintf(auth, sizeof(auth), "X-Auth-Token: %s", token);
		tmp = curl_slist_append(hdr, auth);
		nwg_wipe(auth, sizeof(auth));
		if (!tmp)
			curl_slist_free_all(hdr);
		hdr = tmp;
	}
	if (!hdr) {
		curl_easy_cleanup(c);
		return nwg_err_set(err, ENOMEM, "out of memory");
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, NWGCLI_PROG "/" NWGCLI_VERSION);
	ret = perform(c, b, url, port_id, err);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	return ret;
}

int nwgcli_fetch_port(const char *base, const char *port_id, const char *token, char **body,
		      size_t *len, struct nwg_err *err)
{
	struct body b = {0};
	char url[2048];
	int ret;

	*body = NULL;
	*len = 0;
	if (!base || !port_id)
		return nwg_err_set(err, EINVAL, "--neutron and --port are both needed");
	if (token && (strpbrk(token, "\r\n") || strlen(token) > 4096))
		return nwg_err_set(err, EINVAL, "invalid token");
	if ((ret = build_url(url, sizeof(url), base, port_id, err)))
		return ret;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return nwg_err_set(err, EIO, "libcurl: cannot initialise");
	ret = do_get(url, port_id, token, &b, err);
	curl_global_cleanup();
	if (ret < 0 || !b.buf) {
		free(b.buf);
		return ret < 0 ? ret : nwg_err_set(err, EIO, "%s: empty answer", url);
	}
	*body = b.buf;
	*len = b.len;
	return 0;
}
