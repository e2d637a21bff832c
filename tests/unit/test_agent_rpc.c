/* SPDX-License-Identifier: Apache-2.0 */
/* What the agent sends to neutron-server, and how casts become syncs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"
#include "agent_testlib.h"
#include "nwg/rtnl.h"
#include "sync/neutron_rpc.h"

static void test_report_state_args(void **state)
{
	struct nwg_conf c = {.port_range_str = "51820:52820", .ns_prefix = "tun-"};
	struct nwg_report r = {.conf = &c, .uuid = "u-1", .backend = "userspace", .hubs = 3};
	const json_t *st, *cfg;
	const char *t;
	json_t *args;

	(void)state;
	snprintf(c.host, sizeof(c.host), "%s", "netnode-1");
	snprintf(c.wg_hub_ip, sizeof(c.wg_hub_ip), "%s", "192.0.2.1");
	r.start_flag = true;
	args = nwg_rpc_report_args(&r);
	assert_non_null(args);
	st = json_object_get(json_object_get(args, "agent_state"), "agent_state");
	assert_string_equal(json_string_value(json_object_get(st, "agent_type")),
			    "WireGuard agent");
	assert_string_equal(json_string_value(json_object_get(st, "binary")),
			    "neutron-wireguard-agent");
	assert_string_equal(json_string_value(json_object_get(st, "topic")), "N/A");
	assert_string_equal(json_string_value(json_object_get(st, "host")), "netnode-1");
	assert_string_equal(json_string_value(json_object_get(st, "uuid")), "u-1");
	assert_true(json_is_true(json_object_get(st, "start_flag")));
	cfg = json_object_get(st, "configurations");
	assert_int_equal(json_integer_value(json_object_get(cfg, "hubs")), 3);
	assert_string_equal(json_string_value(json_object_get(cfg, "backend")), "userspace");
	assert_string_equal(json_string_value(json_object_get(cfg, "listen_port_range")),
			    "51820:52820");
	assert_string_equal(json_string_value(json_object_get(cfg, "WG_HUB_IP")), "192.0.2.1");
	assert_string_equal(json_string_value(json_object_get(cfg, "namespace_prefix")), "tun-");
	t = json_string_value(json_object_get(args, "time"));
	assert_non_null(t); /* 2026-11-24T18:22:52.293047 */
	assert_int_equal(strlen(t), 26);
	assert_int_equal(t[10], 'T');
	assert_int_equal(t[19], '.');
	assert_null(json_object_get(cfg, "enroll_pub")); /* none: not published */
	json_decref(args);
	r.start_flag = false;
	r.enroll_pub = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	args = nwg_rpc_report_args(&r);
	st = json_object_get(json_object_get(args, "agent_state"), "agent_state");
	assert_null(json_object_get(st, "start_flag"));
	/* HA: the enrollment public key in the configurations (doc/ha.md) */
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(st, "configurations"), "enroll_pub")),
	    r.enroll_pub);
	json_decref(args);
}

static void test_realized_args(void **state)
{
	struct nwg_realized h = {.port_id = HUB_A,
				 .public_key = "k",
				 .listen_port = 51820,
				 .endpoint = "192.0.2.1:51820",
				 .interface = "wg-aaaaaaaa-00",
				 .netns = "tun-p",
				 .mtu = 1420,
				 .host = "netnode-1"};
	json_t *a = nwg_rpc_realized_args(&h);
	char *s;

	(void)state;
	s = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"endpoint\":\"192.0.2.1:51820\",\"host\":\"netnode-1\","
			       "\"interface\":\"wg-aaaaaaaa-00\","
			       "\"listen_port\":51820,\"mtu\":1420,"
			       "\"namespace\":\"tun-p\",\"port_id\":\"" HUB_A
			       "\",\"public_key\":\"k\"}");
	free(s);
	json_decref(a);
	h.netns = ""; /* root namespace */
	a = nwg_rpc_realized_args(&h);
	assert_true(json_is_null(json_object_get(a, "namespace")));
	json_decref(a);
	/* HA primary: the envelope (ciphertext) and the state, only when set */
	assert_null(json_object_get(a = nwg_rpc_realized_args(&h), "ha_envelope"));
	json_decref(a);
	h.ha_envelope = "ENV";
	h.ha_state = "active";
	a = nwg_rpc_realized_args(&h);
	assert_string_equal(json_string_value(json_object_get(a, "ha_envelope")), "ENV");
	assert_string_equal(json_string_value(json_object_get(a, "ha_state")), "active");
	json_decref(a);
}

static void test_device_list_args(void **state)
{
	const char *up[] = {HUB_A}, *down[] = {"s-1", "s-2"};
	json_t *a = nwg_rpc_device_list_args(up, 1, down, 2, "agent-x", "netnode-1");
	char *s;

	(void)state;
	s = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"agent_id\":\"agent-x\",\"devices_down\":[\"s-1\",\"s-2\"],"
			       "\"devices_up\":[\"" HUB_A "\"],\"host\":\"netnode-1\","
			       "\"refresh_tunnels\":false}");
	free(s);
	json_decref(a);
	a = nwg_rpc_device_list_args(NULL, 0, NULL, 0, "a", "h");
	s = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"agent_id\":\"a\",\"devices_down\":[],\"devices_up\":[],"
			       "\"host\":\"h\",\"refresh_tunnels\":false}");
	free(s);
	json_decref(a);
}

