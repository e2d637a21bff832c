/* SPDX-License-Identifier: Apache-2.0 */
/* The report phase of a sync pass: hub_realized and device up/down for many
 * hubs pipelined on the connection, one bounded wait for all of them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ha/run.h"
#include "log/log.h"
#include "nwg/key.h"
#include "nwg/repo.h"
#include "nwg/seal.h"
#include "privsep/hostops.h"
#include "reconcile/desired_ha.h"
#include "sync.h"
#include "sync/neutron_rpc.h"

struct report {
	struct nwg_agent *a;
	char port_id[NWG_ID_MAX + 1];
	char project_id[NWG_ID_MAX + 1];
	char pub[NWG_KEY_B64_LEN + 1];
	char ep[INET6_ADDRSTRLEN + 16];
	char ifname[IFNAMSIZ];
	char netns[NWG_NETNS_NAME_MAX + 1];
	bool up;
	char envelope[NWG_SEALED_B64_LEN + 1]; /* HA primary: "" = none sent */
	const char *ha_state;		       /* HA: state to report, NULL = none */
	bool ha_secondary;		       /* the primary's report sets the port's status */
	bool ha;			       /* an HA hub: its endpoint is the VIP (agent VRRP) */
};

static int left_ms(const struct nwg_agent *a)
{
	int64_t left = a->sync.deadline_ms - nwg_now_ms();

	return left < 1 ? 1 : left > a->rpc_timeout_ms ? a->rpc_timeout_ms : (int)left;
}

static void failed(struct report *r, const char *what, const char *why)
{
	struct nwg_agent *a = r->a;
	struct nwg_hubstate *st = nwg_hubtab_get(&a->hubs, r->port_id, false);
	char msg[300];

	snprintf(msg, sizeof(msg), "%s: %s", what, why ? why : "?");
	a->sync_errors++;
	if (!st) /* deleted meanwhile */
		return;
	nwg_hubtab_fail(st, nwg_now_ms(), msg);
	log_err("hub %s project %s: report failed: %s (retry in %lld ms)", r->port_id,
		r->project_id, msg, (long long)(st->retry_at_ms - nwg_now_ms()));
}

static void finish(struct report *r)
{
	struct nwg_agent *a = r->a;

	free(r);
	a->sync.outstanding--;
	nwg_sync_maybe_done(a);
}

static void on_device(void *ctx, int rc, json_t *result, const char *why)
{
	struct report *r = ctx;
	struct nwg_hubstate *st = nwg_hubtab_get(&r->a->hubs, r->port_id, false);

	(void)result;
	if (rc < 0) {
		failed(r, r->up ? "update_device_up" : "update_device_down", why);
	} else if (st) {
		st->reported_up = r->up;
		log_debug("hub %s: reported device %s", r->port_id, r->up ? "up" : "down");
	}
	finish(r);
}

/* true when a call is in flight for r (it then owns r). */
static bool send_device(struct report *r)
{
	struct nwg_agent *a = r->a;
	struct nwg_hubstate *st = nwg_hubtab_get(&a->hubs, r->port_id, false);
	struct nwg_err err = {{0}};

	if (!st || st->reported_up == (int)r->up || !a->msg || r->ha_secondary)
		return false;
	if (nwg_rpc_device_status(a->msg, r->port_id, a->agent_id, a->conf.host, r->up, left_ms(a),
				  on_device, r, &err) < 0) {
		failed(r, r->up ? "update_device_up" : "update_device_down", err.msg);
		return false;
	}
	return true;
}

static void on_realized(void *ctx, int rc, json_t *result, const char *why)
{
	struct report *r = ctx;

	(void)result;
	if (rc < 0) {
		failed(r, "hub_realized", why);
		finish(r);
		return;
	}
	log_info("hub %s project %s: reported realized: %s endpoint %s, %s in %s%s%s", r->port_id,
		 r->project_id, r->pub, r->ep, r->ifname, r->netns[0] ? r->netns : "root namespace",
		 r->ha_state ? ", HA state " : "", r->ha_state ? r->ha_state : "");
	if (send_device(r))
		return; /* same pass, same deadline */
	finish(r);
}

