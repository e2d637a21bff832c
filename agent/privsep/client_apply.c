/* SPDX-License-Identifier: Apache-2.0 */
/* hostops.h's apply over the privsep channel: one planned action as APPLY
 * (chunks of NWG_PS_MAX_PEERS peers past that bound). The peers are the
 * action's operations and, when the record is rewritten whole, a SEEN peer
 * for every desired spoke no operation names (ops_apply.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privsep/client_ops.h"
#include "privsep/proc.h"
#include "reconcile/desired_ha.h"
#include "repo_check.h"

struct peers {
	struct nwg_ps_peer *v;
	size_t n, cap;
};

static struct nwg_ps_peer *peer_new(struct peers *p)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 16;
		struct nwg_ps_peer *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		p->v = v;
		p->cap = cap;
	}
	memset(&p->v[p->n], 0, sizeof(p->v[0]));
	return &p->v[p->n++];
}

static int put_spoke(struct peers *p, uint8_t op, unsigned int fields, const struct nwg_key *key,
		     const struct nwg_dspoke *s, struct nwg_err *err)
{
	struct nwg_ps_peer *q = peer_new(p);

	if (!q)
		return nwg_err_set(err, ENOMEM, "out of memory");
	q->op = op;
	q->fields = (uint8_t)fields;
	q->key = *key;
	if (!s)
		return 0;
	if (s->n_allowed > NWG_PS_MAX_ALLOWED)
		return nwg_err_set(err, E2BIG, "spoke %s: more than %d allowed IPs", s->port_id,
				   NWG_PS_MAX_ALLOWED);
	snprintf(q->port_id, sizeof(q->port_id), "%s", s->port_id);
	snprintf(q->endpoint, sizeof(q->endpoint), "%s", s->endpoint);
	q->keepalive = s->keepalive;
	for (size_t i = 0; i < s->n_allowed; i++)
		nwg_ipnet_to_aip(&s->allowed[i], &q->allowed[q->n_allowed++]);
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct nwg_key));
}

/* The desired spokes no ADD/UPDATE names, as SEEN (the record is rebuilt
 * from the whole set). */
static int put_seen(struct peers *p, const struct nwg_action *act, struct nwg_err *err)
{
	const struct nwg_dhub *h = act->want;
	struct nwg_key *named = calloc(act->n_peer_ops + 1, sizeof(*named));
	size_t n = 0;
	int rc = 0;

	if (!named)
		return nwg_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < act->n_peer_ops; i++)
		if (act->peer_ops[i].op != NWG_POP_REMOVE)
			named[n++] = act->peer_ops[i].key;
	qsort(named, n, sizeof(*named), key_cmp);
	for (size_t i = 0; rc == 0 && i < h->n_spokes; i++) {
		const struct nwg_dspoke *s = &h->spokes[i];

		if (!bsearch(&s->public_key, named, n, sizeof(*named), key_cmp))
			rc = put_spoke(p, NWG_PS_PEER_SEEN, 0, &s->public_key, s, err);
	}
	free(named);
	return rc;
}

static int put_peers(struct peers *p, const struct nwg_action *act, struct nwg_err *err)
{
	static const uint8_t op_of[] = {[NWG_POP_ADD] = NWG_PS_PEER_ADD,
					[NWG_POP_UPDATE] = NWG_PS_PEER_UPDATE,
					[NWG_POP_REMOVE] = NWG_PS_PEER_REMOVE};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < act->n_peer_ops; i++) {
		const struct nwg_peer_op *o = &act->peer_ops[i];

		rc = put_spoke(p, op_of[o->op], o->fields, &o->key,
			       o->op == NWG_POP_REMOVE ? NULL : o->spoke, err);
	}
	if (rc == 0 && act->kind == NWG_ACT_UPDATE && (act->fix & NWG_FIX_RECORD) &&
	    !act->record_delta)
		rc = put_seen(p, act, err);
	return rc;
}

