/* SPDX-License-Identifier: Apache-2.0 */
/* The channel repository: one file per hub, enough to re-create it identically. */
#ifndef NWG_REPO_H
#define NWG_REPO_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "nwg/err.h"
#include "nwg/key.h"
#include "nwg/netns.h"

#define NWG_ID_MAX 64 /* Neutron ids (UUIDs are 36) and project ids */

struct nwg_repo_peer {
	char port_id[NWG_ID_MAX + 1]; /* the spoke's port id */
	struct nwg_key public_key;
	char endpoint[64]; /* "" = none; "host:port" as given */
	uint16_t persistent_keepalive;
	char **allowed_ips; /* NULL-terminated, "10.0.0.5/32" */
};

struct nwg_hub_record {
	char port_id[NWG_ID_MAX + 1];
	char project_id[NWG_ID_MAX + 1];
	char ifname[IFNAMSIZ];			 /* current name (wg-xxx or qr-xxx) */
	char netns[NWG_NETNS_NAME_MAX + 1];	 /* where it lives now; "" = root */
	char home_netns[NWG_NETNS_NAME_MAX + 1]; /* tun-<project> (or "" for root hubs) */
	struct nwg_key private_key;		 /* wiped by nwg_hub_record_free */
	uint16_t listen_port;
	unsigned int mtu; /* 0 = not set */
	bool up;
	char **addresses; /* NULL-terminated CIDRs on the link */
	struct nwg_repo_peer *peers;
	size_t n_peers;
};

/* Records live in secure memory (nwg/secmem.h): not in core dumps, locked
 * where the limit allows, wiped on free. Never copy one by value. */
struct nwg_hub_record *nwg_hub_record_new(void);
void nwg_hub_record_free(struct nwg_hub_record *rec); /* wipes the key; NULL-safe */
/* Helpers owning copies of the strings. */
int nwg_hub_record_add_address(struct nwg_hub_record *rec, const char *cidr);
struct nwg_repo_peer *nwg_hub_record_add_peer(struct nwg_hub_record *rec);
int nwg_repo_peer_add_allowed_ip(struct nwg_repo_peer *p, const char *cidr);

struct nwg_repo;

/* Opens (creating if missing) the directory with mode 0700; refuses a
 * directory that is group/world accessible or not owned by us (-EPERM). */
int nwg_repo_open(struct nwg_repo **out, const char *dir, struct nwg_err *err);
void nwg_repo_close(struct nwg_repo *repo);

/* Removes temp records a crash left behind (they may hold a private key):
 * the number removed, or a negative errno. Call once at start, before any
 * save (a temp file of a save in progress would go too). */
int nwg_repo_remove_temp(struct nwg_repo *repo, struct nwg_err *err);

/* Quarantine (<dir>/quarantine/, 0700): moves a hub's record there (1) or
 * does nothing when there is none (0); its age starts now. */
int nwg_repo_quarantine(struct nwg_repo *repo, const char *port_id, struct nwg_err *err);
/* Moves a quarantined record back (1) unless the repository already has one
 * for that port (0); 0 when none is quarantined. */
int nwg_repo_unquarantine(struct nwg_repo *repo, const char *port_id, struct nwg_err *err);
/* Removes quarantined records at least max_age_s old: how many, or -errno. */
int nwg_repo_purge_quarantine(struct nwg_repo *repo, long max_age_s, time_t now,
			      struct nwg_err *err);

/* Atomic replace: temp file 0600, write, fsync, rename, fsync dir.
 * File name: <port_id>.conf. The file is valid `wg setconf` input: the
 * agent's own fields are '#'-comments. */
int nwg_repo_save(struct nwg_repo *repo, const struct nwg_hub_record *rec, struct nwg_err *err);
/* Incremental save of a recorded hub's peers: appends one change (set: the
 * full new state of added or changed peers; gone: removed peers, spoke and
 * key; both records of which only the peers are used, either may be NULL) to
 * "<port_id>.journal" (0600; one write, fsync), which every load applies on
 * top of "<port_id>.conf". -EAGAIN when the change cannot be appended (no
 * record file, a journal due for folding: more than 64 KiB + 1/16 of the
 * record, or torn by a crash): the caller saves the whole record, which
 * folds the journal in. The journal holds no key material but public keys. */
int nwg_repo_append_peers(struct nwg_repo *repo, const char *port_id,
			  const struct nwg_hub_record *set, const struct nwg_hub_record *gone,
			  struct nwg_err *err);
/* -ENOENT if absent; -EBADMSG with "file:line: reason" if corrupt; -EPERM
 * for a file with group/other mode bits, another owner or more than one link
 * (never read: its key may have been seen or planted by someone else). */
int nwg_repo_load(struct nwg_repo *repo, const char *port_id, struct nwg_hub_record **out,
		  struct nwg_err *err);
/* The private key of a record alone, for the code that creates or rekeys a
 * link: the same file checks as nwg_repo_load (regular file, no symlink,
 * owner, mode, one link, size; same errors) and the same grammar for the
 * [Interface] section (required fields, port id = file name); the peers and
 * the journal are not read. *key: the caller's (secure) memory. */
int nwg_repo_load_key(struct nwg_repo *repo, const char *port_id, struct nwg_key *key,
		      struct nwg_err *err);
/* Missing is success (idempotent). */
int nwg_repo_remove(struct nwg_repo *repo, const char *port_id, struct nwg_err *err);

/* Calls cb for each record; a corrupt file yields cb(NULL, path, err) and the
 * walk goes on (never fatal). Stops early if cb returns non-zero. */
typedef int (*nwg_repo_each_fn)(const struct nwg_hub_record *rec, const char *path,
				const struct nwg_err *err, void *ctx);
int nwg_repo_foreach(struct nwg_repo *repo, nwg_repo_each_fn cb, void *ctx, struct nwg_err *err);

/* Serialisation, exposed for tests and fuzzers (no filesystem). *out is a
 * NUL-terminated string in secure memory (it holds the private key) that the
 * caller releases with nwg_secmem_free (nwg/secmem.h). */
int nwg_repo_format(const struct nwg_hub_record *rec, char **out, size_t *len);
int nwg_repo_parse(const char *buf, size_t len, const char *name, struct nwg_hub_record **out,
		   struct nwg_err *err);

#endif
