/* SPDX-License-Identifier: Apache-2.0 */
/* UAPI socket aliases for renamed userspace links (nwg_wg_alias). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nwg/rtnl.h"
#include "wg_priv.h"

int nwg_wg_alias(struct nwg_backend *b, const char *created, const char *ifname, bool add,
		 struct nwg_err *err)
{
	char link[512], target[IFNAMSIZ + 8];

	if (!b || !created || !ifname || nwg_ifname_valid(created) < 0 ||
	    nwg_ifname_valid(ifname) < 0)
		return nwg_err_set(err, EINVAL, "alias: bad interface name");
	if (b->kind != NWG_BACKEND_USERSPACE || strcmp(created, ifname) == 0)
		return 0;
	if (snprintf(link, sizeof(link), "%s/%s.sock", b->dir, ifname) >= (int)sizeof(link))
		return nwg_err_set(err, ENAMETOOLONG, "alias: socket path too long");
	snprintf(target, sizeof(target), "%s.sock", created);
	if (unlink(link) < 0 && errno != ENOENT)
		return nwg_err_set(err, errno, "cannot remove %s: %s", link, strerror(errno));
	if (add && symlink(target, link) < 0)
		return nwg_err_set(err, errno, "cannot link %s to %s: %s", link, target,
				   strerror(errno));
	return 0;
}

void nwg_wg_alias_sweep(struct nwg_backend *b)
{
	DIR *d = b && b->kind == NWG_BACKEND_USERSPACE ? opendir(b->dir) : NULL;
	struct dirent *e;
	char path[512];
	struct stat st;

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n < 6 || strcmp(e->d_name + n - 5, ".sock") != 0 ||
		    snprintf(path, sizeof(path), "%s/%s", b->dir, e->d_name) >= (int)sizeof(path))
			continue;
		/* only our aliases: symbolic links whose target is gone */
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && stat(path, &st) < 0 &&
		    errno == ENOENT)
			unlink(path);
	}
	closedir(d);
}
