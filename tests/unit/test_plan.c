/* SPDX-License-Identifier: Apache-2.0 */
/* The planner (desired x actual -> actions), without a kernel. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "core/hubtab.h"
#include "dhub_testlib.h"
#include "nwg/rtnl.h"
#include "reconcile/cache.h"
#include "reconcile/desired_ha.h"
#include "reconcile/exec.h"
#include "reconcile/peers.h"
#include "reconcile/plan.h"
#include "reconcile/record.h"

#define NS "tun-" PROJECT

static char k1[45], k2[45], k3[45], hubpub[45];
static const struct nwg_key HUBKEY_FILL = {{0}};

static struct nwg_plan_opts opts(void)
{
	struct nwg_plan_opts o = {.ns_prefix = "tun-", .underlay_mtu = 1500, .full = true};

	return o;
}

static int setup(void **state)
{
	struct nwg_key priv = tkey(9), pub;

	(void)state;
	(void)HUBKEY_FILL;
	tkey_b64(1, k1);
	tkey_b64(2, k2);
	tkey_b64(3, k3);
	assert_int_equal(nwg_key_public(&pub, &priv), 0);
	nwg_key_to_b64(hubpub, &pub);
	return 0;
}

/* Desired: hub A with spokes 1 and 2 (as the server knows it after a
 * realization with key 9 and port 51820 when `realized`). */
static struct nwg_desired *desired_fmt(const char *fmt, ...)
{
	struct nwg_desired *d = NULL;
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_int_equal(nwg_desired_parse_text(buf, strlen(buf), &d, NULL), 0);
	return d;
}

static char *spoke_json(char *buf, size_t len, const char *id, const char *key, const char *ip,
			const char *extra)
{
	snprintf(buf, len,
		 "{\"port_id\": \"%s\", \"public_key\": \"%s\", \"allowed_ips\": [\"%s\"]%s}", id,
		 key, ip, extra);
	return buf;
}

static struct nwg_desired *hub_a(bool realized, const char *spokes)
{
	char pk[64] = "null";

	if (realized)
		snprintf(pk, sizeof(pk), "\"%s\"", hubpub);
	return desired_fmt("{\"hubs\": [{\"port_id\": \"" HUB_A "\", \"project_id\": \"" PROJECT
			   "\", \"fixed_ips\": [\"10.99.0.1/24\"], \"mtu\": 1450, "
			   "\"public_key\": %s, \"listen_port\": %s, \"spokes\": [%s]}]}",
			   pk, realized ? "51820" : "null", spokes);
}

static struct nwg_desired *hub_a_two_spokes(bool realized)
{
	char s1[256], s2[256], all[600];

	spoke_json(s1, sizeof(s1), SPOKE_1, k1, "10.99.0.5/32", "");
	spoke_json(s2, sizeof(s2), SPOKE_2, k2, "10.99.0.6/32", ", \"persistent_keepalive\": 25");
	snprintf(all, sizeof(all), "%s, %s", s1, s2);
	return hub_a(realized, all);
}

/* The record the agent would have saved for hub A of d (key 9, 51820), as
 * the planner sees it (its view: no private key). */
static struct nwg_hub_view *record_for(const struct nwg_desired *d, const char *netns)
{
	struct nwg_key priv = tkey(9);
	struct nwg_record_spec spec = {
	    .hub = &d->hubs[0],
	    .ifname = "wg-aaaaaaaa-00",
	    .netns = netns,
	    .home_netns = NS,
	    .mtu = 1420,
	    .private_key = &priv,
	    .listen_port = 51820,
	};
	struct nwg_hub_record *rec = nwg_record_build(&spec);
	struct nwg_hub_view *v = nwg_hub_view_of(rec);

	nwg_hub_record_free(rec);
	assert_non_null(v);
	return v;
}

static struct nwg_key tpub(int n)
{
	struct nwg_key priv = tkey(n), pub;

	assert_int_equal(nwg_key_public(&pub, &priv), 0);
	return pub;
}

/* A live device matching the desired spokes of hub A. */
static struct nwg_device *device_for(const struct nwg_desired *d)
{
	struct nwg_device *dev = nwg_device_new("wg-aaaaaaaa-00");
	const struct nwg_dhub *h = &d->hubs[0];

	assert_non_null(dev);
	dev->private_key = tkey(9);
	nwg_key_public(&dev->public_key, &dev->private_key);
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_PUBLIC_KEY | NWG_DEV_HAS_LISTEN_PORT;
	dev->listen_port = 51820;
	for (size_t i = 0; i < h->n_spokes; i++) {
		struct nwg_peer *p = nwg_device_add_peer(dev, &h->spokes[i].public_key);
		char buf[NWG_IPNET_STRLEN];

		assert_non_null(p);
		p->persistent_keepalive = h->spokes[i].keepalive;
		for (size_t k = 0; k < h->spokes[i].n_allowed; k++) {
			nwg_ipnet_format(&h->spokes[i].allowed[k], buf, sizeof(buf));
			assert_int_equal(nwg_peer_add_allowedip(p, buf), 0);
		}
	}
	return dev;
}

