/* SPDX-License-Identifier: Apache-2.0 */
/* The privileged operations run in this process (hostops.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "ha/priv.h"
#include "ha/takeover.h"
#include "privsep/hostops.h"
#include "privsep/seal_pin.h"
#include "reconcile/actual.h"
#include "reconcile/exec.h"

static int local_place(void *ctx, const char *port_id, const struct nwg_l3_req *q,
		       struct nwg_place_out *out, struct nwg_err *err)
{
	struct nwg_agent *a = ctx;
	struct nwg_hub_record *rec = NULL;
	struct nwg_l3_where from;
	int rc = nwg_l3_load(a->backend, a->repo, port_id, q->attach, &rec, err);

	if (rc < 0)
		return rc;
	rc = nwg_l3_place(a->backend, a->repo, rec, q, &from, &out->present, &out->changed, err);
	snprintf(out->netns, sizeof(out->netns), "%s", out->present ? rec->netns : "");
	snprintf(out->ifname, sizeof(out->ifname), "%s", out->present ? rec->ifname : "");
	nwg_hub_record_free(rec);
	return rc;
}

static int local_netns_remove(void *ctx, const char *name, char *why, size_t why_len,
			      struct nwg_err *err)
{
	return nwg_exec_netns_remove(((struct nwg_agent *)ctx)->repo, name, why, why_len, err);
}

static int local_quarantine(void *ctx, const char *port_id, struct nwg_err *err)
{
	return nwg_repo_quarantine(((struct nwg_agent *)ctx)->repo, port_id, err);
}

static int local_unquarantine(void *ctx, const char *port_id, struct nwg_err *err)
{
	return nwg_repo_unquarantine(((struct nwg_agent *)ctx)->repo, port_id, err);
}

static int local_purge(void *ctx, unsigned int max_age_s, struct nwg_err *err)
{
	return nwg_repo_purge_quarantine(((struct nwg_agent *)ctx)->repo, (long)max_age_s,
					 time(NULL), err);
}

static int local_apply(void *ctx, struct nwg_exec_ctx *x, const struct nwg_action *act,
		       struct nwg_exec_out *out, struct nwg_err *err)
{
	(void)ctx;
	return nwg_exec_action(x, act, out, err);
}

static int local_actual(void *ctx, const struct nwg_actual_src *src, struct nwg_actual **out,
			struct nwg_err *err)
{
	(void)ctx;
	return nwg_actual_read(out, src, err);
}

static int local_seal(void *ctx, const char *port_id, const struct nwg_key *peer_pub,
		      char out[NWG_SEALED_B64_LEN + 1], struct nwg_err *err)
{
	struct nwg_agent *a = ctx;

	return nwg_seal_pinned(&a->conf, a->repo, port_id, peer_pub, out, err);
}

static int local_ha(void *ctx, const struct nwg_ha_req *q, struct nwg_ha_out *out,
		    struct nwg_err *err)
{
	struct nwg_agent *a = ctx;

	return nwg_ha_takeover_run(a->backend, a->repo, a->conf.ovn_bridge && !a->conf.dry_run, q,
				   out, err);
}

/* HA's privileged state, made on first use. */
static struct nwg_ha_priv *ha_priv(struct nwg_agent *a)
{
	if (!a->ha_priv)
		a->ha_priv = nwg_ha_priv_new();
	return a->ha_priv;
}

static int local_vrrp(void *ctx, uint8_t op, struct nwg_vrrp_out *out, struct nwg_err *err)
{
	struct nwg_agent *a = ctx;
	struct nwg_ha_priv *p = ha_priv(a);

	if (!p) {
		memset(out, 0, sizeof(*out));
		out->fifo = -1;
		return nwg_err_set(err, ENOMEM, "out of memory");
	}
	return nwg_ha_priv_vrrp(p, &a->conf, op, out, err);
}

static int local_stream_seal(void *ctx, const char *port_id, const struct nwg_key *peer,
			     size_t *sent, size_t *eps, struct nwg_err *err)
{
	struct nwg_agent *a = ctx;

	return nwg_ha_priv_seal(ha_priv(a), a->backend, a->repo, &a->conf, port_id, peer, sent, eps,
				err);
}

static int local_stream_open(void *ctx, const char *port_id, const struct nwg_key *peer,
			     uint64_t min_seq, const uint8_t *msg, size_t len,
			     struct nwg_ha_chunk_out *out, struct nwg_err *err)
{
	struct nwg_agent *a = ctx;

	return nwg_ha_priv_open(ha_priv(a), &a->conf, port_id, peer, min_seq, msg, len, out, err);
}

static struct nwg_ovn_where ovn_where(const struct nwg_agent *a)
{
	return (struct nwg_ovn_where){.bridge = a->conf.ovn_bridge,
				      .vsctl = a->conf.ovs_vsctl,
				      .db = a->conf.ovsdb_connection};
}

static int local_ovn_plug(void *ctx, const struct nwg_ovn_req *q, struct nwg_ovn_out *out,
			  struct nwg_err *err)
{
	struct nwg_agent *a = ctx;
	struct nwg_ovn_where w = ovn_where(a);

	return nwg_ovn_plug_hub(a->repo, &w, q, out, err);
}

static int local_ovn_sweep(void *ctx, size_t *removed, struct nwg_err *err)
{
	struct nwg_agent *a = ctx;
	struct nwg_ovn_where w = ovn_where(a);

	return nwg_ovn_sweep(a->repo, &w, removed, err);
}

const struct nwg_hostops nwg_hostops_local = {
    local_place,       local_netns_remove, local_quarantine, local_unquarantine, local_purge,
    local_apply,       local_actual,	   local_seal,	     local_ha,		 local_vrrp,
    local_stream_seal, local_stream_open,  local_ovn_plug,   local_ovn_sweep};

const struct nwg_hostops *nwg_hostops_of(struct nwg_agent *a, void **ctx)
{
	*ctx = a->hostops ? a->hostops_ctx : a;
	return a->hostops ? a->hostops : &nwg_hostops_local;
}

int nwg_hostops_actual_one(struct nwg_agent *a, const char *port_id, struct nwg_actual **out,
			   struct nwg_err *err)
{
	const char *scope[] = {port_id};
	struct nwg_actual_src src = {
	    .backend = a->backend, .repo = a->repo, .scope = scope, .n_scope = 1};
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);

	return ops->actual(ctx, &src, out, err);
}

int nwg_hostops_actual_all(struct nwg_agent *a, struct nwg_actual **out, struct nwg_err *err)
{
	struct nwg_actual_src src = {.backend = a->backend, .repo = a->repo};
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);

	return ops->actual(ctx, &src, out, err);
}

int nwg_hostops_records(struct nwg_agent *a, const char *const *ids, size_t n,
			struct nwg_actual **out, struct nwg_err *err)
{
	/* no backend: the local read takes the records alone */
	struct nwg_actual_src src = {.repo = a->repo, .scope = ids, .n_scope = n};
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);

	if (a->hostops)
		src.backend = a->backend;
	return ops->actual(ctx, &src, out, err);
}
