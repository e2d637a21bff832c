/* SPDX-License-Identifier: Apache-2.0 */
/* One grammar: every value of tests/grammar/corpus.json gets the verdict listed
 * there from the agent's get_hubs parser (the driver is held to the same corpus
 * by networking_wireguard/tests/unit/test_validation.py). A bad spoke is
 * skipped on its own: its hub and the hub's other spokes stay. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "reconcile/desired.h"
#include "reconcile/desired_ha.h"

#define CORPUS "tests/grammar/corpus.json"

static json_t *corpus;

static int setup(void **state)
{
	json_error_t jerr;
	const char *dir = getenv("NWG_SRCDIR");
	char path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s%s%s", dir ? dir : "", dir ? "/" : "", CORPUS);
	corpus = json_load_file(path, JSON_ALLOW_NUL, &jerr);
	if (!corpus)
		fprintf(stderr, "%s: %s (run from the repository root or set NWG_SRCDIR)\n", path,
			jerr.text);
	return corpus ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(corpus);
	return 0;
}

/* Hub A with a good spoke 2 and spoke 1 whose `field` is `value`. */
static struct nwg_desired *parse_with(const char *field, json_t *value)
{
	char k1[NWG_KEY_B64_LEN + 1], k2[NWG_KEY_B64_LEN + 1];
	struct nwg_desired *d = NULL;
	struct nwg_err err = {{0}};
	json_t *s1, *s2, *j;

	s1 = json_pack("{s:s, s:s, s:[s]}", "port_id", SPOKE_1, "public_key", tkey_b64(1, k1),
		       "allowed_ips", "10.99.0.5/32");
	s2 = json_pack("{s:s, s:s, s:[s], s:s}", "port_id", SPOKE_2, "public_key", tkey_b64(2, k2),
		       "allowed_ips", "10.99.0.6/32", "endpoint", "192.0.2.2:51820");
	assert_non_null(s1);
	assert_non_null(s2);
	assert_int_equal(json_object_set(s1, field, value), 0);
	j = json_pack("{s:[{s:s, s:s, s:[s], s:[o, o]}]}", "hubs", "port_id", HUB_A, "project_id",
		      PROJECT, "fixed_ips", "10.99.0.1/24", "spokes", s1, s2);
	assert_non_null(j);
	assert_int_equal(nwg_desired_parse(j, &d, &err), 0);
	json_decref(j);
	return d;
}

static void check_value(const char *field, json_t *value, bool good, size_t idx)
{
	char *text = json_dumps(value, JSON_ENCODE_ANY);
	struct nwg_desired *d = parse_with(field, value);
	const struct nwg_dhub *h = nwg_desired_find(d, HUB_A);
	bool ok;

	if (!h)
		fail_msg("%s[%zu] %s: the whole hub was rejected", field, idx, text);
	ok = h->n_spokes == 2 && h->n_skipped == 0;
	if (ok != good)
		fail_msg("%s %s: corpus says %s, the agent %s", field, text, good ? "good" : "bad",
			 ok ? "accepts it" : "skips the spoke");
	if (!good) {
		/* skipped alone, named, with a reason; the good spoke stays */
		assert_int_equal(h->n_spokes, 1);
		assert_string_equal(h->spokes[0].port_id, SPOKE_2);
		assert_int_equal(h->n_skipped, 1);
		if (strcmp(field, "port_id") != 0)
			assert_string_equal(h->skipped[0].port_id, SPOKE_1);
		assert_true(strlen(h->skipped[0].reason) > 0);
	}
	free(text);
	nwg_desired_free(d);
}

static void test_corpus(void **state)
{
	const char *fields[] = {"public_key", "endpoint", "persistent_keepalive", "port_id"};
	size_t total = 0;

	(void)state;
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		json_t *entry = json_object_get(corpus, fields[f]);

		assert_non_null(entry);
		for (int good = 0; good <= 1; good++) {
			json_t *list = json_object_get(entry, good ? "good" : "bad");
			json_t *value;
			size_t i;

			assert_true(json_array_size(list) > 0);
			json_array_foreach(list, i, value)
			{
				check_value(fields[f], value, good, i);
				total++;
			}
		}
	}
	assert_true(total > 100);
}

/* The driver accepts a bare IP for existing clients but sends null for it: the
 * agent itself rejects the raw value. */
