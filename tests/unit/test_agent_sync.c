/* SPDX-License-Identifier: Apache-2.0 */
/* The sync state machine and the scheduler over the fake broker: get_hubs
 * pages, failures and their backoff, loss recovery, one pass at a time. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent.h"
#include "agent_testlib.h"
#include "log/log.h"
#include "msg/fake.h"
#include "nwg/rtnl.h"
#include "sync/neutron_rpc.h"

#include "broker_testlib.h"

static json_t *page(const char *next)
{
	return json_pack("{s:s, s:[], s:s?}", "host", "node-1", "hubs", "next", next);
}

static void test_pages_then_apply(void **state)
{
	struct fixture *f = *state;
	char id[64];
	json_t *args, *p;

	assert_int_equal(nwg_sync(&f->a, true, NULL, 0), 0);
	assert_int_equal(f->a.sync.state, NWG_SYNC_FETCH);
	/* one pass at a time */
	assert_int_equal(nwg_sync(&f->a, true, NULL, 0), -EBUSY);
	args = request(f, 0, "get_hubs", "1.2", id);
	assert_string_equal(json_string_value(json_object_get(args, "host")), "node-1");
	assert_null(json_object_get(args, "port_ids"));
	p = json_object_get(args, "page");
	assert_true(json_is_null(json_object_get(p, "after")));
	assert_int_equal(json_integer_value(json_object_get(p, "max_spokes")), NWG_PAGE_MAX_SPOKES);
	json_decref(args);
	p = page(HUB_B);
	answer(f, id, p, NULL);
	json_decref(p);
	assert_int_equal(f->b.n, 2);
	args = request(f, 1, "get_hubs", "1.2", id);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(args, "page"), "after")), HUB_B);
	json_decref(args);
	p = page(NULL);
	answer(f, id, p, NULL);
	json_decref(p);
	/* the last page applied the desired state (no backend here: the actual
	 * state cannot be read, so the pass ends as failed and is retried) */
	assert_int_equal(f->a.sync.state, NWG_SYNC_IDLE);
	assert_int_equal(f->a.last_sync_rc, -EINVAL);
	assert_true(f->a.want_full);
	assert_int_equal(f->a.full_retry_ms, 1000);
}

static void test_cursor_must_advance(void **state)
{
	struct fixture *f = *state;
	char id[64];
	json_t *p;

	assert_int_equal(nwg_sync(&f->a, true, NULL, 0), 0);
	json_decref(request(f, 0, "get_hubs", "1.2", id));
	p = page(HUB_B);
	answer(f, id, p, NULL);
	json_decref(p);
	json_decref(request(f, 1, "get_hubs", "1.2", id));
	p = page(HUB_A); /* backwards: a server bug must not loop the agent */
	answer(f, id, p, NULL);
	json_decref(p);
	assert_int_equal(f->b.n, 2);
	assert_int_equal(f->a.sync.state, NWG_SYNC_IDLE);
	assert_int_equal(f->a.last_sync_rc, -EBADMSG);
	assert_true(f->a.want_full);
}

static void test_unpaged_fallback(void **state)
{
	struct fixture *f = *state;
	char id[64];
	json_t *args;

	assert_int_equal(nwg_sync(&f->a, true, NULL, 0), 0);
	json_decref(request(f, 0, "get_hubs", "1.2", id));
	answer(f, id, NULL, "oslo_messaging.rpc.client.UnsupportedVersion");
	assert_true(f->a.no_digests); /* a 1.1 server would answer this one */
	json_decref(request(f, 1, "get_hubs", "1.1", id));
	answer(f, id, NULL, "oslo_messaging.rpc.client.UnsupportedVersion");
	assert_true(f->a.no_paging);
	assert_int_equal(f->a.sync.state, NWG_SYNC_FETCH);
	args = request(f, 2, "get_hubs", "1.0", id);
	assert_null(json_object_get(args, "page"));
	json_decref(args);
}

static void test_failure_backoff(void **state)
{
	struct fixture *f = *state;
	char id[64];

	for (int i = 0; i < 3; i++) {
		f->a.want_full = false;
		f->a.sync_at_ms = 0;
		assert_int_equal(nwg_sync(&f->a, true, NULL, 0), 0);
		json_decref(request(f, (size_t)i, "get_hubs", "1.2", id));
		answer(f, id, NULL, "RuntimeError");
		assert_int_equal(f->a.sync.state, NWG_SYNC_IDLE);
		assert_true(f->a.want_full);
		assert_int_equal(f->a.full_retry_ms, 1000 << i); /* 1 s, 2 s, 4 s */
		assert_true(f->a.sync_at_ms >= nwg_now_ms() + (1000 << i) - 100);
	}
}

