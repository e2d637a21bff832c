/* SPDX-License-Identifier: Apache-2.0 */
/* The privsep messages: field checks, run before encoding and after
 * decoding, on lib/'s grammar (the repository's id, interface and namespace
 * names; lib/addr.c CIDRs, decoded already; numeric endpoints). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <stdlib.h>

#include "nwg/ha.h"
#include "privsep/proto.h"
#include "reconcile/desired.h"
#include "reconcile/desired_ha.h"
#include "repo_check.h"

#define FIX_ALL	   ((1U << 9) - 1) /* NWG_FIX_KEY .. NWG_FIX_RECORD */
#define FIX_RECORD (1U << 8)	   /* NWG_FIX_RECORD */
#define POPF_ALL   7U		   /* NWG_POPF_ALLOWED | ENDPOINT | KEEPALIVE */
#define MTU_MIN	   68U
#define MTU_MAX	   65535U

_Static_assert(NWG_PS_DGRAM_MAX == NWG_HA_MSG_MAX && NWG_PS_CHUNKS_MAX == NWG_HA_CHUNKS_MAX,
	       "STREAM carries the endpoint stream's datagrams and chunks");
_Static_assert(NWG_PS_VRRP_RELEASE_VIP == 4, "VRRP ops 1..4");
_Static_assert(NWG_PS_DEV_FLAGS ==
		   (NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_PUBLIC_KEY | NWG_DEV_HAS_LISTEN_PORT),
	       "ACTUAL carries these device flags");

static int bad(struct nwg_err *err, const struct nwg_ps_msg *m, const char *field)
{
	return nwg_err_set(err, EINVAL, "%s: %s outside the grammar", nwg_ps_type_name(m->type),
			   field);
}

static bool opt_ifname(const char *s)
{
	return !*s || nwg_repo_ifname_valid(s);
}

static bool opt_netns(const char *s)
{
	return !*s || nwg_repo_netns_valid(s);
}

static bool mtu_ok(uint32_t mtu)
{
	return mtu == 0 || (mtu >= MTU_MIN && mtu <= MTU_MAX);
}