static void test_bare_ip_rejected_raw(void **state)
{
	json_t *list = json_object_get(corpus, "endpoint_bare_ip"), *value;
	size_t i;

	(void)state;
	assert_true(json_array_size(list) > 0);
	json_array_foreach(list, i, value)
	{
		check_value("endpoint", value, false, i);
	}
}

/* A duplicate key is one bad spoke too: the later one is skipped, named. */
static void test_duplicate_key_skips_one(void **state)
{
	char k2[NWG_KEY_B64_LEN + 1];
	json_t *v = json_string(tkey_b64(2, k2));
	struct nwg_desired *d = parse_with("public_key", v);
	const struct nwg_dhub *h = nwg_desired_find(d, HUB_A);

	(void)state;
	assert_non_null(h);
	assert_int_equal(h->n_spokes, 1);
	assert_int_equal(h->n_skipped, 1);
	assert_string_equal(h->skipped[0].port_id, SPOKE_2);
	assert_non_null(strstr(h->skipped[0].reason, "duplicates"));
	json_decref(v);
	nwg_desired_free(d);
}

/* Hub A with an `ha` section (a secondary's) whose hosts are `host` and
 * "other-node" in order and whose envelope is `envelope` (NULL: none). */
static struct nwg_desired *parse_ha_with(json_t *host, json_t *envelope)
{
	const char *other = "other-node", *h = json_string_value(host);
	bool host_first = h && strcmp(h, other) < 0;
	struct nwg_desired *d = NULL;
	struct nwg_err err = {{0}};
	json_t *ha, *j;

	ha = json_pack("{s:[o, o], s:s, s:s, s:s}", "hosts",
		       host_first ? json_incref(host) : json_string(other),
		       host_first ? json_string(other) : json_incref(host), "role", "secondary",
		       "primary", other, "peer_host", other);
	assert_non_null(ha);
	if (envelope)
		assert_int_equal(json_object_set(ha, "envelope", envelope), 0);
	j = json_pack("{s:[{s:s, s:s, s:[s], s:[], s:o}]}", "hubs", "port_id", HUB_A, "project_id",
		      PROJECT, "fixed_ips", "10.99.0.1/24", "spokes", "ha", ha);
	assert_non_null(j);
	assert_int_equal(nwg_desired_parse(j, &d, &err), 0);
	json_decref(j);
	return d;
}

static void check_ha_value(const char *field, json_t *value, bool good)
{
	json_t *host = json_string("a-node");
	struct nwg_desired *d =
	    strcmp(field, "host") == 0 ? parse_ha_with(value, NULL) : parse_ha_with(host, value);
	const struct nwg_dhub *h = nwg_desired_find(d, HUB_A);
	char *text = json_dumps(value, JSON_ENCODE_ANY);

	if ((h != NULL) != good)
		fail_msg("ha.%s %s: corpus says %s, the agent %s", field, text,
			 good ? "good" : "bad", h ? "accepts it" : "rejects the hub");
	if (h) {
		assert_non_null(h->ha);
		assert_false(h->ha->primary);
		if (strcmp(field, "envelope") == 0)
			assert_string_equal(h->ha->envelope, json_string_value(value));
	} else {
		assert_non_null(nwg_desired_find_rejected(d, HUB_A));
	}
	free(text);
	json_decref(host);
	nwg_desired_free(d);
}

/* The `ha` entries: a host of an HA hub and a sealed hub key. */
static void test_ha_corpus(void **state)
{
	const char *fields[] = {"host", "envelope"};
	json_t *ha = json_object_get(corpus, "ha");
	size_t total = 0;

	(void)state;
	assert_non_null(ha);
	for (size_t f = 0; f < 2; f++) {
		for (int good = 0; good <= 1; good++) {
			json_t *list =
			    json_object_get(json_object_get(ha, fields[f]), good ? "good" : "bad");
			json_t *value;
			size_t i;

			assert_true(json_array_size(list) > 0);
			json_array_foreach(list, i, value)
			{
				check_ha_value(fields[f], value, good);
				total++;
			}
		}
	}
	assert_true(total > 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_corpus),
	    cmocka_unit_test(test_bare_ip_rejected_raw),
	    cmocka_unit_test(test_duplicate_key_skips_one),
	    cmocka_unit_test(test_ha_corpus),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