static struct nwg_alink *add_link(struct nwg_actual *a, const char *port_id, const char *ifname,
				  const char *netns, struct nwg_device *dev)
{
	struct nwg_alink *l = nwg_actual_add_link(a);

	assert_non_null(l);
	snprintf(l->port_id, sizeof(l->port_id), "%s", port_id);
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	snprintf(l->netns, sizeof(l->netns), "%s", netns);
	l->mtu = 1420;
	l->dev = dev;
	return l;
}

/* The realized hub A: record + matching link in its namespace. */
static struct nwg_actual *realized(const struct nwg_desired *d)
{
	struct nwg_actual *a = nwg_actual_new();

	assert_int_equal(nwg_actual_add_record(a, record_for(d, NS)), 0);
	add_link(a, HUB_A, "wg-aaaaaaaa-00", NS, device_for(d));
	return a;
}

static struct nwg_plan *plan(const struct nwg_desired *d, const struct nwg_actual *a,
			     const struct nwg_plan_opts *o)
{
	struct nwg_plan *p = NULL;

	assert_int_equal(nwg_plan_build(d, a, o, &p), 0);
	assert_non_null(p);
	return p;
}

static const struct nwg_action *find_act(const struct nwg_plan *p, const char *port_id)
{
	for (size_t i = 0; i < p->n; i++) {
		if (strcmp(p->acts[i].port_id, port_id) == 0)
			return &p->acts[i];
	}
	return NULL;
}

