/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/plan.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "reconcile/desired_ha.h"
#include "reconcile/peers.h"
#include "reconcile/plan_int.h"
#include "reconcile/record.h"

const char *nwg_act_kind_name(enum nwg_act_kind k)
{
	static const char *const names[] = {"delete", "create", "update", "adopt", "skip"};

	return (unsigned int)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

void nwg_hub_ifname(const char *port_id, char out[IFNAMSIZ])
{
	snprintf(out, IFNAMSIZ, "wg-%.11s", port_id);
}

static bool root_mode(const struct nwg_plan_opts *o, const struct nwg_dhub *h)
{
	return o->root_namespace || h->root_namespace;
}

void nwg_hub_home_netns(const struct nwg_plan_opts *o, const struct nwg_dhub *h, char *out,
			size_t len)
{
	if (root_mode(o, h))
		snprintf(out, len, "%s", "");
	else
		snprintf(out, len, "%s%s", o->ns_prefix ? o->ns_prefix : "tun-", h->project_id);
}

static unsigned int hub_mtu(const struct nwg_plan_opts *o, unsigned int net_mtu)
{
	unsigned int cap = (o->underlay_mtu ? o->underlay_mtu : 1500) - 80;

	return net_mtu == 0 || net_mtu > cap ? cap : net_mtu;
}

static bool in_scope(const struct nwg_plan_opts *o, const char *port_id)
{
	if (o->full || o->restore)
		return true;
	for (size_t i = 0; i < o->n_scope; i++) {
		if (o->scope[i] && strcmp(o->scope[i], port_id) == 0)
			return true;
	}
	return false;
}

/* By the link's name, the name a new link would get, or the port id. */
static bool ignored(const struct nwg_plan_opts *o, const struct nwg_alink *l, const char *port)
{
	char ifname[IFNAMSIZ];

	nwg_hub_ifname(port, ifname);
	return nwg_conf_ignored(o->ignored, l ? l->ifname : ifname, port) ||
	       nwg_conf_ignored(o->ignored, ifname, NULL);
}

/* A readable device with a key (its public key: the planner never sees a
 * private key). */
static bool dev_usable(const struct nwg_alink *l)
{
	return nwg_alink_keyed(l);
}

/* ---- peers ---- */

static bool aip_in_spoke(const struct nwg_allowedip *a, const struct nwg_dspoke *s)
{
	for (size_t i = 0; i < s->n_allowed; i++) {
		if (nwg_ipnet_equal_aip(&s->allowed[i], a))
			return true;
	}
	return false;
}

static bool allowed_same(const struct nwg_peer *p, const struct nwg_dspoke *s)
{
	for (size_t i = 0; i < p->n_allowedips; i++) {
		if (!aip_in_spoke(&p->allowedips[i], s))
			return false;
	}
	for (size_t i = 0; i < s->n_allowed; i++) {
		bool found = false;

		for (size_t k = 0; k < p->n_allowedips && !found; k++)
			found = nwg_ipnet_equal_aip(&s->allowed[i], &p->allowedips[k]);
		if (!found)
			return false;
	}
	return true;
}

/* Sort-and-merge (as wireguard-tools' sync): the spokes, the device's peers
 * and the record's peers are each sorted by public key once (O(n log n)),
 * then walked together, so a pass over a 10,000-spoke hub costs no more than
 * the sorting and an unchanged hub yields no operation. */
unsigned long nwg_plan_key_cmps;

int nwg_plan_key_cmp(const struct nwg_key *a, const struct nwg_key *b)
{
	nwg_plan_key_cmps++;
	return memcmp(a->b, b->b, sizeof(a->b));
}

static int spoke_cmp(const void *a, const void *b)
{
	const struct nwg_dspoke *const *x = a, *const *y = b;

	return nwg_plan_key_cmp(&(*x)->public_key, &(*y)->public_key);
}

static int peer_cmp(const void *a, const void *b)
{
	const struct nwg_peer *const *x = a, *const *y = b;

	return nwg_plan_key_cmp(&(*x)->public_key, &(*y)->public_key);
}

static int rpeer_cmp(const void *a, const void *b)
{
	const struct nwg_repo_peer *const *x = a, *const *y = b;

	return nwg_plan_key_cmp(&(*x)->public_key, &(*y)->public_key);
}

/* Sorted array of pointers to the n elements of size sz at base, whose key
 * lies at key_off (NULL when n is 0 or out of memory: *fail tells which).
 * Input already in order (the cached device's peers) is checked in one pass
 * and not sorted again; other input is radix-sorted (O(n), peers.h). */
static const void **sorted_ptrs(const void *base, size_t n, size_t sz, size_t key_off,
				int (*cmp)(const void *, const void *), bool *fail)
{
	const void **v;

	if (!n)
		return NULL;
	v = malloc(n * sizeof(*v));
	if (!v) {
		*fail = true;
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (const char *)base + i * sz;
	for (size_t i = 1; i < n; i++) {
		if (cmp(&v[i - 1], &v[i]) > 0) {
			if (nwg_keys_sort(v, n, key_off) < 0) {
				free(v);
				*fail = true;
				return NULL;
			}
			break;
		}
	}
	return v;
}

static const struct nwg_repo_peer *rec_peer(const struct nwg_repo_peer **rr, size_t n,
					    const struct nwg_key *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = nwg_plan_key_cmp(&rr[mid]->public_key, key);

		if (c == 0)
			return rr[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct peer_sets {
	const struct nwg_dspoke **ss;
	const struct nwg_peer **pp;
	const struct nwg_repo_peer **rr;
	size_t ns, np, nr;
	bool standby; /* HA standby copy: no endpoint, no keepalive */
};

/* The configured endpoint is applied unless the device already has it or the
 * record says it was applied (rp: the record's peer of the spoke, looked up
 * only for a spoke that has an endpoint; the device may have roamed since:
 * keep that). */
static bool endpoint_applied(const struct nwg_peer *p, const struct nwg_dspoke *s,
			     const struct nwg_repo_peer *rp)
{
	char buf[NWG_ENDPOINT_MAX + 8];

	if (rp && strcmp(rp->endpoint, s->endpoint) == 0)
		return true;
	return p->endpoint.sa.sa_family != AF_UNSPEC &&
	       nwg_endpoint_format(&p->endpoint, buf, sizeof(buf)) == 0 &&
	       strcmp(buf, s->endpoint) == 0;
}

void nwg_plan_add_op(struct nwg_action *act, enum nwg_peer_op_kind op, const struct nwg_key *key,
		     const struct nwg_dspoke *s, unsigned int fields)
{
	struct nwg_peer_op *po = &act->peer_ops[act->n_peer_ops++];

	po->op = op;
	po->key = *key;
	po->spoke = s;
	po->fields = fields;
}

unsigned int nwg_plan_peer_fields(const struct nwg_peer *p, const struct nwg_dspoke *s,
				  bool standby, const struct nwg_repo_peer *(*rec)(const void *ctx),
				  const void *ctx)
{
	unsigned int f = 0;

	if (!allowed_same(p, s))
		f |= NWG_POPF_ALLOWED;
	if (p->persistent_keepalive != (standby ? 0 : s->keepalive))
		f |= NWG_POPF_KEEPALIVE;
	if (s->endpoint[0] && !standby && !endpoint_applied(p, s, rec(ctx)))
		f |= NWG_POPF_ENDPOINT;
	return f;
}

struct rec_q {
	const struct peer_sets *k;
	const struct nwg_key *key;
};

static const struct nwg_repo_peer *rec_q(const void *ctx)
{
	const struct rec_q *q = ctx;

	return rec_peer(q->k->rr, q->k->nr, q->key);
}

static unsigned int peer_fields(const struct nwg_peer *p, const struct nwg_dspoke *s,
				const struct peer_sets *k)
{
	struct rec_q q = {k, &s->public_key};

	return nwg_plan_peer_fields(p, s, k->standby, rec_q, &q);
}

/* The merge: ADD/UPDATE in key order, then the REMOVEs (ops has room for
 * ns + np). */
static void merge_peers(struct nwg_action *act, const struct peer_sets *k)
{
	size_t i = 0, j = 0, n_rm = 0;
	const struct nwg_peer **rm = k->pp; /* removals reuse the front of pp */

	while (i < k->ns || j < k->np) {
		int c = i >= k->ns ? 1
			: j >= k->np
			    ? -1
			    : nwg_plan_key_cmp(&k->ss[i]->public_key, &k->pp[j]->public_key);

		if (c < 0) {
			nwg_plan_add_op(act, NWG_POP_ADD, &k->ss[i]->public_key, k->ss[i], 0);
			i++;
		} else if (c > 0) {
			rm[n_rm++] = k->pp[j++];
		} else {
			unsigned int f = peer_fields(k->pp[j], k->ss[i], k);

			if (f)
				nwg_plan_add_op(act, NWG_POP_UPDATE, &k->ss[i]->public_key,
						k->ss[i], f);
			i++; /* a duplicate spoke key meets the same peer again */
			if (i >= k->ns ||
			    nwg_plan_key_cmp(&k->ss[i]->public_key, &k->pp[j]->public_key))
				j++;
		}
	}
	for (size_t r = 0; r < n_rm; r++)
		nwg_plan_add_op(act, NWG_POP_REMOVE, &rm[r]->public_key, NULL, 0);
}

/* ---- can the record follow by journaling the ops alone? ---- */

#define DELTA_MAX_OPS NWG_PLAN_DELTA_MAX_OPS

static int okey_cmp(const void *a, const void *b)
{
	return nwg_plan_key_cmp(a, b);
}

/* Is key among the sorted op keys ok[*at..n)? Keys are asked in ascending
 * order, so *at only moves forward. */
static bool op_touches(const struct nwg_key *ok, size_t n, size_t *at, const struct nwg_key *key)
{
	int c = 1;

	while (*at < n && (c = nwg_plan_key_cmp(&ok[*at], key)) < 0)
		(*at)++;
	return *at < n && c == 0;
}

/* The record's peer is what nwg_record_build makes of the spoke (its allowed
 * IPs compared as prefixes: parsing the record's text costs less than
 * formatting the spoke's, once per spoke of the hub). */
bool nwg_plan_rpeer_is_spoke(const struct nwg_repo_peer *rp, const struct nwg_dspoke *s)
{
	struct nwg_ipnet c;
	size_t i;

	if (strcmp(rp->port_id, s->port_id) || strcmp(rp->endpoint, s->endpoint) ||
	    rp->persistent_keepalive != s->keepalive)
		return false;
	for (i = 0; rp->allowed_ips && rp->allowed_ips[i]; i++) {
		if (i >= s->n_allowed || nwg_ipnet_parse(rp->allowed_ips[i], &c, false) < 0 ||
		    !nwg_ipnet_equal(&c, &s->allowed[i]))
			return false;
	}
	return i == s->n_allowed;
}

/* Every record peer no op touches equals its spoke, and every untouched
 * spoke is in the record: record + ops = the record the desired state makes.
 * One walk over the record's and the spokes' keys (both sorted) and the
 * sorted keys of the ops. */
static bool walk_delta(const struct nwg_key *ok, size_t n_ok, const struct peer_sets *k)
{
	size_t i = 0, j = 0, at = 0;

	while (i < k->nr || j < k->ns) {
		int c = i >= k->nr ? 1
			: j >= k->ns
			    ? -1
			    : nwg_plan_key_cmp(&k->rr[i]->public_key, &k->ss[j]->public_key);
		const struct nwg_key *key = c <= 0 ? &k->rr[i]->public_key : &k->ss[j]->public_key;

		if (!op_touches(ok, n_ok, &at, key) &&
		    (c != 0 || !nwg_plan_rpeer_is_spoke(k->rr[i], k->ss[j])))
			return false;
		i += c <= 0;
		j += c >= 0;
	}
	return true;
}

static bool delta_ok(const struct nwg_action *act, const struct peer_sets *k)
{
	struct nwg_key ok[DELTA_MAX_OPS];

	if (!act->n_peer_ops || act->n_peer_ops > DELTA_MAX_OPS)
		return false;
	for (size_t i = 0; i < act->n_peer_ops; i++)
		ok[i] = act->peer_ops[i].key;
	qsort(ok, act->n_peer_ops, sizeof(ok[0]), okey_cmp);
	return walk_delta(ok, act->n_peer_ops, k);
}

/* dev NULL: a fresh device, every spoke is added. */
static int plan_peers(struct nwg_action *act, const struct nwg_dhub *h,
		      const struct nwg_device *dev, const struct nwg_hub_view *rec)
{
	struct peer_sets k = {.ns = h->n_spokes,
			      .np = dev ? dev->n_peers : 0,
			      .nr = rec ? rec->n_peers : 0,
			      .standby = act->standby};
	bool fail = false;
	int r = -1;

	if (nwg_plan_touched_usable(act, dev, rec))
		return nwg_plan_peers_touched(act, dev, rec);
	if (k.ns + k.np == 0)
		return 0;
	act->peer_ops = calloc(k.ns + k.np, sizeof(*act->peer_ops));
	k.ss = h->by_key ? h->by_key
			 : (const struct nwg_dspoke **)sorted_ptrs(
			       h->spokes, k.ns, sizeof(*h->spokes),
			       offsetof(struct nwg_dspoke, public_key), spoke_cmp, &fail);
	k.pp = (const struct nwg_peer **)sorted_ptrs(
	    dev ? dev->peers : NULL, k.np, sizeof(*dev->peers),
	    offsetof(struct nwg_peer, public_key), peer_cmp, &fail);
	k.rr = (const struct nwg_repo_peer **)sorted_ptrs(
	    rec ? rec->peers : NULL, k.nr, sizeof(*rec->peers),
	    offsetof(struct nwg_repo_peer, public_key), rpeer_cmp, &fail);
	if (act->peer_ops && !fail) {
		merge_peers(act, &k);
		act->record_delta = rec && !act->standby && delta_ok(act, &k);
		r = 0;
	}
	if (k.ss != h->by_key)
		free(k.ss);
	free(k.pp);
	free(k.rr);
	return r;
}

/* ---- link state ---- */

static bool is_link_local(const char *cidr)
{
	return strncmp(cidr, "fe80:", 5) == 0;
}

/* Do the link's addresses equal the hub's fixed IPs (want) or none (!want)? */
static bool addrs_ok(const struct nwg_alink *l, const struct nwg_dhub *h, bool want)
{
	size_t n = 0;

	for (size_t i = 0; l->addrs && l->addrs[i]; i++) {
		struct nwg_ipnet c;
		bool found = false;

		if (is_link_local(l->addrs[i]))
			continue;
		n++;
		if (!want || nwg_ipnet_parse(l->addrs[i], &c, false) < 0)
			return false;
		for (size_t k = 0; k < h->n_fixed_ips && !found; k++)
			found = nwg_ipnet_equal(&c, &h->fixed_ips[k]);
		if (!found)
			return false;
	}
	return n == (want ? h->n_fixed_ips : 0);
}

/* The record the action would save (hub: the desired hub, or a copy of it),
 * as a view: its key is the record's public key. */
static struct nwg_hub_view *record_want(const struct nwg_action *act, const struct nwg_dhub *hub)
{
	const struct nwg_alink *l = act->link;
	struct nwg_record_spec spec = {
	    .hub = hub,
	    .ifname = l ? l->ifname : act->ifname,
	    .netns = act->netns,
	    .home_netns = act->home_netns,
	    .mtu = act->mtu,
	    .up = act->up,
	    .addressed = act->addressed,
	    .public_key = &act->rec->public_key,
	    .listen_port = act->rec->listen_port,
	    .standby = act->standby,
	};

	return nwg_hub_view_build(&spec);
}

static bool record_stale(const struct nwg_action *act)
{
	struct nwg_hub_view *want = record_want(act, act->want);
	bool stale = !want || !nwg_hub_view_same(want, act->rec);

	nwg_hub_view_free(want);
	return stale;
}

/* Every field of the record but its peers is current. */
bool nwg_plan_record_header_current(const struct nwg_action *act)
{
	struct nwg_dhub hub = *act->want;
	struct nwg_hub_view *want;
	bool same;

	hub.spokes = NULL;
	hub.n_spokes = 0;
	hub.by_key = NULL;
	want = record_want(act, &hub);
	same = want && nwg_hub_view_same_header(want, act->rec);
	nwg_hub_view_free(want);
	return same;
}

/* Does the server's view (last hub_realized) differ from our identity (the
 * public key of the record or of the device)? */
static bool identity_differs(const struct nwg_dhub *h, const struct nwg_key *pub, uint16_t port)
{
	if (!h->has_public_key || !pub || nwg_key_is_zero(pub) || h->listen_port != port ||
	    port == 0)
		return true;
	return !nwg_key_equal(pub, &h->public_key);
}

/* ---- one desired hub ---- */

static int plan_create(struct nwg_action *act)
{
	const struct nwg_hub_view *rec = act->rec;

	act->kind = NWG_ACT_CREATE;
	act->replace_link = act->link != NULL;
	if (act->link)
		snprintf(act->ifname, sizeof(act->ifname), "%s", act->link->ifname);
	act->key_src = rec ? NWG_KEY_RECORD : NWG_KEY_NEW;
	act->listen_port = rec ? rec->listen_port : 0;
	act->report = !rec || identity_differs(act->want, &rec->public_key, rec->listen_port);
	if (rec)
		act->reason = act->link ? "re-create: wireguard device unreadable"
					: "re-create from repository";
	else
		act->reason = act->link ? "replace unreadable device" : "new hub";
	act->record_delta = false;
	return plan_peers(act, act->want, NULL, NULL);
}

static void plan_placement(struct nwg_action *act)
{
	const struct nwg_alink *l = act->link;

	if (act->l3_owned) {
		act->up = l->up;
		return;
	}
	if (strcmp(l->netns, act->netns) != 0) {
		/* a move flushes addresses and sets the link down */
		act->fix |= NWG_FIX_NETNS;
		if (act->addressed && act->want->n_fixed_ips)
			act->fix |= NWG_FIX_ADDRS;
		if (act->up)
			act->fix |= NWG_FIX_UP;
		return;
	}
	if (l->mtu != act->mtu)
		act->fix |= NWG_FIX_MTU;
	if (!addrs_ok(l, act->want, act->addressed))
		act->fix |= NWG_FIX_ADDRS;
	if (act->up && !l->up)
		act->fix |= NWG_FIX_UP;
	if (!act->up && l->up)
		act->fix |= NWG_FIX_DOWN;
}

static int plan_update(struct nwg_action *act)
{
	const struct nwg_device *dev = act->link->dev;
	const struct nwg_hub_view *rec = act->rec;
	const struct nwg_key *key = rec ? &rec->public_key : &dev->public_key;

	act->key_src = rec ? NWG_KEY_RECORD : NWG_KEY_LINK;
	act->listen_port = rec ? rec->listen_port : dev->listen_port;
	if (rec && !nwg_alink_key_matches(act->link, rec))
		act->fix |= NWG_FIX_KEY;
	if (dev->listen_port != act->listen_port || act->listen_port == 0)
		act->fix |= NWG_FIX_PORT;
	snprintf(act->ifname, sizeof(act->ifname), "%s", act->link->ifname);
	if (plan_peers(act, act->want, dev, rec) < 0)
		return -1;
	if (act->n_peer_ops)
		act->fix |= NWG_FIX_PEERS;
	plan_placement(act);
	act->record_delta =
	    act->record_delta && act->fix == NWG_FIX_PEERS && nwg_plan_record_header_current(act);
	if (!rec || act->fix ||
	    (act->touched ? !act->touched_rec_ok || !nwg_plan_record_header_current(act)
			  : record_stale(act)))
		act->fix |= NWG_FIX_RECORD;
	act->kind = act->fix ? NWG_ACT_UPDATE : NWG_ACT_ADOPT;
	act->report =
	    identity_differs(act->want, key, act->listen_port) || (act->fix & NWG_FIX_NETNS);
	act->reason = !rec ? "adopt link, record lost" : act->fix ? "out of sync" : "in sync";
	return 0;
}

/* HA primary: report (with the key sealed to the secondary) until Neutron
 * holds an envelope for the secondary. Either host: report its state while
 * Neutron has none for it. */
static int plan_ha(const struct nwg_plan_opts *o, struct nwg_action *act, int r)
{
	const struct nwg_dha *ha = act->want->ha;

	if (r == 0 && ha && ha->primary && ha->has_peer_pub && !ha->peer_sealed)
		act->report = true;
	if (r == 0 && ha && act->kind != NWG_ACT_SKIP && nwg_ha_report_state(ha, o->ha_vrrp))
		act->report = true;
	return r;
}

static int plan_skip(struct nwg_action *act, const char *why)
{
	act->kind = NWG_ACT_SKIP;
	act->reason = why;
	return 0;
}

/* Is pub (the public key of the record or of the link) the key the primary
 * reported? */
static bool is_primary_key(const struct nwg_key *pub, const struct nwg_dhub *h)
{
	return h->has_public_key && !nwg_key_is_zero(pub) && nwg_key_equal(pub, &h->public_key);
}

/* The copy this host already holds has the primary's key: keep it, on the
 * primary's listen port. */
static int plan_standby_held(const struct nwg_alink *l, struct nwg_action *act)
{
	uint16_t port = act->want->ha->listen_port;
	int r;

	if (!dev_usable(l)) {
		r = plan_create(act);
		act->listen_port = port;
		return r;
	}
	r = plan_update(act);
	if (r == 0 && act->listen_port != port) {
		act->listen_port = port;
		act->fix |= NWG_FIX_PORT | NWG_FIX_RECORD;
		act->kind = NWG_ACT_UPDATE;
		act->record_delta = false;
		act->reason = "HA standby: the primary's listen port changed";
	}
	return r;
}

/* HA secondary (doc/ha.md piece 1): a standby copy of the primary's hub, its
 * key opened from the envelope sealed to this node (never a key of its own),
 * its listen port, its addresses, its peers without endpoint or keepalive. */
static int plan_secondary(const struct nwg_alink *l, struct nwg_action *act)
{
	const struct nwg_dhub *h = act->want;
	const struct nwg_hub_view *rec = act->rec;
	const struct nwg_key *held = rec	     ? &rec->public_key
				     : dev_usable(l) ? &l->dev->public_key
						     : NULL;
	int r;

	act->standby = true;
	if (!h->has_public_key || !h->ha->listen_port)
		return plan_skip(act, "HA secondary: the primary has not reported the hub yet");
	if (held && is_primary_key(held, h))
		return plan_standby_held(l, act);
	if (!h->ha->envelope[0])
		return plan_skip(act, held ? "HA secondary: the primary's key changed, waiting for "
					     "its new sealed key"
					   : "HA secondary: waiting for the primary's sealed key");
	act->rec = NULL; /* another key's record: replaced */
	r = plan_create(act);
	act->key_src = NWG_KEY_SEALED;
	act->listen_port = h->ha->listen_port;
	act->report = true;
	act->reason = held ? "HA standby: the primary's key changed (new sealed key)"
			   : "HA standby copy from the primary's sealed key";
	return r;
}

static int plan_hub(const struct nwg_plan_opts *o, const struct nwg_actual *a,
		    const struct nwg_dhub *h, struct nwg_action *act)
{
	const struct nwg_alink *l = nwg_actual_find_link(a, h->port_id);
	bool root = root_mode(o, h);

	act->want = h;
	act->link = l;
	act->rec = nwg_actual_find_record(a, h->port_id);
	snprintf(act->port_id, sizeof(act->port_id), "%s", h->port_id);
	snprintf(act->project_id, sizeof(act->project_id), "%s", h->project_id);
	nwg_hub_ifname(h->port_id, act->ifname);
	nwg_hub_home_netns(o, h, act->home_netns, sizeof(act->home_netns));
	snprintf(act->netns, sizeof(act->netns), "%s", act->home_netns);
	act->mtu = hub_mtu(o, h->mtu);
	act->addressed = root || o->hub_up_unrouted;
	act->up = (act->addressed || o->link_up) && h->admin_state_up;
	if (ignored(o, l, h->port_id)) {
		act->kind = NWG_ACT_SKIP;
		act->reason = "ignored device";
		return 0;
	}
	if (h->ha && o->ha_peer_host && o->ha_peer_host[0] &&
	    strcmp(h->ha->peer_host, o->ha_peer_host) != 0)
		return plan_skip(act, "HA: the hub's other host is not this node's [wireguard_ha] "
				      "peer_host (one VRRP pair per node)");
	if (h->ha && !h->ha->primary)
		return plan_ha(o, act, plan_secondary(l, act));
	if (!dev_usable(l))
		return plan_ha(o, act, plan_create(act));
	if (strncmp(l->netns, "qrouter-", 8) == 0) {
		act->l3_owned = true;
		snprintf(act->netns, sizeof(act->netns), "%s", l->netns);
	}
	return plan_ha(o, act, plan_update(act));
}

/* ---- hubs that are no longer wanted ---- */

static bool held(const struct nwg_actual *a, const char *port_id)
{
	return nwg_actual_find_link(a, port_id) || nwg_actual_find_record(a, port_id) ||
	       nwg_actual_is_corrupt(a, port_id);
}

static bool planned(const struct nwg_plan *p, const char *port_id)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->acts[i].port_id, port_id) == 0)
			return true;
	}
	return false;
}

