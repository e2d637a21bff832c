/* SPDX-License-Identifier: Apache-2.0 */
/* Duplicate detection among a record's peers in O(1) per peer (the parser
 * meets 10,000-peer records): open addressing over peer indices. */
#ifndef NWG_REPO_DUPSET_H
#define NWG_REPO_DUPSET_H

#include <stdbool.h>
#include <stddef.h>

#include "nwg/repo.h"

struct nwg_repo_dupset {
	size_t *slot; /* peer index + 1; 0 = empty */
	size_t cap, n;
};

/* Adds peer i of rec by its key (by_key) or its spoke port id (!by_key):
 * 1 when an earlier peer already has it, 0 when added, -ENOMEM. */
int nwg_repo_dupset_add(struct nwg_repo_dupset *s, const struct nwg_hub_record *rec, size_t i,
			bool by_key);
void nwg_repo_dupset_clear(struct nwg_repo_dupset *s);

#endif
