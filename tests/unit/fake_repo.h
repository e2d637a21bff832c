/* SPDX-License-Identifier: Apache-2.0 */
/* Temporary directories and repositories for unit tests (a failure fails
 * the test). Linked into every unit test. */
#ifndef NWG_TEST_FAKE_REPO_H
#define NWG_TEST_FAKE_REPO_H

#include <stddef.h>

#include "nwg/repo.h"

/* mkdtemp("/tmp/nwg-<tag>-XXXXXX") into dir (len bytes). */
void fake_dir_make(char *dir, size_t len, const char *tag);
/* dir and everything under it removed (symbolic links not followed). */
void fake_dir_remove(const char *dir);
/* fake_dir_make, then the repository <dir>/repo created and opened; its
 * path in repo_dir (rlen bytes). */
void fake_repo_make(char *dir, size_t len, char *repo_dir, size_t rlen, const char *tag,
		    struct nwg_repo **repo);
/* The repository closed, dir removed. */
void fake_repo_remove(const char *dir, struct nwg_repo *repo);

#endif