static bool text_ok(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

/* part: the ACTUAL part the peers belong to (read from a link or a record:
 * op SEEN; only a link's have counters, only a record's spoke port ids);
 * -1: an APPLY's peer operations and the desired peers the link has right. */
static const char *peers_bad(const struct nwg_ps_peer *p, size_t n, int part)
{
	union nwg_endpoint ep;

	for (size_t i = 0; i < n; i++) {
		if (part >= 0 ? p[i].op != NWG_PS_PEER_SEEN : p[i].op > NWG_PS_PEER_SEEN)
			return "peer op";
		if (p[i].port_id[0] &&
		    (part == NWG_PS_PART_LINK || !nwg_repo_id_valid(p[i].port_id)))
			return "peer port_id";
		if (p[i].fields & ~(part >= 0 ? NWG_PS_PEER_TRUNCATED : POPF_ALL))
			return "peer fields";
		if (part != NWG_PS_PART_LINK &&
		    (p[i].handshake_s || p[i].rx_bytes || p[i].tx_bytes))
			return "peer counters";
		if (nwg_key_is_zero(&p[i].key))
			return "peer key";
		if (p[i].endpoint[0] && nwg_endpoint_parse(&ep, p[i].endpoint) < 0)
			return "peer endpoint";
		if (p[i].n_allowed > NWG_PS_MAX_ALLOWED)
			return "peer allowed IPs";
	}
	return NULL;
}

/* A link the device of which did not answer carries no device data; one
 * that did carries known flags, and claims the record's key only with a key. */
static const char *link_part_bad(const struct nwg_ps_link *l)
{
	if (l->project_id[0] || l->home_netns[0])
		return "record fields in a link part";
	if (!nwg_repo_ifname_valid(l->ifname))
		return "ifname";
	if (!l->readable && (l->dev_flags || l->listen_port || l->n_peers ||
			     l->key_matches_record || !nwg_key_is_zero(&l->public_key)))
		return "device fields of an unreadable link";
	if (l->dev_flags & ~NWG_PS_DEV_FLAGS)
		return "device flags";
	if (l->key_matches_record &&
	    (!(l->dev_flags & NWG_DEV_HAS_PRIVATE_KEY) || nwg_key_is_zero(&l->public_key)))
		return "key_matches_record";
	return NULL;
}

static const char *record_part_bad(const struct nwg_ps_link *l)
{
	if (l->project_id[0] && !nwg_repo_id_valid(l->project_id))
		return "project_id";
	if (!nwg_repo_ifname_valid(l->ifname))
		return "ifname";
	if (!opt_netns(l->home_netns))
		return "home netns";
	if (l->readable || l->key_matches_record || l->dev_flags)
		return "device fields in a record part";
	if (nwg_key_is_zero(&l->public_key))
		return "public key";
	return NULL;
}

static const char *link_bad(const struct nwg_ps_link *l)
{
	const char *why = NULL;

	if (!nwg_repo_id_valid(l->port_id))
		return "port_id";
	if (!opt_netns(l->netns))
		return "netns";
	if (!mtu_ok(l->mtu) || l->addrs.n > NWG_PS_MAX_ADDRS)
		return "mtu or addresses";
	if (l->part == NWG_PS_PART_LINK)
		why = link_part_bad(l);
	else if (l->part == NWG_PS_PART_RECORD)
		why = record_part_bad(l);
	else if (l->part != NWG_PS_PART_CORRUPT)
		return "part";
	else if (l->project_id[0] || l->ifname[0] || l->netns[0] || l->home_netns[0] || l->up ||
		 !l->last || l->readable || l->key_matches_record || l->dev_flags || l->mtu ||
		 l->listen_port || !nwg_key_is_zero(&l->public_key) || l->addrs.n || l->n_peers)
		return "fields of a corrupt record";
	return why ? why : peers_bad(l->peers, l->n_peers, l->part);
}

/* The sealed envelope: present with key source SEALED and only then, on a
 * CREATE, in the grammar get_hubs' ha section is read with
 * (nwg_sealed_valid: NWG_SEALED_B64_LEN base64 characters, no padding);
 * lib/seal.c checks the rest when the executor opens it. */
static bool sealed_ok(const struct nwg_ps_apply *a)
{
	size_t n = strlen(a->sealed);

	if (a->key_src != NWG_PS_KEY_SEALED)
		return n == 0;
	return a->kind == NWG_PS_CREATE && nwg_sealed_valid(a->sealed, n);
}

/* DELTA: an UPDATE that rewrites the record by journaling its operations
 * alone (no SEEN peer); MORE: a CREATE or UPDATE with more peers to come. */
static bool apply_flags_ok(const struct nwg_ps_apply *a)
{
	if (a->flags & ~NWG_PS_APPLY_FLAGS)
		return false;
	if ((a->flags & (NWG_PS_APPLY_MORE | NWG_PS_APPLY_STANDBY)) && a->kind == NWG_PS_DELETE)
		return false;
	if (!(a->flags & NWG_PS_APPLY_DELTA))
		return true;
	if (a->kind != NWG_PS_UPDATE || !(a->fix & FIX_RECORD))
		return false;
	for (size_t i = 0; i < a->n_peers; i++)
		if (a->peers[i].op == NWG_PS_PEER_SEEN)
			return false;
	return true;
}

static const char *apply_bad(const struct nwg_ps_apply *a)
{
	if (a->kind > NWG_PS_UPDATE || a->key_src > NWG_PS_KEY_SEALED)
		return "kind or key source";
	if (!sealed_ok(a))
		return "sealed key";
	if (!nwg_repo_id_valid(a->port_id))
		return "port_id";
	if (a->kind != NWG_PS_DELETE && !nwg_repo_id_valid(a->project_id))
		return "project_id";
	if (a->project_id[0] && !nwg_repo_id_valid(a->project_id))
		return "project_id";
	if (!opt_ifname(a->ifname) || (a->kind != NWG_PS_DELETE && !a->ifname[0]))
		return "ifname";
	if (!opt_netns(a->netns) || !opt_netns(a->home_netns))
		return "netns";
	if (a->fix & ~FIX_ALL)
		return "fix flags";
	if (!apply_flags_ok(a))
		return "apply flags";
	if (!mtu_ok(a->mtu) || a->addrs.n > NWG_PS_MAX_ADDRS)
		return "mtu or addresses";
	return peers_bad(a->peers, a->n_peers, -1);
}

/* STREAM OPEN's chunk: its place in its snapshot, and lines in the one
 * strict endpoint-list grammar (nwg_ha_parse: keys, numeric endpoints). */
static const char *chunk_bad(const struct nwg_ps_result *r)
{
	struct nwg_ha_ep *v = NULL;
	size_t n = 0;
	int rc;

	if (!r->chunk_total)
		return r->chunk_idx || r->seq || r->text_len || r->text ? "chunk fields" : NULL;
	if (r->chunk_idx >= r->chunk_total || r->chunk_total > NWG_PS_CHUNKS_MAX || !r->seq)
		return "chunk index";
	if (r->text_len > NWG_PS_DGRAM_MAX || (r->text_len && !r->text) ||
	    (!r->text_len && r->text))
		return "chunk text length";
	if (!r->text_len)
		return NULL;
	if (strlen(r->text) != r->text_len)
		return "chunk text";
	rc = nwg_ha_parse(r->text, r->text_len, &v, &n, NULL);
	free(v);
	return rc < 0 ? "chunk text" : NULL;
}

static const char *result_bad(const struct nwg_ps_result *r)
{
	if (r->rc > 0 || r->rc < -4095)
		return "rc";
	if (!text_ok(r->error))
		return "error text";
	if (!opt_ifname(r->ifname) || !opt_netns(r->netns))
		return "ifname or netns";
	if (r->netns_state > NWG_PS_NETNS_KEPT)
		return "netns state";
	if (r->sealed[0] && !nwg_sealed_valid(r->sealed, strnlen(r->sealed, sizeof(r->sealed))))
		return "sealed";
	return chunk_bad(r);
}

/* STREAM: a known op; a datagram with OPEN only (and a floor: min_seq). */
static const char *stream_bad(const struct nwg_ps_stream *s)
{
	if (s->op != NWG_PS_STREAM_SEAL && s->op != NWG_PS_STREAM_OPEN)
		return "op";
	if (!nwg_repo_id_valid(s->port_id))
		return "port_id";
	if (nwg_key_is_zero(&s->peer_pub))
		return "peer public key";
	if ((s->dgram_len && !s->dgram) || (!s->dgram_len && s->dgram) ||
	    s->dgram_len > NWG_PS_DGRAM_MAX)
		return "datagram length";
	if (s->op == NWG_PS_STREAM_SEAL)
		return s->dgram_len || s->min_seq ? "SEAL with a datagram" : NULL;
	return s->dgram_len ? NULL : "OPEN without a datagram";
}

static const char *place_bad(const struct nwg_ps_place *p)
{
	if (!nwg_repo_id_valid(p->port_id))
		return "port_id";
	if (!opt_netns(p->netns))
		return "netns";
	if (!nwg_repo_ifname_valid(p->ifname))
		return "ifname";
	if (!mtu_ok(p->mtu) || p->addrs.n > NWG_PS_MAX_ADDRS)
		return "mtu or addresses";
	return NULL;
}

static const char *ids_bad(const struct nwg_ps_msg *m)
{
	const struct nwg_ps_ids *ids = &m->u.ids;

	if (ids->n > NWG_PS_MAX_IDS || ids->n_netns > NWG_PS_MAX_NETNS)
		return "id count";
	for (size_t i = 0; i < ids->n; i++)
		if (!nwg_repo_id_valid(ids->ids[i]))
			return "port id";
	if (m->type == NWG_PS_STATUS && ids->n_netns)
		return "namespaces";
	for (size_t i = 0; i < ids->n_netns; i++)
		if (!nwg_repo_netns_valid(ids->netns[i]))
			return "namespace";
	return NULL;
}

/* HA: a known op; ACTIVATE and RENEW paced, DEACTIVATE not; endpoints
 * (keyed, numeric) on an ACTIVATE only. The numbers are hostops.h's enum
 * nwg_ha_op (1..3). */
static const char *ha_bad(const struct nwg_ps_ha *h)
{
	union nwg_endpoint ep;

	if (h->op < 1 || h->op > 3)
		return "op";
	if (!nwg_repo_id_valid(h->port_id))
		return "port_id";
	if (h->op == 2 ? h->pace != 0 : h->pace < 1 || h->pace > NWG_PS_HA_PACE_MAX)
		return "pace";
	if (h->n_eps > NWG_PS_MAX_HA_EPS || (h->n_eps && h->op != 1))
		return "endpoint count";
	for (size_t i = 0; i < h->n_eps; i++) {
		if (nwg_key_is_zero(&h->eps[i].key))
			return "endpoint key";
		if (nwg_endpoint_parse(&ep, h->eps[i].endpoint) < 0)
			return "endpoint";
	}
	return NULL;
}

/* A numeric address of either family (a subnet's gateway). */
static bool ip_ok(const char *s)
{
	unsigned char b[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* OVN_PLUG: the port's MAC (unicast), its addresses, at most NWG_PS_MAX_GW
 * gateways, each a numeric address. */
static const char *ovn_bad(const struct nwg_ps_ovn *o)
{
	if (!nwg_repo_id_valid(o->port_id))
		return "port_id";
	if (!nwg_mac_valid(o->mac))
		return "mac";
	if (!mtu_ok(o->mtu) || o->addrs.n > NWG_PS_MAX_ADDRS)
		return "mtu or addresses";
	if (o->n_gateways > NWG_PS_MAX_GW)
		return "gateway count";
	for (size_t i = 0; i < o->n_gateways; i++)
		if (!ip_ok(o->gateways[i]))
			return "gateway";
	return NULL;
}

static const char *body_bad(const struct nwg_ps_msg *m)
{
	switch (m->type) {
	case NWG_PS_HELLO:
		return m->u.version ? NULL : "version";
	case NWG_PS_READ_ACTUAL:
	case NWG_PS_STATUS:
		return ids_bad(m);
	case NWG_PS_ACTUAL:
		return link_bad(&m->u.link);
	case NWG_PS_APPLY:
		return apply_bad(&m->u.apply);
	case NWG_PS_RESULT:
		return result_bad(&m->u.result);
	case NWG_PS_PLACE:
		return place_bad(&m->u.place);
	case NWG_PS_QUARANTINE:
	case NWG_PS_UNQUARANTINE:
		return nwg_repo_id_valid(m->u.port_id) ? NULL : "port_id";
	case NWG_PS_PURGE:
		return m->u.max_age_s ? NULL : "max age";
	case NWG_PS_SHUTDOWN:
		return NULL;
	case NWG_PS_NETNS_REMOVE:
		return m->u.netns[0] && nwg_repo_netns_valid(m->u.netns) ? NULL : "netns";
	case NWG_PS_SEAL:
		if (!nwg_repo_id_valid(m->u.seal.port_id))
			return "port_id";
		return nwg_key_is_zero(&m->u.seal.peer_pub) ? "peer public key" : NULL;
	case NWG_PS_HA:
		return ha_bad(&m->u.ha);
	case NWG_PS_STREAM:
		return stream_bad(&m->u.stream);
	case NWG_PS_VRRP:
		return m->u.vrrp.op >= NWG_PS_VRRP_START && m->u.vrrp.op <= NWG_PS_VRRP_RELEASE_VIP
			   ? NULL
			   : "op";
	case NWG_PS_OVN_PLUG:
		return ovn_bad(&m->u.ovn);
	case NWG_PS_OVN_SWEEP:
		return NULL;
	default:
		return "type";
	}
}

int nwg_ps_check(const struct nwg_ps_msg *m, struct nwg_err *err)
{
	const char *field = body_bad(m);

	return field ? bad(err, m, field) : 0;
}
