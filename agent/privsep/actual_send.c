/* SPDX-License-Identifier: Apache-2.0 */
/* The executor's answer to READ_ACTUAL / STATUS: a struct nwg_actual (read
 * by the executor, with no private key in it) as ACTUAL parts (proto.h):
 * records, then links, then corrupt record files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "privsep/actual_send.h"
#include "repo_check.h"

/* One part being sent; peer i of the part goes into *p (its op SEEN). */
struct part {
	struct nwg_ps_link head; /* everything but the peers */
	size_t n_peers;
	void (*fill)(const void *src, size_t i, struct nwg_ps_peer *p);
	const void *src;
};

static void put_allowed(struct nwg_ps_peer *p, const struct nwg_allowedip *a)
{
	if (p->n_allowed >= NWG_PS_MAX_ALLOWED) {
		p->fields = NWG_PS_PEER_TRUNCATED; /* the engine treats the hub as unread */
		return;
	}
	p->allowed[p->n_allowed++] = *a;
}

static void fill_rec_peer(const void *src, size_t i, struct nwg_ps_peer *p)
{
	const struct nwg_repo_peer *rp = &((const struct nwg_hub_view *)src)->peers[i];
	union nwg_endpoint ep;
	struct nwg_allowedip a;

	snprintf(p->port_id, sizeof(p->port_id), "%s", rp->port_id);
	p->key = rp->public_key;
	/* numeric endpoints only (the grammar's): a legacy host name is left out */
	if (rp->endpoint[0] && nwg_endpoint_parse(&ep, rp->endpoint) == 0)
		snprintf(p->endpoint, sizeof(p->endpoint), "%s", rp->endpoint);
	p->keepalive = rp->persistent_keepalive;
	for (size_t k = 0; rp->allowed_ips && rp->allowed_ips[k]; k++)
		if (nwg_cidr_parse(&a, rp->allowed_ips[k], false) == 0)
			put_allowed(p, &a);
}

static void fill_dev_peer(const void *src, size_t i, struct nwg_ps_peer *p)
{
	const struct nwg_peer *dp = &((const struct nwg_device *)src)->peers[i];

	p->key = dp->public_key;
	if ((dp->flags & NWG_PEER_HAS_ENDPOINT) &&
	    nwg_endpoint_format(&dp->endpoint, p->endpoint, sizeof(p->endpoint)) < 0)
		p->endpoint[0] = '\0';
	p->keepalive = dp->persistent_keepalive;
	p->handshake_s = dp->last_handshake.tv_sec > 0 ? (uint64_t)dp->last_handshake.tv_sec : 0;
	p->rx_bytes = dp->rx_bytes;
	p->tx_bytes = dp->tx_bytes;
	for (size_t k = 0; k < dp->n_allowedips; k++)
		put_allowed(p, &dp->allowedips[k]);
}

static int send_part(const struct part *pt, nwg_ps_emit_fn emit, void *ectx, uint32_t seq)
{
	size_t next = 0;
	int rc = 0;

	do {
		struct nwg_ps_msg m;
		struct nwg_ps_link *l = &m.u.link;

		nwg_ps_msg_init(&m, NWG_PS_ACTUAL, seq);
		*l = pt->head;
		l->peers = NULL;
		l->n_peers = 0;
		for (; next < pt->n_peers && l->n_peers < NWG_PS_MAX_PEERS; next++) {
			struct nwg_ps_peer *p = nwg_ps_peer_add(&l->peers, &l->n_peers);

			if (!p) {
				nwg_ps_msg_clear(&m);
				return -ENOMEM;
			}
			p->op = NWG_PS_PEER_SEEN;
			pt->fill(pt->src, next, p);
		}
		l->last = next >= pt->n_peers;
		rc = emit(ectx, &m);
		nwg_ps_msg_clear(&m);
	} while (rc == 0 && next < pt->n_peers);
	return rc;
}

