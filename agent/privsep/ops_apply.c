/* SPDX-License-Identifier: Apache-2.0 */
/* APPLY in the executor: the action rebuilt from the message on the
 * executor's own record and link, then run by reconcile/exec.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "privsep/ops_apply.h"
#include "reconcile/desired_ha.h"
#include "reconcile/exec.h"
#include "reconcile/record.h"

struct built {
	struct nwg_actual *view; /* the executor's read: the hub's link and record */
	struct nwg_desired d;	 /* one hub: what the message asks for */
	struct nwg_peer_op *ops;
	struct nwg_action act;
};

static void built_clear(struct built *b)
{
	nwg_actual_free(b->view);
	for (size_t i = 0; i < b->d.n_hubs; i++) {
		struct nwg_dhub *h = &b->d.hubs[i];

		for (size_t k = 0; k < h->n_spokes; k++)
			free(h->spokes[k].allowed);
		free(h->spokes);
		free(h->fixed_ips);
		free(h->ha);
	}
	free(b->d.hubs);
	free(b->ops);
}

/* ---- the executor's own view of the hub ---- */

static int read_view(struct nwg_ps_repo_ctx *c, const struct nwg_ps_apply *a, struct built *b,
		     struct nwg_err *err)
{
	const char *scope[1] = {a->port_id};
	char *extra[3] = {NULL, NULL, NULL};
	struct nwg_actual_src src = {
	    .backend = c->backend, .repo = c->repo, .scope = scope, .n_scope = 1};
	size_t n = 0;

	if (a->netns[0])
		extra[n++] = (char *)a->netns;
	if (a->home_netns[0] && strcmp(a->home_netns, a->netns) != 0)
		extra[n++] = (char *)a->home_netns;
	src.extra_netns = extra;
	return nwg_actual_read(&b->view, &src, err);
}

struct others {
	struct nwg_actual *view;
	const char *self;
	int rc;
};

static int add_other(const struct nwg_hub_record *rec, const char *path, const struct nwg_err *e,
		     void *ctx)
{
	struct others *o = ctx;

	(void)path;
	(void)e;
	if (!rec || strcmp(rec->port_id, o->self) == 0)
		return 0;
	o->rc = nwg_actual_add_record_view(o->view, rec);
	return o->rc < 0;
}

/* A port is allocated here: every other hub's recorded port is taken. */
static int add_other_ports(struct nwg_ps_repo_ctx *c, struct built *b, struct nwg_err *err)
{
	struct others o = {b->view, b->act.port_id, 0};
	int rc = nwg_repo_foreach(c->repo, add_other, &o, err);

	if (o.rc < 0)
		return nwg_err_set(err, -o.rc, "out of memory");
	return rc < 0 ? rc : 0;
}

/* ---- the desired hub the message describes ---- */

static int ipnet_of(const struct nwg_allowedip *ip, struct nwg_ipnet *out, bool network)
{
	char buf[NWG_PS_CIDR_MAX + 1];

	if (nwg_allowedip_format(ip, buf, sizeof(buf)) < 0)
		return -EINVAL;
	return nwg_ipnet_parse(buf, out, network);
}

static int spoke_of(const struct nwg_ps_peer *p, struct nwg_dspoke *s)
{
	snprintf(s->port_id, sizeof(s->port_id), "%s", p->port_id);
	s->public_key = p->key;
	snprintf(s->endpoint, sizeof(s->endpoint), "%s", p->endpoint);
	s->keepalive = p->keepalive;
	s->allowed = p->n_allowed ? calloc(p->n_allowed, sizeof(*s->allowed)) : NULL;
	if (p->n_allowed && !s->allowed)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_allowed; i++)
		if (ipnet_of(&p->allowed[i], &s->allowed[s->n_allowed++], true) < 0)
			return -EINVAL;
	return 0;
}

static const struct nwg_ps_peer *find_peer(const struct nwg_ps_apply *a, const struct nwg_key *k)
{
	for (size_t i = 0; i < a->n_peers; i++)
		if (nwg_key_equal(&a->peers[i].key, k))
			return &a->peers[i];
	return NULL;
}

/* DELTA: the executor's record's peers that no operation touches come
 * first (the record + the operations is the desired record). */
