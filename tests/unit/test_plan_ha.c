/* SPDX-License-Identifier: Apache-2.0 */
/* An HA hub's secondary (doc/ha.md piece 1): the planner builds its standby
 * copy from the primary's sealed key (key source SEALED, the primary's
 * listen port, peers without endpoint or keepalive) and never a key of its
 * own; the executor opens the envelope with this node's enrollment key and
 * refuses one that does not open, or a listen port another hub holds,
 * before it touches anything. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "conf/conf.h"
#include "nwg/seal.h"
#include "reconcile/desired_ha.h"
#include "reconcile/exec.h"
#include "reconcile/plan.h"
#include "reconcile/record.h"

#define NS "tun-" PROJECT

static char k1[45], k2[45], k3[45], hubpub[45];
static char dir[64];			      /* this node's state_path */
static char envelope[NWG_SEALED_B64_LEN + 1]; /* hub key 9 sealed to this node for HUB_A */
static char env_other_node[NWG_SEALED_B64_LEN + 1];
static char env_other_hub[NWG_SEALED_B64_LEN + 1];

static int setup(void **state)
{
	struct nwg_key hub = tkey(9), pub, epriv, epub, other_priv, other_pub;
	char path[128];

	(void)state;
	tkey_b64(1, k1);
	tkey_b64(2, k2);
	tkey_b64(3, k3);
	assert_int_equal(nwg_key_public(&pub, &hub), 0);
	nwg_key_to_b64(hubpub, &pub);
	snprintf(dir, sizeof(dir), "/tmp/nwg-test-plan-ha.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/enroll.key", dir);
	assert_int_equal(nwg_enroll_load_or_create(path, &epriv, &epub), 0);
	assert_int_equal(nwg_seal_hub_key(envelope, &hub, HUB_A, &epub), 0);
	assert_int_equal(nwg_seal_hub_key(env_other_hub, &hub, HUB_B, &epub), 0);
	assert_int_equal(nwg_key_generate(&other_priv), 0);
	assert_int_equal(nwg_key_public(&other_pub, &other_priv), 0);
	assert_int_equal(nwg_seal_hub_key(env_other_node, &hub, HUB_A, &other_pub), 0);
	return 0;
}

