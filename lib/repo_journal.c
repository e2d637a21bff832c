/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The peer journal: a change to a few peers of a 10,000-peer hub appends
 * those peers (write + fsync of a few hundred bytes) instead of rewriting the
 * whole record. Same grammar as the record's [Peer] sections:
 *
 *   [Peer]                        an added or changed peer: its full state
 *   #@ spoke = <spoke port id>
 *   PublicKey = <base64>
 *   AllowedIPs = ...
 *   [Peer]                        a removed peer
 *   #@ spoke = <spoke port id>
 *   PublicKey = <base64>
 *   #@ removed = true
 *   #@ commit                     ends one change (written with one write())
 *
 * Order of durability: nwg_repo_save removes the journal (and syncs the
 * directory) before it replaces the record, so a crash leaves either the old
 * record with its journal, or the old record alone (the agent then finds the
 * record behind the device and saves it whole), never a journal applied to a
 * record it does not belong to. A change cut short by a crash has no
 * "#@ commit" and is ignored; the next append then folds the journal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nwg/secmem.h"
#include "repo_check.h"
#include "repo_fs.h"
#include "repo_journal.h"
#include "sbuf.h"
#include "strv.h"

/* Journal past this size (plus 1/16 of the record's): fold it. */
#define JOURNAL_MIN_FOLD (64U << 10)

static void journal_name(const char *port_id, char *buf, size_t len)
{
	snprintf(buf, len, "%s" NWG_REPO_JOURNAL_SUFFIX, port_id);
}

void nwg_repo_journal_clear(struct nwg_repo_journal *j)
{
	nwg_hub_record_free(j->peers);
	free(j->gone);
	memset(j, 0, sizeof(*j));
}

static struct nwg_repo_peer *find_peer(struct nwg_hub_record *rec, const struct nwg_key *key)
{
	for (size_t i = 0; i < rec->n_peers; i++) {
		if (!memcmp(rec->peers[i].public_key.b, key->b, sizeof(key->b)))
			return &rec->peers[i];
	}
	return NULL;
}

/* Moves the state of from into to (from keeps no allowed IPs). */
static void peer_take(struct nwg_repo_peer *to, struct nwg_repo_peer *from)
{
	nwg_strv_free(to->allowed_ips);
	*to = *from;
	from->allowed_ips = NULL;
}

int nwg_repo_journal_apply(struct nwg_hub_record *rec, struct nwg_repo_journal *j, const char *name,
			   struct nwg_err *err)
{
	struct nwg_err e = {{0}};

	for (size_t i = 0; j->peers && i < j->peers->n_peers; i++) {
		struct nwg_repo_peer *c = &j->peers->peers[i];
		struct nwg_repo_peer *p = find_peer(rec, &c->public_key);

		if (i < j->n_gone && j->gone[i]) {
			if (!p)
				continue;
			nwg_strv_free(p->allowed_ips);
			memmove(p, p + 1,
				(size_t)(&rec->peers[rec->n_peers] - (p + 1)) * sizeof(*p));
			rec->n_peers--;
			continue;
		}
		if (!p && !(p = nwg_hub_record_add_peer(rec)))
			return nwg_err_set(err, ENOMEM, "%s: out of memory", name);
		peer_take(p, c);
	}
	if (nwg_hub_record_check(rec, &e) < 0)
		return nwg_err_set(err, EBADMSG, "%s: the record with its journal: %s", name,
				   e.msg);
	return 0;
}

/* A journal older than its record was written before the record was last
 * replaced whole (by an agent that knows no journal, or a restored backup):
 * it is stale and never applied. Our own whole save removes the journal
 * before it replaces the record, and appends come after it. */
static bool journal_stale(struct nwg_repo *repo, const char *port_id, const struct stat *j)
{
	char file[NWG_ID_MAX + sizeof(NWG_REPO_SUFFIX)];
	struct stat rec;

	if (nwg_repo_file_name(port_id, file, sizeof(file), NULL) < 0 ||
	    fstatat(repo->dirfd, file, &rec, AT_SYMLINK_NOFOLLOW) < 0)
		return true;
	if (rec.st_mtim.tv_sec != j->st_mtim.tv_sec)
		return rec.st_mtim.tv_sec > j->st_mtim.tv_sec;
	return rec.st_mtim.tv_nsec > j->st_mtim.tv_nsec;
}

int nwg_repo_journal_load(struct nwg_repo *repo, const char *port_id, struct nwg_hub_record *rec,
			  struct nwg_err *err)
{
	char file[NWG_ID_MAX + sizeof(NWG_REPO_JOURNAL_SUFFIX)], path[4096], *buf = NULL;
	struct nwg_repo_journal j;
	struct stat st;
	size_t len = 0;
	int fd, ret;

