/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-record validation: what nwg_repo_save writes must load back. */
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "repo_check.h"
#include "repo_dupset.h"

static bool netns_ok(const char *s)
{
	return s[0] == '\0' || nwg_repo_netns_valid(s);
}

static int check_hub(const struct nwg_hub_record *rec, struct nwg_err *err)
{
	struct nwg_allowedip a;

	if (!nwg_repo_id_valid(rec->port_id))
		return nwg_err_set(err, EINVAL, "hub record: invalid port_id");
	if (!nwg_repo_id_valid(rec->project_id))
		return nwg_err_set(err, EINVAL, "hub record: invalid project_id");
	if (!nwg_repo_ifname_valid(rec->ifname))
		return nwg_err_set(err, EINVAL, "hub record: invalid ifname");
	if (!netns_ok(rec->netns) || !netns_ok(rec->home_netns))
		return nwg_err_set(err, EINVAL, "hub record: invalid namespace name");
	if (nwg_key_is_zero(&rec->private_key))
		return nwg_err_set(err, EINVAL, "hub record: missing private key");
	if (rec->listen_port == 0)
		return nwg_err_set(err, EINVAL, "hub record: missing listen port");
	if (rec->mtu && (rec->mtu < NWG_MTU_MIN || rec->mtu > NWG_MTU_MAX))
		return nwg_err_set(err, EINVAL, "hub record: mtu %u out of range", rec->mtu);
	for (size_t i = 0; rec->addresses && rec->addresses[i]; i++) {
		if (nwg_cidr_parse(&a, rec->addresses[i], true) < 0)
			return nwg_err_set(err, EINVAL, "hub record: invalid address %zu", i + 1);
	}
	if (rec->n_peers && !rec->peers)
		return nwg_err_set(err, EINVAL, "hub record: peers missing");
	return 0;
}

int nwg_repo_peer_check(const struct nwg_hub_record *rec, size_t i, struct nwg_err *err)
{
	const struct nwg_repo_peer *p = &rec->peers[i];
	struct nwg_allowedip a;

	if (!nwg_repo_id_valid(p->port_id))
		return nwg_err_set(err, EINVAL, "hub record: peer %zu: invalid spoke port id",
				   i + 1);
	if (nwg_key_is_zero(&p->public_key))
		return nwg_err_set(err, EINVAL, "hub record: peer %zu: missing public key", i + 1);
	if (p->endpoint[0] && !nwg_repo_endpoint_valid(p->endpoint))
		return nwg_err_set(err, EINVAL, "hub record: peer %zu: invalid endpoint", i + 1);
	for (size_t j = 0; p->allowed_ips && p->allowed_ips[j]; j++) {
		if (nwg_allowedip_parse(&a, p->allowed_ips[j]) < 0)
			return nwg_err_set(err, EINVAL,
					   "hub record: peer %zu: invalid allowed IP %zu", i + 1,
					   j + 1);
	}
	return 0;
}

/* Two peers with one key or one spoke: O(n) expected (repo_dupset.c). */
static int check_unique(const struct nwg_hub_record *rec, struct nwg_err *err)
{
	struct nwg_repo_dupset keys = {0}, spokes = {0};
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < rec->n_peers; i++) {
		int k = nwg_repo_dupset_add(&keys, rec, i, true);
		int s = k ? 0 : nwg_repo_dupset_add(&spokes, rec, i, false);

		if (k < 0 || s < 0)
			ret = nwg_err_set(err, ENOMEM, "out of memory");
		else if (k)
			ret = nwg_err_set(err, EINVAL, "hub record: peer %zu shares a key", i + 1);
		else if (s)
			ret = nwg_err_set(err, EINVAL,
					  "hub record: peer %zu: same spoke as another", i + 1);
	}
	nwg_repo_dupset_clear(&keys);
	nwg_repo_dupset_clear(&spokes);
	return ret;
}

int nwg_hub_record_check(const struct nwg_hub_record *rec, struct nwg_err *err)
{
	int ret;

	if (!rec)
		return nwg_err_set(err, EINVAL, "hub record: missing");
	ret = check_hub(rec, err);
	for (size_t i = 0; ret == 0 && i < rec->n_peers; i++)
		ret = nwg_repo_peer_check(rec, i, err);
	return ret ? ret : check_unique(rec, err);
}
