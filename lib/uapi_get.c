/* SPDX-License-Identifier: Apache-2.0 */
/* wireguard-go UAPI: parsing a get reply into a struct nwg_device (pure). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "uapi_parse.h"
#include "wg_backend.h"

#define VAL_MAX 128 /* endpoints and CIDRs are far shorter */

struct get_state {
	struct nwg_device *dev;
	struct nwg_peer *peer; /* current peer section, NULL = device section */
	struct nwg_err *err;
	unsigned line;
	int wg_errno; /* the reply's errno=N (<= 0) */
};

static int bad(struct get_state *st, const char *what)
{
	return nwg_err_set(st->err, EBADMSG, "uapi get reply line %u: %s", st->line, what);
}

static int kv_key(const struct nwg_uapi_kv *kv, struct nwg_key *k)
{
	return nwg_key_from_hex(k, kv->val, kv->val_len) < 0 ? -EBADMSG : 0;
}

static int kv_num(const struct nwg_uapi_kv *kv, uint64_t max, uint64_t *out)
{
	return nwg_uapi_parse_u64(kv->val, kv->val_len, max, out);
}

/* Copies the value into a NUL-terminated buffer for the model parsers. */
static int kv_str(const struct nwg_uapi_kv *kv, char buf[VAL_MAX])
{
	if (kv->val_len == 0 || kv->val_len >= VAL_MAX)
		return -EBADMSG;
	memcpy(buf, kv->val, kv->val_len);
	buf[kv->val_len] = '\0';
	return 0;
}

static int device_kv(struct get_state *st, const struct nwg_uapi_kv *kv)
{
	struct nwg_device *dev = st->dev;
	uint64_t v;

	if (nwg_uapi_key_is(kv, "private_key")) {
		if (kv_key(kv, &dev->private_key) < 0)
			return bad(st, "bad private_key");
		dev->flags |= NWG_DEV_HAS_PRIVATE_KEY;
	} else if (nwg_uapi_key_is(kv, "listen_port")) {
		if (kv_num(kv, UINT16_MAX, &v) < 0)
			return bad(st, "bad listen_port");
		dev->listen_port = (uint16_t)v;
		dev->flags |= NWG_DEV_HAS_LISTEN_PORT;
	} else if (nwg_uapi_key_is(kv, "fwmark")) {
		if (kv_num(kv, UINT32_MAX, &v) < 0)
			return bad(st, "bad fwmark");
	}
	return 0; /* unknown device keys are skipped */
}

static int peer_addr_kv(struct get_state *st, const struct nwg_uapi_kv *kv)
{
	struct nwg_peer *p = st->peer;
	char buf[VAL_MAX];
	int r;

	if (nwg_uapi_key_is(kv, "endpoint")) {
		if (kv_str(kv, buf) < 0 || nwg_endpoint_parse(&p->endpoint, buf) < 0)
			return bad(st, "bad endpoint");
		p->flags |= NWG_PEER_HAS_ENDPOINT;
		return 0;
	}
	if (kv_str(kv, buf) < 0)
		return bad(st, "bad allowed_ip");
	r = nwg_peer_add_allowedip(p, buf);
	if (r == -ENOMEM)
		return nwg_err_set(st->err, ENOMEM, "out of memory");
	return r < 0 ? bad(st, "bad allowed_ip") : 0;
}

static int peer_num_kv(struct get_state *st, const struct nwg_uapi_kv *kv)
{
	struct nwg_peer *p = st->peer;
	uint64_t v;

	if (nwg_uapi_key_is(kv, "last_handshake_time_sec")) {
		if (kv_num(kv, INT64_MAX, &v) < 0)
			return bad(st, "bad last_handshake_time_sec");
		p->last_handshake.tv_sec = (time_t)v;
	} else if (nwg_uapi_key_is(kv, "last_handshake_time_nsec")) {
		if (kv_num(kv, 999999999, &v) < 0)
			return bad(st, "bad last_handshake_time_nsec");
		p->last_handshake.tv_nsec = (long)v;
	} else if (nwg_uapi_key_is(kv, "tx_bytes")) {
		if (kv_num(kv, UINT64_MAX, &p->tx_bytes) < 0)
			return bad(st, "bad tx_bytes");
	} else if (nwg_uapi_key_is(kv, "rx_bytes")) {
		if (kv_num(kv, UINT64_MAX, &p->rx_bytes) < 0)
			return bad(st, "bad rx_bytes");
	} else if (nwg_uapi_key_is(kv, "persistent_keepalive_interval")) {
		if (kv_num(kv, UINT16_MAX, &v) < 0)
			return bad(st, "bad persistent_keepalive_interval");
		p->persistent_keepalive = (uint16_t)v;
		p->flags |= NWG_PEER_HAS_KEEPALIVE;
	} else if (nwg_uapi_key_is(kv, "protocol_version")) {
		if (kv_num(kv, UINT32_MAX, &v) < 0)
			return bad(st, "bad protocol_version");
	}
	return 0; /* unknown peer keys are skipped */
}

