/* SPDX-License-Identifier: Apache-2.0 */
/* Spoke health (pure diff, reported-state table) and the metrics text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "health/health.h"
#include "health/metrics.h"

#define NOW   1700000000
#define STALE 180
#define S1    "11111111-1111-4111-8111-111111111111"
#define S2    "22222222-2222-4222-8222-222222222222"
#define S3    "33333333-3333-4333-8333-333333333333"

static void expect_lists(const struct nwg_health_changes *c, const char *up, const char *down)
{
	char got_up[256] = "", got_down[256] = "";

	for (size_t i = 0; i < c->n_up; i++)
		snprintf(got_up + strlen(got_up), sizeof(got_up) - strlen(got_up), "%s%s",
			 i ? " " : "", c->up[i]);
	for (size_t i = 0; i < c->n_down; i++)
		snprintf(got_down + strlen(got_down), sizeof(got_down) - strlen(got_down), "%s%s",
			 i ? " " : "", c->down[i]);
	assert_string_equal(got_up, up);
	assert_string_equal(got_down, down);
}

static void test_first_pass_reports_everything(void **state)
{
	struct nwg_health h = {0};
	struct nwg_health_obs obs[] = {
	    {S1, NOW - 12}, {S2, 0}, {S3, NOW - STALE} /* exactly stale = DOWN */};
	struct nwg_health_changes c;

	(void)state;
	assert_int_equal(nwg_health_diff(&h, obs, 3, NOW, STALE, &c), 0);
	expect_lists(&c, S1, S2 " " S3);
	nwg_health_changes_free(&c);
}

static void test_only_changes(void **state)
{
	struct nwg_health h = {0};
	struct nwg_health_obs obs[] = {{S1, NOW - 12}, {S2, 0}, {S3, NOW - 179}};
	struct nwg_health_changes c;

	(void)state;
	assert_int_equal(nwg_health_set(&h, S1, NWG_HEALTH_UP), 0);
	assert_int_equal(nwg_health_set(&h, S2, NWG_HEALTH_DOWN), 0);
	assert_int_equal(nwg_health_set(&h, S3, NWG_HEALTH_DOWN), 0);
	assert_int_equal(nwg_health_diff(&h, obs, 3, NOW, STALE, &c), 0);
	expect_lists(&c, S3, ""); /* S3 handshook again; S1, S2 unchanged */
	nwg_health_changes_free(&c);
	/* time passes: S1 and S3 go stale, S2 stays down */
	assert_int_equal(nwg_health_set(&h, S3, NWG_HEALTH_UP), 0);
	assert_int_equal(nwg_health_diff(&h, obs, 3, NOW + 170, STALE, &c), 0);
	expect_lists(&c, "", S1 " " S3);
	nwg_health_changes_free(&c);
	assert_int_equal(nwg_health_get(&h, S3), NWG_HEALTH_UP);
	nwg_health_clear(&h);
	assert_int_equal(nwg_health_get(&h, S3), NWG_HEALTH_UNKNOWN);
}

static void test_spoke_on_two_hubs(void **state)
{
	struct nwg_health h = {0};
	/* S1 stale on hub A but fresh on hub B: ACTIVE, listed once */
	struct nwg_health_obs obs[] = {{S1, 0}, {S2, 0}, {S1, NOW - 5}, {S2, NOW - 900}};
	struct nwg_health_changes c;

	(void)state;
	assert_int_equal(nwg_health_diff(&h, obs, 4, NOW, STALE, &c), 0);
	expect_lists(&c, S1, S2);
	nwg_health_changes_free(&c);
}

static void test_future_handshake_and_empty(void **state)
{
	struct nwg_health h = {0};
	struct nwg_health_obs obs[] = {{S1, NOW + 30}}; /* clock skew: fresh */
	struct nwg_health_changes c;

	(void)state;
	assert_int_equal(nwg_health_diff(&h, obs, 1, NOW, STALE, &c), 0);
	expect_lists(&c, S1, "");
	nwg_health_changes_free(&c);
	assert_int_equal(nwg_health_diff(&h, NULL, 0, NOW, STALE, &c), 0);
	expect_lists(&c, "", "");
	nwg_health_changes_free(&c);
}

static void test_prune(void **state)
{
	struct nwg_health h = {0};
	struct nwg_health_obs obs[] = {{S2, NOW}};

	(void)state;
	nwg_health_set(&h, S1, NWG_HEALTH_UP);
	nwg_health_set(&h, S2, NWG_HEALTH_DOWN);
	nwg_health_set(&h, S3, NWG_HEALTH_UP);
	nwg_health_prune(&h, obs, 1);
	assert_int_equal(h.n, 1);
	assert_int_equal(nwg_health_get(&h, S1), NWG_HEALTH_UNKNOWN);
	assert_int_equal(nwg_health_get(&h, S2), NWG_HEALTH_DOWN);
	nwg_health_clear(&h);
}

