/* SPDX-License-Identifier: Apache-2.0 */
/* The peer journal of a hub record (lib/repo_journal.c): "<port_id>.journal"
 * next to "<port_id>.conf", peer changes appended since the record was last
 * written whole, applied on every load. */
#ifndef NWG_REPO_JOURNAL_H
#define NWG_REPO_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "nwg/repo.h"

#define NWG_REPO_JOURNAL_SUFFIX ".journal"

struct nwg_sbuf;

/* Parsed journal: the changes in order; gone[i] (i < n_gone) marks peer i of
 * peers as a removal, any other peer is a full new state. */
struct nwg_repo_journal {
	struct nwg_hub_record *peers; /* only ->peers / ->n_peers used */
	bool *gone;
	size_t n_gone;
};

/* Strict parse of the committed changes (a torn last change is ignored). */
int nwg_repo_parse_journal(const char *buf, size_t len, const char *name,
			   struct nwg_repo_journal *out, struct nwg_err *err);
void nwg_repo_journal_clear(struct nwg_repo_journal *j);
/* Applies the changes to rec, in order, then validates the whole record. */
int nwg_repo_journal_apply(struct nwg_hub_record *rec, struct nwg_repo_journal *j, const char *name,
			   struct nwg_err *err);
/* Reads "<port_id>.journal" (absent: nothing to do) and applies it to rec. */
int nwg_repo_journal_load(struct nwg_repo *repo, const char *port_id, struct nwg_hub_record *rec,
			  struct nwg_err *err);
/* Removes "<port_id>.journal" and syncs the directory: 1, 0 if absent, -errno. */
int nwg_repo_journal_drop(struct nwg_repo *repo, const char *port_id);

/* One "[Peer]" section as the record file writes it (repo_format.c). */
void nwg_repo_format_peer(struct nwg_sbuf *sb, const struct nwg_repo_peer *p);

#endif