static void test_targeted_failure_goes_full(void **state)
{
	struct fixture *f = *state;
	char id[64], **ids = calloc(2, sizeof(*ids));
	json_t *args;

	ids[0] = strdup(HUB_A);
	assert_int_equal(nwg_sync(&f->a, false, ids, 1), 0);
	args = request(f, 0, "get_hubs", "1.2", id);
	assert_string_equal(json_string_value(json_array_get(json_object_get(args, "port_ids"), 0)),
			    HUB_A);
	json_decref(args);
	answer(f, id, NULL, "RuntimeError");
	assert_true(f->a.want_full);
}

/* Broker loss in the middle of a pass: the pending get_hubs completes with
 * -ECONNRESET and a full pass waits for the reconnect. */
static void test_loss_during_fetch(void **state)
{
	struct fixture *f = *state;
	struct nwg_msg *m = f->a.msg;

	assert_int_equal(nwg_sync(&f->a, true, NULL, 0), 0);
	f->a.msg = NULL;
	nwg_msg_close(m);
	assert_int_equal(f->a.sync.state, NWG_SYNC_IDLE);
	assert_int_equal(f->a.last_sync_rc, -ECONNRESET);
	assert_true(f->a.want_full);
	f->a.msg = nwg_msg_fake_open(NWG_TOPIC_AGENT, nwg_events_handle, &f->a, publish, &f->b);
}

/* SIGTERM while get_hubs is pending: closing the connection at teardown fails
 * the call, which is not an error worth an ERROR line. */
static void test_stop_during_fetch(void **state)
{
	struct fixture *f = *state;
	struct nwg_msg *m = f->a.msg;
	char path[] = "/tmp/nwg-sync-log-XXXXXX", buf[4096] = "";
	int fd = mkstemp(path);
	FILE *fp;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(nwg_log_open(NWG_LOG_INFO, path, NULL), 0);
	assert_int_equal(nwg_sync(&f->a, true, NULL, 0), 0);
	f->a.stop = true;
	f->a.msg = NULL;
	nwg_msg_close(m);
	nwg_log_close();
	fp = fopen(path, "r");
	assert_non_null(fp);
	buf[fread(buf, 1, sizeof(buf) - 1, fp)] = '\0';
	fclose(fp);
	unlink(path);
	assert_null(strstr(buf, " ERROR "));
	assert_non_null(strstr(buf, "get_hubs(node-1) abandoned: the agent is stopping"));
	f->a.msg = nwg_msg_fake_open(NWG_TOPIC_AGENT, nwg_events_handle, &f->a, publish, &f->b);
}

/* A dropped or undecodable delivery schedules a full sync at once; repeated
 * losses back off. */
static void test_loss_schedules_sync(void **state)
{
	struct fixture *f = *state;
	int64_t now = nwg_now_ms();

	nwg_msg_fake_deliver(f->a.msg, false, NULL, 0);
	assert_int_equal(nwg_msg_poll(f->a.msg, 0, NULL), 0);
	assert_true(f->a.want_full);
	assert_true(f->a.sync_at_ms <= now + 50);
	f->a.want_full = false;
	f->a.sync_at_ms = 0;
	nwg_msg_fake_deliver(f->a.msg, false, "{garbage", 8);
	assert_int_equal(nwg_msg_poll(f->a.msg, 0, NULL), 0);
	assert_true(f->a.want_full);
	assert_true(f->a.sync_at_ms >= now + 400); /* second loss: 500 ms later */
	/* the scheduler starts the pass once due, not before */
	assert_int_equal(f->b.n, 0);
	nwg_sched_run(&f->a, f->a.sync_at_ms - 1);
	assert_int_equal(f->b.n, 0);
	nwg_sched_run(&f->a, f->a.sync_at_ms);
	assert_int_equal(f->b.n, 1);
	assert_int_equal(f->a.sync.state, NWG_SYNC_FETCH);
}

/* Triggers during a pass are coalesced and run after it. */
static void test_coalesced_while_busy(void **state)
{
	struct fixture *f = *state;
	const char *ids[] = {HUB_A, HUB_C};
	char id[64];
	json_t *p;

	nwg_sched_full(&f->a, 0);
	nwg_sched_run(&f->a, nwg_now_ms());
	assert_int_equal(f->b.n, 1);
	nwg_sched_ids(&f->a, ids, 2, 0);
	nwg_sched_run(&f->a, nwg_now_ms() + 10);
	assert_int_equal(f->b.n, 1); /* still fetching: nothing new sent */
	json_decref(request(f, 0, "get_hubs", "1.2", id));
	p = page(NULL);
	answer(f, id, p, NULL);
	json_decref(p);
	assert_int_equal(f->a.sync.state, NWG_SYNC_IDLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_pages_then_apply, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cursor_must_advance, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unpaged_fallback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failure_backoff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_targeted_failure_goes_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loss_during_fetch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_during_fetch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loss_schedules_sync, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_coalesced_while_busy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