static void test_forget(void **state)
{
	struct nwg_health h = {0};
	struct nwg_health_obs obs[] = {{S1, NOW}, {S2, NOW}};
	struct nwg_health_changes c;

	(void)state;
	nwg_health_set(&h, S1, NWG_HEALTH_UP);
	nwg_health_set(&h, S2, NWG_HEALTH_UP);
	nwg_health_forget(&h, S1);
	nwg_health_forget(&h, S3); /* never reported: nothing happens */
	assert_int_equal(h.n, 1);
	assert_int_equal(nwg_health_get(&h, S1), NWG_HEALTH_UNKNOWN);
	/* the forgotten spoke is reported again although its state is the same */
	assert_int_equal(nwg_health_diff(&h, obs, 2, NOW, 180, &c), 0);
	assert_int_equal(c.n_up, 1);
	assert_string_equal(c.up[0], S1);
	nwg_health_changes_free(&c);
	nwg_health_clear(&h);
}

#define LBL1                                                                                       \
	"{interface=\"wg-0b6e6a52-4c\",public_key=\"9ejVtg9DkMuhYmH026vjBvFxZc9rfEPXKRPsuvCeSkI="  \
	"\","                                                                                      \
	"port_id=\"" S1 "\",hub_port_id=\"hub-1\",project_id=\"p1\"}"
#define LBL2                                                                                       \
	"{interface=\"wg-x\",public_key=\"k\",port_id=\"" S2 "\",hub_port_id=\"hub-\\\"2\\\\\","   \
	"project_id=\"p\\n2\"}"

static const char metrics_expected[] =
    "# HELP wireguard_latest_handshake_seconds UNIX time of the latest handshake with the peer "
    "(0 = never).\n"
    "# TYPE wireguard_latest_handshake_seconds gauge\n"
    "wireguard_latest_handshake_seconds" LBL1 " 1699999988\n"
    "wireguard_latest_handshake_seconds" LBL2 " 0\n"
    "# HELP wireguard_received_bytes_total Bytes received from the peer.\n"
    "# TYPE wireguard_received_bytes_total counter\n"
    "wireguard_received_bytes_total" LBL1 " 1536\n"
    "wireguard_received_bytes_total" LBL2 " 0\n"
    "# HELP wireguard_sent_bytes_total Bytes sent to the peer.\n"
    "# TYPE wireguard_sent_bytes_total counter\n"
    "wireguard_sent_bytes_total" LBL1 " 18446744073709551615\n"
    "wireguard_sent_bytes_total" LBL2 " 92\n"
    "# HELP neutron_wireguard_hubs Hubs held by this agent.\n"
    "# TYPE neutron_wireguard_hubs gauge\n"
    "neutron_wireguard_hubs 2\n"
    "# HELP neutron_wireguard_sync_errors_total Hub sync failures since the agent started.\n"
    "# TYPE neutron_wireguard_sync_errors_total counter\n"
    "neutron_wireguard_sync_errors_total 3\n";

static void test_metrics_text(void **state)
{
	const struct nwg_metric_peer peers[] = {
	    {"wg-0b6e6a52-4c", "9ejVtg9DkMuhYmH026vjBvFxZc9rfEPXKRPsuvCeSkI=", S1, "hub-1", "p1",
	     NOW - 12, 1536, UINT64_MAX},
	    {"wg-x", "k", S2, "hub-\"2\\", "p\n2", 0, 0, 92},
	};
	struct nwg_metrics m = {.peers = peers, .n_peers = 2, .hubs = 2, .sync_errors = 3};
	char *text = nwg_metrics_format(&m);

	(void)state;
	assert_non_null(text);
	assert_string_equal(text, metrics_expected);
	free(text);
}

static void test_metrics_write(void **state)
{
	char dir[] = "/tmp/nwg-metrics-XXXXXX", path[64], buf[64] = "";
	struct nwg_err err = {{0}};
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/wg.prom", dir);
	assert_int_equal(nwg_metrics_write(path, "a 1\n", &err), 0);
	assert_int_equal(nwg_metrics_write(path, "b 2\n", &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "b 2\n");
	unlink(path);
	assert_int_equal(rmdir(dir), 0); /* no temporary file left behind */
	snprintf(path, sizeof(path), "%s/wg.prom", dir);
	assert_true(nwg_metrics_write(path, "x\n", &err) < 0); /* directory gone */
	assert_non_null(strstr(err.msg, dir));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_pass_reports_everything),
	    cmocka_unit_test(test_only_changes),
	    cmocka_unit_test(test_spoke_on_two_hubs),
	    cmocka_unit_test(test_future_handshake_and_empty),
	    cmocka_unit_test(test_prune),
	    cmocka_unit_test(test_forget),
	    cmocka_unit_test(test_metrics_text),
	    cmocka_unit_test(test_metrics_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
