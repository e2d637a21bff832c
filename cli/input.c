/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int slurp(FILE *f, char **buf, size_t *len, struct nwg_err *err)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1), *nb;

	while (b) {
		size_t r = fread(b + n, 1, cap - n, f);

		n += r;
		if (r == 0)
			break;
		if (n < cap)
			continue;
		if (cap >= NWGCLI_INPUT_MAX) {
			free(b);
			return nwg_err_set(err, EFBIG, "input larger than %u bytes",
					   NWGCLI_INPUT_MAX);
		}
		cap *= 2;
		nb = realloc(b, cap + 1);
		if (!nb)
			free(b);
		b = nb;
	}
	if (!b)
		return nwg_err_set(err, ENOMEM, "out of memory");
	if (ferror(f)) {
		free(b);
		return nwg_err_set(err, EIO, "read error");
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int nwgcli_read_input(const char *path, char **buf, size_t *len, struct nwg_err *err)
{
	FILE *f;
	int ret;

	*buf = NULL;
	*len = 0;
	if (!path || strcmp(path, "-") == 0)
		return slurp(stdin, buf, len, err);
	f = fopen(path, "re");
	if (!f)
		return nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	ret = slurp(f, buf, len, err);
	fclose(f);
	if (ret < 0 && err) {
		char tmp[NWG_ERR_MSG_LEN];

		snprintf(tmp, sizeof(tmp), "%s", err->msg);
		nwg_err_set(err, -ret, "%s: %s", path, tmp);
	}
	return ret;
}
