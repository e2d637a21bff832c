/* SPDX-License-Identifier: Apache-2.0 */
/* Mass-deletion guard: an answer that would delete all (or most) hubs is held
 * until a second full answer at least one resync interval later agrees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reconcile/guard.h"

/* A plan over n present hubs, the first n_del of them deleted (ids "hub-<i>"). */
static struct nwg_plan *plan_of(size_t n, size_t n_del, size_t first_del)
{
	struct nwg_plan *p = calloc(1, sizeof(*p));
	static struct nwg_hub_view rec;

	assert_non_null(p);
	p->acts = calloc(n, sizeof(*p->acts));
	assert_non_null(p->acts);
	p->n = n;
	for (size_t i = 0; i < n; i++) {
		bool del = i >= first_del && i < first_del + n_del;

		snprintf(p->acts[i].port_id, sizeof(p->acts[i].port_id), "hub-%zu", i);
		p->acts[i].kind = del ? NWG_ACT_DELETE : NWG_ACT_ADOPT;
		p->acts[i].rec = &rec;
	}
	return p;
}

static size_t count(const struct nwg_plan *p, enum nwg_act_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->acts[i].kind == k;
	return n;
}

static void done(struct nwg_plan *p)
{
	free(p->acts);
	free(p);
}

static const struct nwg_guard_opts opts = {.percent = 50, .confirm_ms = 300000};

static size_t run(struct nwg_guard *g, size_t n, size_t n_del, size_t first, bool full, int64_t t,
		  size_t *deletes_left)
{
	struct nwg_plan *p = plan_of(n, n_del, first);
	size_t held = nwg_guard_deletes(g, p, full, &opts, t);

	*deletes_left = count(p, NWG_ACT_DELETE);
	assert_int_equal(count(p, NWG_ACT_SKIP), held);
	for (size_t i = 0; i < p->n; i++) {
		if (p->acts[i].kind == NWG_ACT_SKIP)
			assert_non_null(strstr(p->acts[i].reason, "mass-deletion guard"));
	}
	done(p);
	return held;
}

static void test_empty_answer_held_until_confirmed(void **state)
{
	struct nwg_guard g = {0};
	size_t left;

	(void)state;
	/* every hub of the node (3): held */
	assert_int_equal(run(&g, 3, 3, 0, true, 1000, &left), 3);
	assert_int_equal(left, 0);
	/* the same answer again too soon: still held */
	assert_int_equal(run(&g, 3, 3, 0, true, 1000 + 299999, &left), 3);
	/* one resync interval later, the same deletions: applied */
	assert_int_equal(run(&g, 3, 3, 0, true, 1000 + 300000, &left), 0);
	assert_int_equal(left, 3);
}

static void test_different_answer_restarts_the_clock(void **state)
{
	struct nwg_guard g = {0};
	size_t left;

	(void)state;
	assert_int_equal(run(&g, 10, 8, 0, true, 1000, &left), 8);
	/* later, but other hubs to delete: a new first sighting */
	assert_int_equal(run(&g, 10, 8, 2, true, 400000, &left), 8);
	assert_int_equal(run(&g, 10, 8, 2, true, 700000, &left), 0);
	assert_int_equal(left, 8);
	/* an answer that deletes nothing in between clears what was held */
	assert_int_equal(run(&g, 10, 8, 0, true, 800000, &left), 8);
	assert_int_equal(run(&g, 10, 0, 0, true, 900000, &left), 0);
	assert_int_equal(g.held_since_ms, 0);
	assert_int_equal(run(&g, 10, 8, 0, true, 1200000, &left), 8);
}

static void test_thresholds(void **state)
{
	struct nwg_guard g = {0};
	size_t left;

	(void)state;
	/* up to 4 hubs: all of them is held, fewer pass */
	assert_int_equal(run(&g, 1, 1, 0, true, 1000, &left), 1);
	memset(&g, 0, sizeof(g));
	assert_int_equal(run(&g, 4, 3, 0, true, 1000, &left), 0);
	assert_int_equal(left, 3);
	/* more than 4: more than half is held, half passes */
	assert_int_equal(run(&g, 10, 5, 0, true, 1000, &left), 0);
	assert_int_equal(left, 5);
	assert_int_equal(run(&g, 10, 6, 0, true, 1000, &left), 6);
	memset(&g, 0, sizeof(g));
	/* targeted passes (the server named those hubs) are never held */
	assert_int_equal(run(&g, 2, 2, 0, false, 1000, &left), 0);
	assert_int_equal(left, 2);
}

static void test_guard_off(void **state)
{
	struct nwg_guard g = {0};
	struct nwg_guard_opts off = {.percent = 0, .confirm_ms = 300000};
	struct nwg_plan *p = plan_of(3, 3, 0);

	(void)state;
	assert_int_equal(nwg_guard_deletes(&g, p, true, &off, 1000), 0);
	assert_int_equal(count(p, NWG_ACT_DELETE), 3);
	done(p);
}

/* A hub a targeted answer said is gone (its port was deleted) is deleted by the
 * next full pass even when it is the node's only hub; the others still count. */
static void test_vouched_deletion_not_held(void **state)
{
	struct nwg_guard g = {0};
	struct nwg_plan *p = plan_of(1, 1, 0);

	(void)state;
	assert_int_equal(nwg_guard_vouch(&g, "hub-0"), 0);
	assert_int_equal(nwg_guard_deletes(&g, p, true, &opts, 1000), 0);
	assert_int_equal(count(p, NWG_ACT_DELETE), 1);
	assert_null(g.vouched); /* used once */
	done(p);
	/* 3 hubs, 1 vouched, the other 2 vanish from the answer: those 2 are held */
	p = plan_of(3, 3, 0);
	assert_int_equal(nwg_guard_vouch(&g, "hub-1"), 0);
	assert_int_equal(nwg_guard_deletes(&g, p, true, &opts, 1000), 2);
	assert_int_equal(count(p, NWG_ACT_DELETE), 1);
	assert_string_equal(p->acts[1].port_id, "hub-1");
	assert_int_equal(p->acts[1].kind, NWG_ACT_DELETE);
	done(p);
	nwg_guard_clear(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty_answer_held_until_confirmed),
	    cmocka_unit_test(test_different_answer_restarts_the_clock),
	    cmocka_unit_test(test_thresholds),
	    cmocka_unit_test(test_guard_off),
	    cmocka_unit_test(test_vouched_deletion_not_held),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