	journal_name(port_id, file, sizeof(file));
	snprintf(path, sizeof(path), "%s/%s", repo->dir, file);
	fd = openat(repo->dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0
				       : nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || journal_stale(repo, port_id, &st)) {
		close(fd);
		return nwg_err_set(err, ESTALE, "%s: older than its record: not applied", path);
	}
	ret = nwg_repo_read_fd(fd, path, &buf, &len, err);
	close(fd);
	if (ret < 0)
		return ret;
	ret = nwg_repo_parse_journal(buf, len, path, &j, err);
	nwg_secmem_free(buf);
	if (ret == 0)
		ret = nwg_repo_journal_apply(rec, &j, path, err);
	nwg_repo_journal_clear(&j);
	return ret;
}

int nwg_repo_journal_drop(struct nwg_repo *repo, const char *port_id)
{
	char file[NWG_ID_MAX + sizeof(NWG_REPO_JOURNAL_SUFFIX)];

	journal_name(port_id, file, sizeof(file));
	if (unlinkat(repo->dirfd, file, 0) < 0)
		return errno == ENOENT ? 0 : -errno;
	return fsync(repo->dirfd) < 0 ? -errno : 1;
}

/* The change as journal text (removals first: a spoke whose key changed is
 * removed, then added under its new key, in one change). */
static int format_change(const struct nwg_hub_record *set, const struct nwg_hub_record *gone,
			 struct nwg_sbuf *sb, struct nwg_err *err)
{
	char b64[NWG_KEY_B64_LEN + 1];
	int r = 0;

	for (size_t i = 0; r == 0 && gone && i < gone->n_peers; i++) {
		const struct nwg_repo_peer *p = &gone->peers[i];

		if (!nwg_repo_id_valid(p->port_id) || nwg_key_is_zero(&p->public_key)) {
			r = nwg_err_set(err, EINVAL, "journal: removed peer %zu: invalid", i + 1);
			break;
		}
		nwg_key_to_b64(b64, &p->public_key);
		nwg_sbuf_printf(sb, "\n[Peer]\n#@ spoke = %s\nPublicKey = %s\n#@ removed = true\n",
				p->port_id, b64);
	}
	for (size_t i = 0; r == 0 && set && i < set->n_peers; i++) {
		if ((r = nwg_repo_peer_check(set, i, err)) == 0)
			nwg_repo_format_peer(sb, &set->peers[i]);
	}
	nwg_sbuf_puts(sb, "#@ commit\n");
	if (r == 0 && sb->err)
		r = nwg_err_set(err, -sb->err, "journal: out of memory");
	return r;
}

/* Room for one more change: the record exists, the journal is ours, small
 * enough and not torn. 1: append; 0: fold (save whole); <0 error. */
static int may_append(struct nwg_repo *repo, const char *port_id, int fd, size_t add)
{
	char file[NWG_ID_MAX + sizeof(NWG_REPO_SUFFIX)], tail[10];
	struct stat st, base;

	if (nwg_repo_file_name(port_id, file, sizeof(file), NULL) < 0 ||
	    fstatat(repo->dirfd, file, &base, AT_SYMLINK_NOFOLLOW) < 0 || fstat(fd, &st) < 0)
		return 0;
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) ||
	    st.st_nlink != 1)
		return 0;
	if ((size_t)st.st_size + add > JOURNAL_MIN_FOLD + (size_t)base.st_size / 16)
		return 0;
	if (st.st_size == 0)
		return 1;
	if (journal_stale(repo, port_id, &st))
		return 0; /* the whole save that follows removes it */
	return st.st_size >= (off_t)sizeof(tail) &&
	       pread(fd, tail, sizeof(tail), st.st_size - (off_t)sizeof(tail)) ==
		   (ssize_t)sizeof(tail) &&
	       !memcmp(tail, "#@ commit\n", sizeof(tail));
}

int nwg_repo_append_peers(struct nwg_repo *repo, const char *port_id,
			  const struct nwg_hub_record *set, const struct nwg_hub_record *gone,
			  struct nwg_err *err)
{
	char file[NWG_ID_MAX + sizeof(NWG_REPO_JOURNAL_SUFFIX)];
	struct nwg_sbuf sb = {0};
	int fd, r;

	if (!repo || !nwg_repo_id_valid(port_id))
		return nwg_err_set(err, EINVAL, "journal: bad arguments");
	if ((r = format_change(set, gone, &sb, err)) < 0) {
		nwg_sbuf_wipe(&sb);
		return r;
	}
	journal_name(port_id, file, sizeof(file));
	fd = openat(repo->dirfd, file, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	r = fd < 0 ? -EAGAIN : may_append(repo, port_id, fd, sb.len);
	if (r == 1) {
		ssize_t n = write(fd, sb.p, sb.len);

		r = n == (ssize_t)sb.len && fsync(fd) == 0 ? 0 : -EAGAIN;
	} else {
		r = -EAGAIN;
	}
	if (fd >= 0)
		close(fd);
	nwg_sbuf_wipe(&sb);
	/* the directory entry of a new journal must last too */
	if (r == 0 && fsync(repo->dirfd) < 0)
		r = -EAGAIN;
	return r == -EAGAIN ? nwg_err_set(err, EAGAIN, "journal: fold into the record") : r;
}
