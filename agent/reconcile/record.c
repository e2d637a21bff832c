/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int nwg_repo_peer_set_spoke(struct nwg_repo_peer *p, const struct nwg_dspoke *s)
{
	char buf[NWG_IPNET_STRLEN];

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

int nwg_record_add_spoke(struct nwg_hub_record *rec, const struct nwg_dspoke *s)
{
	struct nwg_repo_peer *p = nwg_hub_record_add_peer(rec);

	return p ? nwg_repo_peer_set_spoke(p, s) : -1;
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
