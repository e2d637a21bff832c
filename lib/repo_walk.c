/* SPDX-License-Identifier: Apache-2.0 */
/* nwg_repo_foreach: every "<port_id>.conf", sorted by name; corrupt files are
 * reported through the callback and skipped, never fatal. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repo_check.h"
#include "repo_fs.h"
#include "strv.h"

static bool is_record_name(const char *name)
{
	size_t n = strlen(name), sl = strlen(NWG_REPO_SUFFIX);

	return name[0] != '.' && n > sl && !strcmp(name + n - sl, NWG_REPO_SUFFIX);
}

int nwg_repo_dir_open(struct nwg_repo *repo, DIR **out, struct nwg_err *err)
{
	int fd = openat(repo->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	*out = fd < 0 ? NULL : fdopendir(fd);
	if (*out)
		return 0;
	ret = nwg_err_set(err, errno, "repository %s: %s", repo->dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted record file names of the directory. */
static int list_names(struct nwg_repo *repo, char ***names, struct nwg_err *err)
{
	struct dirent *de;
	DIR *d;
	int ret;

	*names = NULL;
	if ((ret = nwg_repo_dir_open(repo, &d, err)) < 0)
		return ret;
	while (ret == 0 && (de = readdir(d))) {
		if (is_record_name(de->d_name))
			ret = nwg_strv_push(names, de->d_name);
	}
	closedir(d);
	if (ret < 0) {
		nwg_strv_free(*names);
		*names = NULL;
		return nwg_err_set(err, -ret, "repository %s: out of memory", repo->dir);
	}
	if (*names)
		qsort(*names, nwg_strv_len(*names), sizeof(char *), cmp_names);
	return 0;
}

static int visit(struct nwg_repo *repo, const char *name, nwg_repo_each_fn cb, void *ctx)
{
	struct nwg_hub_record *rec = NULL;
	size_t stem = strlen(name) - strlen(NWG_REPO_SUFFIX);
	char path[PATH_MAX], id[NWG_ID_MAX + 1] = "";
	struct nwg_err e = {""};
	int ret;

	snprintf(path, sizeof(path), "%s/%s", repo->dir, name);
	if (stem <= NWG_ID_MAX) {
		memcpy(id, name, stem);
		id[stem] = '\0';
	}
	if (!nwg_repo_id_valid(id)) {
		nwg_err_set(&e, EBADMSG, "%s: not a valid port id file name", path);
		return cb(NULL, path, &e, ctx);
	}
	ret = nwg_repo_load_file(repo, name, &rec, &e);
	if (ret == -ENOENT)
		return 0; /* removed since the listing */
	ret = ret < 0 ? cb(NULL, path, &e, ctx) : cb(rec, path, NULL, ctx);
	nwg_hub_record_free(rec);
	return ret;
}

int nwg_repo_foreach(struct nwg_repo *repo, nwg_repo_each_fn cb, void *ctx, struct nwg_err *err)
{
	char **names;
	int ret;

	if (!repo || !cb)
		return nwg_err_set(err, EINVAL, "repository walk: missing argument");
	ret = list_names(repo, &names, err);
	for (size_t i = 0; ret == 0 && names && names[i]; i++)
		ret = visit(repo, names[i], cb, ctx);
	nwg_strv_free(names);
	return ret;
}
