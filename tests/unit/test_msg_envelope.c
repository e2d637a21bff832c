/* SPDX-License-Identifier: Apache-2.0 */
/* oslo 2.0 envelope: captured neutron messages, round trip, hostile bodies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msg/msg.h"

static char *slurp(const char *name, size_t *len)
{
	char path[256];
	FILE *f;
	char *buf = malloc(1 << 20);

	snprintf(path, sizeof(path), "tests/golden/amqp/%s", name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void decode_golden(const char *name, struct nwg_msg_in *m)
{
	struct nwg_err err = {{0}};
	size_t len;
	char *body = slurp(name, &len);

	assert_int_equal(nwg_msg_decode(body, len, m, &err), 0);
	free(body);
}

static void test_report_state_call(void **state)
{
	struct nwg_msg_in m;
	json_t *as;

	(void)state;
	decode_golden("report_state_call.json", &m);
	assert_string_equal(m.method, "report_state");
	assert_string_equal(m.msg_id, "ab7e9e22d6d54dbf923a4edf9ae0e8d2");
	assert_string_equal(m.reply_q, "reply_7fec5cf4a1354211a134f5b38b8dcc9b");
	assert_string_equal(m.unique_id, "4a09a54cb0b64741b9d779e058e25e45");
	as = json_object_get(json_object_get(m.args, "agent_state"), "agent_state");
	assert_string_equal(json_string_value(json_object_get(as, "binary")),
			    "neutron-wireguard-agent");
	assert_string_equal(json_string_value(json_object_get(m.args, "time")),
			    "2026-11-24T18:22:52.293047");
	assert_null(m.result);
	assert_null(m.failure);
	nwg_msg_in_clear(&m);
	assert_null(m.method);
}

static void test_replies(void **state)
{
	struct nwg_msg_in m;

	(void)state;
	decode_golden("report_state_reply.json", &m);
	assert_null(m.method);
	assert_true(m.ending);
	assert_string_equal(json_string_value(m.result), "alive");
	assert_string_equal(m.msg_id, "ab7e9e22d6d54dbf923a4edf9ae0e8d2");
	assert_string_equal(m.unique_id, "7c3480aa9f2e4b68be7084dff6c5baed");
	assert_null(m.failure);
	nwg_msg_in_clear(&m);

	decode_golden("has_alive_reply.json", &m);
	assert_true(json_is_true(m.result));
	nwg_msg_in_clear(&m);
}

static void test_failure_reply(void **state)
{
	struct nwg_msg_in m;
	json_t *f;

	(void)state;
	decode_golden("failure_reply.json", &m);
	assert_null(m.method);
	assert_true(m.ending);
	assert_true(json_is_null(m.result));
	assert_non_null(m.failure);
	f = json_loads(m.failure, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(f, "class")), "NoSuchMethod");
	json_decref(f);
	nwg_msg_in_clear(&m);
}

static void test_casts(void **state)
{
	struct nwg_msg_in m;

	(void)state;
	decode_golden("port_update_fanout.json", &m);
	assert_string_equal(m.method, "port_update");
	assert_null(m.msg_id);
	assert_null(m.reply_q);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(m.args, "port"), "id")),
	    "8a68a061-749b-46ae-903f-8bf6fb4ca8f6");
	assert_string_equal(json_string_value(json_object_get(m.args, "network_type")), "vxlan");
	nwg_msg_in_clear(&m);

	decode_golden("port_delete_fanout.json", &m);
	assert_string_equal(m.method, "port_delete");
	assert_string_equal(json_string_value(json_object_get(m.args, "port_id")),
			    "a99b07cd-cf17-4bf7-9463-be57edaef1b2");
	nwg_msg_in_clear(&m);
}

/* Keys of the inner message, in order, joined by ','. */
static void inner_keys(const char *body, size_t len, char *out, size_t cap, json_t **inner)
{
	json_t *env = json_loadb(body, len, 0, NULL);
	const char *k;
	json_t *v;

	assert_non_null(env);
	assert_int_equal(json_object_size(env), 2);
	assert_string_equal(json_string_value(json_object_get(env, "oslo.version")), "2.0");
	*inner = json_loads(json_string_value(json_object_get(env, "oslo.message")), 0, NULL);
	assert_non_null(*inner);
	out[0] = '\0';
	json_object_foreach(*inner, k, v)
	{
		strncat(out, k, cap - strlen(out) - 2);
		strcat(out, ",");
	}
	json_decref(env);
}