static void plan_gone(const struct nwg_plan_opts *o, const struct nwg_desired *d,
		      const struct nwg_actual *a, const char *port_id, struct nwg_plan *p)
{
	const struct nwg_alink *l = nwg_actual_find_link(a, port_id);
	const struct nwg_hub_view *rec = nwg_actual_find_record(a, port_id);
	struct nwg_action *act;

	if (planned(p, port_id) || nwg_desired_find(d, port_id) ||
	    nwg_desired_find_rejected(d, port_id) || ignored(o, l, port_id) || o->restore)
		return;
	if (!o->full) {
		if (in_scope(o, port_id))
			p->need_full = true;
		return;
	}
	if (d->rejected_unknown)
		return; /* the answer is not authoritative for unnamed hubs */
	act = &p->acts[p->n++];
	act->kind = NWG_ACT_DELETE;
	act->link = l;
	act->rec = rec;
	snprintf(act->port_id, sizeof(act->port_id), "%s", port_id);
	snprintf(act->project_id, sizeof(act->project_id), "%s", rec ? rec->project_id : "?");
	if (l)
		snprintf(act->netns, sizeof(act->netns), "%s", l->netns);
	act->reason = "port no longer bound to this host";
}

static void plan_rejected(const struct nwg_desired *d, const struct nwg_actual *a,
			  struct nwg_plan *p)
{
	for (size_t i = 0; i < d->n_rejected; i++) {
		const struct nwg_dreject *r = &d->rejected[i];
		struct nwg_action *act;

		if (!r->port_id[0] || planned(p, r->port_id))
			continue;
		act = &p->acts[p->n++];
		act->kind = NWG_ACT_SKIP;
		act->link = nwg_actual_find_link(a, r->port_id);
		act->rec = nwg_actual_find_record(a, r->port_id);
		snprintf(act->port_id, sizeof(act->port_id), "%s", r->port_id);
		snprintf(act->project_id, sizeof(act->project_id), "%s",
			 act->rec ? act->rec->project_id : "?");
		act->reason = r->reason;
	}
}

