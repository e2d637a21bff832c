/* SPDX-License-Identifier: Apache-2.0 */
/* The agent's quarantine: a deleted hub's record is kept, and the same port id
 * coming back gets the same key and listen port (no device re-provisioning). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "fake_repo.h"
#include "reconcile/quarantine.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nwg-test-quarantine.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fake_dir_remove(dir);
	return 0;
}

static struct nwg_desired *hub_a(void)
{
	const char *j = "{\"hubs\": [{\"port_id\": \"" HUB_A "\", \"project_id\": \"" PROJECT
			"\", \"fixed_ips\": [\"10.99.0.1/24\"]}]}";
	struct nwg_desired *d = NULL;

	assert_int_equal(nwg_desired_parse_text(j, strlen(j), &d, NULL), 0);
	return d;
}

static void test_deleted_then_back(void **state)
{
	struct nwg_agent a;
	struct nwg_hub_record *rec = nwg_hub_record_new();
	struct nwg_action del = {.kind = NWG_ACT_DELETE, .port_id = HUB_A};
	struct nwg_plan p = {.acts = &del, .n = 1};
	struct nwg_actual *act = nwg_actual_new();
	struct nwg_desired *d = hub_a();
	const struct nwg_hub_view *back;
	struct nwg_hub_view *view;
	struct nwg_key pub;
	char path[256];
	struct stat st;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.conf.quarantine_days = 7;
	snprintf(path, sizeof(path), "%s/repo", dir);
	assert_int_equal(nwg_repo_open(&a.repo, path, NULL), 0);
	assert_non_null(rec);
	snprintf(rec->port_id, sizeof(rec->port_id), "%s", HUB_A);
	snprintf(rec->project_id, sizeof(rec->project_id), "%s", PROJECT);
	snprintf(rec->ifname, sizeof(rec->ifname), "wg-aaaaaaaa-00");
	rec->private_key = tkey(9);
	rec->listen_port = 51999;
	assert_int_equal(nwg_repo_save(a.repo, rec, NULL), 0);
	/* deleted: the record goes to quarantine before the delete runs */
	view = nwg_hub_view_of(rec);
	assert_non_null(view);
	del.rec = view;
	nwg_quarantine_deletes(&a, &p);
	snprintf(path, sizeof(path), "%s/repo/" HUB_A ".conf", dir);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/repo/quarantine/" HUB_A ".conf", dir);
	assert_int_equal(stat(path, &st), 0);
	/* the same port id comes back: its record is restored into the view the
	 * planner gets, with the same key and listen port */
	nwg_quarantine_restore(&a, d, act);
	back = nwg_actual_find_record(act, HUB_A);
	assert_non_null(back);
	assert_int_equal(nwg_key_public(&pub, &rec->private_key), 0);
	assert_memory_equal(back->public_key.b, pub.b, sizeof(pub.b));
	assert_int_equal(back->listen_port, 51999);
	assert_int_equal(stat(path, &st), -1);
	/* quarantine off: nothing is kept */
	a.conf.quarantine_days = 0;
	nwg_quarantine_deletes(&a, &p);
	snprintf(path, sizeof(path), "%s/repo/" HUB_A ".conf", dir);
	assert_int_equal(stat(path, &st), 0);
	nwg_desired_free(d);
	nwg_actual_free(act);
	nwg_hub_record_free(rec);
	nwg_hub_view_free(view);
	nwg_repo_close(a.repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deleted_then_back),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
