/* SPDX-License-Identifier: Apache-2.0 */
/* The privsep messages: construction, encoding and decoding. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "privsep/proto.h"
#include "privsep/wire.h"

static const char *const type_names[NWG_PS_TYPE_END] = {
    [NWG_PS_HELLO] = "HELLO",
    [NWG_PS_READ_ACTUAL] = "READ_ACTUAL",
    [NWG_PS_ACTUAL] = "ACTUAL",
    [NWG_PS_APPLY] = "APPLY",
    [NWG_PS_RESULT] = "RESULT",
    [NWG_PS_PLACE] = "PLACE",
    [NWG_PS_QUARANTINE] = "QUARANTINE",
    [NWG_PS_UNQUARANTINE] = "UNQUARANTINE",
    [NWG_PS_PURGE] = "PURGE",
    [NWG_PS_STATUS] = "STATUS",
    [NWG_PS_SHUTDOWN] = "SHUTDOWN",
    [NWG_PS_NETNS_REMOVE] = "NETNS_REMOVE",
    [NWG_PS_SEAL] = "SEAL",
    [NWG_PS_STREAM] = "STREAM",
    [NWG_PS_HA] = "HA",
    [NWG_PS_VRRP] = "VRRP",
    [NWG_PS_OVN_PLUG] = "OVN_PLUG",
    [NWG_PS_OVN_SWEEP] = "OVN_SWEEP",
};

const char *nwg_ps_type_name(uint16_t type)
{
	return type > 0 && type < NWG_PS_TYPE_END && type_names[type] ? type_names[type]
								      : "unknown";
}

int nwg_ps_msg_init(struct nwg_ps_msg *m, uint16_t type, uint32_t seq)
{
	memset(m, 0, sizeof(*m));
	if (type == 0 || type >= NWG_PS_TYPE_END || !type_names[type])
		return -EINVAL;
	m->type = type;
	m->seq = seq;
	if (type == NWG_PS_HELLO)
		m->u.version = NWG_PS_VERSION;
	return 0;
}

void nwg_ps_msg_clear(struct nwg_ps_msg *m)
{
	if (!m)
		return;
	if (m->type == NWG_PS_READ_ACTUAL || m->type == NWG_PS_STATUS) {
		free(m->u.ids.ids);
		free(m->u.ids.netns);
	} else if (m->type == NWG_PS_ACTUAL)
		free(m->u.link.peers);
	else if (m->type == NWG_PS_APPLY)
		free(m->u.apply.peers);
	else if (m->type == NWG_PS_HA)
		free(m->u.ha.eps);
	else if (m->type == NWG_PS_STREAM)
		free(m->u.stream.dgram);
	else if (m->type == NWG_PS_RESULT)
		free(m->u.result.text);
	memset(m, 0, sizeof(*m));
}

char *nwg_ps_ids_add(struct nwg_ps_ids *ids)
{
	char(*n)[NWG_ID_MAX + 1];

	if (ids->n >= NWG_PS_MAX_IDS)
		return NULL;
	n = realloc(ids->ids, (ids->n + 1) * sizeof(*n));
	if (!n)
		return NULL;
	ids->ids = n;
	memset(n[ids->n], 0, sizeof(*n));
	return n[ids->n++];
}

char *nwg_ps_netns_add(struct nwg_ps_ids *ids)
{
	char(*n)[NWG_NETNS_NAME_MAX + 1];

	if (ids->n_netns >= NWG_PS_MAX_NETNS)
		return NULL;
	n = realloc(ids->netns, (ids->n_netns + 1) * sizeof(*n));
	if (!n)
		return NULL;
	ids->netns = n;
	memset(n[ids->n_netns], 0, sizeof(*n));
	return n[ids->n_netns++];
}

struct nwg_ps_peer *nwg_ps_peer_add(struct nwg_ps_peer **peers, size_t *n)
{
	struct nwg_ps_peer *p;

	if (*n >= NWG_PS_MAX_PEERS)
		return NULL;
	p = realloc(*peers, (*n + 1) * sizeof(*p));
	if (!p)
		return NULL;
	*peers = p;
	memset(&p[*n], 0, sizeof(*p));
	return &p[(*n)++];
}

struct nwg_ps_ha_ep *nwg_ps_ha_ep_add(struct nwg_ps_ha *ha)
{
	struct nwg_ps_ha_ep *e;

	if (ha->n_eps >= NWG_PS_MAX_HA_EPS)
		return NULL;
	e = realloc(ha->eps, (ha->n_eps + 1) * sizeof(*e));
	if (!e)
		return NULL;
	ha->eps = e;
	memset(&e[ha->n_eps], 0, sizeof(*e));
	return &e[ha->n_eps++];
}

/* ---- encoding ---- */

