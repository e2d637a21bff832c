/* SPDX-License-Identifier: Apache-2.0 */
/* Namespace clean-up planning: the home namespace of a project goes with its
 * last hub on the node, and never while any hub still uses it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nwg/rtnl.h"
#include "reconcile/nsgc.h"

static const struct nwg_plan_opts O = {.ns_prefix = "tun-", .full = true};

struct world {
	struct nwg_plan plan;
	struct nwg_action acts[8];
	struct nwg_desired d;
	struct nwg_dhub hubs[4];
	struct nwg_actual *a;
};

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->plan.acts = w->acts;
	w->d.hubs = w->hubs;
	w->a = nwg_actual_new();
	assert_non_null(w->a);
	return w;
}

static void world_free(struct world *w)
{
	nwg_actual_free(w->a);
	free(w);
}

/* A hub on the node: its record (home, where it is now) and its link. */
static void present(struct world *w, const char *port, const char *home, const char *now)
{
	struct nwg_hub_view *rec = nwg_hub_view_new();
	struct nwg_alink *l = nwg_actual_add_link(w->a);

	assert_non_null(rec);
	assert_non_null(l);
	snprintf(rec->port_id, sizeof(rec->port_id), "%s", port);
	snprintf(rec->home_netns, sizeof(rec->home_netns), "%s", home);
	snprintf(rec->netns, sizeof(rec->netns), "%s", now);
	assert_int_equal(nwg_actual_add_record(w->a, rec), 0);
	snprintf(l->port_id, sizeof(l->port_id), "%s", port);
	snprintf(l->netns, sizeof(l->netns), "%s", now);
}

/* The plan's action for a present hub (the last record/link of that port). */
static void act(struct world *w, const char *port, enum nwg_act_kind kind)
{
	struct nwg_action *x = &w->acts[w->plan.n++];

	x->kind = kind;
	snprintf(x->port_id, sizeof(x->port_id), "%s", port);
	x->rec = nwg_actual_find_record(w->a, port);
	x->link = nwg_actual_find_link(w->a, port);
}

static void desire(struct world *w, const char *port, const char *project)
{
	struct nwg_dhub *h = &w->hubs[w->d.n_hubs++];

	snprintf(h->port_id, sizeof(h->port_id), "%s", port);
	snprintf(h->project_id, sizeof(h->project_id), "%s", project);
}

static char **plan(struct world *w, const struct nwg_plan_opts *o, char *const *pending)
{
	char **out = NULL;

	assert_int_equal(nwg_nsgc_plan(&w->plan, &w->d, w->a, o, pending, &out), 0);
	assert_non_null(out);
	return out;
}

static size_t len(char **v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}

static void test_last_hub_deleted(void **state)
{
	struct world *w = world_new();
	char **v;

	(void)state;
	present(w, "hub-1", "tun-p1", "tun-p1");
	act(w, "hub-1", NWG_ACT_DELETE);
	v = plan(w, &O, NULL);
	assert_int_equal(len(v), 1);
	assert_string_equal(v[0], "tun-p1");
	nwg_strv_free(v);
	world_free(w);
}

static void test_another_hub_stays(void **state)
{
	struct world *w = world_new();
	char **v;

	(void)state;
	present(w, "hub-1", "tun-p1", "tun-p1");
	present(w, "hub-2", "tun-p1", "tun-p1");
	act(w, "hub-1", NWG_ACT_DELETE);
	act(w, "hub-2", NWG_ACT_ADOPT);
	v = plan(w, &O, NULL);
	assert_int_equal(len(v), 0);
	nwg_strv_free(v);
	world_free(w);
}

/* A hub attached to a router lives elsewhere but still calls it home. */
static void test_attached_hub_keeps_home(void **state)
{
	struct world *w = world_new();
	char **v;

	(void)state;
	present(w, "hub-1", "tun-p1", "tun-p1");
	present(w, "hub-2", "tun-p1", "qrouter-r1");
	act(w, "hub-1", NWG_ACT_DELETE);
	v = plan(w, &O, NULL);
	assert_int_equal(len(v), 0);
	nwg_strv_free(v);
	world_free(w);
}

/* A new hub of the project (not yet created) needs its home. */
static void test_desired_hub_keeps_home(void **state)
{
	struct world *w = world_new();
	char *pending[] = {"tun-p1", "tun-p2", NULL};
	char **v;

	(void)state;
	present(w, "hub-1", "tun-p1", "tun-p1");
	act(w, "hub-1", NWG_ACT_DELETE);
	desire(w, "hub-9", "p1");
	v = plan(w, &O, pending);
	assert_int_equal(len(v), 1);
	assert_string_equal(v[0], "tun-p2"); /* pending, nobody needs it */
	nwg_strv_free(v);
	world_free(w);
}

/* Deleted while attached: its home goes, the router's namespace never does;
 * the root namespace and names without the prefix are never candidates. */
static void test_only_prefixed_names(void **state)
{
	struct world *w = world_new();
	char *pending[] = {"tun-", "qrouter-r2", "", "tun-p3", "tun-p3", NULL};
	char **v;

	(void)state;
	present(w, "hub-1", "tun-p1", "qrouter-r1");
	present(w, "hub-2", "", "");
	act(w, "hub-1", NWG_ACT_DELETE);
	act(w, "hub-2", NWG_ACT_DELETE);
	v = plan(w, &O, pending);
	assert_int_equal(len(v), 2);
	assert_string_equal(v[0], "tun-p1");
	assert_string_equal(v[1], "tun-p3");
	nwg_strv_free(v);
	world_free(w);
}

/* Held deletions (the mass-deletion guard turns them into SKIP) and a
 * restore plan remove nothing. */
static void test_held_and_restore(void **state)
{
	struct world *w = world_new();
	struct nwg_plan_opts o = O;
	char *pending[] = {"tun-p2", NULL};
	char **v;

	(void)state;
	present(w, "hub-1", "tun-p1", "tun-p1");
	act(w, "hub-1", NWG_ACT_SKIP);
	v = plan(w, &O, NULL);
	assert_int_equal(len(v), 0);
	nwg_strv_free(v);
	w->acts[0].kind = NWG_ACT_DELETE;
	o.restore = true;
	v = plan(w, &o, pending);
	assert_int_equal(len(v), 0);
	nwg_strv_free(v);
	world_free(w);
}

/* A link of the project left in the namespace by a hub that is not deleted
 * (no record: lost repository) keeps it too. */
static void test_live_link_keeps(void **state)
{
	struct world *w = world_new();
	struct nwg_alink *l;
	char **v;

	(void)state;
	present(w, "hub-1", "tun-p1", "tun-p1");
	l = nwg_actual_add_link(w->a);
	assert_non_null(l);
	snprintf(l->port_id, sizeof(l->port_id), "hub-7");
	snprintf(l->netns, sizeof(l->netns), "tun-p1");
	act(w, "hub-1", NWG_ACT_DELETE); /* after the last add: links may move */
	v = plan(w, &O, NULL);
	assert_int_equal(len(v), 0);
	nwg_strv_free(v);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_last_hub_deleted),
	    cmocka_unit_test(test_another_hub_stays),
	    cmocka_unit_test(test_attached_hub_keeps_home),
	    cmocka_unit_test(test_desired_hub_keeps_home),
	    cmocka_unit_test(test_only_prefixed_names),
	    cmocka_unit_test(test_held_and_restore),
	    cmocka_unit_test(test_live_link_keeps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
