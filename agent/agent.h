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
#include "core/hubtab.h"
#include "health/health.h"
#include "msg/msg.h"
#include "reconcile/cache.h"
#include "reconcile/guard.h"
#include "sync/neutron_rpc.h"
#include "sync/sync_delta.h"

struct nwg_ini;
struct nwg_ctl;

/* get_hubs 1.1 page size (doc/contracts.md): whole hubs, up to this many
 * spokes in one reply (about 300 bytes each, well below the 4 MiB guard). */
#define NWG_PAGE_MAX_SPOKES 2000

enum nwg_sync_state {
	NWG_SYNC_IDLE,
	NWG_SYNC_FETCH,	 /* a get_hubs page is in flight */
	NWG_SYNC_REPORT, /* executed; hub_realized / device up-down in flight */
};

/* The one pass in progress (agent/sync/sync.c). */
struct nwg_syncop {
	enum nwg_sync_state state;
	bool full;
	char **ids; /* targeted pass: port ids (owned) */
	size_t n;
	bool paged;
	struct nwg_page page;
	json_t *acc; /* hubs gathered from the pages so far */
	unsigned pages;
	bool fetched; /* the desired state was fetched and parsed */
	size_t n_desired, n_rejected;
	int64_t t0;
	int64_t deadline_ms; /* the single bound of the report phase */
	size_t outstanding;  /* report calls in flight */
	int rc;		     /* <0: the desired state could not be fetched or used */

	/* get_hubs 1.2 (agent/sync/sync_digest.c) */
	json_t *sent;	    /* {port_id: digest} asked with; NULL = unconditional */
	json_t *got;	    /* {port_id: digest} of the full hubs answered */
	size_t n_unchanged; /* hubs answered unchanged and found in sync */
	/* get_hubs 1.3 (agent/sync/sync_delta.c) */
	json_t *deltas;	 /* [port_id] asked with; NULL = ask 1.2 */
	size_t n_deltas; /* deltas rebuilt this pass */
};

struct nwg_hostops;
struct nwg_ha_priv;

struct nwg_agent {
	struct nwg_conf conf;
	struct nwg_ini *ini;
	struct nwg_backend *backend;
	struct nwg_repo *repo;
	/* privileged operations (hostops.h): NULL = in this process */
	const struct nwg_hostops *hostops;
	void *hostops_ctx;
	/* HA's privileged side for the local hostops (agent/ha/priv.h:
	 * keepalived, the enrollment key); NULL until used, never in an engine */
	struct nwg_ha_priv *ha_priv;
	struct nwg_msg_opts mopts;
	struct nwg_msg *msg; /* NULL while disconnected */
	struct nwg_ctl *ctl;
	struct nwg_hubtab hubs;
	char uuid[37];
	char agent_id[300];
	char enroll_pub[NWG_KEY_B64_LEN + 1]; /* HA enrollment public key, "" = none */
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

	/* spoke health and metrics (agent/health/health_run.c) */
	struct nwg_health health; /* what Neutron was told per spoke */
	int64_t next_health_ms;
	uint64_t sync_errors; /* hub sync failures since start */

	/* asynchronous core (agent/sync/sync.c, agent/core/loop.c) */
	struct nwg_syncop sync;
	bool no_paging;		 /* the server answered get_hubs 1.1 UnsupportedVersion */
	int last_sync_rc;	 /* rc of the last finished pass */
	bool report_inflight;	 /* a report_state call awaits its reply */
	bool health_inflight;	 /* an update_device_list call awaits its reply */
	int64_t loss_backoff_ms; /* full sync after a loss: 0 = at once, then doubling */
	int64_t loss_at_ms;	 /* last loss */

	/* get_hubs 1.2, conditional answers (agent/sync/sync_digest.c) */
	bool no_digests;	  /* the server answered get_hubs 1.2 UnsupportedVersion */
	bool want_unconditional;  /* the next full pass asks every hub in full */
	unsigned int full_passes; /* every NWG_UNCONDITIONAL_EVERY-th is unconditional */
	/* get_hubs 1.3, deltas (agent/sync/sync_delta.c) */
	bool no_deltas; /* the server answered get_hubs 1.3 UnsupportedVersion */
	struct nwg_dcache dcache;

	/* mass-deletion guard: deletions held (reconcile/guard.h) */
	struct nwg_guard guard;
	/* per-hub actual state as last read and applied (reconcile/cache.h) */
	struct nwg_acache acache;
	/* namespace clean-up (agent/reconcile/nsgc_run.c): NULL-terminated names */
	char **ns_todo;	   /* looked at after this pass */
	char **ns_pending; /* kept by an earlier pass: looked at again */
	/* HA takeover run by the agent (agent/ha/run.c): NULL = no [wireguard_ha] */
	struct nwg_ha_rt *ha;
};

/* ---- sync (agent/sync/sync.c) ---- */
/* Starts one reconcile pass (ids owned, NULL = full): asks get_hubs and
 * returns; replies drive the pass and nwg_sched_sync_done ends it. With
 * --desired-file the whole pass runs inside (its rc returned). -EBUSY while
 * a pass is running; <0 when the request could not be sent. */
int nwg_sync(struct nwg_agent *a, bool full, char **ids, size_t n);

/* Start-up restore from the repository alone (agent/reconcile/restore.c): re-creates
 * recorded hubs that are missing; never deletes, never reports. */
int nwg_restore(struct nwg_agent *a);

/* ---- namespace clean-up (agent/reconcile/nsgc_run.c) ---- */
/* After the actions of a pass: which tun-<project> namespaces to look at. */
void nwg_nsgc_note(struct nwg_agent *a, const struct nwg_plan *p, const struct nwg_desired *d,
		   const struct nwg_actual *act, const struct nwg_plan_opts *o);
/* After the attachments of the pass: removes those that hold nothing. */
void nwg_nsgc_run(struct nwg_agent *a);

/* ---- spoke health and metrics (agent/health/health_run.c) ---- */
/* Reads every hub's peers, reports spoke state changes, writes metrics. */
void nwg_health_run(struct nwg_agent *a);

/* ---- scheduling (agent/sync/sched.c) ---- */
void nwg_sched_full(struct nwg_agent *a, int64_t delay_ms);
void nwg_sched_ids(struct nwg_agent *a, const char *const *ids, size_t n, int64_t delay_ms);
/* The earlier of two deadlines (monotonic ms), either <= 0 meaning none. */
int64_t nwg_deadline_min(int64_t a, int64_t b);
/* Runs what is due; returns the next deadline (monotonic ms) or -1. */
int64_t nwg_sched_run(struct nwg_agent *a, int64_t now_ms);
/* A pass finished (rc < 0: the desired state could not be fetched). */
void nwg_sched_sync_done(struct nwg_agent *a, bool full, int rc);
/* A message was lost (dropped, undecodable, reply timed out): a full sync
 * at once, with backoff while losses repeat. */
void nwg_sched_loss(struct nwg_agent *a, const char *what);

/* ---- events (agent/sync/events.c): nwg_msg_handler ---- */
void nwg_events_handle(void *ctx, const char *topic, const char *method, json_t *args,
		       const char *reason);

#endif
