/* SPDX-License-Identifier: Apache-2.0 */
/* Server -> agent casts as sync triggers. Everything here comes off the
 * network: validate, log and ignore what does not fit, never trust. */
#include <string.h>

#include "agent.h"
#include "health/health.h"
#include "log/log.h"
#include "reconcile/desired.h"
#include "reconcile/guard.h"
#include "sync/neutron_rpc.h"

#define DEBOUNCE_MS 10
/* after a port_update, the spoke health pass (the targeted sync goes first) */
#define HEALTH_SOON_MS 1000
#define MAX_IDS	       256

static bool held(struct nwg_agent *a, const char *port_id)
{
	return nwg_hubtab_get(&a->hubs, port_id, false) != NULL;
}

static void on_hubs_changed(struct nwg_agent *a, const char *topic, json_t *args)
{
	const json_t *ids = json_object_get(args, "port_ids");
	const char *v[MAX_IDS];
	size_t n = 0, i;

	if (!ids || json_is_null(ids)) {
		nwg_sched_full(a, DEBOUNCE_MS);
		return;
	}
	if (!json_is_array(ids)) {
		log_warn("ignored hubs_changed on %s: port_ids is not a list", topic);
		return;
	}
	if (json_array_size(ids) > MAX_IDS) {
		nwg_sched_full(a, DEBOUNCE_MS);
		return;
	}
	for (i = 0; i < json_array_size(ids); i++) {
		const char *s = json_string_value(json_array_get(ids, i));

		if (!s || !nwg_uuid_valid(s)) {
			log_warn("ignored hubs_changed on %s: port_ids[%zu] is not a port id",
				 topic, i);
			return;
		}
		v[n++] = s;
	}
	log_debug("hubs_changed: %zu hub(s)", n);
	nwg_sched_ids(a, v, n, DEBOUNCE_MS);
}

static void on_port_update(struct nwg_agent *a, json_t *args)
{
	const json_t *port = json_object_get(args, "port");
	const char *id = json_string_value(json_object_get(port, "id"));
	const char *host = json_string_value(json_object_get(port, "binding:host_id"));

	if (!id || !nwg_uuid_valid(id)) {
		log_warn("ignored port_update without a valid port id");
		return;
	}
	if (!held(a, id) && (!host || strcmp(host, a->conf.host) != 0))
		return; /* another node's port */
	log_debug("port_update: %s", id);
	nwg_sched_ids(a, &id, 1, DEBOUNCE_MS);
	/* A spoke bound here now: Neutron ignored its earlier health reports
	 * (not bound to this host then), so report it again, soon. */
	nwg_health_forget(&a->health, id);
	if (a->next_health_ms && a->next_health_ms > nwg_now_ms() + HEALTH_SOON_MS)
		a->next_health_ms = nwg_now_ms() + HEALTH_SOON_MS;
}

static void on_port_delete(struct nwg_agent *a, json_t *args)
{
	const char *id = json_string_value(json_object_get(args, "port_id"));

	if (!id || !nwg_uuid_valid(id)) {
		log_warn("ignored port_delete without a valid port_id");
		return;
	}
	if (!held(a, id))
		return;
	/* Neutron named this hub as deleted: not part of a mass deletion (guard.h) */
	if (nwg_guard_vouch(&a->guard, id) < 0)
		log_err("out of memory");
	log_debug("port_delete: %s is ours: full sync", id);
	/* Neutron named this port as deleted: its removal is no mass deletion
	 * (the full pass may have swallowed the targeted one that would vouch) */
	if (nwg_guard_vouch(&a->guard, id) < 0)
		log_err("out of memory");
	nwg_sched_full(a, DEBOUNCE_MS); /* removals happen after a full sync only */
	a->want_unconditional = true;	/* ... one that asks every hub in full */
}

void nwg_events_handle(void *ctx, const char *topic, const char *method, json_t *args,
		       const char *reason)
{
	struct nwg_agent *a = ctx;

	if (!topic)
		topic = "?";
	if (!method) { /* dropped or undecodable: whatever it said is recovered by a sync */
		log_warn("ignored undecodable message on %s: %s", *topic ? topic : "?",
			 reason ? reason : "?");
		nwg_sched_loss(a, "message lost");
		return;
	}
	if (!json_is_object(args)) {
		log_warn("ignored %.64s on %s: args is not an object", method, topic);
		return;
	}
	if (strcmp(method, "hubs_changed") == 0)
		on_hubs_changed(a, topic, args);
	else if (strcmp(method, "port_update") == 0)
		on_port_update(a, args);
	else if (strcmp(method, "port_delete") == 0)
		on_port_delete(a, args);
	else
		log_debug("ignored %.64s on %s", method, topic);
}
