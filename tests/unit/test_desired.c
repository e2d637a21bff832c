/* SPDX-License-Identifier: Apache-2.0 */
/* Desired state (get_hubs payload) parsing: valid input, and malformed input
 * rejected per hub without crashing. */
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

static char k1[45], k2[45], k3[45];

static int setup(void **state)
{
	(void)state;
	tkey_b64(1, k1);
	tkey_b64(2, k2);
	tkey_b64(3, k3);
	return 0;
}

static struct nwg_desired *parse(const char *fmt, ...)
{
	struct nwg_desired *d = NULL;
	struct nwg_err err = {{0}};
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_int_equal(nwg_desired_parse_text(buf, strlen(buf), &d, &err), 0);
	assert_non_null(d);
	return d;
}

/* A hub JSON object with one field overridden: "%s" receives extra members. */
#define HUB_JSON(id, extra)                                                                        \
	"{\"port_id\": \"" id "\", \"project_id\": \"" PROJECT "\", \"network_id\": "              \
	"\"" HUB_C "\", \"admin_state_up\": true, \"fixed_ips\": [\"10.99.0.1/24\", "              \
	"\"fd00:99::1/64\"], \"mtu\": 1450, \"root_namespace\": false, \"public_key\": null, "     \
	"\"listen_port\": null, \"router_id\": null" extra "}"

static void test_valid_payload(void **state)
{
	struct nwg_desired *d;
	const struct nwg_dhub *h;
	char buf[64];

	(void)state;
	d = parse("{\"host\": \"n1\", \"hubs\": [" HUB_JSON(
		      HUB_A, ", \"spokes\": ["
			     "{\"port_id\": \"" SPOKE_1 "\", \"public_key\": \"%s\", \"endpoint\": "
			     "\"198.51.100.7:51820\", \"allowed_ips\": "
			     "[\"10.99.0.5/32\", \"fd00:99::5/128\"], "
			     "\"persistent_keepalive\": 25},"
			     "{\"port_id\": \"" SPOKE_2 "\", \"public_key\": \"%s\", \"endpoint\": "
			     "null, \"allowed_ips\": [\"10.99.0.6/32\"], "
			     "\"persistent_keepalive\": null}]") "]}",
		  k1, k2);
	assert_int_equal(d->n_hubs, 1);
	assert_int_equal(d->n_rejected, 0);
	h = nwg_desired_find(d, HUB_A);
	assert_non_null(h);
	assert_string_equal(h->project_id, PROJECT);
	assert_true(h->admin_state_up);
	assert_false(h->root_namespace);
	assert_false(h->has_public_key);
	assert_int_equal(h->listen_port, 0);
	assert_int_equal(h->mtu, 1450);
	assert_int_equal(h->n_fixed_ips, 2);
	assert_int_equal(nwg_ipnet_format(&h->fixed_ips[1], buf, sizeof(buf)), 0);
	assert_string_equal(buf, "fd00:99::1/64");
	assert_int_equal(h->n_spokes, 2);
	assert_string_equal(h->spokes[0].endpoint, "198.51.100.7:51820");
	assert_int_equal(h->spokes[0].keepalive, 25);
	assert_int_equal(h->spokes[0].n_allowed, 2);
	assert_string_equal(h->spokes[1].endpoint, "");
	assert_int_equal(h->spokes[1].keepalive, 0);
	struct nwg_key want = tkey(2);
	assert_true(nwg_key_equal(&h->spokes[1].public_key, &want));
	nwg_desired_free(d);
}

