/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: spoke port JSON -> model -> config text. Must never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "render_conf.h"
#include "spoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nwgcli_render_opts o = {.private_key = NULL, .mtu = 1300};
	struct nwgcli_spoke *s = NULL;
	struct nwg_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (nwgcli_spoke_parse(&s, (const char *)data, size, &err) < 0)
		return 0;
	f = open_memstream(&buf, &len);
	if (f) {
		if (nwgcli_render_conf(f, s, &o) < 0)
			abort();
		fclose(f);
	}
	free(buf);
	nwgcli_spoke_free(s);
	return 0;
}
