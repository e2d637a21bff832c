/* SPDX-License-Identifier: Apache-2.0 */
/* The agent's state, shared by the sync pass, event handlers, the control
 * socket and the loop. One instance, single-threaded. */
#ifndef NWG_AGENT_AGENT_H
#define NWG_AGENT_AGENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "health/health.h"
#include "hubtab.h"
#include "msg/msg.h"
#include "reconcile/guard.h"

struct nwg_ini;
struct nwg_ctl;

struct nwg_agent {
	struct nwg_conf conf;
	struct nwg_ini *ini;
	struct nwg_backend *backend;
	struct nwg_repo *repo;
	struct nwg_msg_opts mopts;
	struct nwg_msg *msg; /* NULL while disconnected */
	struct nwg_ctl *ctl;
	struct nwg_hubtab hubs;
	char uuid[37];
	char agent_id[300];
	int rpc_timeout_ms;
	json_t *offline; /* --desired-file: the get_hubs reply, no RabbitMQ */

	/* pending work (coalesced) */
	bool want_full;
	char **want_ids;       /* NULL-terminated port ids of a targeted sync */
	int64_t sync_at_ms;    /* 0 = nothing pending */
	int64_t full_retry_ms; /* backoff of a failed full sync */
	int64_t next_full_ms;  /* periodic safety net */
	int64_t next_report_ms;
	bool report_call;	 /* next report is a call (first, after reconnect) */
	bool start_flag;	 /* until one report went through */
	int64_t reconnect_at_ms; /* 0 = connected or not wanted */
	int64_t reconnect_backoff_ms;
	bool stop;
	bool last_full_ok;
	size_t n_hubs; /* hubs realized by the last pass (reported) */

	/* spoke health and metrics (agent/health_run.c) */
	struct nwg_health health; /* what Neutron was told per spoke */
	int64_t next_health_ms;
	uint64_t sync_errors; /* hub sync failures since start */
	/* mass-deletion guard: deletions held (reconcile/guard.h) */
	struct nwg_guard guard;
};

/* ---- sync (agent/sync.c) ---- */
/* One reconcile pass. ids NULL = full. Returns <0 only when the desired
 * state could not be fetched (a full pass is then retried with backoff). */
int nwg_sync(struct nwg_agent *a, bool full, char *const *ids, size_t n);

/* Start-up restore from the repository alone (agent/restore.c): re-creates
 * recorded hubs that are missing; never deletes, never reports. */
int nwg_restore(struct nwg_agent *a);

/* ---- spoke health and metrics (agent/health_run.c) ---- */
/* Reads every hub's peers, reports spoke state changes, writes metrics. */
void nwg_health_run(struct nwg_agent *a);

/* ---- scheduling (agent/sched.c) ---- */
void nwg_sched_full(struct nwg_agent *a, int64_t delay_ms);
void nwg_sched_ids(struct nwg_agent *a, const char *const *ids, size_t n, int64_t delay_ms);
/* Runs what is due; returns the next deadline (monotonic ms) or -1. */
int64_t nwg_sched_run(struct nwg_agent *a, int64_t now_ms);

/* ---- events (agent/events.c): nwg_msg_handler ---- */
void nwg_events_handle(void *ctx, const char *topic, const char *method, json_t *args,
		       const char *reason);

#endif