static int peer_kv(struct get_state *st, const struct nwg_uapi_kv *kv)
{
	struct nwg_key psk;
	int r;

	if (nwg_uapi_key_is(kv, "endpoint") || nwg_uapi_key_is(kv, "allowed_ip"))
		return peer_addr_kv(st, kv);
	if (nwg_uapi_key_is(kv, "preshared_key")) {
		r = kv_key(kv, &psk);
		nwg_key_wipe(&psk);
		return r < 0 ? bad(st, "bad preshared_key") : 0;
	}
	if (nwg_uapi_key_is(kv, "private_key") || nwg_uapi_key_is(kv, "listen_port") ||
	    nwg_uapi_key_is(kv, "fwmark"))
		return bad(st, "device key inside a peer section");
	return peer_num_kv(st, kv);
}

static int start_peer(struct get_state *st, const struct nwg_uapi_kv *kv)
{
	struct nwg_key pub;

	if (kv_key(kv, &pub) < 0)
		return bad(st, "bad public_key");
	st->peer = nwg_device_add_peer(st->dev, &pub);
	if (!st->peer)
		return nwg_err_set(st->err, ENOMEM, "out of memory");
	return 0;
}

static int handle_kv(struct get_state *st, const struct nwg_uapi_kv *kv)
{
	if (nwg_uapi_key_is(kv, "public_key"))
		return start_peer(st, kv);
	return st->peer ? peer_kv(st, kv) : device_kv(st, kv);
}

/* Reads lines up to errno=N and the final blank line; N goes to st->wg_errno. */
static int parse_lines(struct get_state *st, const char *buf, size_t len)
{
	struct nwg_uapi_lines it = {buf, buf + len, 0};
	struct nwg_uapi_kv kv;
	int r;

	for (;;) {
		r = nwg_uapi_next_line(&it, &kv);
		st->line = it.line;
		if (r < 0)
			return bad(st, "malformed or truncated line");
		if (r == 0)
			return bad(st, "blank line before errno");
		if (nwg_uapi_key_is(&kv, "errno"))
			break;
		r = handle_kv(st, &kv);
		if (r < 0)
			return r;
	}
	if (nwg_uapi_parse_errval(&kv, &st->wg_errno) < 0)
		return bad(st, "bad errno value");
	r = nwg_uapi_next_line(&it, &kv);
	st->line = it.line;
	if (r != 0 || it.p != it.end)
		return bad(st, "expected a final blank line after errno");
	return 0;
}

int nwg_uapi_parse_get(const char *buf, size_t len, struct nwg_device **out, struct nwg_err *err)
{
	struct get_state st = {.err = err};
	int r;

	if (!out)
		return nwg_err_set(err, EINVAL, "uapi parse: no output");
	*out = NULL;
	if (!buf)
		return nwg_err_set(err, EBADMSG, "uapi get reply: empty");
	st.dev = nwg_device_new("");
	if (!st.dev)
		return nwg_err_set(err, ENOMEM, "out of memory");
	r = parse_lines(&st, buf, len);
	if (r == 0 && st.wg_errno < 0)
		r = nwg_err_set(err, -st.wg_errno, "wireguard-go answered errno=%d to get",
				st.wg_errno);
	if (r == 0 && (st.dev->flags & NWG_DEV_HAS_PRIVATE_KEY) &&
	    nwg_key_public(&st.dev->public_key, &st.dev->private_key) == 0)
		st.dev->flags |= NWG_DEV_HAS_PUBLIC_KEY;
	if (r < 0) {
		nwg_device_free(st.dev);
		return r;
	}
	*out = st.dev;
	return 0;
}
