/* SPDX-License-Identifier: Apache-2.0 */
/* The repository directory: open (0700, ours), load, remove. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nwg/secmem.h"
#include "repo_check.h"
#include "repo_fs.h"
#include "repo_journal.h"
#include "repo_parse.h"

#define NWG_REPO_MAX_FILE (16 << 20)

static int check_dir(int fd, const char *dir, struct nwg_err *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return nwg_err_set(err, errno, "repository %s: %s", dir, strerror(errno));
	if (st.st_uid != geteuid())
		return nwg_err_set(err, EPERM, "repository %s is owned by uid %u, not by us (%u)",
				   dir, (unsigned int)st.st_uid, (unsigned int)geteuid());
	if (st.st_mode & 077)
		return nwg_err_set(err, EPERM,
				   "repository %s is group/world accessible (mode %04o), want 0700",
				   dir, (unsigned int)(st.st_mode & 07777));
	return 0;
}

int nwg_repo_open(struct nwg_repo **out, const char *dir, struct nwg_err *err)
{
	struct nwg_repo *repo;
	bool created;
	int fd, ret;

	if (!out || !dir || !*dir)
		return nwg_err_set(err, EINVAL, "repository: missing directory");
	*out = NULL;
	created = mkdir(dir, 0700) == 0;
	if (!created && errno != EEXIST)
		return nwg_err_set(err, errno, "repository %s: mkdir: %s", dir, strerror(errno));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nwg_err_set(err, errno, "repository %s: %s", dir, strerror(errno));
	ret = 0;
	if (created && fchmod(fd, 0700) < 0) /* mkdir's mode went through umask */
		ret = nwg_err_set(err, errno, "repository %s: chmod: %s", dir, strerror(errno));
	if (ret == 0)
		ret = check_dir(fd, dir, err);
	repo = ret == 0 ? calloc(1, sizeof(*repo)) : NULL;
	if (repo)
		repo->dir = strdup(dir);
	if (ret == 0 && (!repo || !repo->dir))
		ret = nwg_err_set(err, ENOMEM, "repository %s: out of memory", dir);
	if (ret < 0) {
		if (repo)
			free(repo->dir);
		free(repo);
		close(fd);
		return ret;
	}
	repo->dirfd = fd;
	*out = repo;
	return 0;
}

void nwg_repo_close(struct nwg_repo *repo)
{
	if (!repo)
		return;
	close(repo->dirfd);
	free(repo->dir);
	free(repo);
}

int nwg_repo_file_name(const char *port_id, char *buf, size_t len, struct nwg_err *err)
{
	if (!nwg_repo_id_valid(port_id))
		return nwg_err_set(err, EINVAL, "invalid port id");
	snprintf(buf, len, "%s" NWG_REPO_SUFFIX, port_id);
	return 0;
}

