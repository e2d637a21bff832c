/* SPDX-License-Identifier: Apache-2.0 */
/* Quarantine: the records of deleted hubs are kept for a while under
 * <repository>/quarantine/ (0700), so that a hub deleted by mistake (or by a
 * forged answer) comes back with the same key and listen port. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repo_fs.h"
#include "repo_journal.h"

#define QDIR "quarantine"

static int open_qdir(struct nwg_repo *repo, bool create, struct nwg_err *err)
{
	int fd;

	if (create && mkdirat(repo->dirfd, QDIR, 0700) < 0 && errno != EEXIST)
		return nwg_err_set(err, errno, "%s/" QDIR ": %s", repo->dir, strerror(errno));
	fd = openat(repo->dirfd, QDIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && (create || errno != ENOENT))
		return nwg_err_set(err, errno, "%s/" QDIR ": %s", repo->dir, strerror(errno));
	return fd < 0 ? -ENOENT : fd;
}

/* The quarantine keeps one file: a journal is folded into the record first. */
static int fold_journal(struct nwg_repo *repo, const char *port_id, struct nwg_err *err)
{
	char jfile[NWG_ID_MAX + sizeof(NWG_REPO_JOURNAL_SUFFIX)];
	struct nwg_hub_record *rec = NULL;
	int ret;

	snprintf(jfile, sizeof(jfile), "%s" NWG_REPO_JOURNAL_SUFFIX, port_id);
	if (faccessat(repo->dirfd, jfile, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	ret = nwg_repo_load(repo, port_id, &rec, err);
	if (ret == 0)
		ret = nwg_repo_save(repo, rec, err);
	nwg_hub_record_free(rec);
	return ret;
}

int nwg_repo_quarantine(struct nwg_repo *repo, const char *port_id, struct nwg_err *err)
{
	char file[NWG_ID_MAX + sizeof(NWG_REPO_SUFFIX)];
	int q, ret;

	if (!repo)
		return nwg_err_set(err, EINVAL, "repository: missing argument");
	if ((ret = nwg_repo_file_name(port_id, file, sizeof(file), err)) < 0)
		return ret;
	if (faccessat(repo->dirfd, file, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0; /* nothing recorded */
	if ((ret = fold_journal(repo, port_id, err)) < 0)
		return ret;
	if ((q = open_qdir(repo, true, err)) < 0)
		return q;
	ret = renameat(repo->dirfd, file, q, file) < 0 ? -errno : 0;
	/* the quarantine's age starts now */
	if (ret == 0 && utimensat(q, file, NULL, AT_SYMLINK_NOFOLLOW) < 0)
		ret = -errno;
	if (ret == 0 && fsync(q) == 0 && fsync(repo->dirfd) == 0)
		ret = 1;
	close(q);
	if (ret < 0 && ret != -ENOENT)
		return nwg_err_set(err, -ret, "%s: quarantine %s: %s", repo->dir, file,
				   strerror(-ret));
	return ret < 0 ? 0 : ret;
}

int nwg_repo_unquarantine(struct nwg_repo *repo, const char *port_id, struct nwg_err *err)
{
	char file[NWG_ID_MAX + sizeof(NWG_REPO_SUFFIX)];
	int q, ret;

	if (!repo)
		return nwg_err_set(err, EINVAL, "repository: missing argument");
	if ((ret = nwg_repo_file_name(port_id, file, sizeof(file), err)) < 0)
		return ret;
	if ((q = open_qdir(repo, false, err)) < 0)
		return q == -ENOENT ? 0 : q;
	if (faccessat(repo->dirfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		ret = 0; /* the repository has its own record: keep it */
	else if (renameat(q, file, repo->dirfd, file) == 0)
		ret = 1;
	else if (errno == ENOENT)
		ret = 0;
	else
		ret =
		    nwg_err_set(err, errno, "%s: restore %s: %s", repo->dir, file, strerror(errno));
	if (ret == 1)
		fsync(repo->dirfd);
	close(q);
	return ret;
}

int nwg_repo_purge_quarantine(struct nwg_repo *repo, long max_age_s, time_t now,
			      struct nwg_err *err)
{
	struct dirent *de;
	struct stat st;
	int q, n = 0;
	DIR *d;

	if (!repo || max_age_s < 0)
		return nwg_err_set(err, EINVAL, "repository: bad argument");
	if ((q = open_qdir(repo, false, err)) < 0)
		return q == -ENOENT ? 0 : q;
	d = fdopendir(q);
	if (!d) {
		close(q);
		return nwg_err_set(err, errno, "%s/" QDIR ": %s", repo->dir, strerror(errno));
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (now - st.st_mtime >= max_age_s && unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}
