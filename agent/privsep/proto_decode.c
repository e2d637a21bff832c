/* SPDX-License-Identifier: Apache-2.0 */
/* The privsep messages: decoding one datagram (bounded, then checked). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "privsep/proto.h"
#include "privsep/wire.h"

/* host_ok: interface addresses; allowed IPs have no host bits. A bad CIDR
 * is a grammar error (EINVAL), reported through *bad. */
static size_t get_cidrs(struct nwg_psr *r, struct nwg_allowedip *a, size_t max, bool host_ok,
			bool *bad)
{
	size_t n = nwg_psr_u16(r);
	char buf[NWG_PS_CIDR_MAX + 1];

	if (n > max) {
		r->err = true;
		return 0;
	}
	for (size_t i = 0; i < n && !r->err; i++) {
		nwg_psr_str(r, buf, sizeof(buf));
		if (!r->err && nwg_cidr_parse(&a[i], buf, host_ok) < 0)
			*bad = true;
	}
	return n;
}

static void get_peers(struct nwg_psr *r, struct nwg_ps_peer **peers, size_t *n, bool *bad)
{
	size_t count = nwg_psr_u16(r);

	if (count > NWG_PS_MAX_PEERS) {
		r->err = true;
		return;
	}
	for (size_t i = 0; i < count && !r->err; i++) {
		struct nwg_ps_peer *p = nwg_ps_peer_add(peers, n);

		if (!p) {
			r->err = true;
			return;
		}
		p->op = nwg_psr_u8(r);
		p->fields = nwg_psr_u8(r);
		nwg_psr_str(r, p->port_id, sizeof(p->port_id));
		nwg_psr_bytes(r, p->key.b, sizeof(p->key.b));
		nwg_psr_str(r, p->endpoint, sizeof(p->endpoint));
		p->keepalive = nwg_psr_u16(r);
		p->handshake_s = nwg_psr_u64(r);
		p->rx_bytes = nwg_psr_u64(r);
		p->tx_bytes = nwg_psr_u64(r);
		p->n_allowed = get_cidrs(r, p->allowed, NWG_PS_MAX_ALLOWED, false, bad);
	}
}

static void get_ids(struct nwg_psr *r, struct nwg_ps_ids *ids)
{
	size_t n = nwg_psr_u16(r);

	if (n > NWG_PS_MAX_IDS) {
		r->err = true;
		return;
	}
	for (size_t i = 0; i < n && !r->err; i++) {
		char *id = nwg_ps_ids_add(ids);

		if (!id) {
			r->err = true;
			return;
		}
		nwg_psr_str(r, id, NWG_ID_MAX + 1);
	}
	n = nwg_psr_u16(r);
	if (n > NWG_PS_MAX_NETNS) {
		r->err = true;
		return;
	}
	for (size_t i = 0; i < n && !r->err; i++) {
		char *ns = nwg_ps_netns_add(ids);

		if (!ns) {
			r->err = true;
			return;
		}
		nwg_psr_str(r, ns, NWG_NETNS_NAME_MAX + 1);
	}
}

static void get_link(struct nwg_psr *r, struct nwg_ps_link *l, bool *bad)
{
	l->part = nwg_psr_u8(r);
	nwg_psr_str(r, l->port_id, sizeof(l->port_id));
	nwg_psr_str(r, l->project_id, sizeof(l->project_id));
	nwg_psr_str(r, l->ifname, sizeof(l->ifname));
	nwg_psr_str(r, l->netns, sizeof(l->netns));
	nwg_psr_str(r, l->home_netns, sizeof(l->home_netns));
	l->up = nwg_psr_bool(r);
	l->last = nwg_psr_bool(r);
	l->readable = nwg_psr_bool(r);
	l->key_matches_record = nwg_psr_bool(r);
	l->dev_flags = nwg_psr_u8(r);
	l->mtu = nwg_psr_u32(r);
	l->listen_port = nwg_psr_u16(r);
	nwg_psr_bytes(r, l->public_key.b, sizeof(l->public_key.b));
	l->addrs.n = get_cidrs(r, l->addrs.a, NWG_PS_MAX_ADDRS, true, bad);
	get_peers(r, &l->peers, &l->n_peers, bad);
}