static struct nwg_agent *agent(void)
{
	struct nwg_agent *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	snprintf(a->conf.host, sizeof(a->conf.host), "%s", "netnode-1");
	return a;
}

static void agent_free(struct nwg_agent *a)
{
	nwg_strv_free(a->want_ids);
	nwg_hubtab_clear(&a->hubs);
	nwg_guard_clear(&a->guard);
	nwg_health_clear(&a->health);
	free(a);
}

static void cast(struct nwg_agent *a, const char *method, const char *args_json)
{
	json_t *args = json_loads(args_json, 0, NULL);

	nwg_events_handle(a, "t", method, args, NULL);
	json_decref(args);
}

static void test_events_schedule(void **state)
{
	struct nwg_agent *a = agent();

	(void)state;
	cast(a, "hubs_changed", "{\"port_ids\": [\"" HUB_A "\", \"" HUB_B "\"]}");
	cast(a, "hubs_changed", "{\"port_ids\": [\"" HUB_B "\"]}"); /* coalesced */
	assert_false(a->want_full);
	assert_string_equal(a->want_ids[0], HUB_A);
	assert_string_equal(a->want_ids[1], HUB_B);
	assert_null(a->want_ids[2]);
	assert_true(a->sync_at_ms > 0);
	/* another node's port_update is not ours; one bound here is */
	cast(a, "port_update", "{\"port\": {\"id\": \"" HUB_C "\", \"binding:host_id\": \"n2\"}}");
	assert_null(a->want_ids[2]);
	cast(a, "port_update",
	     "{\"port\": {\"id\": \"" HUB_C "\", \"binding:host_id\": \"netnode-1\"}}");
	assert_string_equal(a->want_ids[2], HUB_C);
	/* a spoke bound here now: Neutron ignored its earlier reports (unbound
	 * then), so its health is forgotten and the next pass comes soon */
	nwg_health_set(&a->health, SPOKE_1, NWG_HEALTH_UP);
	a->next_health_ms = nwg_now_ms() + 60000;
	cast(a, "port_update",
	     "{\"port\": {\"id\": \"" SPOKE_1 "\", \"binding:host_id\": \"netnode-1\"}}");
	assert_int_equal(nwg_health_get(&a->health, SPOKE_1), NWG_HEALTH_UNKNOWN);
	assert_true(a->next_health_ms <= nwg_now_ms() + 1000);
	/* port_delete of a hub we do not hold: ignored; of ours: full sync */
	cast(a, "port_delete", "{\"port_id\": \"" SPOKE_1 "\"}");
	assert_false(a->want_full);
	assert_false(a->want_unconditional);
	nwg_hubtab_get(&a->hubs, SPOKE_1, true);
	cast(a, "port_delete", "{\"port_id\": \"" SPOKE_1 "\"}");
	assert_true(a->want_full);
	assert_true(a->want_unconditional); /* asks every hub in full: it can delete */
	assert_null(a->want_ids);
	/* Neutron named it deleted: its removal is vouched for (no mass-deletion hold) */
	assert_non_null(a->guard.vouched);
	assert_string_equal(a->guard.vouched[0], SPOKE_1);
	agent_free(a);
}

static void test_events_garbage_ignored(void **state)
{
	struct nwg_agent *a = agent();

	(void)state;
	nwg_events_handle(a, NULL, "hubs_changed", NULL, NULL);
	cast(a, "hubs_changed", "{\"port_ids\": \"x\"}");
	cast(a, "hubs_changed", "{\"port_ids\": [1]}");
	cast(a, "hubs_changed", "{\"port_ids\": [\"../../etc\"]}");
	cast(a, "port_update", "{\"port\": 5}");
	cast(a, "port_update", "{}");
	cast(a, "port_delete", "{\"port_id\": null}");
	cast(a, "rm_rf", "{\"port_ids\": []}");
	assert_false(a->want_full);
	assert_null(a->want_ids);
	assert_int_equal(a->sync_at_ms, 0);
	/* hubs_changed without port_ids: full */
	cast(a, "hubs_changed", "{}");
	assert_true(a->want_full);
	agent_free(a);
	/* an undecodable or dropped message is a loss: full sync at once */
	a = agent();
	nwg_events_handle(a, "q-wireguard-agent", NULL, NULL, "invalid JSON");
	assert_true(a->want_full);
	assert_true(a->sync_at_ms > 0 && a->sync_at_ms <= nwg_now_ms());
	agent_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_report_state_args),	   cmocka_unit_test(test_realized_args),
	    cmocka_unit_test(test_device_list_args),	   cmocka_unit_test(test_events_schedule),
	    cmocka_unit_test(test_events_garbage_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