static void put_cidrs(struct nwg_psw *w, const struct nwg_allowedip *a, size_t n)
{
	char buf[NWG_PS_CIDR_MAX + 1];

	nwg_psw_u16(w, (uint16_t)n);
	for (size_t i = 0; i < n; i++) {
		if (nwg_allowedip_format(&a[i], buf, sizeof(buf)) < 0)
			w->err = true;
		else
			nwg_psw_str(w, buf, NWG_PS_CIDR_MAX);
	}
}

static void put_peers(struct nwg_psw *w, const struct nwg_ps_peer *p, size_t n)
{
	nwg_psw_u16(w, (uint16_t)n);
	for (size_t i = 0; i < n; i++) {
		nwg_psw_u8(w, p[i].op);
		nwg_psw_u8(w, p[i].fields);
		nwg_psw_str(w, p[i].port_id, NWG_ID_MAX);
		nwg_psw_bytes(w, p[i].key.b, sizeof(p[i].key.b));
		nwg_psw_str(w, p[i].endpoint, NWG_PS_EP_MAX);
		nwg_psw_u16(w, p[i].keepalive);
		nwg_psw_u64(w, p[i].handshake_s);
		nwg_psw_u64(w, p[i].rx_bytes);
		nwg_psw_u64(w, p[i].tx_bytes);
		put_cidrs(w, p[i].allowed, p[i].n_allowed);
	}
}

static void put_ids(struct nwg_psw *w, const struct nwg_ps_ids *ids)
{
	nwg_psw_u16(w, (uint16_t)ids->n);
	for (size_t i = 0; i < ids->n; i++)
		nwg_psw_str(w, ids->ids[i], NWG_ID_MAX);
	nwg_psw_u16(w, (uint16_t)ids->n_netns);
	for (size_t i = 0; i < ids->n_netns; i++)
		nwg_psw_str(w, ids->netns[i], NWG_NETNS_NAME_MAX);
}

static void put_link(struct nwg_psw *w, const struct nwg_ps_link *l)
{
	nwg_psw_u8(w, l->part);
	nwg_psw_str(w, l->port_id, NWG_ID_MAX);
	nwg_psw_str(w, l->project_id, NWG_ID_MAX);
	nwg_psw_str(w, l->ifname, IFNAMSIZ - 1);
	nwg_psw_str(w, l->netns, NWG_NETNS_NAME_MAX);
	nwg_psw_str(w, l->home_netns, NWG_NETNS_NAME_MAX);
	nwg_psw_u8(w, l->up);
	nwg_psw_u8(w, l->last);
	nwg_psw_u8(w, l->readable);
	nwg_psw_u8(w, l->key_matches_record);
	nwg_psw_u8(w, l->dev_flags);
	nwg_psw_u32(w, l->mtu);
	nwg_psw_u16(w, l->listen_port);
	nwg_psw_bytes(w, l->public_key.b, sizeof(l->public_key.b));
	put_cidrs(w, l->addrs.a, l->addrs.n);
	put_peers(w, l->peers, l->n_peers);
}

