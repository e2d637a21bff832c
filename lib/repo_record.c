/* SPDX-License-Identifier: Apache-2.0 */
/* Hub records: allocation, ownership, wiping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "nwg/repo.h"
#include "nwg/secmem.h"
#include "strv.h"

/* In secure memory: the record holds the hub's private key. */
struct nwg_hub_record *nwg_hub_record_new(void)
{
	return nwg_secmem_alloc(sizeof(struct nwg_hub_record));
}

void nwg_hub_record_free(struct nwg_hub_record *rec)
{
	if (!rec)
		return;
	for (size_t i = 0; i < rec->n_peers; i++)
		nwg_strv_free(rec->peers[i].allowed_ips);
	free(rec->peers);
	nwg_strv_free(rec->addresses);
	nwg_secmem_free(rec); /* wipes the key */
}

/* An interface address: host bits may be set ("10.99.0.1/24"). */
int nwg_hub_record_add_address(struct nwg_hub_record *rec, const char *cidr)
{
	struct nwg_allowedip a;

	if (!rec || !cidr || nwg_cidr_parse(&a, cidr, true) < 0)
		return -EINVAL;
	return nwg_strv_push(&rec->addresses, cidr);
}

/* The returned peer is valid until the next add on this record. */
struct nwg_repo_peer *nwg_hub_record_add_peer(struct nwg_hub_record *rec)
{
	struct nwg_repo_peer *peers;

	if (!rec) {
		errno = EINVAL;
		return NULL;
	}
	peers = realloc(rec->peers, (rec->n_peers + 1) * sizeof(*peers));
	if (!peers)
		return NULL;
	rec->peers = peers;
	memset(&peers[rec->n_peers], 0, sizeof(*peers));
	return &peers[rec->n_peers++];
}

/* An allowed IP: host bits must be zero ("10.99.0.5/32"). */
int nwg_repo_peer_add_allowed_ip(struct nwg_repo_peer *p, const char *cidr)
{
	struct nwg_allowedip a;

	if (!p || !cidr || nwg_allowedip_parse(&a, cidr) < 0)
		return -EINVAL;
	return nwg_strv_push(&p->allowed_ips, cidr);
}
