/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: a control socket reply line -> checked status -> text. Must
 * never crash or leak, and a checked result must always print. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status_fmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	struct nwg_err err;
	json_t *res = NULL;
	FILE *f;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (nwgcli_status_parse_reply(line, &res, &err) == 0) {
		f = fopen("/dev/null", "w");
		if (f && nwgcli_status_print(f, res, 1700000000, &err) < 0)
			abort();
		if (f)
			fclose(f);
	}
	json_decref(res);
	free(line);
	return 0;
}