static void put_apply(struct nwg_psw *w, const struct nwg_ps_apply *a)
{
	nwg_psw_u8(w, a->kind);
	nwg_psw_u8(w, a->key_src);
	nwg_psw_u8(w, a->flags);
	nwg_psw_str(w, a->port_id, NWG_ID_MAX);
	nwg_psw_str(w, a->project_id, NWG_ID_MAX);
	nwg_psw_str(w, a->ifname, IFNAMSIZ - 1);
	nwg_psw_str(w, a->netns, NWG_NETNS_NAME_MAX);
	nwg_psw_str(w, a->home_netns, NWG_NETNS_NAME_MAX);
	nwg_psw_u32(w, a->fix);
	nwg_psw_u32(w, a->mtu);
	nwg_psw_u8(w, a->up);
	nwg_psw_u16(w, a->listen_port);
	nwg_psw_str(w, a->sealed, NWG_SEALED_B64_LEN);
	put_cidrs(w, a->addrs.a, a->addrs.n);
	put_peers(w, a->peers, a->n_peers);
}

static void put_result(struct nwg_psw *w, const struct nwg_ps_result *r)
{
	nwg_psw_u32(w, (uint32_t)r->rc);
	nwg_psw_str(w, r->error, NWG_PS_ERROR_MAX);
	nwg_psw_bytes(w, r->public_key.b, sizeof(r->public_key.b));
	nwg_psw_u16(w, r->listen_port);
	nwg_psw_str(w, r->ifname, IFNAMSIZ - 1);
	nwg_psw_str(w, r->netns, NWG_NETNS_NAME_MAX);
	nwg_psw_u8(w, r->up);
	nwg_psw_u8(w, r->changed);
	nwg_psw_u8(w, r->netns_state);
	nwg_psw_u32(w, r->count);
	nwg_psw_u8(w, r->partial);
	nwg_psw_u32(w, r->listed);
	nwg_psw_str(w, r->sealed, NWG_SEALED_B64_LEN);
	nwg_psw_u64(w, r->seq);
	nwg_psw_u32(w, r->chunk_idx);
	nwg_psw_u32(w, r->chunk_total);
	nwg_psw_u32(w, (uint32_t)r->text_len);
	if (r->text_len)
		nwg_psw_bytes(w, r->text, r->text_len);
}

static void put_place(struct nwg_psw *w, const struct nwg_ps_place *p)
{
	nwg_psw_str(w, p->port_id, NWG_ID_MAX);
	nwg_psw_str(w, p->netns, NWG_NETNS_NAME_MAX);
	nwg_psw_str(w, p->ifname, IFNAMSIZ - 1);
	nwg_psw_u8(w, p->attach);
	nwg_psw_u32(w, p->mtu);
	put_cidrs(w, p->addrs.a, p->addrs.n);
}

static void put_ha(struct nwg_psw *w, const struct nwg_ps_ha *h)
{
	nwg_psw_u8(w, h->op);
	nwg_psw_str(w, h->port_id, NWG_ID_MAX);
	nwg_psw_u32(w, h->pace);
	nwg_psw_u16(w, (uint16_t)h->n_eps);
	for (size_t i = 0; i < h->n_eps; i++) {
		nwg_psw_bytes(w, h->eps[i].key.b, sizeof(h->eps[i].key.b));
		nwg_psw_str(w, h->eps[i].endpoint, NWG_PS_EP_MAX);
	}
}

static void put_ovn(struct nwg_psw *w, const struct nwg_ps_ovn *o)
{
	nwg_psw_str(w, o->port_id, NWG_ID_MAX);
	nwg_psw_str(w, o->mac, NWG_PS_MAC_MAX);
	put_cidrs(w, o->addrs.a, o->addrs.n);
	nwg_psw_u16(w, (uint16_t)o->n_gateways);
	for (size_t i = 0; i < o->n_gateways && i < NWG_PS_MAX_GW; i++)
		nwg_psw_str(w, o->gateways[i], NWG_PS_IP_MAX);
	nwg_psw_u32(w, o->mtu);
	nwg_psw_u8(w, o->up);
	nwg_psw_u8(w, o->ha);
}

