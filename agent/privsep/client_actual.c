/* SPDX-License-Identifier: Apache-2.0 */
/* hostops.h actual over the privsep channel: READ_ACTUAL, and the engine's
 * struct nwg_actual built back from the executor's ACTUAL parts
 * (privsep/actual_send.c). Each datagram has passed the message checks
 * already (proto_check.c); here the answer as a whole is checked: parts in
 * order (records, links, corrupt files), one of each kind per hub, chunks of
 * one part in a row, a bounded peer count, and a link's key_matches_record
 * the same as its public key against the record's. Anything else is
 * -EPROTO: the engine must stop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "privsep/client_ops.h"
#include "privsep/proc.h"
#include "strv.h"

struct build {
	struct nwg_actual *a;
	struct nwg_hub_view *rec; /* the record part being received (chunks), or NULL */
	struct nwg_alink *link;	  /* the link part being received, or NULL */
	uint8_t part;		  /* the last part's kind */
	size_t n_parts;
	size_t peers; /* peers of the part being received */
	bool truncated;
	struct nwg_err *err;
};

static int proto_err(struct build *b, const struct nwg_ps_link *l, const char *why)
{
	return nwg_err_set(b->err, EPROTO, "privsep: ACTUAL for %s: %s", l->port_id, why);
}

static int strv_of(char ***v, const struct nwg_allowedip *a, size_t n)
{
	char buf[NWG_PS_CIDR_MAX + 1];

	for (size_t i = 0; i < n; i++)
		if (nwg_allowedip_format(&a[i], buf, sizeof(buf)) < 0 || nwg_strv_push(v, buf) < 0)
			return -ENOMEM;
	return 0;
}