/* ---- the plan ---- */

static int rank(const struct nwg_action *act)
{
	switch (act->kind) {
	case NWG_ACT_DELETE:
		return 0;
	case NWG_ACT_CREATE:
		return act->key_src == NWG_KEY_RECORD ? 1 : 2; /* recorded ports first */
	case NWG_ACT_UPDATE:
		return 3;
	case NWG_ACT_ADOPT:
		return 4;
	default:
		return 5;
	}
}

static int order(struct nwg_plan *p)
{
	struct nwg_action *sorted;
	size_t k = 0;

	if (p->n == 0)
		return 0;
	sorted = calloc(p->n, sizeof(*sorted));
	if (!sorted)
		return -1;
	for (int r = 0; r <= 5; r++) {
		for (size_t i = 0; i < p->n; i++) {
			if (rank(&p->acts[i]) == r)
				sorted[k++] = p->acts[i];
		}
	}
	free(p->acts);
	p->acts = sorted;
	return 0;
}

static void plan_all_gone(const struct nwg_plan_opts *o, const struct nwg_desired *d,
			  const struct nwg_actual *a, struct nwg_plan *p)
{
	for (size_t i = 0; i < a->n_links; i++)
		plan_gone(o, d, a, a->links[i].port_id, p);
	for (size_t i = 0; i < a->n_recs; i++)
		plan_gone(o, d, a, a->recs[i]->port_id, p);
	for (size_t i = 0; a->corrupt && a->corrupt[i]; i++)
		plan_gone(o, d, a, a->corrupt[i], p);
	if (!o->full && !o->restore) {
		for (size_t i = 0; i < o->n_scope; i++) {
			if (o->scope[i] && held(a, o->scope[i]))
				plan_gone(o, d, a, o->scope[i], p);
		}
	}
}

