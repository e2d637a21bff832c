/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

int nwg_record_add_spoke(struct nwg_hub_record *rec, const struct nwg_dspoke *s)
{
	struct nwg_repo_peer *p = nwg_hub_record_add_peer(rec);
	char buf[NWG_IPNET_STRLEN];

	if (!p)
		return -1;
	snprintf(p->port_id, sizeof(p->port_id), "%s", s->port_id);
	p->public_key = s->public_key;
	snprintf(p->endpoint, sizeof(p->endpoint), "%s", s->endpoint);
	p->persistent_keepalive = s->keepalive;
	for (size_t i = 0; i < s->n_allowed; i++) {
		if (nwg_ipnet_format(&s->allowed[i], buf, sizeof(buf)) < 0 ||
		    nwg_repo_peer_add_allowed_ip(p, buf) < 0)
			return -1;
	}
	return 0;
}

struct nwg_hub_record *nwg_record_build(const struct nwg_record_spec *spec)
{
	const struct nwg_dhub *h = spec->hub;
	struct nwg_hub_record *rec = nwg_hub_record_new();
	char buf[NWG_IPNET_STRLEN];

	if (!rec)
		return NULL;
	snprintf(rec->port_id, sizeof(rec->port_id), "%s", h->port_id);
	snprintf(rec->project_id, sizeof(rec->project_id), "%s", h->project_id);
	snprintf(rec->ifname, sizeof(rec->ifname), "%s", spec->ifname);
	snprintf(rec->netns, sizeof(rec->netns), "%s", spec->netns);
	snprintf(rec->home_netns, sizeof(rec->home_netns), "%s", spec->home_netns);
	rec->private_key = *spec->private_key;
	rec->listen_port = spec->listen_port;
	rec->mtu = spec->mtu;
	rec->up = spec->up;
	for (size_t i = 0; spec->addressed && i < h->n_fixed_ips; i++) {
		if (nwg_ipnet_format(&h->fixed_ips[i], buf, sizeof(buf)) < 0 ||
		    nwg_hub_record_add_address(rec, buf) < 0)
			goto fail;
	}
	/* in key order when the parse kept it: the planner's next pass then
	 * finds the record's peers sorted and need not sort them */
	for (size_t i = 0; i < h->n_spokes; i++) {
		if (nwg_record_add_spoke(rec, h->by_key ? h->by_key[i] : &h->spokes[i]) < 0)
			goto fail;
		if (spec->standby) { /* what the standby's device has */
			rec->peers[rec->n_peers - 1].endpoint[0] = '\0';
			rec->peers[rec->n_peers - 1].persistent_keepalive = 0;
		}
	}
	return rec;
fail:
	nwg_hub_record_free(rec);
	return NULL;
}

static bool strv_same(char **a, char **b)
{
	size_t i;

	for (i = 0; a && b && a[i] && b[i]; i++) {
		if (strcmp(a[i], b[i]) != 0)
			return false;
	}
	return (!a || !a[i]) && (!b || !b[i]);
}

static bool peer_same(const struct nwg_repo_peer *a, const struct nwg_repo_peer *b)
{
	return strcmp(a->port_id, b->port_id) == 0 &&
	       nwg_key_equal(&a->public_key, &b->public_key) &&
	       strcmp(a->endpoint, b->endpoint) == 0 &&
	       a->persistent_keepalive == b->persistent_keepalive &&
	       strv_same(a->allowed_ips, b->allowed_ips);
}

bool nwg_record_same_header(const struct nwg_hub_record *a, const struct nwg_hub_record *b)
{
	return !strcmp(a->port_id, b->port_id) && !strcmp(a->project_id, b->project_id) &&
	       !strcmp(a->ifname, b->ifname) && !strcmp(a->netns, b->netns) &&
	       !strcmp(a->home_netns, b->home_netns) && a->listen_port == b->listen_port &&
	       a->mtu == b->mtu && a->up == b->up &&
	       nwg_key_equal(&a->private_key, &b->private_key) &&
	       strv_same(a->addresses, b->addresses);
}

static int by_key(const void *x, const void *y)
{
	const struct nwg_repo_peer *const *a = x, *const *b = y;

	return memcmp((*a)->public_key.b, (*b)->public_key.b, sizeof((*a)->public_key.b));
}

static const struct nwg_repo_peer **sorted(const struct nwg_hub_record *r)
{
	const struct nwg_repo_peer **v = malloc((r->n_peers ? r->n_peers : 1) * sizeof(*v));

	for (size_t i = 0; v && i < r->n_peers; i++)
		v[i] = &r->peers[i];
	if (v)
		qsort(v, r->n_peers, sizeof(*v), by_key);
	return v;
}

/* Peers compare as a set (a record and its journal may order them
 * differently); out of memory compares as different. */
bool nwg_record_same(const struct nwg_hub_record *a, const struct nwg_hub_record *b)
{
	const struct nwg_repo_peer **x, **y;
	bool same;

	if (a->n_peers != b->n_peers || !nwg_record_same_header(a, b))
		return false;
	x = sorted(a);
	y = sorted(b);
	same = x && y;
	for (size_t i = 0; same && i < a->n_peers; i++)
		same = peer_same(x[i], y[i]);
	free(x);
	free(y);
	return same;
}

struct nwg_hub_record *nwg_record_dup(const struct nwg_hub_record *rec)
{
	struct nwg_hub_record *c = rec ? nwg_hub_record_new() : NULL;

	if (!c)
		return NULL;
	*c = *rec;
	c->addresses = NULL;
	c->peers = rec->n_peers ? calloc(rec->n_peers, sizeof(*c->peers)) : NULL;
	c->n_peers = 0;
	if ((rec->n_peers && !c->peers) || nwg_strv_dup(&c->addresses, rec->addresses) < 0) {
		nwg_hub_record_free(c);
		return NULL;
	}
	for (size_t i = 0; i < rec->n_peers; i++) {
		c->peers[i] = rec->peers[i];
		c->peers[i].allowed_ips = NULL;
		c->n_peers++;
		if (nwg_strv_dup(&c->peers[i].allowed_ips, rec->peers[i].allowed_ips) < 0) {
			nwg_hub_record_free(c);
			return NULL;
		}
	}
	return c;
}

int nwg_record_peer_spoke(struct nwg_dspoke *s, const struct nwg_repo_peer *p)
{
	size_t n = 0;

	memcpy(s->port_id, p->port_id, sizeof(s->port_id));
	s->public_key = p->public_key;
	memcpy(s->endpoint, p->endpoint,
	       strlen(p->endpoint) < sizeof(s->endpoint) ? strlen(p->endpoint) + 1 : 1);
	s->keepalive = p->persistent_keepalive;
	while (p->allowed_ips && p->allowed_ips[n])
		n++;
	s->allowed = n ? calloc(n, sizeof(*s->allowed)) : NULL;
	if (n && !s->allowed)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (nwg_ipnet_parse(p->allowed_ips[i], &s->allowed[s->n_allowed], true) == 0)
			s->n_allowed++;
	}
	return 0;
}
