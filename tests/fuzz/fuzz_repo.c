/* SPDX-License-Identifier: Apache-2.0 */
/* Repository parser: anything accepted formats, re-parses, and re-formats
 * to the very same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/repo.h"
#include "nwg/secmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nwg_hub_record *rec, *again;
	struct nwg_err err;
	char *t1, *t2;
	size_t l1, l2;

	if (nwg_repo_parse((const char *)data, size, "fuzz", &rec, &err) < 0)
		return 0;
	if (nwg_repo_format(rec, &t1, &l1) < 0)
		abort();
	if (nwg_repo_parse(t1, l1, "fuzz2", &again, &err) < 0)
		abort();
	if (nwg_repo_format(again, &t2, &l2) < 0 || l1 != l2 || memcmp(t1, t2, l1))
		abort();
	nwg_secmem_free(t1);
	nwg_secmem_free(t2);
	nwg_hub_record_free(rec);
	nwg_hub_record_free(again);
	return 0;
}