int nwg_plan_build(const struct nwg_desired *d, const struct nwg_actual *a,
		   const struct nwg_plan_opts *o, struct nwg_plan **out)
{
	struct nwg_plan *p;
	size_t max, n_corrupt = 0;

	if (!d || !a || !o || !out)
		return -EINVAL;
	*out = NULL;
	while (a->corrupt && a->corrupt[n_corrupt])
		n_corrupt++;
	max = d->n_hubs + d->n_rejected + a->n_links + a->n_recs + n_corrupt + 1;
	p = calloc(1, sizeof(*p));
	if (!p || !(p->acts = calloc(max, sizeof(*p->acts))))
		goto oom;
	for (size_t i = 0; i < d->n_hubs; i++) {
		if (!in_scope(o, d->hubs[i].port_id) || planned(p, d->hubs[i].port_id))
			continue;
		if (plan_hub(o, a, &d->hubs[i], &p->acts[p->n++]) < 0)
			goto oom;
	}
	plan_rejected(d, a, p);
	plan_all_gone(o, d, a, p);
	if (order(p) < 0)
		goto oom;
	*out = p;
	return 0;
oom:
	nwg_plan_free(p);
	return -ENOMEM;
}

void nwg_plan_free(struct nwg_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->acts[i].peer_ops);
	free(p->acts);
	free(p);
}
