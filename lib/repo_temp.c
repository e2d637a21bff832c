/* SPDX-License-Identifier: Apache-2.0 */
/* Stale temp records (".<file>.<pid>.<n>.tmp", repo_save.c): a crash between
 * write and rename leaves one behind, with a private key in it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "repo_fs.h"

static bool is_temp_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' && n > 5 && strcmp(name + n - 4, ".tmp") == 0;
}

int nwg_repo_remove_temp(struct nwg_repo *repo, struct nwg_err *err)
{
	struct dirent *de;
	int n = 0, ret;
	DIR *d;

	if (!repo)
		return nwg_err_set(err, EINVAL, "repository: missing argument");
	if ((ret = nwg_repo_dir_open(repo, &d, err)) < 0)
		return ret;
	while ((de = readdir(d))) {
		if (!is_temp_name(de->d_name))
			continue;
		if (unlinkat(repo->dirfd, de->d_name, 0) == 0)
			n++;
		else if (errno != ENOENT && ret == 0)
			ret = nwg_err_set(err, errno, "repository %s: removing %s: %s", repo->dir,
					  de->d_name, strerror(errno));
	}
	closedir(d);
	return ret < 0 ? ret : n;
}