/* Reads the whole file into a NUL-terminated secure buffer (it holds a key). */
int nwg_repo_read_fd(int fd, const char *path, char **out, size_t *len, struct nwg_err *err)
{
	struct stat st;
	size_t done = 0;
	char *buf;

	if (fstat(fd, &st) < 0)
		return nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return nwg_err_set(err, EBADMSG, "%s: not a regular file", path);
	if (st.st_uid != geteuid() || (st.st_mode & 077) || st.st_nlink != 1)
		return nwg_err_set(
		    err, EPERM,
		    "%s: refused: mode %04o, uid %u, %lu links (want 0600 or stricter, "
		    "uid %u, one link)",
		    path, (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid,
		    (unsigned long)st.st_nlink, (unsigned int)geteuid());
	if (st.st_size > NWG_REPO_MAX_FILE)
		return nwg_err_set(err, EBADMSG, "%s: file too large", path);
	buf = nwg_secmem_alloc((size_t)st.st_size + 1);
	if (!buf)
		return nwg_err_set(err, ENOMEM, "%s: out of memory", path);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			nwg_secmem_free(buf);
			return nwg_err_set(err, e, "%s: read: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	buf[done] = '\0';
	*out = buf;
	*len = done;
	return 0;
}

/* header: the [Interface] section alone (nwg_repo_load_key). */
static int load_base(struct nwg_repo *repo, const char *file, bool header,
		     struct nwg_hub_record **out, struct nwg_err *err)
{
	char path[PATH_MAX], *buf = NULL;
	size_t len = 0, flen = strlen(file) - strlen(NWG_REPO_SUFFIX);
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", repo->dir, file);
	fd = openat(repo->dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	ret = nwg_repo_read_fd(fd, path, &buf, &len, err);
	close(fd);
	if (ret < 0)
		return ret;
	ret = header ? nwg_repo_parse_header(buf, len, path, out, err)
		     : nwg_repo_parse(buf, len, path, out, err);
	nwg_secmem_free(buf);
	if (ret == 0 && (strncmp((*out)->port_id, file, flen) || (*out)->port_id[flen])) {
		nwg_hub_record_free(*out);
		*out = NULL;
		ret = nwg_err_set(err, EBADMSG, "%s: port_id does not match the file name", path);
	}
	return ret;
}

/* The record, with its peer journal applied. A journal that cannot be used
 * (refused, corrupt, breaking the record) is left out: the record as last
 * written whole is behind the device at worst, which the agent sees and
 * saves whole (folding the journal away); a bad journal never makes the
 * record, and so the hub's key, unreadable. */
int nwg_repo_load_file(struct nwg_repo *repo, const char *file, struct nwg_hub_record **out,
		       struct nwg_err *err)
{
	int ret = load_base(repo, file, false, out, err);

	if (ret < 0)
		return ret;
	ret = nwg_repo_journal_load(repo, (*out)->port_id, *out, NULL);
	if (ret == 0)
		return 0;
	nwg_hub_record_free(*out);
	*out = NULL;
	if (ret == -ENOMEM)
		return nwg_err_set(err, ENOMEM, "out of memory");
	return load_base(repo, file, false, out, err); /* the journal is partly applied */
}

int nwg_repo_load(struct nwg_repo *repo, const char *port_id, struct nwg_hub_record **out,
		  struct nwg_err *err)
{
	char file[NWG_ID_MAX + sizeof(NWG_REPO_SUFFIX)];
	int ret;

	if (!repo || !out)
		return nwg_err_set(err, EINVAL, "repository load: missing argument");
	*out = NULL;
	ret = nwg_repo_file_name(port_id, file, sizeof(file), err);
	return ret < 0 ? ret : nwg_repo_load_file(repo, file, out, err);
}

int nwg_repo_load_key(struct nwg_repo *repo, const char *port_id, struct nwg_key *key,
		      struct nwg_err *err)
{
	char file[NWG_ID_MAX + sizeof(NWG_REPO_SUFFIX)];
	struct nwg_hub_record *rec = NULL;
	int ret;

	if (!repo || !key)
		return nwg_err_set(err, EINVAL, "repository load: missing argument");
	ret = nwg_repo_file_name(port_id, file, sizeof(file), err);
	if (ret >= 0)
		ret = load_base(repo, file, true, &rec, err);
	if (ret >= 0)
		*key = rec->private_key;
	nwg_hub_record_free(rec); /* wipes */
	return ret < 0 ? ret : 0;
}

int nwg_repo_remove(struct nwg_repo *repo, const char *port_id, struct nwg_err *err)
{
	char file[NWG_ID_MAX + sizeof(NWG_REPO_SUFFIX)];
	int ret;

	if (!repo)
		return nwg_err_set(err, EINVAL, "repository remove: missing argument");
	ret = nwg_repo_file_name(port_id, file, sizeof(file), err);
	if (ret < 0)
		return ret;
	if ((ret = nwg_repo_journal_drop(repo, port_id)) < 0)
		return nwg_err_set(err, -ret, "%s: journal of %s: %s", repo->dir, port_id,
				   strerror(-ret));
	if (unlinkat(repo->dirfd, file, 0) < 0) {
		if (errno == ENOENT)
			return 0;
		return nwg_err_set(err, errno, "%s/%s: unlink: %s", repo->dir, file,
				   strerror(errno));
	}
	if (fsync(repo->dirfd) < 0)
		return nwg_err_set(err, errno, "%s: fsync: %s", repo->dir, strerror(errno));
	return 0;
}
