/* SPDX-License-Identifier: Apache-2.0 */
/* Record journal parser (lib/repo_journal.c): anything accepted applies to a
 * record or is refused as a whole; an applied record is valid and formats,
 * re-parses and re-formats to the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/repo.h"
#include "nwg/secmem.h"
#include "repo_check.h"
#include "repo_journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct nwg_hub_record *base(void)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();
	struct nwg_repo_peer *p;

	if (!rec)
		abort();
	strcpy(rec->port_id, "hub");
	strcpy(rec->project_id, "project");
	strcpy(rec->ifname, "wg0");
	rec->private_key.b[0] = 1;
	rec->listen_port = 51820;
	p = nwg_hub_record_add_peer(rec);
	if (!p)
		abort();
	strcpy(p->port_id, "spoke-1");
	memset(p->public_key.b, 0x11, sizeof(p->public_key.b));
	return rec;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nwg_hub_record *rec, *again = NULL;
	struct nwg_repo_journal j;
	struct nwg_err err;
	char *t1, *t2;
	size_t l1, l2;

	if (nwg_repo_parse_journal((const char *)data, size, "fuzz", &j, &err) < 0)
		return 0;
	rec = base();
	if (nwg_repo_journal_apply(rec, &j, "fuzz", &err) == 0) {
		if (nwg_hub_record_check(rec, NULL) < 0 || nwg_repo_format(rec, &t1, &l1) < 0)
			abort();
		if (nwg_repo_parse(t1, l1, "fuzz2", &again, &err) < 0 ||
		    nwg_repo_format(again, &t2, &l2) < 0 || l1 != l2 || memcmp(t1, t2, l1))
			abort();
		nwg_secmem_free(t1);
		nwg_secmem_free(t2);
	}
	nwg_hub_record_free(again);
	nwg_hub_record_free(rec);
	nwg_repo_journal_clear(&j);
	return 0;
}