static void test_encode_shape(void **state)
{
	struct nwg_msg_in m;
	char *body, *gold, got[2048], want[2048];
	json_t *args = json_pack("{s:{s:s}, s:s}", "agent_state", "binary", "x", "time", "t");
	json_t *gi, *ei;
	size_t len, glen;

	(void)state;
	assert_int_equal(
	    nwg_msg_encode_request("report_state", "1.2", args, "ab7e9e22d6d54dbf923a4edf9ae0e8d2",
				   "reply_7fec5cf4a1354211a134f5b38b8dcc9b", &body, &len),
	    0);
	/* exactly the captured keys, in the captured order */
	gold = slurp("report_state_call.json", &glen);
	inner_keys(gold, glen, want, sizeof(want), &gi);
	inner_keys(body, len, got, sizeof(got), &ei);
	assert_string_equal(got, want);
	assert_true(json_is_array(json_object_get(ei, "_context_roles")));
	assert_int_equal(json_array_size(json_object_get(ei, "_context_roles")), 0);
	assert_true(json_is_true(json_object_get(ei, "_context_is_admin")));
	assert_string_equal(json_string_value(json_object_get(ei, "_context_user_identity")),
			    "- - - - -");
	assert_int_equal(
	    strncmp(json_string_value(json_object_get(ei, "_context_request_id")), "req-", 4), 0);
	assert_int_equal(strlen(json_string_value(json_object_get(ei, "_context_request_id"))), 40);
	assert_int_equal(strlen(json_string_value(json_object_get(ei, "_unique_id"))), 32);
	assert_int_equal(strlen(json_string_value(json_object_get(ei, "_context_timestamp"))), 26);
	assert_true(json_is_null(json_object_get(ei, "_timeout")));
	/* Python json.dumps separators in the envelope */
	assert_int_equal(strncmp(body, "{\"oslo.version\": \"2.0\", \"oslo.message\": \"", 41), 0);
	/* round trip */
	assert_int_equal(nwg_msg_decode(body, len, &m, NULL), 0);
	assert_string_equal(m.method, "report_state");
	assert_true(json_equal(m.args, args));
	assert_string_equal(m.msg_id, "ab7e9e22d6d54dbf923a4edf9ae0e8d2");
	nwg_msg_in_clear(&m);
	json_decref(gi);
	json_decref(ei);
	json_decref(args);
	free(gold);
	free(body);
}

static void test_encode_cast(void **state)
{
	struct nwg_msg_in m;
	char *body, keys[2048];
	json_t *in;
	size_t len;

	(void)state;
	assert_int_equal(
	    nwg_msg_encode_request("hub_realized", NULL, NULL, NULL, NULL, &body, &len), 0);
	inner_keys(body, len, keys, sizeof(keys), &in);
	assert_null(strstr(keys, "_msg_id"));
	assert_null(strstr(keys, "_reply_q"));
	assert_null(strstr(keys, "version,"));
	assert_int_equal(strncmp(keys, "method,args,_unique_id,_context_user,", 37), 0);
	assert_int_equal(nwg_msg_decode(body, len, &m, NULL), 0);
	assert_int_equal(json_object_size(m.args), 0);
	assert_null(m.msg_id);
	nwg_msg_in_clear(&m);
	json_decref(in);
	free(body);
	/* bad arguments */
	assert_int_equal(nwg_msg_encode_request(NULL, "1.0", NULL, NULL, NULL, &body, &len),
			 -EINVAL);
	in = json_array();
	assert_int_equal(nwg_msg_encode_request("m", "1.0", in, NULL, NULL, &body, &len), -EINVAL);
	assert_int_equal(nwg_msg_encode_request("m", "1.0", NULL, "id", NULL, &body, &len),
			 -EINVAL);
	json_decref(in);
}

static void expect_bad(const char *body, size_t len)
{
	struct nwg_msg_in m;
	struct nwg_err err = {{0}};

	assert_int_equal(nwg_msg_decode(body, len, &m, &err), -EBADMSG);
	assert_true(err.msg[0] != '\0');
	assert_null(m.method);
	assert_null(m.args);
}

#define BAD(s)	   expect_bad(s, sizeof(s) - 1)
#define ENV(inner) "{\"oslo.version\": \"2.0\", \"oslo.message\": \"" inner "\"}"

