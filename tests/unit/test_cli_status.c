/* SPDX-License-Identifier: Apache-2.0 */
/* neutron-wireguard status: reply checking and the exact text layout. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "status_fmt.h"

#define HUB_ID	 "0b6e6a52-4c1f-4c43-9a43-3c9b1f7d2a01"
#define SPOKE1	 "8742d6d3-a7d1-4a4b-96f9-534699469498"
#define SPOKE2	 "5d1c2b7e-8f0a-4b2d-9e6c-77a1d3e4f502"
#define HUB_PUB	 "y6yRMaES4AD2wI0kPwaQzTyY9LMMBm64q9KX16ffzGw="
#define DEV_PUB	 "9ejVtg9DkMuhYmH026vjBvFxZc9rfEPXKRPsuvCeSkI="
#define DEV2_PUB "Da/WK0UFrnVeKoPUp/YuRLzxrvwk3ejBNWiNHxzYnAs="
#define NOW	 1700000000

static const char reply[] =
    "{\"ok\": true, \"result\": {\"host\": \"node-1\", \"backend\": \"kernel\", "
    "\"connected\": true, \"hubs\": [{\"port_id\": \"" HUB_ID "\", \"project_id\": \"p1\", "
    "\"interface\": \"wg-0b6e6a52-4c\", \"namespace\": \"tun-p1\", \"listen_port\": 51820, "
    "\"public_key\": \"" HUB_PUB "\", \"up\": true, \"running\": true, \"last_sync\": \"ok\", "
    "\"error\": null, \"peers\": [{\"port_id\": \"" SPOKE1 "\", \"public_key\": \"" DEV_PUB
    "\", \"endpoint\": \"198.51.100.7:40000\", \"latest_handshake\": 1699999988, "
    "\"rx_bytes\": 1536, \"tx_bytes\": 3565158}, {\"port_id\": \"" SPOKE2 "\", "
    "\"public_key\": \"" DEV2_PUB "\", \"endpoint\": null, \"latest_handshake\": 0, "
    "\"rx_bytes\": 0, \"tx_bytes\": 92}]}, {\"port_id\": \"bad-hub\", \"project_id\": \"p2\", "
    "\"interface\": null, \"namespace\": null, \"listen_port\": null, \"public_key\": null, "
    "\"up\": false, \"running\": false, \"last_sync\": \"error\", "
    "\"error\": \"no free listen port\", "
    "\"peers\": []}]}}";

static const char expected[] = "agent on node-1, backend kernel, connected to RabbitMQ\n"
			       "hubs: 2\n"
			       "\n"
			       "hub " HUB_ID "\n"
			       "  project:     p1\n"
			       "  namespace:   tun-p1\n"
			       "  interface:   wg-0b6e6a52-4c\n"
			       "  listen port: 51820\n"
			       "  public key:  " HUB_PUB "\n"
			       "  state:       up\n"
			       "  last sync:   ok\n"
			       "  peers:       2\n"
			       "    spoke " SPOKE1 "\n"
			       "      endpoint:  198.51.100.7:40000\n"
			       "      handshake: 12s ago\n"
			       "      transfer:  1.5 KiB received, 3.4 MiB sent\n"
			       "    spoke " SPOKE2 "\n"
			       "      endpoint:  (none)\n"
			       "      handshake: never\n"
			       "      transfer:  0 B received, 92 B sent\n"
			       "\n"
			       "hub bad-hub\n"
			       "  project:     p2\n"
			       "  namespace:   (root)\n"
			       "  interface:   (none)\n"
			       "  listen port: (none)\n"
			       "  public key:  (none)\n"
			       "  state:       down (device missing)\n"
			       "  last sync:   error: no free listen port\n"
			       "  peers:       0\n";

static char *print_reply(const char *line, int *rc, struct nwg_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *res = NULL;

	assert_non_null(f);
	*rc = nwgcli_status_parse_reply(line, &res, err);
	if (*rc == 0)
		*rc = nwgcli_status_print(f, res, NOW, err);
	json_decref(res);
	fclose(f);
	return buf;
}

static void test_text_exact(void **state)
{
	struct nwg_err err = {{0}};
	int rc;
	char *out = print_reply(reply, &rc, &err);

	(void)state;
	assert_int_equal(rc, 0);
	assert_string_equal(out, expected);
	free(out);
}

static void test_age(void **state)
{
	char b[40];

	(void)state;
	nwgcli_fmt_age(b, sizeof(b), 0, NOW);
	assert_string_equal(b, "never");
	nwgcli_fmt_age(b, sizeof(b), NOW, NOW);
	assert_string_equal(b, "0s ago");
	nwgcli_fmt_age(b, sizeof(b), NOW + 5, NOW); /* clock skew */
	assert_string_equal(b, "0s ago");
	nwgcli_fmt_age(b, sizeof(b), NOW - 59, NOW);
	assert_string_equal(b, "59s ago");
	nwgcli_fmt_age(b, sizeof(b), NOW - 184, NOW);
	assert_string_equal(b, "3m 4s ago");
	nwgcli_fmt_age(b, sizeof(b), NOW - 7500, NOW);
	assert_string_equal(b, "2h 5m ago");
	nwgcli_fmt_age(b, sizeof(b), NOW - 4 * 86400 - 3600, NOW);
	assert_string_equal(b, "4d 1h ago");
}