static void put_stream(struct nwg_psw *w, const struct nwg_ps_stream *s)
{
	nwg_psw_u8(w, s->op);
	nwg_psw_str(w, s->port_id, NWG_ID_MAX);
	nwg_psw_bytes(w, s->peer_pub.b, sizeof(s->peer_pub.b));
	nwg_psw_u64(w, s->min_seq);
	nwg_psw_u32(w, (uint32_t)s->dgram_len);
	if (s->dgram_len)
		nwg_psw_bytes(w, s->dgram, s->dgram_len);
}

static void put_body(struct nwg_psw *w, const struct nwg_ps_msg *m)
{
	switch (m->type) {
	case NWG_PS_HELLO:
		nwg_psw_u16(w, m->u.version);
		break;
	case NWG_PS_READ_ACTUAL:
	case NWG_PS_STATUS:
		put_ids(w, &m->u.ids);
		break;
	case NWG_PS_ACTUAL:
		put_link(w, &m->u.link);
		break;
	case NWG_PS_APPLY:
		put_apply(w, &m->u.apply);
		break;
	case NWG_PS_RESULT:
		put_result(w, &m->u.result);
		break;
	case NWG_PS_PLACE:
		put_place(w, &m->u.place);
		break;
	case NWG_PS_QUARANTINE:
	case NWG_PS_UNQUARANTINE:
		nwg_psw_str(w, m->u.port_id, NWG_ID_MAX);
		break;
	case NWG_PS_PURGE:
		nwg_psw_u32(w, m->u.max_age_s);
		break;
	case NWG_PS_NETNS_REMOVE:
		nwg_psw_str(w, m->u.netns, NWG_NETNS_NAME_MAX);
		break;
	case NWG_PS_SEAL:
		nwg_psw_str(w, m->u.seal.port_id, NWG_ID_MAX);
		nwg_psw_bytes(w, m->u.seal.peer_pub.b, sizeof(m->u.seal.peer_pub.b));
		break;
	case NWG_PS_HA:
		put_ha(w, &m->u.ha);
		break;
	case NWG_PS_STREAM:
		put_stream(w, &m->u.stream);
		break;
	case NWG_PS_VRRP:
		nwg_psw_u8(w, m->u.vrrp.op);
		break;
	case NWG_PS_OVN_PLUG:
		put_ovn(w, &m->u.ovn);
		break;
	default: /* SHUTDOWN, OVN_SWEEP: no body */
		break;
	}
}

int nwg_ps_encode(const struct nwg_ps_msg *m, uint8_t *buf, size_t cap, struct nwg_err *err)
{
	struct nwg_psw w = {.buf = buf, .cap = cap < NWG_PS_MAX_MSG ? cap : NWG_PS_MAX_MSG};
	int rc = nwg_ps_check(m, err);

	if (rc < 0)
		return rc;
	nwg_psw_u16(&w, NWG_PS_VERSION);
	nwg_psw_u16(&w, m->type);
	nwg_psw_u32(&w, m->seq);
	nwg_psw_u32(&w, 0); /* body length, below */
	put_body(&w, m);
	if (w.err)
		return nwg_err_set(err, EMSGSIZE, "%s: message larger than %zu bytes",
				   nwg_ps_type_name(m->type), w.cap);
	buf[8] = (uint8_t)((w.len - NWG_PS_HDR_LEN) >> 24);
	buf[9] = (uint8_t)((w.len - NWG_PS_HDR_LEN) >> 16);
	buf[10] = (uint8_t)((w.len - NWG_PS_HDR_LEN) >> 8);
	buf[11] = (uint8_t)(w.len - NWG_PS_HDR_LEN);
	return (int)w.len;
}