static void get_apply(struct nwg_psr *r, struct nwg_ps_apply *a, bool *bad)
{
	a->kind = nwg_psr_u8(r);
	a->key_src = nwg_psr_u8(r);
	a->flags = nwg_psr_u8(r);
	nwg_psr_str(r, a->port_id, sizeof(a->port_id));
	nwg_psr_str(r, a->project_id, sizeof(a->project_id));
	nwg_psr_str(r, a->ifname, sizeof(a->ifname));
	nwg_psr_str(r, a->netns, sizeof(a->netns));
	nwg_psr_str(r, a->home_netns, sizeof(a->home_netns));
	a->fix = nwg_psr_u32(r);
	a->mtu = nwg_psr_u32(r);
	a->up = nwg_psr_bool(r);
	a->listen_port = nwg_psr_u16(r);
	nwg_psr_str(r, a->sealed, sizeof(a->sealed));
	a->addrs.n = get_cidrs(r, a->addrs.a, NWG_PS_MAX_ADDRS, true, bad);
	get_peers(r, &a->peers, &a->n_peers, bad);
}

/* A bounded byte string (u32 length, 0..max) into *out (malloc'd,
 * NUL-terminated; NULL when empty). */
static void get_blob(struct nwg_psr *r, uint8_t **out, size_t *len, size_t max)
{
	size_t n = nwg_psr_u32(r);

	if (r->err || n > max || n > r->len - r->off) {
		r->err = true;
		return;
	}
	if (!n)
		return;
	*out = malloc(n + 1);
	if (!*out) {
		r->err = true;
		return;
	}
	nwg_psr_bytes(r, *out, n);
	(*out)[n] = '\0';
	*len = n;
}

static void get_result(struct nwg_psr *r, struct nwg_ps_result *res)
{
	res->rc = (int32_t)nwg_psr_u32(r);
	nwg_psr_str(r, res->error, sizeof(res->error));
	nwg_psr_bytes(r, res->public_key.b, sizeof(res->public_key.b));
	res->listen_port = nwg_psr_u16(r);
	nwg_psr_str(r, res->ifname, sizeof(res->ifname));
	nwg_psr_str(r, res->netns, sizeof(res->netns));
	res->up = nwg_psr_bool(r);
	res->changed = nwg_psr_bool(r);
	res->netns_state = nwg_psr_u8(r);
	res->count = nwg_psr_u32(r);
	res->partial = nwg_psr_bool(r);
	res->listed = nwg_psr_u32(r);
	nwg_psr_str(r, res->sealed, sizeof(res->sealed));
	res->seq = nwg_psr_u64(r);
	res->chunk_idx = nwg_psr_u32(r);
	res->chunk_total = nwg_psr_u32(r);
	get_blob(r, (uint8_t **)&res->text, &res->text_len, NWG_PS_DGRAM_MAX);
}

static void get_stream(struct nwg_psr *r, struct nwg_ps_stream *s)
{
	s->op = nwg_psr_u8(r);
	nwg_psr_str(r, s->port_id, sizeof(s->port_id));
	nwg_psr_bytes(r, s->peer_pub.b, sizeof(s->peer_pub.b));
	s->min_seq = nwg_psr_u64(r);
	get_blob(r, &s->dgram, &s->dgram_len, NWG_PS_DGRAM_MAX);
}

static void get_place(struct nwg_psr *r, struct nwg_ps_place *p, bool *bad)
{
	nwg_psr_str(r, p->port_id, sizeof(p->port_id));
	nwg_psr_str(r, p->netns, sizeof(p->netns));
	nwg_psr_str(r, p->ifname, sizeof(p->ifname));
	p->attach = nwg_psr_bool(r);
	p->mtu = nwg_psr_u32(r);
	p->addrs.n = get_cidrs(r, p->addrs.a, NWG_PS_MAX_ADDRS, true, bad);
}

static void get_ha(struct nwg_psr *r, struct nwg_ps_ha *h)
{
	size_t count;

	h->op = nwg_psr_u8(r);
	nwg_psr_str(r, h->port_id, sizeof(h->port_id));
	h->pace = nwg_psr_u32(r);
	count = nwg_psr_u16(r);
	if (count > NWG_PS_MAX_HA_EPS) {
		r->err = true;
		return;
	}
	for (size_t i = 0; i < count && !r->err; i++) {
		struct nwg_ps_ha_ep *e = nwg_ps_ha_ep_add(h);

		if (!e) {
			r->err = true;
			return;
		}
		nwg_psr_bytes(r, e->key.b, sizeof(e->key.b));
		nwg_psr_str(r, e->endpoint, sizeof(e->endpoint));
	}
}

