/* SPDX-License-Identifier: Apache-2.0 */
/* NULL-terminated string vectors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/rtnl.h"
#include "strv.h"

size_t nwg_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int nwg_strv_push(char ***v, const char *s)
{
	size_t n;
	char **nv, *copy;

	if (!v || !s)
		return -EINVAL;
	n = nwg_strv_len(*v);
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	nv = realloc(*v, (n + 2) * sizeof(*nv));
	if (!nv) {
		free(copy);
		return -ENOMEM;
	}
	nv[n] = copy;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

int nwg_strv_dup(char ***out, char *const *v)
{
	char **nv = NULL;

	if (!out)
		return -EINVAL;
	*out = NULL;
	for (size_t i = 0; v && v[i]; i++) {
		if (nwg_strv_push(&nv, v[i]) < 0) {
			nwg_strv_free(nv);
			return -ENOMEM;
		}
	}
	*out = nv;
	return 0;
}

void nwg_strv_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}
