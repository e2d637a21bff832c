/* SPDX-License-Identifier: Apache-2.0 */
/* Revocation never fails open: a hub whose answer carries one spoke the agent
 * cannot accept still loses a deleted spoke's peer and gains its new good
 * spokes; only the bad spoke is left out (planner level, no kernel). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "reconcile/plan.h"
#include "reconcile/record.h"

#define NS "tun-" PROJECT
#define IF "wg-aaaaaaaa-00"

static char k1[45], k2[45], k3[45], k4[45], hubpub[45];

static int setup(void **state)
{
	struct nwg_key priv = tkey(9), pub;

	(void)state;
	tkey_b64(1, k1);
	tkey_b64(2, k2);
	tkey_b64(3, k3);
	tkey_b64(4, k4);
	assert_int_equal(nwg_key_public(&pub, &priv), 0);
	nwg_key_to_b64(hubpub, &pub);
	return 0;
}

static struct nwg_desired *hub_a(const char *spokes)
{
	struct nwg_desired *d = NULL;
	char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"hubs\": [{\"port_id\": \"" HUB_A "\", \"project_id\": \"" PROJECT
		 "\", \"fixed_ips\": [\"10.99.0.1/24\"], \"mtu\": 1450, \"public_key\": \"%s\", "
		 "\"listen_port\": 51820, \"spokes\": [%s]}]}",
		 hubpub, spokes);
	assert_int_equal(nwg_desired_parse_text(buf, strlen(buf), &d, NULL), 0);
	return d;
}

#define SPOKE(id, key, ip, extra)                                                                  \
	"{\"port_id\": \"" id "\", \"public_key\": \"" key "\", \"allowed_ips\": [\"" ip           \
	"\"]" extra "}"

/* Hub A realized with the spokes of d: its record and a matching live link. */
static struct nwg_actual *realized(const struct nwg_desired *d)
{
	struct nwg_key priv = tkey(9), pub;
	struct nwg_record_spec spec = {.hub = &d->hubs[0],
				       .ifname = IF,
				       .netns = NS,
				       .home_netns = NS,
				       .mtu = 1420,
				       .public_key = &pub,
				       .listen_port = 51820};
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_device *dev = nwg_device_new(IF);
	struct nwg_alink *l;

	assert_non_null(a);
	assert_non_null(dev);
	assert_int_equal(nwg_key_public(&pub, &priv), 0);
	assert_int_equal(nwg_actual_add_record(a, nwg_hub_view_build(&spec)), 0);
	dev->private_key = priv;
	nwg_key_public(&dev->public_key, &dev->private_key);
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_PUBLIC_KEY | NWG_DEV_HAS_LISTEN_PORT;
	dev->listen_port = 51820;
	for (size_t i = 0; i < d->hubs[0].n_spokes; i++) {
		const struct nwg_dspoke *s = &d->hubs[0].spokes[i];
		struct nwg_peer *p = nwg_device_add_peer(dev, &s->public_key);
		char ip[NWG_IPNET_STRLEN];

		assert_non_null(p);
		nwg_ipnet_format(&s->allowed[0], ip, sizeof(ip));
		assert_int_equal(nwg_peer_add_allowedip(p, ip), 0);
	}
	l = nwg_actual_add_link(a);
	assert_non_null(l);
	snprintf(l->port_id, sizeof(l->port_id), "%s", HUB_A);
	snprintf(l->ifname, sizeof(l->ifname), "%s", IF);
	snprintf(l->netns, sizeof(l->netns), "%s", NS);
	l->mtu = 1420;
	l->dev = dev;
	return a;
}

static void test_bad_spoke_does_not_freeze_the_hub(void **state)
{
	char old_json[1024], new_json[2048];
	struct nwg_plan_opts o = {.ns_prefix = "tun-", .underlay_mtu = 1500, .full = true};
	struct nwg_desired *old, *d;
	struct nwg_actual *a;
	struct nwg_plan *p = NULL;
	const struct nwg_action *act = NULL;
	struct nwg_key key2 = tkey(2), key3 = tkey(3);
	bool removed2 = false, added3 = false, touched4 = false;

	(void)state;
	snprintf(
	    old_json, sizeof(old_json),
	    SPOKE(SPOKE_1, "%s", "10.99.0.5/32", "") ", " SPOKE(SPOKE_2, "%s", "10.99.0.6/32", ""),
	    k1, k2);
	old = hub_a(old_json);
	a = realized(old);
	/* spoke 2 deleted, spoke 3 new, and a fourth spoke with a host-name endpoint
	 * (which the agent never resolves) in the same answer */
	snprintf(new_json, sizeof(new_json),
		 SPOKE(SPOKE_1, "%s", "10.99.0.5/32", "") ", " SPOKE(
		     SPOKE_3, "%s", "10.99.0.7/32",
		     "") ", " SPOKE("44444444-0000-4000-8000-000000000044", "%s", "10.99.0.8/32",
				    ", \"endpoint\": \"slow.example.org:51820\""),
		 k1, k3, k4);
	d = hub_a(new_json);
	assert_int_equal(d->n_rejected, 0);
	assert_int_equal(d->hubs[0].n_skipped, 1);
	assert_string_equal(d->hubs[0].skipped[0].port_id, "44444444-0000-4000-8000-000000000044");
	assert_non_null(strstr(d->hubs[0].skipped[0].reason, "endpoint"));
	assert_int_equal(nwg_plan_build(d, a, &o, &p), 0);
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->acts[i].port_id, HUB_A) == 0)
			act = &p->acts[i];
	}
	assert_non_null(act);
	assert_int_equal(act->kind, NWG_ACT_UPDATE);
	for (size_t i = 0; i < act->n_peer_ops; i++) {
		struct nwg_key k4k = tkey(4);

		removed2 |= act->peer_ops[i].op == NWG_POP_REMOVE &&
			    nwg_key_equal(&act->peer_ops[i].key, &key2);
		added3 |= act->peer_ops[i].op == NWG_POP_ADD &&
			  nwg_key_equal(&act->peer_ops[i].key, &key3);
		touched4 |= nwg_key_equal(&act->peer_ops[i].key, &k4k);
	}
	assert_true(removed2);
	assert_true(added3);
	assert_false(touched4);
	nwg_plan_free(p);
	nwg_desired_free(d);
	nwg_actual_free(a);
	nwg_desired_free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_spoke_does_not_freeze_the_hub),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