static void test_identity_fields(void **state)
{
	struct nwg_desired *d;
	const struct nwg_dhub *h;
	char json[1024];

	(void)state;
	snprintf(json, sizeof(json),
		 "{\"hubs\": [{\"port_id\": \"%s\", \"project_id\": \"p\", \"public_key\": \"%s\", "
		 "\"listen_port\": 51821, \"router_id\": \"%s\", \"root_namespace\": true, "
		 "\"admin_state_up\": false}]}",
		 HUB_A, k3, HUB_C);
	d = parse("%s", json);
	h = nwg_desired_find(d, HUB_A);
	assert_non_null(h);
	assert_true(h->has_public_key);
	assert_int_equal(h->listen_port, 51821);
	assert_string_equal(h->router_id, HUB_C);
	assert_true(h->root_namespace);
	assert_false(h->admin_state_up);
	assert_int_equal(h->n_spokes, 0);
	assert_int_equal(h->n_fixed_ips, 0);
	nwg_desired_free(d);
}

static void test_whole_payload_rejected(void **state)
{
	static const char *const bad[] = {
	    "[]",
	    "\"x\"",
	    "{}",
	    "{\"hubs\": {}}",
	    "{\"hubs\": \"x\"}",
	    "{\"hubs\": null}",
	    "{\"hubs\": [",
	    "",
	    "{\"hubs\": [], \"hubs\": []}",
	};
	struct nwg_err err = {{0}};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nwg_desired *d = (void *)1;

		assert_int_equal(nwg_desired_parse_text(bad[i], strlen(bad[i]), &d, &err),
				 -EBADMSG);
		assert_null(d);
		assert_true(strlen(err.msg) > 0);
	}
	assert_int_equal(nwg_desired_parse(NULL, NULL, &err), -EINVAL);
}

/* Each case: extra members (or a spoke) that make hub B invalid; hub A stays. */
static void expect_b_rejected(const char *hub_b, const char *why)
{
	struct nwg_desired *d = parse("{\"hubs\": [" HUB_JSON(HUB_A, "") ", %s]}", hub_b);

	if (d->n_hubs != 1 || d->n_rejected != 1)
		fail_msg("case %s: %zu hubs %zu rejected", why, d->n_hubs, d->n_rejected);
	assert_non_null(nwg_desired_find(d, HUB_A));
	assert_null(nwg_desired_find(d, HUB_B));
	assert_non_null(nwg_desired_find_rejected(d, HUB_B));
	assert_false(d->rejected_unknown);
	nwg_desired_free(d);
}

/* Each case: a spoke of hub B that is invalid: that spoke alone is skipped
 * (named, with a reason), hub B stays with its other spokes. */
static void expect_b_skipped(const char *hub_b, const char *why, size_t left)
{
	struct nwg_desired *d = parse("{\"hubs\": [" HUB_JSON(HUB_A, "") ", %s]}", hub_b);
	const struct nwg_dhub *b = nwg_desired_find(d, HUB_B);

	if (d->n_hubs != 2 || d->n_rejected != 0 || !b)
		fail_msg("case %s: %zu hubs %zu rejected", why, d->n_hubs, d->n_rejected);
	if (b->n_spokes != left || b->n_skipped != 1)
		fail_msg("case %s: %zu spokes, %zu skipped", why, b->n_spokes, b->n_skipped);
	assert_true(strlen(b->skipped[0].reason) > 0);
	nwg_desired_free(d);
}

#define B_WITH(extra) "{\"port_id\": \"" HUB_B "\", \"project_id\": \"p\"" extra "}"

