/* SPDX-License-Identifier: Apache-2.0 */
/* get_hubs fields the OVN attach uses (mac_address, gateways): parsed when
 * valid, the hub rejected on its own when not; absent is fine (older server). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "reconcile/desired.h"

static struct nwg_desired *parse(const char *extra)
{
	struct nwg_desired *d = NULL;
	struct nwg_err err = {{0}};
	char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{\"host\": \"n1\", \"hubs\": [{\"port_id\": \"" HUB_A "\", \"project_id\": "
		 "\"p\", \"fixed_ips\": [\"10.61.2.5/24\"]%s}]}",
		 extra);
	assert_int_equal(nwg_desired_parse_text(buf, strlen(buf), &d, &err), 0);
	assert_non_null(d);
	return d;
}

static void expect_rejected(const char *extra)
{
	struct nwg_desired *d = parse(extra);

	assert_int_equal(d->n_hubs, 0);
	assert_non_null(nwg_desired_find_rejected(d, HUB_A));
	nwg_desired_free(d);
}

static void test_fields_parsed(void **state)
{
	struct nwg_desired *d;

	(void)state;
	d = parse(", \"mac_address\": \"fa:16:3e:0a:bc:01\", \"gateways\": [\"10.61.2.1\", "
		  "\"fd00:61::1\"]");
	assert_int_equal(d->n_hubs, 1);
	assert_string_equal(d->hubs[0].mac, "fa:16:3e:0a:bc:01");
	assert_int_equal(d->hubs[0].n_gateways, 2);
	assert_string_equal(d->hubs[0].gateways[0], "10.61.2.1");
	assert_string_equal(d->hubs[0].gateways[1], "fd00:61::1");
	nwg_desired_free(d);
	d = parse(", \"mac_address\": null, \"gateways\": []");
	assert_int_equal(d->n_hubs, 1);
	assert_string_equal(d->hubs[0].mac, "");
	assert_int_equal(d->hubs[0].n_gateways, 0);
	nwg_desired_free(d);
	d = parse("");
	assert_int_equal(d->n_hubs, 1);
	assert_string_equal(d->hubs[0].mac, "");
	nwg_desired_free(d);
}

static void test_bad_fields_reject_the_hub(void **state)
{
	(void)state;
	expect_rejected(", \"mac_address\": \"FA:16:3E:0A:BC:01\""); /* upper case */
	expect_rejected(", \"mac_address\": \"fa:16:3e:0a:bc\"");
	expect_rejected(", \"mac_address\": \"fa-16-3e-0a-bc-01\"");
	expect_rejected(", \"mac_address\": \"01:00:5e:00:00:01\""); /* multicast */
	expect_rejected(", \"mac_address\": 5");
	expect_rejected(", \"gateways\": \"10.61.2.1\"");
	expect_rejected(", \"gateways\": [\"10.61.2.1/24\"]");
	expect_rejected(", \"gateways\": [\"10.61.2.300\"]");
	expect_rejected(", \"gateways\": [7]");
	expect_rejected(", \"gateways\": [\"1.1.1.1\", \"1.1.1.2\", \"1.1.1.3\", \"1.1.1.4\", "
			"\"1.1.1.5\"]");
}

static void test_mac_validator(void **state)
{
	(void)state;
	assert_true(nwg_mac_valid("fa:16:3e:00:00:01"));
	assert_true(nwg_mac_valid("02:00:00:00:00:00"));
	assert_false(nwg_mac_valid("03:00:00:00:00:00"));
	assert_false(nwg_mac_valid("fa:16:3e:00:00:0g"));
	assert_false(nwg_mac_valid("fa:16:3e:00:00:011"));
	assert_false(nwg_mac_valid("fa:16:3e:00:00"));
	assert_false(nwg_mac_valid(""));
	assert_false(nwg_mac_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fields_parsed),
	    cmocka_unit_test(test_bad_fields_reject_the_hub),
	    cmocka_unit_test(test_mac_validator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