static int teardown(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/enroll.key", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

static struct nwg_plan_opts opts(void)
{
	struct nwg_plan_opts o = {.ns_prefix = "tun-", .underlay_mtu = 1500, .full = true};

	return o;
}

/* Hub A as node-b (the secondary) gets it: spoke 1 with an endpoint, spoke
 * 2 with a keepalive; the primary node-a reported key 9 on `port` (0 = not
 * yet); env NULL = no envelope yet; own_state NULL = none. */
static struct nwg_desired *secondary(unsigned int port, const char *env, const char *own_state,
				     bool spoke3)
{
	char buf[4096], envj[200] = "null", portj[16] = "null", pk[64] = "null", st[16] = "null";
	char s3[200] = "";
	struct nwg_desired *d = NULL;

	if (env)
		snprintf(envj, sizeof(envj), "\"%s\"", env);
	if (port) {
		snprintf(portj, sizeof(portj), "%u", port);
		snprintf(pk, sizeof(pk), "\"%s\"", hubpub);
	}
	if (own_state)
		snprintf(st, sizeof(st), "\"%s\"", own_state);
	if (spoke3)
		snprintf(s3, sizeof(s3),
			 ", {\"port_id\": \"" SPOKE_3 "\", \"public_key\": \"%s\", "
			 "\"allowed_ips\": [\"10.99.0.7/32\"], \"endpoint\": \"192.0.2.7:4000\"}",
			 k3);
	snprintf(buf, sizeof(buf),
		 "{\"hubs\": [{\"port_id\": \"" HUB_A "\", \"project_id\": \"" PROJECT
		 "\", \"fixed_ips\": [\"10.99.0.1/24\"], \"mtu\": 1450, \"public_key\": %s, "
		 "\"listen_port\": %s, \"spokes\": ["
		 "{\"port_id\": \"" SPOKE_1 "\", \"public_key\": \"%s\", \"allowed_ips\": "
		 "[\"10.99.0.5/32\"], \"endpoint\": \"192.0.2.5:51000\"}, "
		 "{\"port_id\": \"" SPOKE_2 "\", \"public_key\": \"%s\", \"allowed_ips\": "
		 "[\"10.99.0.6/32\"], \"persistent_keepalive\": 25}%s], "
		 "\"ha\": {\"hosts\": [\"node-a\", \"node-b\"], \"role\": \"secondary\", "
		 "\"primary\": \"node-a\", \"peer_host\": \"node-a\", \"listen_port\": %s, "
		 "\"envelope\": %s, \"states\": {\"node-a\": \"active\", \"node-b\": %s}}}]}",
		 pk, portj, k1, k2, s3, portj, envj, st);
	assert_int_equal(nwg_desired_parse_text(buf, strlen(buf), &d, NULL), 0);
	assert_int_equal(d->n_hubs, 1);
	assert_non_null(d->hubs[0].ha);
	return d;
}

/* The copy a secondary already built (record + device, key `fill`, port). */
static struct nwg_actual *held(const struct nwg_desired *d, unsigned char fill, uint16_t port,
			       bool roamed)
{
	struct nwg_key priv = tkey(fill);
	struct nwg_record_spec spec = {
	    .hub = &d->hubs[0],
	    .ifname = "wg-aaaaaaaa-00",
	    .netns = NS,
	    .home_netns = NS,
	    .mtu = 1420,
	    .private_key = &priv,
	    .listen_port = port,
	    .standby = true,
	};
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_device *dev = nwg_device_new("wg-aaaaaaaa-00");
	struct nwg_alink *l;

	assert_non_null(a);
	assert_non_null(dev);
	struct nwg_hub_record *rec = nwg_record_build(&spec);

	assert_int_equal(nwg_actual_add_record_view(a, rec), 0);
	nwg_hub_record_free(rec);
	dev->private_key = priv;
	nwg_key_public(&dev->public_key, &priv);
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_PUBLIC_KEY | NWG_DEV_HAS_LISTEN_PORT;
	dev->listen_port = port;
	for (size_t i = 0; i < 2; i++) {
		const struct nwg_dspoke *s = &d->hubs[0].spokes[i];
		struct nwg_peer *p = nwg_device_add_peer(dev, &s->public_key);

		assert_non_null(p);
		assert_int_equal(nwg_peer_add_allowedip(p, i ? "10.99.0.6/32" : "10.99.0.5/32"), 0);
		if (roamed) /* a takeover set an endpoint: the agent leaves it */
			assert_int_equal(nwg_endpoint_parse(&p->endpoint, "198.51.100.9:7000"), 0);
	}
	l = nwg_actual_add_link(a);
	assert_non_null(l);
	snprintf(l->port_id, sizeof(l->port_id), "%s", HUB_A);
	snprintf(l->ifname, sizeof(l->ifname), "wg-aaaaaaaa-00");
	snprintf(l->netns, sizeof(l->netns), "%s", NS);
	l->mtu = 1420;
	l->dev = dev;
	return a;
}

static struct nwg_plan *plan(const struct nwg_desired *d, const struct nwg_actual *a)
{
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p = NULL;

	assert_int_equal(nwg_plan_build(d, a, &o, &p), 0);
	assert_non_null(p);
	assert_int_equal(p->n, 1);
	return p;
}

static void test_secondary_waits(void **state)
{
	struct nwg_desired *d = secondary(0, NULL, NULL, false);
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_plan *p = plan(d, a);

	(void)state;
	assert_int_equal(p->acts[0].kind, NWG_ACT_SKIP);
	assert_non_null(strstr(p->acts[0].reason, "has not reported"));
	nwg_plan_free(p);
	nwg_desired_free(d);
	d = secondary(51820, NULL, NULL, false); /* reported, not sealed yet */
	p = plan(d, a);
	assert_int_equal(p->acts[0].kind, NWG_ACT_SKIP);
	assert_non_null(strstr(p->acts[0].reason, "waiting for the primary's sealed key"));
	assert_false(p->acts[0].report);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

static void test_secondary_creates_standby(void **state)
{
	struct nwg_desired *d = secondary(51820, envelope, NULL, false);
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_plan *p = plan(d, a);
	const struct nwg_action *act = &p->acts[0];
	struct nwg_device *dev = NULL;
	struct nwg_exec_out out = {.listen_port = 51820};
	struct nwg_key k = tkey(9);
	struct nwg_hub_record *rec;

	(void)state;
	assert_int_equal(act->kind, NWG_ACT_CREATE);
	assert_int_equal(act->key_src, NWG_KEY_SEALED);
	assert_int_equal(act->listen_port, 51820); /* the primary's, not allocated */
	assert_true(act->standby);
	assert_true(act->report);
	assert_string_equal(act->netns, NS);
	assert_int_equal(act->n_peer_ops, 2);
	/* the peers: allowed IPs and keys, no endpoint, no keepalive */
	assert_int_equal(nwg_exec_peer_device(act, "wg-aaaaaaaa-00", &dev, NULL), 0);
	assert_int_equal(dev->n_peers, 2);
	for (size_t i = 0; i < dev->n_peers; i++) {
		assert_false(dev->peers[i].flags & NWG_PEER_HAS_ENDPOINT);
		assert_false(dev->peers[i].flags & NWG_PEER_HAS_KEEPALIVE);
		assert_int_equal(dev->peers[i].n_allowedips, 1);
	}
	nwg_device_free(dev);
	/* recorded the same way: a restart restores no endpoint */
	snprintf(out.ifname, sizeof(out.ifname), "wg-aaaaaaaa-00");
	snprintf(out.netns, sizeof(out.netns), "%s", NS);
	rec = nwg_exec_record(act, &out, &k);
	assert_non_null(rec);
	assert_int_equal(rec->n_peers, 2);
	for (size_t i = 0; i < rec->n_peers; i++) {
		assert_string_equal(rec->peers[i].endpoint, "");
		assert_int_equal(rec->peers[i].persistent_keepalive, 0);
	}
	nwg_hub_record_free(rec);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

static void test_secondary_held(void **state)
{
	struct nwg_desired *d = secondary(51820, envelope, "standby", false);
	struct nwg_actual *a = held(d, 9, 51820, false);
	struct nwg_plan *p = plan(d, a);
	struct nwg_device *dev = NULL;

	(void)state;
	assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
	assert_false(p->acts[0].report); /* Neutron has its state */
	nwg_plan_free(p);
	nwg_desired_free(d);
	d = secondary(51820, envelope, NULL, false); /* no state yet: report "standby" */
	p = plan(d, a);
	assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
	assert_true(p->acts[0].report);
	assert_string_equal(nwg_ha_default_state(d->hubs[0].ha), "standby");
	nwg_plan_free(p);
	nwg_desired_free(d);
	nwg_actual_free(a);
	/* endpoints a takeover set on the device are left alone */
	d = secondary(51820, envelope, "standby", false);
	a = held(d, 9, 51820, true);
	p = plan(d, a);
	assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
	nwg_plan_free(p);
	nwg_desired_free(d);
	/* a spoke added: on the standby too, without its endpoint */
	d = secondary(51820, envelope, "standby", true);
	p = plan(d, a);
	assert_int_equal(p->acts[0].kind, NWG_ACT_UPDATE);
	assert_true(p->acts[0].fix & NWG_FIX_PEERS);
	assert_int_equal(p->acts[0].n_peer_ops, 1);
	assert_int_equal(p->acts[0].peer_ops[0].op, NWG_POP_ADD);
	assert_false(p->acts[0].record_delta); /* the journal would keep endpoints */
	assert_int_equal(nwg_exec_peer_device(&p->acts[0], "wg-aaaaaaaa-00", &dev, NULL), 0);
	assert_false(dev->peers[0].flags & NWG_PEER_HAS_ENDPOINT);
	nwg_device_free(dev);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

/* With the agent's VRRP (doc/ha.md section 7): the held copy is reported
 * whenever this node's VRRP state is not the one Neutron has, and only then. */
static struct nwg_plan *plan_vrrp(const struct nwg_desired *d, const struct nwg_actual *a,
				  const char *vrrp)
{
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p = NULL;

	o.ha_vrrp = vrrp;
	assert_int_equal(nwg_plan_build(d, a, &o, &p), 0);
	assert_int_equal(p->n, 1);
	return p;
}

static void test_vrrp_state_reported(void **state)
{
	struct nwg_desired *d = secondary(51820, envelope, "standby", false);
	struct nwg_actual *a = held(d, 9, 51820, false);
	struct nwg_plan *p;

	(void)state;
	p = plan_vrrp(d, a, "standby"); /* Neutron has it: nothing to say */
	assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
	assert_false(p->acts[0].report);
	nwg_plan_free(p);
	p = plan_vrrp(d, a, "active"); /* took over: Neutron must learn it */
	assert_true(p->acts[0].report);
	nwg_plan_free(p);
	p = plan_vrrp(d, a, ""); /* keepalived has not said: standby, known */
	assert_false(p->acts[0].report);
	nwg_plan_free(p);
	nwg_desired_free(d);
	d = secondary(51820, envelope, "active", false);
	p = plan_vrrp(d, a, "fault");
	assert_true(p->acts[0].report);
	nwg_plan_free(p);
	p = plan_vrrp(d, a, NULL); /* no VRRP: a state is there, never overridden */
	assert_false(p->acts[0].report);
	nwg_plan_free(p);
	nwg_desired_free(d);
	nwg_actual_free(a);
}

/* [wireguard_ha] peer_host: an HA hub naming another pair is refused (SKIP,
 * untouched) with the reason; the configured peer passes. */
static void test_peer_host_refused(void **state)
{
	struct nwg_desired *d = secondary(51820, envelope, "standby", false);
	struct nwg_actual *a = held(d, 9, 51820, false);
	struct nwg_plan_opts o = opts();
	struct nwg_plan *p = NULL;

	(void)state;
	o.ha_peer_host = "node-c";
	assert_int_equal(nwg_plan_build(d, a, &o, &p), 0);
	assert_int_equal(p->acts[0].kind, NWG_ACT_SKIP);
	assert_non_null(strstr(p->acts[0].reason, "peer_host"));
	assert_false(p->acts[0].report);
	nwg_plan_free(p);
	o.ha_peer_host = "node-a";
	assert_int_equal(nwg_plan_build(d, a, &o, &p), 0);
	assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
	nwg_plan_free(p);
	nwg_desired_free(d);
	nwg_actual_free(a);
}

static void test_secondary_rekey_and_port(void **state)
{
	struct nwg_desired *d = secondary(51820, NULL, "standby", false);
	struct nwg_actual *a = held(d, 8, 51820, false); /* the primary's old key */
	struct nwg_plan *p = plan(d, a);

	(void)state;
	assert_int_equal(p->acts[0].kind, NWG_ACT_SKIP); /* voided envelope: wait */
	assert_non_null(strstr(p->acts[0].reason, "key changed"));
	nwg_plan_free(p);
	nwg_desired_free(d);
	d = secondary(51820, envelope, "standby", false); /* the new envelope */
	p = plan(d, a);
	assert_int_equal(p->acts[0].kind, NWG_ACT_CREATE);
	assert_int_equal(p->acts[0].key_src, NWG_KEY_SEALED);
	assert_true(p->acts[0].replace_link);
	assert_null(p->acts[0].rec);
	nwg_plan_free(p);
	nwg_actual_free(a);
	a = held(d, 9, 51821, false); /* the primary's port moved */
	p = plan(d, a);
	assert_int_equal(p->acts[0].kind, NWG_ACT_UPDATE);
	assert_true(p->acts[0].fix & NWG_FIX_PORT);
	assert_true(p->acts[0].fix & NWG_FIX_RECORD);
	assert_int_equal(p->acts[0].listen_port, 51820);
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
}

/* The executor refuses before it touches the backend (none here). */
static int exec_create(const struct nwg_desired *d, const struct nwg_actual *held_by_others,
		       struct nwg_err *err)
{
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_conf conf;
	struct nwg_exec_ctx x = {.conf = &conf, .actual = held_by_others};
	struct nwg_exec_out out;
	struct nwg_plan *p = plan(d, a);
	int r;

	memset(&conf, 0, sizeof(conf));
	conf.state_path = dir;
	assert_int_equal(p->acts[0].kind, NWG_ACT_CREATE);
	r = nwg_exec_action(&x, &p->acts[0], &out, err);
	nwg_exec_ctx_clear(&x);
	nwg_plan_free(p);
	nwg_actual_free(a);
	return r;
}

static void test_exec_refusals(void **state)
{
	struct nwg_desired *d = secondary(51820, env_other_node, NULL, false);
	struct nwg_err err = {{0}};
	struct nwg_actual *others = nwg_actual_new();
	struct nwg_hub_view *rb = nwg_hub_view_new();
	char priv_b64[NWG_KEY_B64_LEN + 1];
	struct nwg_key k9 = tkey(9);

	(void)state;
	nwg_key_to_b64(priv_b64, &k9);
	assert_int_equal(exec_create(d, NULL, &err), -ENOKEY);
	assert_non_null(strstr(err.msg, "another node"));
	assert_null(strstr(err.msg, priv_b64));
	nwg_desired_free(d);
	d = secondary(51820, env_other_hub, NULL, false);
	assert_int_equal(exec_create(d, NULL, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "another hub"));
	nwg_desired_free(d);
	/* opens, but hub B of this node has the primary's port */
	snprintf(rb->port_id, sizeof(rb->port_id), "%s", HUB_B);
	rb->listen_port = 51820;
	assert_int_equal(nwg_actual_add_record(others, rb), 0);
	d = secondary(51820, envelope, NULL, false);
	assert_int_equal(exec_create(d, others, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "51820"));
	assert_non_null(strstr(err.msg, "another hub"));
	nwg_desired_free(d);
	nwg_actual_free(others);
}

/* The primary reports "active" while Neutron has no state for it. */
static void test_states_parse(void **state)
{
	const char *bad = "{\"hubs\": [{\"port_id\": \"" HUB_A "\", \"project_id\": \"" PROJECT
			  "\", \"fixed_ips\": [], \"spokes\": [], \"ha\": {\"hosts\": "
			  "[\"node-a\", \"node-b\"], \"role\": \"primary\", \"primary\": "
			  "\"node-a\", \"peer_host\": \"node-b\", \"states\": {\"node-a\": "
			  "\"master\"}}}]}";
	struct nwg_desired *d = NULL;
	struct nwg_dha ha = {.primary = true};

	(void)state;
	assert_int_equal(nwg_desired_parse_text(bad, strlen(bad), &d, NULL), 0);
	assert_int_equal(d->n_hubs, 0); /* that hub alone rejected */
	assert_int_equal(d->n_rejected, 1);
	assert_non_null(strstr(d->rejected[0].reason, "ha.states"));
	nwg_desired_free(d);
	assert_string_equal(nwg_ha_default_state(&ha), "active");
	snprintf(ha.own_state, sizeof(ha.own_state), "fault"); /* driven by others */
	assert_null(nwg_ha_default_state(&ha));
	d = secondary(51820, envelope, "fault", false);
	assert_string_equal(d->hubs[0].ha->own_state, "fault");
	nwg_desired_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_secondary_waits),
	    cmocka_unit_test(test_secondary_creates_standby),
	    cmocka_unit_test(test_secondary_held),
	    cmocka_unit_test(test_vrrp_state_reported),
	    cmocka_unit_test(test_peer_host_refused),
	    cmocka_unit_test(test_secondary_rekey_and_port),
	    cmocka_unit_test(test_exec_refusals),
	    cmocka_unit_test(test_states_parse),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
