/* SPDX-License-Identifier: Apache-2.0 */
/* Repository directory internals shared by repo.c, repo_save.c, repo_walk.c. */
#ifndef NWG_REPO_FS_H
#define NWG_REPO_FS_H

#include <dirent.h>

#include "nwg/repo.h"

#define NWG_REPO_SUFFIX ".conf"

struct nwg_repo {
	char *dir;
	int dirfd; /* O_DIRECTORY, held open for the *at() calls */
};

/* "<port_id>.conf" into buf; -EINVAL (with a message) for a bad port id. */
int nwg_repo_file_name(const char *port_id, char *buf, size_t len, struct nwg_err *err);
/* Reads a whole repository file into secure memory (NUL-terminated), refusing
 * one with group/other mode bits, another owner or more than one link. */
int nwg_repo_read_fd(int fd, const char *path, char **out, size_t *len, struct nwg_err *err);
/* Loads one file of the directory; -ENOENT if absent, -EBADMSG if corrupt. */
int nwg_repo_load_file(struct nwg_repo *repo, const char *file, struct nwg_hub_record **out,
		       struct nwg_err *err);

/* A stream over the repository directory (its own descriptor: the repository's
 * stays open); closedir() it. */
int nwg_repo_dir_open(struct nwg_repo *repo, DIR **out, struct nwg_err *err);

#endif