static void test_hub_field_types(void **state)
{
	(void)state;
	expect_b_rejected(B_WITH(", \"mtu\": \"1450\""), "mtu string");
	expect_b_rejected(B_WITH(", \"mtu\": 1.5"), "mtu real");
	expect_b_rejected(B_WITH(", \"mtu\": -1"), "mtu negative");
	expect_b_rejected(B_WITH(", \"listen_port\": 70000"), "port range");
	expect_b_rejected(B_WITH(", \"listen_port\": 0"), "port zero");
	expect_b_rejected(B_WITH(", \"admin_state_up\": \"yes\""), "bool string");
	expect_b_rejected(B_WITH(", \"root_namespace\": 1"), "bool int");
	expect_b_rejected(B_WITH(", \"fixed_ips\": \"10.0.0.1/24\""), "fixed_ips string");
	expect_b_rejected(B_WITH(", \"fixed_ips\": [\"10.0.0.300/24\"]"), "bad v4");
	expect_b_rejected(B_WITH(", \"fixed_ips\": [\"10.0.0.1\"]"), "no prefix");
	expect_b_rejected(B_WITH(", \"fixed_ips\": [\"10.0.0.1/33\"]"), "plen");
	expect_b_rejected(B_WITH(", \"fixed_ips\": [\"fd00::1/129\"]"), "plen6");
	expect_b_rejected(B_WITH(", \"fixed_ips\": [\"10.0.0.1/ 24\"]"), "space");
	expect_b_rejected(B_WITH(", \"fixed_ips\": [7]"), "ip int");
	expect_b_rejected(B_WITH(", \"public_key\": \"nope\""), "hub key");
	expect_b_rejected(B_WITH(", \"public_key\": 5"), "hub key int");
	expect_b_rejected(B_WITH(", \"router_id\": \"../etc\""), "router id path");
	expect_b_rejected(B_WITH(", \"spokes\": {}"), "spokes object");
	expect_b_skipped(B_WITH(", \"spokes\": [1]"), "spoke int", 0);
	expect_b_rejected("{\"port_id\": \"" HUB_B "\"}", "no project");
	expect_b_rejected("{\"port_id\": \"" HUB_B "\", \"project_id\": \"a/b\"}", "project /");
	expect_b_rejected("{\"port_id\": \"" HUB_B "\", \"project_id\": \"..\"}", "project ..");
}

static void test_spoke_fields(void **state)
{
	char b[1024];

	(void)state;
#define SPOKE(extra)                                                                               \
	snprintf(b, sizeof(b),                                                                     \
		 B_WITH(", \"spokes\": [{\"port_id\": \"" SPOKE_1 "\", \"public_key\": \"%s\", "   \
			"\"allowed_ips\": [\"10.99.0.5/32\"]" extra "}]"),                         \
		 k1)
	SPOKE(", \"endpoint\": \"198.51.100.7\"");
	expect_b_skipped(b, "endpoint no port", 0);
	SPOKE(", \"endpoint\": \"198.51.100.7:0\"");
	expect_b_skipped(b, "endpoint port 0", 0);
	SPOKE(", \"endpoint\": \"fd00::1:51820\"");
	expect_b_skipped(b, "v6 without brackets", 0);
	SPOKE(", \"endpoint\": \"[fd00::zz]:51820\"");
	expect_b_skipped(b, "bad v6", 0);
	SPOKE(", \"endpoint\": \"host name:1\"");
	expect_b_skipped(b, "space in name", 0);
	SPOKE(", \"endpoint\": \"device.example.org:51820\"");
	expect_b_skipped(b, "host name (IP literals only)", 0);
	SPOKE(", \"persistent_keepalive\": 70000");
	expect_b_skipped(b, "keepalive range", 0);
	SPOKE(", \"persistent_keepalive\": \"25\"");
	expect_b_skipped(b, "keepalive string", 0);
	snprintf(b, sizeof(b),
		 B_WITH(", \"spokes\": [{\"port_id\": \"" SPOKE_1
			"\", \"public_key\": \"%s\", \"allowed_ips\": [\"10.99.0.5/24\"]}]"),
		 k1);
	expect_b_skipped(b, "host bits set", 0);
	snprintf(b, sizeof(b),
		 B_WITH(", \"spokes\": [{\"port_id\": \"" SPOKE_1
			"\", \"public_key\": \"%.43s\", \"allowed_ips\": []}]"),
		 k1);
	expect_b_skipped(b, "short key", 0);
	snprintf(b, sizeof(b),
		 B_WITH(", \"spokes\": [{\"port_id\": \"" SPOKE_1 "\", \"allowed_ips\": []}]"));
	expect_b_skipped(b, "no key", 0);
	snprintf(b, sizeof(b),
		 B_WITH(", \"spokes\": [{\"port_id\": \"not-a-uuid\", \"public_key\": \"%s\", "
			"\"allowed_ips\": []}]"),
		 k1);
	expect_b_skipped(b, "spoke id", 0);
	snprintf(b, sizeof(b),
		 B_WITH(", \"spokes\": [{\"port_id\": \"" SPOKE_1
			"\", \"public_key\": \"%s\", \"allowed_ips\": []}, {\"port_id\": \"" SPOKE_2
			"\", \"public_key\": \"%s\", \"allowed_ips\": []}]"),
		 k1, k1);
	expect_b_skipped(b, "duplicate spoke key", 1);
#undef SPOKE
}

