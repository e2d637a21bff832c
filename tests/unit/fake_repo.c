/* SPDX-License-Identifier: Apache-2.0 */
#include "fake_repo.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

void fake_dir_make(char *dir, size_t len, const char *tag)
{
	assert_true(snprintf(dir, len, "/tmp/nwg-%s-XXXXXX", tag) < (int)len);
	assert_non_null(mkdtemp(dir));
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

void fake_dir_remove(const char *dir)
{
	if (dir && dir[0])
		assert_int_equal(nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

void fake_repo_make(char *dir, size_t len, char *repo_dir, size_t rlen, const char *tag,
		    struct nwg_repo **repo)
{
	fake_dir_make(dir, len, tag);
	assert_true(snprintf(repo_dir, rlen, "%s/repo", dir) < (int)rlen);
	assert_int_equal(nwg_repo_open(repo, repo_dir, NULL), 0);
}

void fake_repo_remove(const char *dir, struct nwg_repo *repo)
{
	nwg_repo_close(repo);
	fake_dir_remove(dir);
}