/* HA primary (doc/ha.md): the hub key sealed to the secondary's enrollment
 * public key, from the hub's record; only the ciphertext leaves this
 * function. "" when not wanted or not possible (logged, the report goes on
 * without it and the next pass tries again). */
static void seal_for_peer(struct report *r, const struct nwg_action *act)
{
	const struct nwg_dha *ha = act->want ? act->want->ha : NULL;
	struct nwg_err err = {{0}};
	void *hctx;
	const struct nwg_hostops *ops = nwg_hostops_of(r->a, &hctx);
	int rc;

	r->envelope[0] = '\0';
	if (!ha || !ha->primary || !ha->has_peer_pub || ha->peer_sealed)
		return;
	/* the executor seals when the agent is split: the engine holds no key */
	rc = ops->seal(hctx, act->port_id, &ha->peer_pub, r->envelope, &err);
	if (rc < 0) {
		r->envelope[0] = '\0';
		log_err("hub %s: cannot seal its key for HA peer %s: %s", act->port_id,
			ha->peer_host, err.msg[0] ? err.msg : strerror(-rc));
		return;
	}
	log_info("hub %s: key sealed for HA peer %s (ciphertext only)", act->port_id,
		 ha->peer_host);
}

static bool send_realized(struct report *r, const struct nwg_exec_out *out)
{
	struct nwg_agent *a = r->a;
	struct nwg_realized h = {
	    .port_id = r->port_id,
	    .public_key = r->pub,
	    .listen_port = out->listen_port,
	    .endpoint = r->ep,
	    .interface = r->ifname,
	    .netns = r->netns,
	    .mtu = out->mtu,
	    .host = a->conf.host,
	    .ha_envelope = r->envelope[0] ? r->envelope : NULL,
	    .ha_state = r->ha_state,
	};
	struct nwg_err err = {{0}};

	nwg_key_to_b64(r->pub, &out->public_key);
	if (r->ha && a->conf.ha.on) /* the address VRRP moves (doc/ha.md) */
		nwg_conf_ha_endpoint(&a->conf.ha, out->listen_port, r->ep, sizeof(r->ep));
	else
		nwg_conf_endpoint(&a->conf, out->listen_port, r->ep, sizeof(r->ep));
	if (nwg_rpc_hub_realized(a->msg, &h, left_ms(a), on_realized, r, &err) < 0) {
		failed(r, "hub_realized", err.msg);
		return false;
	}
	return true;
}

void nwg_sync_report(struct nwg_agent *a, const struct nwg_action *act,
		     const struct nwg_exec_out *out)
{
	struct report *r;
	bool sent;

	if (a->offline || !a->msg)
		return;
	r = calloc(1, sizeof(*r));
	if (!r) {
		log_err("hub %s: out of memory for its report", act->port_id);
		return;
	}
	r->a = a;
	snprintf(r->port_id, sizeof(r->port_id), "%s", act->port_id);
	snprintf(r->project_id, sizeof(r->project_id), "%s", act->project_id);
	snprintf(r->ifname, sizeof(r->ifname), "%s", out->ifname);
	snprintf(r->netns, sizeof(r->netns), "%s", out->netns);
	r->up = out->up;
	if (act->want && act->want->ha) {
		r->ha_state = nwg_ha_report_state(act->want->ha, nwg_ha_vrrp_state(a));
		r->ha = true;
		r->ha_secondary = !act->want->ha->primary;
	}
	if (act->report)
		seal_for_peer(r, act);
	sent = act->report ? send_realized(r, out) : send_device(r);
	if (!sent) {
		free(r);
		return;
	}
	a->sync.outstanding++;
}