static void test_create_new_hub(void **state)
{
	struct nwg_desired *d = hub_a_two_spokes(false);
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p = plan(d, a, &o);
	const struct nwg_action *act;

	(void)state;
	assert_int_equal(p->n, 1);
	act = &p->acts[0];
	assert_int_equal(act->kind, NWG_ACT_CREATE);
	assert_string_equal(act->port_id, HUB_A);
	assert_string_equal(act->ifname, "wg-aaaaaaaa-00");
	assert_string_equal(act->netns, NS);
	assert_int_equal(act->key_src, NWG_KEY_NEW);
	assert_int_equal(act->listen_port, 0); /* allocated at execution */
	assert_int_equal(act->mtu, 1420);      /* 1450 capped at 1500 - 80 */
	assert_false(act->up);		       /* not brought up until routed */
	assert_false(act->addressed);
	assert_false(act->replace_link);
	assert_true(act->report);
	assert_int_equal(act->n_peer_ops, 2);
	assert_int_equal(act->peer_ops[0].op, NWG_POP_ADD);
	assert_int_equal(act->peer_ops[1].op, NWG_POP_ADD);
	assert_false(p->need_full);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

static void test_adopt_matching_hub(void **state)
{
	struct nwg_desired *d = hub_a_two_spokes(true);
	struct nwg_actual *a = realized(d);
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p = plan(d, a, &o);

	(void)state;
	assert_int_equal(p->n, 1);
	assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
	assert_int_equal(p->acts[0].fix, 0);
	assert_int_equal(p->acts[0].n_peer_ops, 0);
	assert_false(p->acts[0].report); /* the server already has key and port */
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

/* HA hub (doc/ha.md): the primary reports (with the sealed key) until
 * Neutron holds an envelope for its peer; the secondary builds nothing of
 * its own (its copy comes from the sealed key) and deletes nothing. */
static void test_ha_roles(void **state)
{
	struct nwg_desired *d = hub_a_two_spokes(true);
	struct nwg_actual *a = realized(d);
	struct nwg_plan_opts o = opts();
	struct nwg_dha *ha = calloc(1, sizeof(*ha));
	struct nwg_plan *p;

	(void)state;
	assert_non_null(ha);
	ha->primary = true;
	ha->has_peer_pub = true;
	snprintf(ha->own_state, sizeof(ha->own_state), "active"); /* reported */
	d->hubs[0].ha = ha;					  /* freed with d */
	p = plan(d, a, &o);
	assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
	assert_true(p->acts[0].report); /* in sync, but the peer has no envelope */
	nwg_plan_free(p);
	ha->peer_sealed = true;
	p = plan(d, a, &o);
	assert_false(p->acts[0].report);
	nwg_plan_free(p);
	ha->peer_sealed = false;
	ha->has_peer_pub = false; /* nothing to seal to yet */
	p = plan(d, a, &o);
	assert_false(p->acts[0].report);
	nwg_plan_free(p);
	ha->own_state[0] = '\0'; /* no state in Neutron: report "active" */
	p = plan(d, a, &o);
	assert_true(p->acts[0].report);
	nwg_plan_free(p);
	nwg_actual_free(a);
	a = nwg_actual_new();
	ha->primary = false;
	ha->has_peer_pub = true;
	o.full = true;
	p = plan(d, a, &o);
	assert_int_equal(p->n, 1);
	assert_int_equal(p->acts[0].kind, NWG_ACT_SKIP);
	assert_non_null(strstr(p->acts[0].reason, "HA secondary"));
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

static void test_recreate_after_reboot(void **state)
{
	struct nwg_desired *d = hub_a_two_spokes(true);
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p;
	struct nwg_key want = tpub(9);

	(void)state;
	assert_int_equal(nwg_actual_add_record(a, record_for(d, NS)), 0); /* no link */
	p = plan(d, a, &o);
	assert_int_equal(p->n, 1);
	assert_int_equal(p->acts[0].kind, NWG_ACT_CREATE);
	assert_int_equal(p->acts[0].key_src, NWG_KEY_RECORD);
	assert_true(nwg_key_equal(&p->acts[0].rec->public_key, &want));
	assert_int_equal(p->acts[0].listen_port, 51820);
	assert_false(p->acts[0].report); /* same identity: nothing to tell the server */
	assert_string_equal(p->acts[0].reason, "re-create from repository");
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

static void test_dead_wireguard_go_is_missing(void **state)
{
	struct nwg_desired *d = hub_a_two_spokes(true);
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p;

	(void)state;
	assert_int_equal(nwg_actual_add_record(a, record_for(d, NS)), 0);
	add_link(a, HUB_A, "wg-aaaaaaaa-00", NS, NULL); /* socket gone */
	p = plan(d, a, &o);
	assert_int_equal(p->acts[0].kind, NWG_ACT_CREATE);
	assert_true(p->acts[0].replace_link);
	assert_int_equal(p->acts[0].key_src, NWG_KEY_RECORD);
	assert_int_equal(p->acts[0].listen_port, 51820);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

static void test_peer_diff_only_changes(void **state)
{
	struct nwg_desired *old = hub_a_two_spokes(true), *d;
	struct nwg_actual *a = realized(old);
	struct nwg_plan_opts o = opts();
	char s1[256], s2[256], s3[256], all[900];
	const struct nwg_action *act;
	struct nwg_device *dev = NULL;
	struct nwg_plan *p;
	struct nwg_key key1 = tkey(1), key2 = tkey(2), key3 = tkey(3);

	(void)state;
	/* spoke 1 unchanged, spoke 2 moves to .7 and drops keepalive, spoke 3 new */
	spoke_json(s1, sizeof(s1), SPOKE_1, k1, "10.99.0.5/32", "");
	spoke_json(s2, sizeof(s2), SPOKE_2, k2, "10.99.0.7/32", "");
	spoke_json(s3, sizeof(s3), SPOKE_3, k3, "10.99.0.8/32", "");
	snprintf(all, sizeof(all), "%s, %s, %s", s1, s2, s3);
	d = hub_a(true, all);
	p = plan(d, a, &o);
	act = find_act(p, HUB_A);
	assert_int_equal(act->kind, NWG_ACT_UPDATE);
	assert_int_equal(act->fix, NWG_FIX_PEERS | NWG_FIX_RECORD);
	assert_int_equal(act->n_peer_ops, 2);
	assert_int_equal(act->peer_ops[0].op, NWG_POP_UPDATE);
	assert_true(nwg_key_equal(&act->peer_ops[0].key, &key2));
	assert_int_equal(act->peer_ops[0].fields, NWG_POPF_ALLOWED | NWG_POPF_KEEPALIVE);
	assert_int_equal(act->peer_ops[1].op, NWG_POP_ADD);
	assert_true(nwg_key_equal(&act->peer_ops[1].key, &key3));
	/* the device set carries only those two peers, never REPLACE_PEERS */
	assert_int_equal(nwg_exec_peer_device(act, "wg-aaaaaaaa-00", &dev, NULL), 0);
	assert_int_equal(dev->flags & NWG_DEV_REPLACE_PEERS, 0);
	assert_int_equal(dev->flags & (NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_LISTEN_PORT), 0);
	assert_int_equal(dev->n_peers, 2);
	assert_null(nwg_device_find_peer(dev, &key1));
	assert_int_equal(dev->peers[0].flags, NWG_PEER_UPDATE_ONLY | NWG_PEER_REPLACE_ALLOWEDIPS |
						  NWG_PEER_HAS_KEEPALIVE);
	assert_int_equal(dev->peers[0].persistent_keepalive, 0);
	assert_int_equal(dev->peers[0].n_allowedips, 1);
	assert_int_equal(dev->peers[1].flags, NWG_PEER_REPLACE_ALLOWEDIPS);
	nwg_device_free(dev);
	nwg_plan_free(p);
	nwg_desired_free(d);
	/* spoke 2 deleted: a single REMOVE */
	d = hub_a(true, s1);
	p = plan(d, a, &o);
	act = find_act(p, HUB_A);
	assert_int_equal(act->n_peer_ops, 1);
	assert_int_equal(act->peer_ops[0].op, NWG_POP_REMOVE);
	assert_true(nwg_key_equal(&act->peer_ops[0].key, &key2));
	assert_int_equal(nwg_exec_peer_device(act, "wg-aaaaaaaa-00", &dev, NULL), 0);
	assert_int_equal(dev->n_peers, 1);
	assert_int_equal(dev->peers[0].flags, NWG_PEER_REMOVE);
	nwg_device_free(dev);
	nwg_plan_free(p);
	nwg_desired_free(d);
	nwg_actual_free(a);
	nwg_desired_free(old);
}

/* Hub A with n spokes; spoke i has key [i] and address 10.<i>/32, except
 * `moved` (address .250 in another /16) and `skip` (absent). */
static struct nwg_desired *big_hub(size_t n, size_t moved, size_t skip)
{
	json_t *spokes = json_array(), *top;
	struct nwg_desired *d = NULL;

	for (size_t i = 0; i < n; i++) {
		struct nwg_key k = tkey(7);
		char b64[NWG_KEY_B64_LEN + 1], ip[32], id[48];

		if (i == skip)
			continue;
		memcpy(k.b + 1, &i, sizeof(i));
		nwg_key_to_b64(b64, &k);
		snprintf(ip, sizeof(ip), "10.%zu.%zu.%zu/32", i == moved ? 200 : 100 + i / 65536,
			 (i / 256) % 256, i % 256);
		snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012zx", i);
		json_array_append_new(spokes, json_pack("{s:s, s:s, s:[s]}", "port_id", id,
							"public_key", b64, "allowed_ips", ip));
	}
	top = json_pack("{s:[{s:s, s:s, s:[s], s:i, s:s, s:i, s:o}]}", "hubs", "port_id", HUB_A,
			"project_id", PROJECT, "fixed_ips", "10.99.0.1/24", "mtu", 1450,
			"public_key", hubpub, "listen_port", 51820, "spokes", spokes);
	assert_int_equal(nwg_desired_parse(top, &d, NULL), 0);
	assert_int_equal(d->n_hubs, 1);
	json_decref(top);
	return d;
}

/* Sort-and-merge: 1,000 spokes in sync plan nothing; one moved, one gone
 * and one new spoke plan exactly those three operations, removals last. */
static void test_peer_merge_at_scale(void **state)
{
	enum { N = 1000 };
	struct nwg_desired *old = big_hub(N + 1, N + 1, N), *d;
	struct nwg_actual *a = realized(old);
	struct nwg_plan_opts o = opts();
	const struct nwg_action *act;
	struct nwg_device *dev = NULL;
	struct nwg_plan *p;

	(void)state;
	assert_int_equal(old->hubs[0].n_spokes, N);
	p = plan(old, a, &o);
	act = find_act(p, HUB_A);
	assert_int_equal(act->kind, NWG_ACT_ADOPT);
	assert_int_equal(act->n_peer_ops, 0);
	nwg_plan_free(p);
	/* spoke 567 moves, spoke 17 is deleted, spoke N is new */
	d = big_hub(N + 1, 567, 17);
	p = plan(d, a, &o);
	act = find_act(p, HUB_A);
	assert_int_equal(act->kind, NWG_ACT_UPDATE);
	assert_int_equal(act->n_peer_ops, 3);
	assert_int_equal(act->peer_ops[2].op, NWG_POP_REMOVE);
	assert_int_equal(act->peer_ops[0].op + act->peer_ops[1].op, NWG_POP_ADD + NWG_POP_UPDATE);
	for (int i = 0; i < 2; i++) {
		if (act->peer_ops[i].op == NWG_POP_UPDATE)
			assert_int_equal(act->peer_ops[i].fields, NWG_POPF_ALLOWED);
	}
	/* one request carrying those three peers only */
	assert_int_equal(nwg_exec_peer_device(act, "wg-aaaaaaaa-00", &dev, NULL), 0);
	assert_int_equal(dev->n_peers, 3);
	assert_int_equal(dev->flags & NWG_DEV_REPLACE_PEERS, 0);
	nwg_device_free(dev);
	nwg_plan_free(p);
	nwg_desired_free(d);
	nwg_actual_free(a);
	nwg_desired_free(old);
}

/* The realized hub A of d as the per-hub cache holds it: device peers in key
 * order, the record as saved. */
static struct nwg_actual *realized_cached(const struct nwg_desired *d)
{
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_device *dev = device_for(d);

	nwg_peers_sort(dev);
	assert_int_equal(nwg_actual_add_record(a, record_for(d, NS)), 0);
	add_link(a, HUB_A, "wg-aaaaaaaa-00", NS, dev);
	return a;
}

/* One spoke moved on a cached 2,000-spoke hub whose record this agent built:
 * the planner compares keys a few times per spoke and never sorts (the parse
 * kept the spokes' key order, the device and the record are in key order,
 * no binary search per spoke): O(n), not O(n log n). */
static void test_one_change_work_bounded(void **state)
{
	enum { N = 2000 };
	struct nwg_desired *old = big_hub(N, N, N), *d = big_hub(N, 1234, N);
	struct nwg_actual *a = realized_cached(old);
	struct nwg_plan_opts o = opts();
	const struct nwg_action *act;
	unsigned long before = nwg_plan_key_cmps, used;
	struct nwg_plan *p = plan(d, a, &o);

	(void)state;
	used = nwg_plan_key_cmps - before;
	act = find_act(p, HUB_A);
	assert_int_equal(act->kind, NWG_ACT_UPDATE);
	assert_int_equal(act->n_peer_ops, 1);
	assert_true(act->record_delta);
	print_message("one change at N=%d: %lu key comparisons\n", N, used);
	assert_true(used <= 8UL * N);
	nwg_plan_free(p);
	nwg_desired_free(d);
	nwg_actual_free(a);
	nwg_desired_free(old);
}

/* The one prefix formatter (records, the planner's record check). */
static void test_ipnet_format(void **state)
{
	static const char *const ok[] = {"0.0.0.0/0", "10.1.2.3/32", "100.64.0.0/10",
					 "fd00::/8",  "::/0",	     "2001:db8::1/128"};
	char buf[NWG_IPNET_STRLEN];
	struct nwg_ipnet c;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(nwg_ipnet_parse(ok[i], &c, false), 0);
		assert_int_equal(nwg_ipnet_format(&c, buf, sizeof(buf)), 0);
		assert_string_equal(buf, ok[i]);
	}
	assert_int_equal(nwg_ipnet_parse("10.1.2.3/32", &c, false), 0);
	assert_int_equal(nwg_ipnet_format(&c, buf, 12), 0); /* 11 bytes + NUL */
	assert_int_equal(nwg_ipnet_format(&c, buf, 11), -ENOSPC);
}

/* A model of hub A's spokes: key index, address, keepalive, present. */
struct mspoke {
	unsigned int ip, keepalive;
	bool present;
};

static struct nwg_desired *model_hub(const struct mspoke *m, size_t n)
{
	json_t *spokes = json_array();

	for (size_t i = 0; i < n; i++) {
		struct nwg_key k = tkey(5);
		char b64[NWG_KEY_B64_LEN + 1], ip[32], id[48];

		if (!m[i].present)
			continue;
		memcpy(k.b + 1, &i, sizeof(i));
		nwg_key_to_b64(b64, &k);
		snprintf(ip, sizeof(ip), "10.%u.%u.%u/32", 100 + m[i].ip / 65536,
			 (m[i].ip / 256) % 256, m[i].ip % 256);
		snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012zx", i);
		json_array_append_new(spokes,
				      json_pack("{s:s, s:s, s:[s], s:i}", "port_id", id,
						"public_key", b64, "allowed_ips", ip,
						"persistent_keepalive", (int)m[i].keepalive));
	}
	return dhub_parse_hub_a(spokes, hubpub);
}

/* The record's copy of a spoke d still has as it was (no edit touches it)
 * goes stale: the record no longer follows by journaling the ops alone. */
static void stale_untouched_peer(struct nwg_hub_view *rec, const struct nwg_desired *d)
{
	const struct nwg_dhub *h = &d->hubs[0];

	for (size_t i = 0; i < rec->n_peers; i++) {
		struct nwg_repo_peer *rp = &rec->peers[i];

		for (size_t k = 0; k < h->n_spokes; k++) {
			char ip[NWG_IPNET_STRLEN];

			nwg_ipnet_format(&h->spokes[k].allowed[0], ip, sizeof(ip));
			if (nwg_key_equal(&h->spokes[k].public_key, &rp->public_key) &&
			    strcmp(rp->allowed_ips[0], ip) == 0 &&
			    h->spokes[k].keepalive == rp->persistent_keepalive &&
			    strcmp(h->spokes[k].port_id, rp->port_id) == 0 && k % 2) {
				rp->persistent_keepalive++;
				return;
			}
		}
	}
	fail();
}

/* Random edits of a 300-spoke hub against a model: every plan's operations,
 * applied to the cached device with the kernel's set semantics, give the
 * device the desired state makes; one operation per edited spoke; the record
 * follows by journal (record_delta) while the ops fit. */
static void test_random_edits_match_model(void **state)
{
	enum { N = 300, ROUNDS = 60 };
	struct mspoke m[N];
	struct nwg_plan_opts o = opts();
	struct nwg_desired *old;
	unsigned int seed = 17;

	(void)state;
	for (size_t i = 0; i < N; i++)
		m[i] = (struct mspoke){.ip = (unsigned int)i, .present = i % 7 != 0};
	old = model_hub(m, N);
	for (int r = 0; r < ROUNDS; r++) {
		struct nwg_actual *a = realized_cached(old);
		struct nwg_device *set = NULL, *want, *dev;
		size_t edits = 1 + (size_t)(rand_r(&seed) % 3), touched[3];
		const struct nwg_action *act;
		struct nwg_desired *d;
		struct nwg_plan *p;

		for (size_t e = 0; e < edits; e++) {
			size_t i = (size_t)rand_r(&seed) % N;
			int kind = rand_r(&seed) % 3;

			for (size_t f = 0; f < e; f++)
				i = touched[f] == i ? (i + 1) % N : i;
			touched[e] = i;
			if (kind == 0 || !m[i].present)
				m[i].present = !m[i].present;
			else if (kind == 1)
				m[i].ip = 1000 + (unsigned int)rand_r(&seed) % 50000;
			else
				m[i].keepalive = (m[i].keepalive + 25) % 100;
		}
		d = model_hub(m, N);
		if (r % 4 == 3)
			stale_untouched_peer(a->recs[0], d);
		p = plan(d, a, &o);
		act = find_act(p, HUB_A);
		assert_int_equal(act->kind, NWG_ACT_UPDATE);
		assert_int_equal(act->n_peer_ops, edits);
		assert_int_equal(act->record_delta, r % 4 != 3);
		assert_int_equal(nwg_exec_peer_device(act, "wg-aaaaaaaa-00", &set, NULL), 0);
		dev = nwg_device_dup_public(a->links[0].dev);
		assert_non_null(dev);
		assert_int_equal(nwg_device_apply(dev, set), 0);
		want = device_for(d);
		nwg_peers_sort(want);
		assert_true(nwg_device_peers_same(dev, want));
		nwg_device_free(want);
		nwg_device_free(dev);
		nwg_device_free(set);
		nwg_plan_free(p);
		nwg_actual_free(a);
		nwg_desired_free(old);
		old = d;
	}
	nwg_desired_free(old);
}

static void test_endpoint_roaming_respected(void **state)
{
	char s1[256];
	struct nwg_desired *d, *d2;
	struct nwg_actual *a;
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p;

	(void)state;
	spoke_json(s1, sizeof(s1), SPOKE_1, k1, "10.99.0.5/32",
		   ", \"endpoint\": \"198.51.100.7:51820\"");
	d = hub_a(true, s1);
	a = realized(d); /* record has the endpoint; the device roamed (none set here) */
	p = plan(d, a, &o);
	assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
	nwg_plan_free(p);
	spoke_json(s1, sizeof(s1), SPOKE_1, k1, "10.99.0.5/32",
		   ", \"endpoint\": \"198.51.100.9:51820\"");
	d2 = hub_a(true, s1); /* the configured endpoint changed: applied */
	p = plan(d2, a, &o);
	assert_int_equal(p->acts[0].kind, NWG_ACT_UPDATE);
	assert_int_equal(p->acts[0].peer_ops[0].fields, NWG_POPF_ENDPOINT);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
	nwg_desired_free(d2);
}

static struct nwg_actual *with_dangling(const struct nwg_desired *d)
{
	struct nwg_actual *a = realized(d);
	struct nwg_hub_view *rec = record_for(d, NS);

	snprintf(rec->port_id, sizeof(rec->port_id), "%s", HUB_B);
	assert_int_equal(nwg_actual_add_record(a, rec), 0);
	add_link(a, HUB_B, "wg-bbbbbbbb-00", NS, device_for(d));
	return a;
}

static void test_delete_dangling_after_full_sync_only(void **state)
{
	struct nwg_desired *d = hub_a_two_spokes(true);
	struct nwg_actual *a = with_dangling(d);
	struct nwg_plan_opts o = opts();
	const char *scope[] = {HUB_B};
	struct nwg_plan *p;

	(void)state;
	p = plan(d, a, &o); /* full: B is gone */
	assert_int_equal(p->n, 2);
	assert_int_equal(p->acts[0].kind, NWG_ACT_DELETE); /* deletes come first */
	assert_string_equal(p->acts[0].port_id, HUB_B);
	assert_non_null(p->acts[0].link);
	assert_non_null(p->acts[0].rec);
	nwg_plan_free(p);
	/* targeted sync naming B, answer without B: no delete, ask for a full one */
	o.full = false;
	o.scope = scope;
	o.n_scope = 1;
	p = plan(d, a, &o);
	assert_null(find_act(p, HUB_B));
	assert_true(p->need_full);
	nwg_plan_free(p);
	/* restore from the repository: never deletes */
	o.restore = true;
	p = plan(d, a, &o);
	assert_null(find_act(p, HUB_B));
	assert_false(p->need_full);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

static void test_no_delete_on_unauthoritative_answer(void **state)
{
	struct nwg_desired *ok = hub_a_two_spokes(true), *d;
	struct nwg_actual *a = with_dangling(ok);
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p;

	(void)state;
	/* B present but malformed: skipped, not deleted */
	d = desired_fmt("{\"hubs\": [{\"port_id\": \"" HUB_B "\", \"project_id\": 5}]}");
	p = plan(d, a, &o);
	assert_int_equal(find_act(p, HUB_B)->kind, NWG_ACT_SKIP);
	assert_int_equal(find_act(p, HUB_A)->kind, NWG_ACT_DELETE);
	nwg_plan_free(p);
	nwg_desired_free(d);
	/* a hub without a usable id in the answer: nothing is deleted at all */
	d = desired_fmt("{\"hubs\": [{\"port_id\": 7}]}");
	p = plan(d, a, &o);
	assert_int_equal(p->n, 0);
	nwg_plan_free(p);
	nwg_desired_free(d);
	nwg_actual_free(a);
	nwg_desired_free(ok);
}

static void test_ignored_and_foreign_untouched(void **state)
{
	struct nwg_desired *d = hub_a_two_spokes(true), *none;
	struct nwg_actual *a = with_dangling(d);
	char *ignored[] = {"wg-bbbbbbbb-00", HUB_A, NULL};
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p;
	char id[NWG_ID_MAX + 1];

	(void)state;
	o.ignored = ignored;
	/* A is desired but ignored (by port id), B is dangling but ignored (by name) */
	p = plan(d, a, &o);
	assert_int_equal(p->n, 1);
	assert_int_equal(p->acts[0].kind, NWG_ACT_SKIP);
	assert_string_equal(p->acts[0].port_id, HUB_A);
	nwg_plan_free(p);
	none = desired_fmt("{\"hubs\": []}");
	p = plan(none, a, &o);
	assert_int_equal(p->n, 0); /* nothing to delete: both are ignored */
	nwg_plan_free(p);
	nwg_desired_free(none);
	/* interfaces without our alias never enter the actual state */
	assert_false(nwg_alias_port_id("", id, sizeof(id)));
	assert_false(nwg_alias_port_id("operator wg0", id, sizeof(id)));
	assert_false(nwg_alias_port_id("neutron-wireguard:", id, sizeof(id)));
	assert_false(nwg_alias_port_id("neutron-wireguardx:" HUB_A, id, sizeof(id)));
	assert_true(nwg_alias_port_id("neutron-wireguard:" HUB_A, id, sizeof(id)));
	assert_string_equal(id, HUB_A);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

static void test_failure_isolation(void **state)
{
	struct nwg_desired *d;
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p;
	char s1[256];

	(void)state;
	/* one bad hub between two good ones: the others are planned (a bad spoke
	 * alone no longer rejects its hub: test_spoke_skip.c) */
	spoke_json(s1, sizeof(s1), SPOKE_1, "bad", "10.99.0.5/32", "");
	d = desired_fmt("{\"hubs\": [{\"port_id\": \"" HUB_A "\", \"project_id\": \"p\"}, "
			"{\"port_id\": \"" HUB_B "\", \"project_id\": \"p\", \"mtu\": \"x\", "
			"\"spokes\": [%s]}, "
			"{\"port_id\": \"" HUB_C "\", \"project_id\": \"q\"}]}",
			s1);
	p = plan(d, a, &o);
	assert_int_equal(p->n, 3);
	assert_int_equal(find_act(p, HUB_A)->kind, NWG_ACT_CREATE);
	assert_int_equal(find_act(p, HUB_B)->kind, NWG_ACT_SKIP);
	assert_int_equal(find_act(p, HUB_C)->kind, NWG_ACT_CREATE);
	assert_string_equal(find_act(p, HUB_C)->netns, "tun-q");
	nwg_plan_free(p);
	nwg_desired_free(d);
	nwg_actual_free(a);
}

static void test_backoff(void **state)
{
	struct nwg_hubtab t = {0};
	struct nwg_hubstate *s;
	char **due;

	(void)state;
	s = nwg_hubtab_get(&t, HUB_A, true);
	assert_non_null(s);
	assert_int_equal(s->reported_up, -1);
	nwg_hubtab_fail(s, 1000, "boom");
	assert_int_equal(s->retry_at_ms, 2000);
	nwg_hubtab_fail(s, 1000, "boom");
	assert_int_equal(s->retry_at_ms, 3000);
	nwg_hubtab_fail(s, 1000, "boom");
	assert_int_equal(s->retry_at_ms, 5000);
	for (int i = 0; i < 10; i++)
		nwg_hubtab_fail(s, 1000, "boom");
	assert_int_equal(s->retry_at_ms, 1000 + NWG_RETRY_MAX_MS);
	assert_string_equal(s->error, "boom");
	assert_int_equal(nwg_hubtab_next_retry(&t), 1000 + NWG_RETRY_MAX_MS);
	due = nwg_hubtab_take_due(&t, 2000);
	assert_null(due[0]);
	nwg_strv_free(due);
	due = nwg_hubtab_take_due(&t, 1000 + NWG_RETRY_MAX_MS);
	assert_string_equal(due[0], HUB_A);
	assert_null(due[1]);
	nwg_strv_free(due);
	assert_int_equal(nwg_hubtab_next_retry(&t), -1);
	nwg_hubtab_ok(s);
	assert_true(s->ok);
	assert_int_equal(s->fails, 0);
	nwg_hubtab_clear(&t);
}

static void test_record_lost_adopts_link_identity(void **state)
{
	struct nwg_desired *d = hub_a_two_spokes(true);
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p;

	(void)state;
	add_link(a, HUB_A, "wg-aaaaaaaa-00", NS, device_for(d));
	p = plan(d, a, &o);
	assert_int_equal(p->acts[0].kind, NWG_ACT_UPDATE);
	assert_int_equal(p->acts[0].fix, NWG_FIX_RECORD); /* nothing else */
	assert_int_equal(p->acts[0].key_src, NWG_KEY_LINK);
	assert_int_equal(p->acts[0].listen_port, 51820);
	assert_false(p->acts[0].report);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

static void test_key_and_port_restored_from_record(void **state)
{
	struct nwg_desired *d = hub_a_two_spokes(true);
	struct nwg_actual *a = realized(d);
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p;

	(void)state;
	a->links[0].dev->public_key = tpub(7); /* changed behind our back */
	a->links[0].dev->listen_port = 40000;
	p = plan(d, a, &o);
	assert_int_equal(p->acts[0].kind, NWG_ACT_UPDATE);
	assert_int_equal(p->acts[0].fix, NWG_FIX_KEY | NWG_FIX_PORT | NWG_FIX_RECORD);
	assert_int_equal(p->acts[0].key_src, NWG_KEY_RECORD);
	assert_int_equal(p->acts[0].listen_port, 51820);
	nwg_plan_free(p);
	/* a device without a key (a creation cut short) is replaced */
	a->links[0].dev->flags &= ~(uint32_t)NWG_DEV_HAS_PRIVATE_KEY;
	p = plan(d, a, &o);
	assert_int_equal(p->acts[0].kind, NWG_ACT_CREATE);
	assert_true(p->acts[0].replace_link);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

static void test_placement(void **state)
{
	struct nwg_desired *d = hub_a_two_spokes(true);
	struct nwg_actual *a = realized(d);
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p;

	(void)state;
	/* in the wrong namespace: moved home */
	snprintf(a->links[0].netns, sizeof(a->links[0].netns), "%s", "tun-other");
	p = plan(d, a, &o);
	assert_int_equal(p->acts[0].fix & NWG_FIX_NETNS, NWG_FIX_NETNS);
	assert_true(p->acts[0].report); /* the namespace in vif_details changes */
	nwg_plan_free(p);
	/* in a router namespace: the L3 side owns placement and link state */
	snprintf(a->links[0].netns, sizeof(a->links[0].netns), "%s", "qrouter-x");
	a->links[0].up = true;
	p = plan(d, a, &o);
	assert_int_equal(p->acts[0].fix & (NWG_FIX_NETNS | NWG_FIX_DOWN | NWG_FIX_ADDRS), 0);
	assert_true(p->acts[0].l3_owned);
	assert_true(p->acts[0].up);
	assert_string_equal(p->acts[0].netns, "qrouter-x");
	nwg_plan_free(p);
	/* hub_up_unrouted: addressed and up in its namespace */
	snprintf(a->links[0].netns, sizeof(a->links[0].netns), "%s", NS);
	a->links[0].up = false;
	o.hub_up_unrouted = true;
	p = plan(d, a, &o);
	assert_int_equal(p->acts[0].fix & (NWG_FIX_ADDRS | NWG_FIX_UP), NWG_FIX_ADDRS | NWG_FIX_UP);
	assert_true(p->acts[0].up);
	nwg_plan_free(p);
	/* root namespace mode: home is the root namespace, addressed and up */
	o.hub_up_unrouted = false;
	o.root_namespace = true;
	p = plan(d, a, &o);
	assert_string_equal(p->acts[0].netns, "");
	assert_int_equal(p->acts[0].fix & NWG_FIX_NETNS, NWG_FIX_NETNS);
	assert_true(p->acts[0].up);
	nwg_plan_free(p);
	/* a link that is up although it should not be: brought down */
	o.root_namespace = false;
	a->links[0].up = true;
	p = plan(d, a, &o);
	assert_int_equal(p->acts[0].fix & NWG_FIX_DOWN, NWG_FIX_DOWN);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

static void test_mtu_and_order(void **state)
{
	struct nwg_desired *d;
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_plan_opts o = opts();
	struct nwg_hub_view *rec;
	struct nwg_plan *p;

	(void)state;
	d = desired_fmt("{\"hubs\": [{\"port_id\": \"" HUB_A "\", \"project_id\": \"p\", "
			"\"mtu\": 1400}, {\"port_id\": \"" HUB_B "\", \"project_id\": \"p\"}, "
			"{\"port_id\": \"" HUB_C "\", \"project_id\": \"p\", \"mtu\": 9000}]}");
	rec = nwg_hub_view_new();
	snprintf(rec->port_id, sizeof(rec->port_id), "%s", HUB_C);
	rec->public_key = tpub(4);
	rec->listen_port = 51830;
	assert_int_equal(nwg_actual_add_record(a, rec), 0);
	o.underlay_mtu = 9000;
	p = plan(d, a, &o);
	assert_int_equal(p->n, 3);
	/* the hub with a recorded port is created before the new ones */
	assert_string_equal(p->acts[0].port_id, HUB_C);
	assert_int_equal(p->acts[0].mtu, 8920);
	assert_int_equal(find_act(p, HUB_A)->mtu, 1400);
	assert_int_equal(find_act(p, HUB_B)->mtu, 8920); /* unknown: the cap */
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_new_hub),
	    cmocka_unit_test(test_adopt_matching_hub),
	    cmocka_unit_test(test_ha_roles),
	    cmocka_unit_test(test_recreate_after_reboot),
	    cmocka_unit_test(test_dead_wireguard_go_is_missing),
	    cmocka_unit_test(test_peer_diff_only_changes),
	    cmocka_unit_test(test_peer_merge_at_scale),
	    cmocka_unit_test(test_one_change_work_bounded),
	    cmocka_unit_test(test_ipnet_format),
	    cmocka_unit_test(test_random_edits_match_model),
	    cmocka_unit_test(test_endpoint_roaming_respected),
	    cmocka_unit_test(test_delete_dangling_after_full_sync_only),
	    cmocka_unit_test(test_no_delete_on_unauthoritative_answer),
	    cmocka_unit_test(test_ignored_and_foreign_untouched),
	    cmocka_unit_test(test_failure_isolation),
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_record_lost_adopts_link_identity),
	    cmocka_unit_test(test_key_and_port_restored_from_record),
	    cmocka_unit_test(test_placement),
	    cmocka_unit_test(test_mtu_and_order),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