static void test_bytes(void **state)
{
	char b[24];

	(void)state;
	nwgcli_fmt_bytes(b, sizeof(b), 0);
	assert_string_equal(b, "0 B");
	nwgcli_fmt_bytes(b, sizeof(b), 1023);
	assert_string_equal(b, "1023 B");
	nwgcli_fmt_bytes(b, sizeof(b), 1024);
	assert_string_equal(b, "1.0 KiB");
	nwgcli_fmt_bytes(b, sizeof(b), 5ULL << 30);
	assert_string_equal(b, "5.0 GiB");
	nwgcli_fmt_bytes(b, sizeof(b), UINT64_MAX);
	assert_string_equal(b, "16.0 EiB");
}

static void expect_bad(const char *line, int code, const char *msg)
{
	struct nwg_err err = {{0}};
	int rc;
	char *out = print_reply(line, &rc, &err);

	assert_int_equal(rc, -code);
	if (!strstr(err.msg, msg))
		fail_msg("'%s' does not contain '%s'", err.msg, msg);
	assert_string_equal(out, ""); /* nothing printed */
	free(out);
}

static void test_malformed(void **state)
{
	(void)state;
	expect_bad("not json", EINVAL, "bad reply from agent");
	expect_bad("[1]", EINVAL, "no \"ok\" field");
	expect_bad("{\"ok\": false, \"error\": \"unknown method\"}", EREMOTEIO,
		   "agent: unknown method");
	expect_bad("{\"ok\": false}", EREMOTEIO, "error without a message");
	expect_bad("{\"ok\": true}", EINVAL, "result is not an object");
	expect_bad("{\"ok\": true, \"result\": {\"host\": \"h\", \"backend\": \"k\"}}", EINVAL,
		   "hubs: not a list");
	expect_bad("{\"ok\": true, \"result\": {\"host\": 1, \"backend\": \"k\", \"hubs\": []}}",
		   EINVAL, "host: missing or wrong type");
	expect_bad("{\"ok\": true, \"result\": {\"host\": \"h\", \"backend\": \"k\", "
		   "\"hubs\": [{\"port_id\": \"x\"}]}}",
		   EINVAL, "hub.project_id");
	expect_bad("{\"ok\": true, \"result\": {\"host\": \"h\", \"backend\": \"k\", \"hubs\": "
		   "[{\"port_id\": \"x\", \"project_id\": \"p\", \"up\": true, \"last_sync\": "
		   "\"ok\", \"peers\": [{\"port_id\": \"s\", \"latest_handshake\": \"1\", "
		   "\"rx_bytes\": 0, \"tx_bytes\": 0}]}]}}",
		   EINVAL, "peer.latest_handshake");
	expect_bad("{\"ok\": true, \"result\": {\"host\": \"h\", \"backend\": \"k\", \"hubs\": "
		   "[{\"port_id\": \"x\", \"project_id\": \"p\", \"up\": \"yes\", \"last_sync\": "
		   "\"ok\", \"peers\": []}]}}",
		   EINVAL, "hub.up");
}

static void test_empty_disconnected(void **state)
{
	struct nwg_err err = {{0}};
	int rc;
	char *out = print_reply("{\"ok\": true, \"result\": {\"host\": \"h\", \"backend\": "
				"\"wireguard-go\", \"connected\": false, \"hubs\": []}}",
				&rc, &err);

	(void)state;
	assert_int_equal(rc, 0);
	assert_string_equal(out, "agent on h, backend wireguard-go, NOT connected to RabbitMQ\n"
				 "hubs: 0\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_exact),
	    cmocka_unit_test(test_age),
	    cmocka_unit_test(test_bytes),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_empty_disconnected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
