/* SPDX-License-Identifier: Apache-2.0 */
/* Repository parser: one strict handler per key. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "repo_check.h"
#include "repo_parse.h"

const char nwg_repo_enomem[] = "out of memory";

static const char *set_port_id(struct nwg_repo_parser *ps, char *val)
{
	if (!nwg_repo_id_valid(val))
		return "invalid port_id";
	strcpy(ps->rec->port_id, val);
	return NULL;
}

static const char *set_project_id(struct nwg_repo_parser *ps, char *val)
{
	if (!nwg_repo_id_valid(val))
		return "invalid project_id";
	strcpy(ps->rec->project_id, val);
	return NULL;
}

static const char *set_ifname(struct nwg_repo_parser *ps, char *val)
{
	if (!nwg_repo_ifname_valid(val))
		return "invalid ifname";
	strcpy(ps->rec->ifname, val);
	return NULL;
}

static const char *set_netns(struct nwg_repo_parser *ps, char *val)
{
	if (!nwg_repo_netns_valid(val))
		return "invalid netns";
	strcpy(ps->rec->netns, val);
	return NULL;
}

static const char *set_home_netns(struct nwg_repo_parser *ps, char *val)
{
	if (!nwg_repo_netns_valid(val))
		return "invalid home_netns";
	strcpy(ps->rec->home_netns, val);
	return NULL;
}

static const char *set_mtu(struct nwg_repo_parser *ps, char *val)
{
	uint32_t v;

	if (nwg_parse_u32(val, strlen(val), NWG_MTU_MAX, &v) < 0 || v < NWG_MTU_MIN)
		return "invalid mtu";
	ps->rec->mtu = v;
	return NULL;
}

static const char *set_up(struct nwg_repo_parser *ps, char *val)
{
	if (strcmp(val, "true") && strcmp(val, "false"))
		return "invalid up (true or false)";
	ps->rec->up = val[0] == 't';
	return NULL;
}

static const char *set_address(struct nwg_repo_parser *ps, char *val)
{
	int ret = nwg_hub_record_add_address(ps->rec, val);

	return ret == -ENOMEM ? nwg_repo_enomem : ret < 0 ? "invalid address" : NULL;
}

static const char *set_private_key(struct nwg_repo_parser *ps, char *val)
{
	int ret = nwg_key_from_b64(&ps->rec->private_key, val, strlen(val));

	nwg_wipe(val, strlen(val));
	if (ret < 0 || nwg_key_is_zero(&ps->rec->private_key))
		return "invalid PrivateKey";
	return NULL;
}

static const char *set_port(uint16_t *out, const char *val)
{
	uint32_t v;

	if (nwg_parse_u32(val, strlen(val), 65535, &v) < 0 || v == 0)
		return "out of range";
	*out = (uint16_t)v;
	return NULL;
}

static const char *set_listen_port(struct nwg_repo_parser *ps, char *val)
{
	return set_port(&ps->rec->listen_port, val) ? "invalid ListenPort" : NULL;
}

static const char *set_spoke(struct nwg_repo_parser *ps, char *val)
{
	int r;

	if (!nwg_repo_id_valid(val))
		return "invalid spoke";
	strcpy(ps->peer->port_id, val);
	if (ps->journal)     /* a change may remove a spoke's old key and add its new one */
		return NULL; /* the record with the journal applied is checked whole */
	r = nwg_repo_dupset_add(&ps->spokes, ps->rec, ps->rec->n_peers - 1, false);
	if (r < 0)
		return nwg_repo_enomem;
	return r ? "duplicate spoke" : NULL;
}

static const char *set_public_key(struct nwg_repo_parser *ps, char *val)
{
	struct nwg_key *k = &ps->peer->public_key;

	int r;

	if (nwg_key_from_b64(k, val, strlen(val)) < 0 || nwg_key_is_zero(k))
		return "invalid PublicKey";
	if (ps->journal)
		return NULL;
	r = nwg_repo_dupset_add(&ps->keys, ps->rec, ps->rec->n_peers - 1, true);
	if (r < 0)
		return nwg_repo_enomem;
	return r ? "duplicate PublicKey" : NULL;
}

static const char *set_allowed_ips(struct nwg_repo_parser *ps, char *val)
{
	for (char *item = val, *next; item; item = next) {
		char *end;
		int ret;

		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		item += strspn(item, " \t");
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		ret = nwg_repo_peer_add_allowed_ip(ps->peer, item);
		if (ret < 0)
			return ret == -ENOMEM ? nwg_repo_enomem : "invalid AllowedIPs";
	}
	return NULL;
}

static const char *set_endpoint(struct nwg_repo_parser *ps, char *val)
{
	if (!nwg_repo_endpoint_valid(val))
		return "invalid Endpoint";
	strcpy(ps->peer->endpoint, val);
	return NULL;
}

/* Journal only: "#@ removed = true" makes the [Peer] a removal. */
static const char *set_removed(struct nwg_repo_parser *ps, char *val)
{
	size_t i = ps->rec->n_peers - 1;
	bool *g;

	if (!ps->journal)
		return "#@ removed outside a journal";
	if (strcmp(val, "true"))
		return "invalid removed (true)";
	if (i >= ps->n_gone) {
		g = realloc(ps->gone, (i + 1) * sizeof(*g));
		if (!g)
			return nwg_repo_enomem;
		memset(g + ps->n_gone, 0, (i + 1 - ps->n_gone) * sizeof(*g));
		ps->gone = g;
		ps->n_gone = i + 1;
	}
	ps->gone[i] = true;
	return NULL;
}

static const char *set_keepalive(struct nwg_repo_parser *ps, char *val)
{
	return set_port(&ps->peer->persistent_keepalive, val) ? "invalid PersistentKeepalive"
							      : NULL;
}

/* A: an agent "#@" line, R: required, M: may repeat. */
#define A NWG_FIELD_AGENT
#define R NWG_FIELD_REQUIRED
#define M NWG_FIELD_REPEAT

const struct nwg_repo_field nwg_repo_fields[] = {
    {"port_id", NWG_SEC_INTERFACE, A | R, set_port_id},
    {"project_id", NWG_SEC_INTERFACE, A | R, set_project_id},
    {"ifname", NWG_SEC_INTERFACE, A | R, set_ifname},
    {"netns", NWG_SEC_INTERFACE, A, set_netns},
    {"home_netns", NWG_SEC_INTERFACE, A, set_home_netns},
    {"mtu", NWG_SEC_INTERFACE, A, set_mtu},
    {"up", NWG_SEC_INTERFACE, A | R, set_up},
    {"address", NWG_SEC_INTERFACE, A | M, set_address},
    {"PrivateKey", NWG_SEC_INTERFACE, R, set_private_key},
    {"ListenPort", NWG_SEC_INTERFACE, R, set_listen_port},
    {"spoke", NWG_SEC_PEER, A | R, set_spoke},
    {"PublicKey", NWG_SEC_PEER, R, set_public_key},
    {"AllowedIPs", NWG_SEC_PEER, 0, set_allowed_ips},
    {"Endpoint", NWG_SEC_PEER, 0, set_endpoint},
    {"PersistentKeepalive", NWG_SEC_PEER, 0, set_keepalive},
    {"removed", NWG_SEC_PEER, A, set_removed},
    {NULL, NWG_SEC_NONE, 0, NULL},
};
