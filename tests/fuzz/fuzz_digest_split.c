/* SPDX-License-Identifier: Apache-2.0 */
/* get_hubs 1.2: the split of an answer's hubs into those answered in full
 * and those answered unchanged (it runs on what comes off the network,
 * before the parse): never a crash; every entry lands in exactly one place;
 * "unchanged" only with the digest that was sent for a valid port id. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "sync/sync_digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const json_t *hubs, const json_t *sent, const struct nwg_digest_split *s)
{
	size_t n_unch = nwg_strv_len(s->unchanged), n_ref = nwg_strv_len(s->refetch);

	if (json_array_size(s->full) + s->n_answered != json_array_size(hubs))
		abort();
	if (n_unch + n_ref > s->n_answered)
		abort();
	for (size_t i = 0; i < n_unch; i++) {
		if (!nwg_uuid_valid(s->unchanged[i]) || !json_object_get(sent, s->unchanged[i]))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	json_t *sent = json_pack("{s:s, s:s}", "aaaaaaaa-0000-4000-8000-000000000001", "d1",
				 "bbbbbbbb-0000-4000-8000-000000000002", "d2");
	const json_t *hubs = json_is_object(j) ? json_object_get(j, "hubs") : j;
	struct nwg_digest_split s;

	if (sent && nwg_digest_split(hubs, sent, &s) == 0) {
		if (json_is_array(hubs))
			check(hubs, sent, &s);
		nwg_digest_split_free(&s);
	}
	json_decref(sent);
	json_decref(j);
	return 0;
}
