/* SPDX-License-Identifier: Apache-2.0 */
/* Duplicate peers in a 1,000-peer record: found by the parser (with the
 * line) and by the record check, in linear time. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nwg/repo.h"
#include "nwg/secmem.h"
#include "repo_check.h"

#define N	 1000
#define PRIV_B64 "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="

static struct nwg_hub_record *big(void)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();

	assert_non_null(rec);
	strcpy(rec->port_id, "6f1c2a4e-9b1d-4c7e-8f3a-0d2b5c6e7f80");
	strcpy(rec->project_id, "proj");
	strcpy(rec->ifname, "wg-6f1c2a4e-9b");
	strcpy(rec->netns, "tun-proj");
	strcpy(rec->home_netns, "tun-proj");
	assert_int_equal(nwg_key_from_b64(&rec->private_key, PRIV_B64, 44), 0);
	rec->listen_port = 51820;
	for (unsigned i = 0; i < N; i++) {
		struct nwg_repo_peer *p = nwg_hub_record_add_peer(rec);

		assert_non_null(p);
		snprintf(p->port_id, sizeof(p->port_id), "spoke-%u", i);
		memset(p->public_key.b, 0x11, sizeof(p->public_key.b));
		memcpy(p->public_key.b, &i, sizeof(i));
	}
	return rec;
}

static void test_check(void **state)
{
	struct nwg_hub_record *rec = big();
	struct nwg_err err = {{0}};

	(void)state;
	assert_int_equal(nwg_hub_record_check(rec, &err), 0);
	rec->peers[N - 1].public_key = rec->peers[17].public_key;
	assert_int_equal(nwg_hub_record_check(rec, &err), -EINVAL);
	assert_string_equal(err.msg, "hub record: peer 1000 shares a key");
	memset(rec->peers[N - 1].public_key.b, 0x22, 32);
	strcpy(rec->peers[N - 2].port_id, "spoke-3");
	assert_int_equal(nwg_hub_record_check(rec, &err), -EINVAL);
	assert_string_equal(err.msg, "hub record: peer 999: same spoke as another");
	nwg_hub_record_free(rec);
}

static void test_parse(void **state)
{
	struct nwg_hub_record *rec = big(), *back = NULL;
	struct nwg_err err = {{0}};
	char *text, *at;
	size_t len;

	(void)state;
	assert_int_equal(nwg_repo_format(rec, &text, &len), 0);
	assert_int_equal(nwg_repo_parse(text, len, "hub.conf", &back, &err), 0);
	assert_int_equal(back->n_peers, N);
	assert_true(nwg_hub_record_check(back, NULL) == 0);
	nwg_hub_record_free(back);
	/* the last spoke renamed as the first: the parser names its line */
	at = strstr(text, "#@ spoke = spoke-999\n");
	assert_non_null(at);
	memcpy(at, "#@ spoke = spoke-0  \n", 21);
	assert_int_equal(nwg_repo_parse(text, len, "hub.conf", &back, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, ": duplicate spoke"));
	nwg_secmem_free(text);
	nwg_hub_record_free(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_check),
					   cmocka_unit_test(test_parse)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
