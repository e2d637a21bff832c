/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

struct nwg_hub_view *nwg_hub_view_new(void)
{
	return calloc(1, sizeof(struct nwg_hub_view));
}

void nwg_hub_view_free(struct nwg_hub_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n_peers; i++)
		nwg_strv_free(v->peers[i].allowed_ips);
	free(v->peers);
	nwg_strv_free(v->addresses);
	free(v);
}

/* Deep copies of the addresses and peers into v (whose own are empty). */
static int copy_lists(struct nwg_hub_view *v, char *const *addresses,
		      const struct nwg_repo_peer *peers, size_t n_peers)
{
	if (nwg_strv_dup(&v->addresses, addresses) < 0)
		return -1;
	v->peers = n_peers ? calloc(n_peers, sizeof(*v->peers)) : NULL;
	if (n_peers && !v->peers)
		return -1;
	for (size_t i = 0; i < n_peers; i++) {
		v->peers[i] = peers[i];
		v->peers[i].allowed_ips = NULL;
		v->n_peers++;
		if (nwg_strv_dup(&v->peers[i].allowed_ips, peers[i].allowed_ips) < 0)
			return -1;
	}
	return 0;
}

struct nwg_hub_view *nwg_hub_view_of(const struct nwg_hub_record *rec)
{
	struct nwg_hub_view *v = rec ? nwg_hub_view_new() : NULL;

	if (!v)
		return NULL;
	memcpy(v->port_id, rec->port_id, sizeof(v->port_id));
	memcpy(v->project_id, rec->project_id, sizeof(v->project_id));
	memcpy(v->ifname, rec->ifname, sizeof(v->ifname));
	memcpy(v->netns, rec->netns, sizeof(v->netns));
	memcpy(v->home_netns, rec->home_netns, sizeof(v->home_netns));
	if (nwg_key_public(&v->public_key, &rec->private_key) < 0)
		memset(&v->public_key, 0, sizeof(v->public_key));
	v->listen_port = rec->listen_port;
	v->mtu = rec->mtu;
	v->up = rec->up;
	if (copy_lists(v, rec->addresses, rec->peers, rec->n_peers) < 0) {
		nwg_hub_view_free(v);
		return NULL;
	}
	return v;
}

struct nwg_hub_view *nwg_hub_view_dup(const struct nwg_hub_view *v)
{
	struct nwg_hub_view *c = v ? nwg_hub_view_new() : NULL;

	if (!c)
		return NULL;
	*c = *v;
	c->addresses = NULL;
	c->peers = NULL;
	c->n_peers = 0;
	if (copy_lists(c, v->addresses, v->peers, v->n_peers) < 0) {
		nwg_hub_view_free(c);
		return NULL;
	}
	return c;
}

int nwg_hub_view_add_spoke(struct nwg_hub_view *v, const struct nwg_dspoke *s)
{
	struct nwg_repo_peer *peers = realloc(v->peers, (v->n_peers + 1) * sizeof(*peers));

	if (!peers)
		return -1;
	v->peers = peers;
	memset(&peers[v->n_peers], 0, sizeof(*peers));
	v->n_peers++;
	return nwg_repo_peer_set_spoke(&peers[v->n_peers - 1], s);
}

struct nwg_hub_view *nwg_hub_view_build(const struct nwg_record_spec *spec)
{
	const struct nwg_dhub *h = spec->hub;
	struct nwg_hub_view *v = nwg_hub_view_new();
	char buf[NWG_IPNET_STRLEN];

	if (!v)
		return NULL;
	snprintf(v->port_id, sizeof(v->port_id), "%s", h->port_id);
	snprintf(v->project_id, sizeof(v->project_id), "%s", h->project_id);
	snprintf(v->ifname, sizeof(v->ifname), "%s", spec->ifname);
	snprintf(v->netns, sizeof(v->netns), "%s", spec->netns);
	snprintf(v->home_netns, sizeof(v->home_netns), "%s", spec->home_netns);
	if (spec->public_key)
		v->public_key = *spec->public_key;
	v->listen_port = spec->listen_port;
	v->mtu = spec->mtu;
	v->up = spec->up;
	for (size_t i = 0; spec->addressed && i < h->n_fixed_ips; i++) {
		if (nwg_ipnet_format(&h->fixed_ips[i], buf, sizeof(buf)) < 0 ||
		    nwg_strv_push(&v->addresses, buf) < 0)
			goto fail;
	}
	/* in key order when the parse kept it, as nwg_record_build */
	for (size_t i = 0; i < h->n_spokes; i++) {
		if (nwg_hub_view_add_spoke(v, h->by_key ? h->by_key[i] : &h->spokes[i]) < 0)
			goto fail;
		if (spec->standby) { /* what the standby's device has */
			v->peers[v->n_peers - 1].endpoint[0] = '\0';
			v->peers[v->n_peers - 1].persistent_keepalive = 0;
		}
	}
	return v;
fail:
	nwg_hub_view_free(v);
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

bool nwg_hub_view_same_header(const struct nwg_hub_view *a, const struct nwg_hub_view *b)
{
	return !strcmp(a->port_id, b->port_id) && !strcmp(a->project_id, b->project_id) &&
	       !strcmp(a->ifname, b->ifname) && !strcmp(a->netns, b->netns) &&
	       !strcmp(a->home_netns, b->home_netns) && a->listen_port == b->listen_port &&
	       a->mtu == b->mtu && a->up == b->up &&
	       nwg_key_equal(&a->public_key, &b->public_key) &&
	       strv_same(a->addresses, b->addresses);
}

static int by_key(const void *x, const void *y)
{
	const struct nwg_repo_peer *const *a = x, *const *b = y;

	return memcmp((*a)->public_key.b, (*b)->public_key.b, sizeof((*a)->public_key.b));
}

static const struct nwg_repo_peer **sorted(const struct nwg_hub_view *v)
{
	const struct nwg_repo_peer **p = malloc((v->n_peers ? v->n_peers : 1) * sizeof(*p));

	for (size_t i = 0; p && i < v->n_peers; i++)
		p[i] = &v->peers[i];
	if (p)
		qsort(p, v->n_peers, sizeof(*p), by_key);
	return p;
}

bool nwg_hub_view_same(const struct nwg_hub_view *a, const struct nwg_hub_view *b)
{
	const struct nwg_repo_peer **x, **y;
	bool same;

	if (a->n_peers != b->n_peers || !nwg_hub_view_same_header(a, b))
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