static void test_unknown_and_duplicates(void **state)
{
	struct nwg_desired *d;

	(void)state;
	/* a hub with no usable id: rejected, and the answer is flagged */
	d = parse("{\"hubs\": [" HUB_JSON(HUB_A, "") ", {\"port_id\": 42}, \"x\", null]}");
	assert_int_equal(d->n_hubs, 1);
	assert_int_equal(d->n_rejected, 3);
	assert_true(d->rejected_unknown);
	nwg_desired_free(d);
	/* the same hub twice: the first one wins, the second is rejected */
	d = parse("{\"hubs\": [" HUB_JSON(HUB_A, "") ", " HUB_JSON(HUB_A, "") "]}");
	assert_int_equal(d->n_hubs, 1);
	assert_int_equal(d->n_rejected, 1);
	assert_string_equal(d->rejected[0].reason, "duplicate port_id");
	nwg_desired_free(d);
	/* unknown members are ignored (forward compatible) */
	d = parse("{\"hubs\": [" HUB_JSON(HUB_A, ", \"future\": {\"x\": 1}") "], \"y\": 2}");
	assert_int_equal(d->n_hubs, 1);
	nwg_desired_free(d);
	/* an embedded NUL in a string is refused (built directly: jansson's loader
	 * already refuses \u0000, a caller's json_t might not) */
	json_t *j = json_pack("{s:[{s:s, s:o}]}", "hubs", "port_id", HUB_A, "project_id",
			      json_stringn("a\0b", 3));
	struct nwg_err err = {{0}};

	assert_int_equal(nwg_desired_parse(j, &d, &err), 0);
	json_decref(j);
	assert_int_equal(d->n_hubs, 0);
	assert_non_null(nwg_desired_find_rejected(d, HUB_A));
	nwg_desired_free(d);
}

static void test_validators(void **state)
{
	(void)state;
	assert_true(nwg_uuid_valid(HUB_A));
	assert_false(nwg_uuid_valid("aaaaaaaa-0000-4000-8000-00000000000"));
	assert_false(nwg_uuid_valid("aaaaaaaa_0000-4000-8000-000000000001"));
	assert_false(nwg_uuid_valid("gaaaaaaa-0000-4000-8000-000000000001"));
	assert_false(nwg_uuid_valid(NULL));
	assert_true(nwg_id_valid("fake_project_id"));
	assert_false(nwg_id_valid(""));
	assert_false(nwg_id_valid("a b"));
	assert_true(nwg_endpoint_str_valid("198.51.100.7:51820"));
	assert_true(nwg_endpoint_str_valid("[2001:db8::1]:51820"));
	assert_false(nwg_endpoint_str_valid("device.example.org:51820"));
	assert_false(nwg_endpoint_str_valid("198.51.100.7:65536"));
	assert_false(nwg_endpoint_str_valid("198.51.100.7:051820"));
	assert_false(nwg_endpoint_str_valid(":51820"));
	assert_false(nwg_endpoint_str_valid("[2001:db8::1]51820"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_payload),
	    cmocka_unit_test(test_identity_fields),
	    cmocka_unit_test(test_whole_payload_rejected),
	    cmocka_unit_test(test_hub_field_types),
	    cmocka_unit_test(test_spoke_fields),
	    cmocka_unit_test(test_unknown_and_duplicates),
	    cmocka_unit_test(test_validators),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