static void get_ovn(struct nwg_psr *r, struct nwg_ps_ovn *o, bool *bad)
{
	nwg_psr_str(r, o->port_id, sizeof(o->port_id));
	nwg_psr_str(r, o->mac, sizeof(o->mac));
	o->addrs.n = get_cidrs(r, o->addrs.a, NWG_PS_MAX_ADDRS, true, bad);
	o->n_gateways = nwg_psr_u16(r);
	if (o->n_gateways > NWG_PS_MAX_GW) {
		r->err = true;
		return;
	}
	for (size_t i = 0; i < o->n_gateways && !r->err; i++)
		nwg_psr_str(r, o->gateways[i], sizeof(o->gateways[i]));
	o->mtu = nwg_psr_u32(r);
	o->up = nwg_psr_bool(r);
	o->ha = nwg_psr_bool(r);
}

static void get_body(struct nwg_psr *r, struct nwg_ps_msg *m, bool *bad)
{
	switch (m->type) {
	case NWG_PS_HELLO:
		m->u.version = nwg_psr_u16(r);
		break;
	case NWG_PS_READ_ACTUAL:
	case NWG_PS_STATUS:
		get_ids(r, &m->u.ids);
		break;
	case NWG_PS_ACTUAL:
		get_link(r, &m->u.link, bad);
		break;
	case NWG_PS_APPLY:
		get_apply(r, &m->u.apply, bad);
		break;
	case NWG_PS_RESULT:
		get_result(r, &m->u.result);
		break;
	case NWG_PS_PLACE:
		get_place(r, &m->u.place, bad);
		break;
	case NWG_PS_QUARANTINE:
	case NWG_PS_UNQUARANTINE:
		nwg_psr_str(r, m->u.port_id, sizeof(m->u.port_id));
		break;
	case NWG_PS_PURGE:
		m->u.max_age_s = nwg_psr_u32(r);
		break;
	case NWG_PS_NETNS_REMOVE:
		nwg_psr_str(r, m->u.netns, sizeof(m->u.netns));
		break;
	case NWG_PS_SEAL:
		nwg_psr_str(r, m->u.seal.port_id, sizeof(m->u.seal.port_id));
		nwg_psr_bytes(r, m->u.seal.peer_pub.b, sizeof(m->u.seal.peer_pub.b));
		break;
	case NWG_PS_HA:
		get_ha(r, &m->u.ha);
		break;
	case NWG_PS_STREAM:
		get_stream(r, &m->u.stream);
		break;
	case NWG_PS_VRRP:
		m->u.vrrp.op = nwg_psr_u8(r);
		break;
	case NWG_PS_OVN_PLUG:
		get_ovn(r, &m->u.ovn, bad);
		break;
	default:
		break;
	}
}

int nwg_ps_peek(const uint8_t *buf, size_t len, uint16_t *type, uint32_t *seq)
{
	struct nwg_psr r = {.buf = buf, .len = len};
	uint16_t version = nwg_psr_u16(&r);

	*type = nwg_psr_u16(&r);
	*seq = nwg_psr_u32(&r);
	if (r.err || len < NWG_PS_HDR_LEN)
		return -EBADMSG;
	return version == NWG_PS_VERSION ? 0 : -EPROTO;
}

int nwg_ps_decode(const uint8_t *buf, size_t len, struct nwg_ps_msg *m, struct nwg_err *err)
{
	struct nwg_psr r = {.buf = buf, .len = len, .off = NWG_PS_HDR_LEN};
	uint16_t type;
	uint32_t seq, blen;
	bool bad = false;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = nwg_ps_peek(buf, len, &type, &seq);
	if (rc == -EPROTO)
		return nwg_err_set(err, EPROTO, "privsep: protocol version %u, expected %u",
				   (unsigned)(buf[0] << 8 | buf[1]), NWG_PS_VERSION);
	if (rc < 0 || len > NWG_PS_MAX_MSG)
		return nwg_err_set(err, EBADMSG, "privsep: message of %zu bytes", len);
	blen = (uint32_t)buf[8] << 24 | (uint32_t)buf[9] << 16 | (uint32_t)buf[10] << 8 | buf[11];
	if (nwg_ps_msg_init(m, type, seq) < 0)
		return nwg_err_set(err, EBADMSG, "privsep: unknown message type %u", type);
	if (blen != len - NWG_PS_HDR_LEN)
		return nwg_err_set(err, EBADMSG, "%s: body length %u in a %zu-byte message",
				   nwg_ps_type_name(type), blen, len);
	get_body(&r, m, &bad);
	if (r.err || r.off != len)
		return nwg_err_set(err, EBADMSG, "%s: malformed body", nwg_ps_type_name(type));
	if (bad)
		return nwg_err_set(err, EINVAL, "%s: an address outside the grammar",
				   nwg_ps_type_name(type));
	return nwg_ps_check(m, err);
}