static int spokes_kept(const struct nwg_ps_apply *a, const struct nwg_hub_view *rec,
		       struct nwg_dhub *h)
{
	for (size_t i = 0; rec && (a->flags & NWG_PS_APPLY_DELTA) && i < rec->n_peers; i++) {
		if (find_peer(a, &rec->peers[i].public_key))
			continue;
		if (nwg_record_peer_spoke(&h->spokes[h->n_spokes++], &rec->peers[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int build_peers(const struct nwg_ps_apply *a, const struct nwg_hub_view *rec,
		       struct built *b, struct nwg_err *err)
{
	struct nwg_dhub *h = &b->d.hubs[0];
	size_t n = a->n_peers + (rec && (a->flags & NWG_PS_APPLY_DELTA) ? rec->n_peers : 0);
	int rc;

	h->spokes = n ? calloc(n, sizeof(*h->spokes)) : NULL;
	b->ops = a->n_peers ? calloc(a->n_peers, sizeof(*b->ops)) : NULL;
	if ((n && !h->spokes) || (a->n_peers && !b->ops) || spokes_kept(a, rec, h) < 0)
		return nwg_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < a->n_peers; i++) {
		const struct nwg_ps_peer *p = &a->peers[i];
		struct nwg_dspoke *s = NULL;

		if (p->op != NWG_PS_PEER_REMOVE) {
			s = &h->spokes[h->n_spokes++];
			if ((rc = spoke_of(p, s)) < 0)
				return nwg_err_set(err, -rc, "APPLY %s: peer allowed IPs",
						   a->port_id);
		}
		if (p->op == NWG_PS_PEER_SEEN)
			continue;
		b->ops[b->act.n_peer_ops++] =
		    (struct nwg_peer_op){.op = p->op == NWG_PS_PEER_ADD	     ? NWG_POP_ADD
					       : p->op == NWG_PS_PEER_UPDATE ? NWG_POP_UPDATE
									     : NWG_POP_REMOVE,
					 .key = p->key,
					 .spoke = s,
					 .fields = p->fields};
	}
	b->act.peer_ops = b->ops;
	return 0;
}

static int build_hub(const struct nwg_ps_apply *a, const struct nwg_hub_view *rec, struct built *b,
		     struct nwg_err *err)
{
	struct nwg_dhub *h;

	if (!(b->d.hubs = calloc(1, sizeof(*b->d.hubs))))
		return nwg_err_set(err, ENOMEM, "out of memory");
	b->d.n_hubs = 1;
	h = &b->d.hubs[0];
	snprintf(h->port_id, sizeof(h->port_id), "%s", a->port_id);
	snprintf(h->project_id, sizeof(h->project_id), "%s", a->project_id);
	h->admin_state_up = a->up;
	h->root_namespace = a->home_netns[0] == '\0';
	h->mtu = a->mtu;
	h->fixed_ips = a->addrs.n ? calloc(a->addrs.n, sizeof(*h->fixed_ips)) : NULL;
	if (a->addrs.n && !h->fixed_ips)
		return nwg_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < a->addrs.n; i++)
		if (ipnet_of(&a->addrs.a[i], &h->fixed_ips[h->n_fixed_ips++], false) < 0)
			return nwg_err_set(err, EINVAL, "APPLY %s: address", a->port_id);
	b->act.want = h;
	return build_peers(a, rec, b, err);
}

/* ---- the key ---- */

/* SEALED: the desired hub gets the envelope (its `ha`), and exec.c opens
 * it with this node's enrollment key, as in the one-process agent. */
static int with_envelope(const struct nwg_ps_apply *a, struct built *b, struct nwg_err *err)
{
	struct nwg_dhub *h = &b->d.hubs[0];

	if (!(h->ha = calloc(1, sizeof(*h->ha))))
		return nwg_err_set(err, ENOMEM, "out of memory");
	snprintf(h->ha->envelope, sizeof(h->ha->envelope), "%s", a->sealed);
	h->ha->listen_port = a->listen_port;
	b->act.key_src = NWG_KEY_SEALED;
	b->act.rec = NULL; /* another key's record: replaced */
	return 0;
}

static int create_key(const struct nwg_ps_apply *a, struct built *b, struct nwg_err *err)
{
	switch (a->key_src) {
	case NWG_PS_KEY_NEW:
		b->act.key_src = NWG_KEY_NEW;
		return 0;
	case NWG_PS_KEY_RECORD:
		if (!b->act.rec)
			return nwg_err_set(err, ENOENT, "APPLY %s: no record of this hub here",
					   a->port_id);
		b->act.key_src = NWG_KEY_RECORD;
		return 0;
	case NWG_PS_KEY_SEALED:
		return with_envelope(a, b, err);
	default: /* LINK: a create never takes the key of the link it replaces */
		return nwg_err_set(err, EINVAL, "APPLY %s: a create cannot take the link's key",
				   a->port_id);
	}
}

/* ---- the action ---- */

static int build_kind(const struct nwg_ps_apply *a, struct built *b, struct nwg_err *err)
{
	struct nwg_action *act = &b->act;
	const struct nwg_alink *l = act->link;

	if (a->kind == NWG_PS_DELETE) {
		act->kind = NWG_ACT_DELETE;
		act->want = NULL;
		return 0;
	}
	if (a->kind == NWG_PS_CREATE) {
		act->kind = NWG_ACT_CREATE;
		act->replace_link = l != NULL;
		return create_key(a, b, err);
	}
	if (!l || !l->dev)
		return nwg_err_set(err, ENODEV, "APPLY %s: no readable link of this hub here",
				   a->port_id);
	if (!act->rec && nwg_actual_is_corrupt(b->view, a->port_id))
		return nwg_err_set(err, EIO, "APPLY %s: this hub's record is unreadable",
				   a->port_id);
	act->kind = a->fix ? NWG_ACT_UPDATE : NWG_ACT_ADOPT;
	act->key_src = act->rec ? NWG_KEY_RECORD : NWG_KEY_LINK;
	if (!(a->fix & NWG_FIX_PORT)) /* the port stays: this node's, not the engine's word */
		act->listen_port = act->rec ? act->rec->listen_port : l->dev->listen_port;
	snprintf(act->ifname, sizeof(act->ifname), "%s", l->ifname);
	if (strncmp(l->netns, "qrouter-", 8) == 0) { /* placed by the L3 agent: stays */
		act->l3_owned = true;
		snprintf(act->netns, sizeof(act->netns), "%s", l->netns);
	}
	return 0;
}

static int build(struct nwg_ps_repo_ctx *c, const struct nwg_ps_apply *a, struct built *b,
		 struct nwg_err *err)
{
	struct nwg_action *act = &b->act;
	int rc = read_view(c, a, b, err);

	if (rc < 0)
		return rc;
	act->link = nwg_actual_find_link(b->view, a->port_id);
	act->rec = nwg_actual_find_record(b->view, a->port_id);
	snprintf(act->port_id, sizeof(act->port_id), "%s", a->port_id);
	snprintf(act->project_id, sizeof(act->project_id), "%s", a->project_id);
	snprintf(act->ifname, sizeof(act->ifname), "%s", a->ifname);
	snprintf(act->netns, sizeof(act->netns), "%s", a->netns);
	snprintf(act->home_netns, sizeof(act->home_netns), "%s", a->home_netns);
	act->mtu = a->mtu;
	act->up = a->up;
	act->addressed = (a->flags & NWG_PS_APPLY_ADDRESSED) != 0;
	act->fix = a->fix;
	act->listen_port = a->listen_port;
	act->record_delta = (a->flags & NWG_PS_APPLY_DELTA) != 0;
	act->standby = (a->flags & NWG_PS_APPLY_STANDBY) != 0;
	/* the one-process planner's words for a sealed create (doc/ha.md) */
	act->reason = a->key_src == NWG_PS_KEY_SEALED
			  ? "HA standby copy from the primary's sealed key (asked by the engine)"
			  : "asked by the engine";
	if (act->record_delta && !act->rec)
		return nwg_err_set(err, ENOENT, "APPLY %s: a journaled update needs a record",
				   a->port_id);
	if (a->kind != NWG_PS_DELETE && (rc = build_hub(a, act->rec, b, err)) < 0)
		return rc;
	if ((rc = build_kind(a, b, err)) < 0)
		return rc;
	if (act->listen_port == 0 && (act->kind == NWG_ACT_CREATE || (act->fix & NWG_FIX_PORT)))
		return add_other_ports(c, b, err);
	return 0;
}

static int run(struct nwg_ps_repo_ctx *c, const struct nwg_ps_apply *a, struct nwg_ps_result *out,
	       struct nwg_err *err)
{
	struct built b;
	struct nwg_exec_ctx x = {.conf = c->conf, .backend = c->backend, .repo = c->repo};
	struct nwg_exec_out eo = {0};
	int rc;

	memset(&b, 0, sizeof(b));
	rc = build(c, a, &b, err);
	if (rc >= 0) {
		x.actual = b.view;
		rc = nwg_exec_action(&x, &b.act, &eo, err);
		nwg_exec_ctx_clear(&x);
	}
	if (rc >= 0 && b.act.kind != NWG_ACT_DELETE) {
		out->public_key = eo.public_key;
		out->listen_port = eo.listen_port;
		snprintf(out->ifname, sizeof(out->ifname), "%s", eo.ifname);
		snprintf(out->netns, sizeof(out->netns), "%s", eo.netns);
		out->up = eo.up;
	}
	built_clear(&b);
	return rc < 0 ? rc : 0;
}

/* ---- chunks ---- */

void nwg_ps_apply_pending_clear(struct nwg_ps_repo_ctx *c)
{
	if (!c->pending)
		return;
	free(c->pending->peers);
	free(c->pending);
	c->pending = NULL;
}

static bool same_action(const struct nwg_ps_apply *x, const struct nwg_ps_apply *y)
{
	return x->kind == y->kind && x->key_src == y->key_src &&
	       ((x->flags ^ y->flags) & ~NWG_PS_APPLY_MORE) == 0 &&
	       strcmp(x->port_id, y->port_id) == 0 && strcmp(x->ifname, y->ifname) == 0 &&
	       strcmp(x->netns, y->netns) == 0 && strcmp(x->home_netns, y->home_netns) == 0 &&
	       x->fix == y->fix;
}

/* Appends a chunk; 1 when more are to come, 0 when c->pending is whole. */
static int add_chunk(struct nwg_ps_repo_ctx *c, const struct nwg_ps_apply *a, struct nwg_err *err)
{
	struct nwg_ps_apply *p = c->pending;
	struct nwg_ps_peer *v;

	if (p && !same_action(p, a)) {
		nwg_ps_apply_pending_clear(c);
		return nwg_err_set(err, EINVAL, "APPLY %s: a chunk of another action", a->port_id);
	}
	if (!p) {
		if (!(p = c->pending = calloc(1, sizeof(*p))))
			return nwg_err_set(err, ENOMEM, "out of memory");
		*p = *a;
		p->peers = NULL;
		p->n_peers = 0;
	}
	if (p->n_peers + a->n_peers > NWG_PS_MAX_APPLY_PEERS ||
	    !(v = realloc(p->peers, (p->n_peers + a->n_peers + 1) * sizeof(*v)))) {
		nwg_ps_apply_pending_clear(c);
		return nwg_err_set(err, E2BIG, "APPLY %s: more than %d peers", a->port_id,
				   NWG_PS_MAX_APPLY_PEERS);
	}
	memcpy(v + p->n_peers, a->peers, a->n_peers * sizeof(*v));
	p->peers = v;
	p->n_peers += a->n_peers;
	return (a->flags & NWG_PS_APPLY_MORE) ? 1 : 0;
}

int nwg_ps_op_apply(struct nwg_ps_repo_ctx *c, const struct nwg_ps_apply *a,
		    struct nwg_ps_result *out, struct nwg_err *err)
{
	int rc;

	if (!c->backend || !c->conf)
		return nwg_err_set(err, EOPNOTSUPP, "APPLY: not served by this executor");
	if (!c->pending && !(a->flags & NWG_PS_APPLY_MORE))
		return run(c, a, out, err);
	rc = add_chunk(c, a, err);
	if (rc != 0)
		return rc < 0 ? rc : 0; /* acknowledged: nothing run yet */
	c->pending->flags &= (uint8_t)~NWG_PS_APPLY_MORE;
	rc = run(c, c->pending, out, err);
	nwg_ps_apply_pending_clear(c);
	return rc;
}