static void test_malformed(void **state)
{
	(void)state;
	BAD("not json");
	BAD("[1, 2]");
	BAD("{}");
	BAD("{\"oslo.version\": \"1.0\", \"oslo.message\": \"{}\"}");
	BAD("{\"oslo.version\": 2.0, \"oslo.message\": \"{}\"}");
	BAD("{\"oslo.version\": \"2.0\", \"oslo.message\": {\"method\": \"x\"}}");
	BAD(ENV("not json"));
	BAD(ENV("[]"));
	BAD(ENV("{}"));
	BAD(ENV("{\\\"method\\\": 7}"));
	BAD(ENV("{\\\"method\\\": \\\"\\\"}"));
	BAD(ENV("{\\\"method\\\": \\\"m\\\", \\\"args\\\": []}"));
	BAD(ENV("{\\\"method\\\": \\\"m\\\", \\\"_msg_id\\\": 5, \\\"_reply_q\\\": \\\"r\\\"}"));
	BAD(ENV("{\\\"method\\\": \\\"m\\\", \\\"_msg_id\\\": \\\"a\\\"}"));
	BAD(ENV("{\\\"result\\\": 1, \\\"ending\\\": true}")); /* reply without _msg_id */
	BAD(ENV("{\\\"result\\\": 1, \\\"_msg_id\\\": \\\"a\\\", \\\"failure\\\": {}}"));
	BAD(ENV("{\\\"method\\\": \\\"m\\\", \\\"args\\\": {\\\"n\\\": 1e999}}"));
	BAD(ENV("{\\\"method\\\": \\\"m\\\", \\\"args\\\": {\\\"n\\\": 99999999999999999999999}}"));
	BAD(ENV("{\\\"method\\\": \\\"m\\\\u0000\\\"}"));
	BAD("{\"oslo.version\": \"2.0\", \"oslo.version\": \"2.0\", \"oslo.message\": \"{}\"}");
	expect_bad("", 0);
	expect_bad(NULL, 10);
	expect_bad("{\"oslo.version\": \"2.0\"\0}", 24);
}

static void test_deep_and_huge(void **state)
{
	size_t n = 100000, len;
	char *inner = malloc(2 * n + 64), *body;
	json_t *env;

	(void)state;
	/* {"method":"m","args":{"a":[[[[...]]]]}} nested far too deep */
	len = (size_t)sprintf(inner, "{\"method\": \"m\", \"args\": {\"a\": ");
	memset(inner + len, '[', n);
	memset(inner + len + n, ']', n);
	strcpy(inner + len + 2 * n, "}}");
	env = json_pack("{s:s, s:s}", "oslo.version", "2.0", "oslo.message", inner);
	body = json_dumps(env, 0);
	expect_bad(body, strlen(body));
	free(body);
	/* 70 levels: parses in jansson but exceeds our limit */
	len = (size_t)sprintf(inner, "{\"method\": \"m\", \"args\": {\"a\": ");
	memset(inner + len, '[', 70);
	memset(inner + len + 70, ']', 70);
	strcpy(inner + len + 140, "}}");
	json_object_set_new(env, "oslo.message", json_string(inner));
	body = json_dumps(env, 0);
	expect_bad(body, strlen(body));
	free(body);
	json_decref(env);
	free(inner);
	/* larger than the 4 MiB cap */
	body = calloc(1, 5u << 20);
	memset(body, ' ', 5u << 20);
	body[0] = '{';
	body[(5u << 20) - 1] = '}';
	expect_bad(body, 5u << 20);
	free(body);
}

static void test_heartbeat_reply(void **state)
{
	static const char hb[] = ENV("{\\\"result\\\": null, \\\"failure\\\": null, "
				     "\\\"ending\\\": false, \\\"_msg_id\\\": \\\"ab\\\"}");
	struct nwg_msg_in m;

	(void)state;
	assert_int_equal(nwg_msg_decode(hb, sizeof(hb) - 1, &m, NULL), 0);
	assert_false(m.ending);
	assert_true(json_is_null(m.result));
	assert_null(m.failure);
	assert_null(m.method);
	nwg_msg_in_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_report_state_call), cmocka_unit_test(test_replies),
	    cmocka_unit_test(test_failure_reply),     cmocka_unit_test(test_casts),
	    cmocka_unit_test(test_encode_shape),      cmocka_unit_test(test_encode_cast),
	    cmocka_unit_test(test_malformed),	      cmocka_unit_test(test_deep_and_huge),
	    cmocka_unit_test(test_heartbeat_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
