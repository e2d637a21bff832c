/* SPDX-License-Identifier: Apache-2.0 */
/* Atomic replace of one record: temp 0600, write, fsync, rename, fsync dir. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nwg/secmem.h"
#include "repo_check.h"
#include "repo_fs.h"
#include "repo_journal.h"

/* Temp names start with '.' and end in ".tmp": nwg_repo_foreach skips them. */
static int open_temp(struct nwg_repo *repo, const char *file, char *tmp, size_t len)
{
	for (unsigned int n = 0; n < 1000; n++) {
		int fd;

		snprintf(tmp, len, ".%s.%ld.%u.tmp", file, (long)getpid(), n);
		fd = openat(repo->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			    0600);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? -errno : fd;
	}
	return -EEXIST;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes, syncs and closes the temp file; the failing step on error. */
static int fill_temp(int fd, const char *text, size_t len, const char **step)
{
	int ret = write_all(fd, text, len);

	*step = "write";
	if (ret == 0 && fsync(fd) < 0) {
		ret = -errno;
		*step = "fsync";
	}
	if (close(fd) < 0 && ret == 0) {
		ret = -errno;
		*step = "close";
	}
	return ret;
}

static int replace(struct nwg_repo *repo, const char *file, const char *text, size_t len,
		   struct nwg_err *err)
{
	char tmp[NWG_ID_MAX + 64];
	const char *step;
	int fd, ret;

	fd = open_temp(repo, file, tmp, sizeof(tmp));
	if (fd < 0)
		return nwg_err_set(err, -fd, "%s/%s: create temp: %s", repo->dir, file,
				   strerror(-fd));
	ret = fill_temp(fd, text, len, &step);
	if (ret == 0 && renameat(repo->dirfd, tmp, repo->dirfd, file) < 0) {
		ret = -errno;
		step = "rename";
	}
	if (ret < 0) {
		unlinkat(repo->dirfd, tmp, 0);
		return nwg_err_set(err, -ret, "%s/%s: %s: %s", repo->dir, file, step,
				   strerror(-ret));
	}
	if (fsync(repo->dirfd) < 0)
		return nwg_err_set(err, errno, "%s: fsync: %s", repo->dir, strerror(errno));
	return 0;
}

int nwg_repo_save(struct nwg_repo *repo, const struct nwg_hub_record *rec, struct nwg_err *err)
{
	char file[NWG_ID_MAX + sizeof(NWG_REPO_SUFFIX)], *text;
	size_t len;
	int ret;

	if (!repo)
		return nwg_err_set(err, EINVAL, "repository save: missing argument");
	ret = nwg_hub_record_check(rec, err);
	if (ret < 0)
		return ret;
	nwg_repo_file_name(rec->port_id, file, sizeof(file), NULL);
	/* the journal goes first: it never meets a record it was not written for */
	if ((ret = nwg_repo_journal_drop(repo, rec->port_id)) < 0)
		return nwg_err_set(err, -ret, "%s/%s: remove journal: %s", repo->dir, file,
				   strerror(-ret));
	ret = nwg_repo_format(rec, &text, &len);
	if (ret < 0)
		return nwg_err_set(err, -ret, "%s/%s: format: %s", repo->dir, file, strerror(-ret));
	ret = replace(repo, file, text, len, err);
	nwg_secmem_free(text);
	return ret;
}
