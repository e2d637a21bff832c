/* SPDX-License-Identifier: Apache-2.0 */
/* The executor's repository operations: the actual state read out as public
 * data (public keys, never a private one) and the quarantine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "attach/l3_place.h"
#include "privsep/actual_send.h"
#include "privsep/ops_apply.h"
#include "privsep/ops_ha.h"
#include "privsep/ops_ovn.h"
#include "privsep/ops_repo.h"
#include "privsep/ops_seal.h"
#include "reconcile/exec.h"
#include "reconcile/plan.h"
#include "strv.h"

_Static_assert((int)NWG_PS_NETNS_ABSENT == (int)NWG_NETNS_ABSENT &&
		   (int)NWG_PS_NETNS_REMOVED == (int)NWG_NETNS_REMOVED &&
		   (int)NWG_PS_NETNS_KEPT == (int)NWG_NETNS_KEPT,
	       "NETNS_REMOVE answers reconcile/exec.h's outcomes");

/* READ_ACTUAL / STATUS: the executor's own read (reconcile/actual.c, the
 * code the one-process agent runs: records as views, device keys wiped),
 * scoped to the ids asked for, in the namespaces asked for (READ_ACTUAL;
 * the dispatch's policy has checked them); without a backend, records only
 * (partial). */
static int op_read(void *ctx, uint16_t type, const struct nwg_ps_ids *ids, nwg_ps_emit_fn emit,
		   void *ectx, uint32_t seq, struct nwg_ps_result *out, struct nwg_err *err)
{
	struct nwg_ps_repo_ctx *c = ctx;
	struct nwg_actual_src src = {.backend = c->backend, .repo = c->repo};
	const char **scope = NULL;
	char **extra = NULL;
	struct nwg_actual *act = NULL;
	int rc = 0;

	(void)type;
	if (ids->n && !(scope = calloc(ids->n, sizeof(*scope))))
		return nwg_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < ids->n; i++)
		scope[i] = ids->ids[i];
	src.scope = scope;
	src.n_scope = ids->n;
	for (size_t i = 0; rc == 0 && i < ids->n_netns; i++)
		rc = nwg_strv_push(&extra, ids->netns[i]);
	src.extra_netns = extra;
	if (rc < 0)
		rc = nwg_err_set(err, ENOMEM, "out of memory");
	else
		rc = nwg_actual_read(&act, &src, err);
	if (rc == 0)
		rc = nwg_ps_actual_send(act, emit, ectx, seq, out, err);
	nwg_actual_free(act);
	nwg_strv_free(extra);
	free(scope);
	return rc < 0 ? rc : 0;
}

static int op_repo(void *ctx, uint16_t type, const char *port_id, uint32_t max_age_s,
		   struct nwg_ps_result *out, struct nwg_err *err)
{
	struct nwg_ps_repo_ctx *c = ctx;
	int rc;

	if (type == NWG_PS_QUARANTINE)
		rc = nwg_repo_quarantine(c->repo, port_id, err);
	else if (type == NWG_PS_UNQUARANTINE)
		rc = nwg_repo_unquarantine(c->repo, port_id, err);
	else
		rc = nwg_repo_purge_quarantine(c->repo, (long)max_age_s, time(NULL), err);
	if (rc < 0)
		return rc;
	out->count = (uint32_t)rc;
	return 0;
}

static int op_none(void *ctx, const void *in, struct nwg_ps_result *out, struct nwg_err *err)
{
	(void)ctx;
	(void)in;
	(void)out;
	return nwg_err_set(err, EOPNOTSUPP, "not served by this executor");
}

static int op_apply(void *ctx, const struct nwg_ps_apply *a, struct nwg_ps_result *out,
		    struct nwg_err *err)
{
	return nwg_ps_op_apply(ctx, a, out, err);
}

