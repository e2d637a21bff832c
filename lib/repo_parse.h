/* SPDX-License-Identifier: Apache-2.0 */
/* Repository parser internals: the line driver and the per-key handlers. */
#ifndef NWG_REPO_PARSE_H
#define NWG_REPO_PARSE_H

#include <stdbool.h>

#include "nwg/repo.h"
#include "repo_dupset.h"

enum nwg_repo_section {
	NWG_SEC_NONE,
	NWG_SEC_INTERFACE,
	NWG_SEC_PEER,
	NWG_SEC_END, /* after "#@ end": only blank lines and comments */
};

struct nwg_repo_parser {
	const char *name;
	unsigned int line;
	enum nwg_repo_section sec;
	unsigned int seen; /* bit per field of the current section */
	struct nwg_hub_record *rec;
	struct nwg_repo_peer *peer;	     /* the current [Peer] */
	struct nwg_repo_dupset keys, spokes; /* the peers seen so far */
	/* journal mode (repo_journal.c): [Peer] sections only, each change
	 * closed by "#@ commit"; gone[i]: peer i is a removal */
	bool journal;
	bool *gone;
	size_t n_gone;
	/* header mode (nwg_repo_parse_header): done once [Interface] is */
	bool header;
};

enum {
	NWG_FIELD_AGENT = 1U << 0,    /* a "#@ key = value" line, else a wg "Key = Value" */
	NWG_FIELD_REQUIRED = 1U << 1, /* must appear in its section */
	NWG_FIELD_REPEAT = 1U << 2,   /* may appear more than once */
};

struct nwg_repo_field {
	const char *key;
	enum nwg_repo_section sec;
	unsigned int flags; /* NWG_FIELD_* */
	/* 0, or a reason for "name:line: reason" (never the value itself). */
	const char *(*set)(struct nwg_repo_parser *ps, char *val);
};

/* A handler's reason for an allocation failure (the parse returns -ENOMEM). */
extern const char nwg_repo_enomem[];

/* The table of known keys, terminated by a NULL key. */
extern const struct nwg_repo_field nwg_repo_fields[];

/* nwg_repo_parse of the [Interface] section alone: the record's header
 * fields (checked as nwg_repo_parse checks them), no peer read. */
int nwg_repo_parse_header(const char *buf, size_t len, const char *name,
			  struct nwg_hub_record **out, struct nwg_err *err);

#endif
