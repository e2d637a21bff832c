/* SPDX-License-Identifier: Apache-2.0 */
/* The agent's calls to neutron-server (doc/contracts.md). */
#ifndef NWG_AGENT_NEUTRON_RPC_H
#define NWG_AGENT_NEUTRON_RPC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "msg/msg.h"
#include "nwg/err.h"

#define NWG_AGENT_TYPE	      "WireGuard agent"
#define NWG_AGENT_BINARY      "neutron-wireguard-agent"
#define NWG_TOPIC_PLUGIN      "q-wireguard-plugin"
#define NWG_TOPIC_AGENT	      "q-wireguard-agent"
#define NWG_TOPIC_REPORTS     "q-reports-plugin"
#define NWG_TOPIC_Q_PLUGIN    "q-plugin"
#define NWG_TOPIC_PORT_UPDATE "q-agent-notifier-port-update"
#define NWG_TOPIC_PORT_DELETE "q-agent-notifier-port-delete"

struct nwg_msg;

struct nwg_report {
	const struct nwg_conf *conf;
	const char *uuid;    /* per start */
	const char *backend; /* resolved backend name */
	size_t hubs;
	bool start_flag;
	const char *enroll_pub; /* HA: this node's enrollment PUBLIC key, NULL = none */
};

/* {"agent_state": {"agent_state": {...}}, "time": "..."} (pure). */
json_t *nwg_rpc_report_args(const struct nwg_report *r);
/* utcnow as "%Y-%m-%dT%H:%M:%S.%f". */
void nwg_utcnow(char *buf, size_t len);
/* A random UUID4 string (37 bytes with NUL). */
void nwg_uuid4(char out[37]);

/* Every call below is asynchronous (nwg_msg_call_async): it returns once
 * the request is published; cb runs from the loop with the reply, a remote
 * error, -ETIMEDOUT or -ECONNRESET. */

/* call: cb gets "new"/"alive"/"revived"; cast (call false): cb unused. */
int nwg_rpc_report_state(struct nwg_msg *m, const struct nwg_report *r, bool call, int timeout_ms,
			 nwg_msg_reply_cb cb, void *ctx, struct nwg_err *err);

/* get_hubs 1.1 paging (doc/contracts.md): hubs in port id order after
 * `after` ("" = from the start), whole hubs until max_spokes spokes. */
struct nwg_page {
	char after[64];
	size_t max_spokes;
	/* get_hubs 1.2 (conditional): {port_id: digest last applied}, borrowed;
	 * NULL = ask 1.1. Hubs whose answer still has that digest come back as
	 * {"port_id", "digest", "unchanged": true}. */
	json_t *digests;
	/* get_hubs 1.3 (deltas, with digests): [port_id] whose last answer the
	 * agent keeps, borrowed; NULL = ask 1.2. Such a hub may come back as
	 * the spokes changed since that answer (agent/sync/sync_delta.h). */
	json_t *deltas;
	size_t delta_min; /* sent with deltas: hubs with fewer spokes are not kept */
};
/* port_ids NULL = every hub of host; page NULL = unpaged (1.0). Pure. */
json_t *nwg_rpc_get_hubs_args(const char *host, char *const *port_ids, size_t n,
			      const struct nwg_page *page);
int nwg_rpc_get_hubs(struct nwg_msg *m, const char *host, char *const *port_ids, size_t n,
		     const struct nwg_page *page, int timeout_ms, nwg_msg_reply_cb cb, void *ctx,
		     struct nwg_err *err);

struct nwg_realized {
	const char *port_id;
	const char *public_key; /* base64 */
	unsigned int listen_port;
	const char *endpoint;
	const char *interface;
	const char *netns; /* "" = root (sent as null) */
	unsigned int mtu;
	const char *host; /* the reporting agent's host: the server checks it */
	/* HA hub (doc/ha.md), NULL = not sent: the hub key sealed to the
	 * secondary's enrollment key (ciphertext) and this node's HA state */
	const char *ha_envelope;
	const char *ha_state;
};
json_t *nwg_rpc_realized_args(const struct nwg_realized *h);
int nwg_rpc_hub_realized(struct nwg_msg *m, const struct nwg_realized *h, int timeout_ms,
			 nwg_msg_reply_cb cb, void *ctx, struct nwg_err *err);
/* update_device_up / update_device_down on q-plugin v1.9. */
int nwg_rpc_device_status(struct nwg_msg *m, const char *port_id, const char *agent_id,
			  const char *host, bool up, int timeout_ms, nwg_msg_reply_cb cb, void *ctx,
			  struct nwg_err *err);
/* The update_device_list arguments (pure). */
json_t *nwg_rpc_device_list_args(const char *const *up, size_t n_up, const char *const *down,
				 size_t n_down, const char *agent_id, const char *host);
/* update_device_list(devices_up, devices_down, agent_id, host,
 * refresh_tunnels=false) on q-plugin v1.9. */
int nwg_rpc_device_list(struct nwg_msg *m, const char *const *up, size_t n_up,
			const char *const *down, size_t n_down, const char *agent_id,
			const char *host, int timeout_ms, nwg_msg_reply_cb cb, void *ctx,
			struct nwg_err *err);

#endif