static int rec_peers(struct nwg_hub_view *v, const struct nwg_ps_link *l)
{
	struct nwg_repo_peer *np = realloc(v->peers, (v->n_peers + l->n_peers) * sizeof(*np));

	if (!np && l->n_peers)
		return -ENOMEM;
	v->peers = np;
	for (size_t i = 0; i < l->n_peers; i++) {
		struct nwg_repo_peer *rp = &v->peers[v->n_peers++];
		const struct nwg_ps_peer *p = &l->peers[i];

		memset(rp, 0, sizeof(*rp));
		snprintf(rp->port_id, sizeof(rp->port_id), "%s", p->port_id);
		rp->public_key = p->key;
		snprintf(rp->endpoint, sizeof(rp->endpoint), "%s", p->endpoint);
		rp->persistent_keepalive = p->keepalive;
		if (strv_of(&rp->allowed_ips, p->allowed, p->n_allowed) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int dev_peers(struct nwg_device *dev, const struct nwg_ps_link *l)
{
	for (size_t i = 0; i < l->n_peers; i++) {
		const struct nwg_ps_peer *p = &l->peers[i];
		struct nwg_peer *dp = nwg_device_add_peer(dev, &p->key);

		if (!dp)
			return -ENOMEM;
		dp->flags = NWG_PEER_HAS_KEEPALIVE;
		if (p->endpoint[0] && nwg_endpoint_parse(&dp->endpoint, p->endpoint) == 0)
			dp->flags |= NWG_PEER_HAS_ENDPOINT;
		dp->persistent_keepalive = p->keepalive;
		dp->last_handshake.tv_sec = (time_t)p->handshake_s;
		dp->rx_bytes = p->rx_bytes;
		dp->tx_bytes = p->tx_bytes;
		if (p->n_allowed) {
			dp->allowedips = calloc(p->n_allowed, sizeof(*dp->allowedips));
			if (!dp->allowedips)
				return -ENOMEM;
			memcpy(dp->allowedips, p->allowed, p->n_allowed * sizeof(*p->allowed));
			dp->n_allowedips = p->n_allowed;
		}
	}
	return 0;
}

static int new_record(struct build *b, const struct nwg_ps_link *l)
{
	struct nwg_hub_view *v = nwg_hub_view_new();

	if (!v)
		return -ENOMEM;
	snprintf(v->port_id, sizeof(v->port_id), "%s", l->port_id);
	snprintf(v->project_id, sizeof(v->project_id), "%s", l->project_id);
	snprintf(v->ifname, sizeof(v->ifname), "%s", l->ifname);
	snprintf(v->netns, sizeof(v->netns), "%s", l->netns);
	snprintf(v->home_netns, sizeof(v->home_netns), "%s", l->home_netns);
	v->public_key = l->public_key;
	v->listen_port = l->listen_port;
	v->mtu = l->mtu;
	v->up = l->up;
	if (strv_of(&v->addresses, l->addrs.a, l->addrs.n) < 0) {
		nwg_hub_view_free(v);
		return -ENOMEM;
	}
	if (nwg_actual_add_record(b->a, v) < 0) /* frees v */
		return -ENOMEM;
	b->rec = v;
	return 0;
}

static int new_link(struct build *b, const struct nwg_ps_link *l)
{
	struct nwg_alink *al = nwg_actual_add_link(b->a);

	if (!al)
		return -ENOMEM;
	snprintf(al->port_id, sizeof(al->port_id), "%s", l->port_id);
	snprintf(al->ifname, sizeof(al->ifname), "%s", l->ifname);
	snprintf(al->netns, sizeof(al->netns), "%s", l->netns);
	al->up = l->up;
	al->mtu = l->mtu;
	if (strv_of(&al->addrs, l->addrs.a, l->addrs.n) < 0)
		return -ENOMEM;
	if (l->readable) {
		if (!(al->dev = nwg_device_new(l->ifname)))
			return -ENOMEM;
		al->dev->flags = l->dev_flags;
		al->dev->public_key = l->public_key;
		al->dev->listen_port = l->listen_port;
	}
	if (l->key_matches_record !=
	    nwg_alink_key_matches(al, nwg_actual_find_record(b->a, l->port_id)))
		return proto_err(b, l, "key_matches_record disagrees with the public keys");
	b->link = al;
	return 0;
}

/* A new part: after the previous one is complete, in order, once per hub. */
static int start_part(struct build *b, const struct nwg_ps_link *l)
{
	if (b->n_parts && l->part < b->part)
		return proto_err(b, l, "parts out of order");
	if ((l->part == NWG_PS_PART_RECORD && nwg_actual_find_record(b->a, l->port_id)) ||
	    (l->part == NWG_PS_PART_LINK && nwg_actual_find_link(b->a, l->port_id)) ||
	    (l->part == NWG_PS_PART_CORRUPT && nwg_actual_is_corrupt(b->a, l->port_id)))
		return proto_err(b, l, "a second part of the same kind");
	b->part = l->part;
	b->n_parts++;
	b->peers = 0;
	if (l->part == NWG_PS_PART_RECORD)
		return new_record(b, l);
	if (l->part == NWG_PS_PART_LINK)
		return new_link(b, l);
	return nwg_actual_add_corrupt(b->a, l->port_id);
}

static int each_part(void *ctx, const struct nwg_ps_link *l)
{
	struct build *b = ctx;
	bool open = b->rec || b->link;
	int rc = 0;

	if (open && (l->part != b->part ||
		     strcmp(l->port_id, b->rec ? b->rec->port_id : b->link->port_id) != 0))
		return proto_err(b, l, "another part before the last chunk");
	if (!open)
		rc = start_part(b, l);
	if (rc < 0)
		return rc == -ENOMEM ? nwg_err_set(b->err, ENOMEM, "out of memory") : rc;
	b->peers += l->n_peers;
	if (b->peers > NWG_PS_MAX_APPLY_PEERS)
		return proto_err(b, l, "too many peers");
	for (size_t i = 0; i < l->n_peers; i++)
		b->truncated = b->truncated || l->peers[i].fields;
	if (l->part == NWG_PS_PART_RECORD)
		rc = rec_peers(b->rec, l);
	else if (l->part == NWG_PS_PART_LINK && l->n_peers)
		rc = b->link->dev ? dev_peers(b->link->dev, l) : -EPROTO;
	if (rc < 0)
		return rc == -ENOMEM ? nwg_err_set(b->err, ENOMEM, "out of memory")
				     : proto_err(b, l, "peers of an unreadable link");
	if (l->last) {
		b->rec = NULL;
		b->link = NULL;
	}
	return 0;
}

/* READ_ACTUAL for src's scope (more ids than one request holds: every hub,
 * the scope kept here) and namespaces (past the bound: the first ones, and
 * the state is not complete). */
static int request(struct nwg_ps_msg *m, const struct nwg_actual_src *src, bool *cut,
		   struct nwg_err *err)
{
	nwg_ps_msg_init(m, NWG_PS_READ_ACTUAL, 0);
	for (size_t i = 0; src->scope && src->n_scope <= NWG_PS_MAX_IDS && i < src->n_scope; i++) {
		char *id = nwg_ps_ids_add(&m->u.ids);

		if (!id)
			return nwg_err_set(err, ENOMEM, "out of memory");
		snprintf(id, NWG_ID_MAX + 1, "%s", src->scope[i]);
	}
	for (size_t i = 0; src->extra_netns && src->extra_netns[i]; i++) {
		char *ns;

		if (!src->extra_netns[i][0])
			continue; /* the root namespace is always read */
		if (m->u.ids.n_netns >= NWG_PS_MAX_NETNS) {
			*cut = true;
			break;
		}
		if (!(ns = nwg_ps_netns_add(&m->u.ids)))
			return nwg_err_set(err, ENOMEM, "out of memory");
		snprintf(ns, NWG_NETNS_NAME_MAX + 1, "%s", src->extra_netns[i]);
	}
	return 0;
}

static bool in_scope(const struct nwg_actual_src *src, const char *id)
{
	for (size_t i = 0; !src->scope || i < src->n_scope; i++)
		if (!src->scope || strcmp(src->scope[i], id) == 0)
			return true;
	return false;
}

/* A full read for a scope past one request's bound: keep the scope's hubs. */
static void keep_scope(struct nwg_actual *a, const struct nwg_actual_src *src)
{
	size_t k = 0;

	for (size_t i = 0; i < a->n_recs; i++) {
		if (in_scope(src, a->recs[i]->port_id))
			a->recs[k++] = a->recs[i];
		else
			nwg_hub_view_free(a->recs[i]);
	}
	a->n_recs = k;
	k = 0;
	for (size_t i = 0; i < a->n_links; i++) {
		if (in_scope(src, a->links[i].port_id)) {
			a->links[k++] = a->links[i];
			continue;
		}
		nwg_strv_free(a->links[i].addrs);
		nwg_device_free(a->links[i].dev);
	}
	a->n_links = k;
}

int nwg_ps_client_actual(void *ctx, const struct nwg_actual_src *src, struct nwg_actual **out,
			 struct nwg_err *err)
{
	struct nwg_ps_result res;
	struct nwg_ps_msg m;
	struct build b = {.err = err};
	bool cut = false;
	int rc;

	*out = NULL;
	if (!(b.a = nwg_actual_new()))
		return nwg_err_set(err, ENOMEM, "out of memory");
	rc = request(&m, src, &cut, err);
	if (rc == 0)
		rc = nwg_ps_call(ctx, &m, each_part, &b, &res, err);
	nwg_ps_msg_clear(&m);
	if (rc == 0 && (b.rec || b.link))
		rc = nwg_err_set(err, EPROTO, "privsep: ACTUAL ended inside a part");
	if (rc == 0 && res.rc < 0)
		rc = nwg_err_set(err, -res.rc, "%s", res.error);
	if (rc < 0) {
		nwg_actual_free(b.a);
		return rc;
	}
	if (src->scope && src->n_scope > NWG_PS_MAX_IDS)
		keep_scope(b.a, src);
	if (cut)
		log_warn("more than %d namespaces to read: the state read is not complete",
			 NWG_PS_MAX_NETNS);
	if (b.truncated)
		log_warn("a peer has more than %d allowed IPs: the state read is not complete",
			 NWG_PS_MAX_ALLOWED);
	b.a->complete = !res.partial && !cut && !b.truncated;
	*out = b.a;
	return 0;
}