static void put_addrs(struct nwg_ps_addrs *out, char *const *v, bool host_ok)
{
	for (size_t i = 0; v && v[i] && out->n < NWG_PS_MAX_ADDRS; i++)
		if (nwg_cidr_parse(&out->a[out->n], v[i], host_ok) == 0)
			out->n++;
}

static int send_record(const struct nwg_hub_view *v, nwg_ps_emit_fn emit, void *ectx, uint32_t seq)
{
	struct part pt = {.n_peers = v->n_peers, .fill = fill_rec_peer, .src = v};
	struct nwg_ps_link *h = &pt.head;

	h->part = NWG_PS_PART_RECORD;
	snprintf(h->port_id, sizeof(h->port_id), "%s", v->port_id);
	snprintf(h->project_id, sizeof(h->project_id), "%s", v->project_id);
	snprintf(h->ifname, sizeof(h->ifname), "%s", v->ifname);
	snprintf(h->netns, sizeof(h->netns), "%s", v->netns);
	snprintf(h->home_netns, sizeof(h->home_netns), "%s", v->home_netns);
	h->up = v->up;
	h->mtu = v->mtu;
	h->listen_port = v->listen_port;
	h->public_key = v->public_key;
	put_addrs(&h->addrs, v->addresses, true);
	return send_part(&pt, emit, ectx, seq);
}

static int send_link(const struct nwg_actual *act, const struct nwg_alink *al, nwg_ps_emit_fn emit,
		     void *ectx, uint32_t seq)
{
	struct part pt = {.fill = fill_dev_peer, .src = al->dev};
	struct nwg_ps_link *h = &pt.head;

	h->part = NWG_PS_PART_LINK;
	snprintf(h->port_id, sizeof(h->port_id), "%s", al->port_id);
	snprintf(h->ifname, sizeof(h->ifname), "%s", al->ifname);
	snprintf(h->netns, sizeof(h->netns), "%s", al->netns);
	h->up = al->up;
	h->mtu = al->mtu;
	put_addrs(&h->addrs, al->addrs, true);
	if (al->dev) {
		h->readable = true;
		h->dev_flags = (uint8_t)(al->dev->flags & NWG_PS_DEV_FLAGS);
		h->public_key = al->dev->public_key;
		h->listen_port = al->dev->listen_port;
		h->key_matches_record =
		    nwg_alink_key_matches(al, nwg_actual_find_record(act, al->port_id));
		pt.n_peers = al->dev->n_peers;
	}
	return send_part(&pt, emit, ectx, seq);
}

static int send_corrupt(const char *id, nwg_ps_emit_fn emit, void *ectx, uint32_t seq)
{
	struct nwg_ps_msg m;
	int rc;

	nwg_ps_msg_init(&m, NWG_PS_ACTUAL, seq);
	m.u.link.part = NWG_PS_PART_CORRUPT;
	m.u.link.last = true;
	snprintf(m.u.link.port_id, sizeof(m.u.link.port_id), "%s", id);
	rc = emit(ectx, &m);
	nwg_ps_msg_clear(&m);
	return rc;
}

int nwg_ps_actual_send(const struct nwg_actual *act, nwg_ps_emit_fn emit, void *ectx, uint32_t seq,
		       struct nwg_ps_result *out, struct nwg_err *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < act->n_recs; i++)
		if (nwg_repo_id_valid(act->recs[i]->port_id))
			rc = send_record(act->recs[i], emit, ectx, seq);
	for (size_t i = 0; rc == 0 && i < act->n_links; i++)
		if (nwg_repo_ifname_valid(act->links[i].ifname))
			rc = send_link(act, &act->links[i], emit, ectx, seq);
	for (size_t i = 0; rc == 0 && act->corrupt && act->corrupt[i]; i++)
		if (nwg_repo_id_valid(act->corrupt[i])) /* a file name that is no port id */
			rc = send_corrupt(act->corrupt[i], emit, ectx, seq);
	if (rc < 0)
		return nwg_err_set(err, -rc, "ACTUAL: a reply could not be sent");
	out->partial = !act->complete;
	return 0;
}