static int put_header(struct nwg_ps_apply *a, const struct nwg_action *act, struct nwg_err *err)
{
	static const uint8_t src_of[] = {[NWG_KEY_NEW] = NWG_PS_KEY_NEW,
					 [NWG_KEY_RECORD] = NWG_PS_KEY_RECORD,
					 [NWG_KEY_LINK] = NWG_PS_KEY_LINK,
					 [NWG_KEY_SEALED] = NWG_PS_KEY_SEALED};
	const struct nwg_dhub *h = act->want;

	a->kind = act->kind == NWG_ACT_DELETE ? NWG_PS_DELETE
		  : act->kind == NWG_ACT_CREATE
		      ? NWG_PS_CREATE
		      : NWG_PS_UPDATE; /* ADOPT: an UPDATE fixing nothing */
	a->key_src = src_of[act->key_src];
	snprintf(a->port_id, sizeof(a->port_id), "%s", act->port_id);
	for (size_t i = 0; act->reason && act->reason[i] && i < NWG_PS_REASON_MAX; i++)
		a->reason[i] =
		    act->reason[i] < 0x20 || act->reason[i] > 0x7e ? '?' : act->reason[i];
	/* a delete may not know the project (no record: "?") */
	if (act->kind != NWG_ACT_DELETE || nwg_repo_id_valid(act->project_id))
		snprintf(a->project_id, sizeof(a->project_id), "%s", act->project_id);
	/* a create (also one replacing an unreadable link, whatever its name)
	 * makes wg-<port[:11]>: the only name the executor creates */
	if (act->kind == NWG_ACT_CREATE)
		nwg_hub_ifname(act->port_id, a->ifname);
	else if (act->kind != NWG_ACT_DELETE)
		snprintf(a->ifname, sizeof(a->ifname), "%s", act->ifname);
	snprintf(a->netns, sizeof(a->netns), "%s", act->netns);
	snprintf(a->home_netns, sizeof(a->home_netns), "%s", act->home_netns);
	a->fix = act->kind == NWG_ACT_UPDATE ? act->fix : 0;
	a->mtu = act->mtu;
	a->up = act->up;
	a->listen_port = act->listen_port;
	a->flags = (act->addressed ? NWG_PS_APPLY_ADDRESSED : 0) |
		   (act->standby && act->kind != NWG_ACT_DELETE ? NWG_PS_APPLY_STANDBY : 0);
	/* the envelope travels as ciphertext: only the executor opens it */
	if (act->kind == NWG_ACT_CREATE && act->key_src == NWG_KEY_SEALED && h && h->ha)
		snprintf(a->sealed, sizeof(a->sealed), "%s", h->ha->envelope);
	if (act->kind == NWG_ACT_UPDATE && act->record_delta && (act->fix & NWG_FIX_RECORD))
		a->flags |= NWG_PS_APPLY_DELTA;
	for (size_t i = 0; h && act->addressed && i < h->n_fixed_ips; i++) {
		if (a->addrs.n >= NWG_PS_MAX_ADDRS)
			return nwg_err_set(err, E2BIG, "hub %s: more than %d addresses",
					   act->port_id, NWG_PS_MAX_ADDRS);
		nwg_ipnet_to_aip(&h->fixed_ips[i], &a->addrs.a[a->addrs.n++]);
	}
	return 0;
}

/* Sends the peers in chunks; the RESULT of the last one is the action's. */
static int send_chunks(struct nwg_ps_client *c, const struct nwg_ps_apply *head,
		       const struct peers *p, struct nwg_ps_result *res, struct nwg_err *err)
{
	size_t at = 0;
	int rc;

	do {
		struct nwg_ps_msg m;
		size_t n = p->n - at > NWG_PS_MAX_PEERS ? NWG_PS_MAX_PEERS : p->n - at;

		nwg_ps_msg_init(&m, NWG_PS_APPLY, 0);
		m.u.apply = *head;
		m.u.apply.peers = n ? malloc(n * sizeof(*p->v)) : NULL;
		if (n && !m.u.apply.peers)
			return nwg_err_set(err, ENOMEM, "out of memory");
		if (n)
			memcpy(m.u.apply.peers, p->v + at, n * sizeof(*p->v));
		m.u.apply.n_peers = n;
		at += n;
		if (at < p->n)
			m.u.apply.flags |= NWG_PS_APPLY_MORE;
		rc = nwg_ps_call(c, &m, NULL, NULL, res, err);
		nwg_ps_msg_clear(&m);
		if (rc == 0 && res->rc < 0)
			rc = nwg_err_set(err, -res->rc, "%s", res->error);
	} while (rc == 0 && at < p->n);
	return rc;
}

int nwg_ps_client_apply(void *ctx, struct nwg_exec_ctx *x, const struct nwg_action *act,
			struct nwg_exec_out *out, struct nwg_err *err)
{
	struct nwg_ps_apply head;
	struct nwg_ps_result res;
	struct peers p = {0};
	int rc;

	(void)x; /* the executor allocates ports with its own view */
	memset(out, 0, sizeof(*out));
	if (act->kind == NWG_ACT_SKIP)
		return 0;
	memset(&head, 0, sizeof(head));
	memset(&res, 0, sizeof(res));
	rc = put_header(&head, act, err);
	if (rc == 0 && act->kind != NWG_ACT_DELETE && act->kind != NWG_ACT_ADOPT)
		rc = put_peers(&p, act, err);
	if (rc == 0)
		rc = send_chunks(ctx, &head, &p, &res, err);
	free(p.v);
	if (rc < 0)
		return rc;
	out->public_key = res.public_key;
	out->listen_port = res.listen_port;
	snprintf(out->ifname, sizeof(out->ifname), "%s", res.ifname);
	snprintf(out->netns, sizeof(out->netns), "%s", res.netns);
	out->mtu = act->mtu;
	out->up = res.up;
	return 0;
}