/* The PLACE's addresses as "addr/plen" strings (NULL-terminated). */
static char **place_cidrs(const struct nwg_ps_place *p)
{
	char **v = calloc(p->addrs.n + 1, sizeof(*v));
	char buf[NWG_PS_CIDR_MAX + 1];

	for (size_t i = 0; v && i < p->addrs.n; i++) {
		if (nwg_allowedip_format(&p->addrs.a[i], buf, sizeof(buf)) < 0 ||
		    !(v[i] = strdup(buf))) {
			nwg_strv_free(v);
			return NULL;
		}
	}
	return v;
}

/* attach/detach of a hub the repository knows. A detach goes to the
 * record's home under the name the hub was created with, and nowhere else:
 * the engine's home and name must be those. */
static int place_rec(struct nwg_ps_repo_ctx *c, const struct nwg_ps_place *p,
		     struct nwg_hub_record *rec, struct nwg_ps_result *out, struct nwg_err *err)
{
	struct nwg_l3_req q = {
	    .attach = p->attach, .netns = p->netns, .ifname = p->ifname, .mtu = p->mtu};
	struct nwg_l3_where from;
	char wg[IFNAMSIZ], **v = NULL;
	bool present = false;
	int rc;

	nwg_hub_ifname(rec->port_id, wg);
	if (!p->attach && (strcmp(p->netns, rec->home_netns) != 0 || strcmp(p->ifname, wg) != 0))
		return nwg_err_set(err, EPERM, "PLACE %s: detach goes to %s as %s", p->port_id,
				   *rec->home_netns ? rec->home_netns : "the root namespace", wg);
	if (p->attach && !(v = place_cidrs(p)))
		return nwg_err_set(err, ENOMEM, "out of memory");
	q.cidrs = v;
	rc = nwg_l3_place(c->backend, c->repo, rec, &q, &from, &present, &out->changed, err);
	nwg_strv_free(v);
	if (rc < 0)
		return rc;
	snprintf(out->ifname, sizeof(out->ifname), "%s", present ? rec->ifname : "");
	snprintf(out->netns, sizeof(out->netns), "%s", present ? rec->netns : "");
	out->up = present && rec->up;
	return 0;
}

static int op_place(void *ctx, const struct nwg_ps_place *p, struct nwg_ps_result *out,
		    struct nwg_err *err)
{
	struct nwg_ps_repo_ctx *c = ctx;
	struct nwg_hub_record *rec = NULL;
	int rc;

	if (!c->backend)
		return op_none(ctx, p, out, err);
	rc = nwg_l3_load(c->backend, c->repo, p->port_id, p->attach, &rec, err);
	if (rc == -ENOENT)
		return nwg_err_set(err, ENOENT, "PLACE %s: hub not realized on this node",
				   p->port_id);
	if (rc >= 0)
		rc = place_rec(c, p, rec, out, err);
	nwg_hub_record_free(rec);
	return rc < 0 ? rc : 0;
}

/* The real removal (reconcile/exec_netns.c): only when no record names the
 * namespace, it holds no link but lo and no process runs in it. */
static int op_netns_remove(void *ctx, const char *netns, struct nwg_ps_result *out,
			   struct nwg_err *err)
{
	struct nwg_ps_repo_ctx *c = ctx;
	int rc = nwg_exec_netns_remove(c->repo, netns, out->error, sizeof(out->error), err);

	if (rc < 0)
		return rc;
	out->netns_state = (uint8_t)rc;
	if (rc != NWG_NETNS_KEPT)
		out->error[0] = '\0';
	return 0;
}

const struct nwg_ps_ops nwg_ps_repo_ops = {
    op_read,	     op_apply,		 op_place,	     op_repo,
    op_netns_remove, nwg_ps_op_seal,	 nwg_ps_op_ha,	     nwg_ps_op_stream,
    nwg_ps_op_vrrp,  nwg_ps_op_ovn_plug, nwg_ps_op_ovn_sweep};
