/* SPDX-License-Identifier: Apache-2.0 */
#include "privsep/ops_ha.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf/conf.h"
#include "ha/priv.h"
#include "ha/takeover.h"
#include "nwg/ha.h"
#include "privsep/ops_repo.h"

int nwg_ps_op_ha(void *ctx, const struct nwg_ps_ha *h, struct nwg_ps_result *out,
		 struct nwg_err *err)
{
	struct nwg_ps_repo_ctx *c = ctx;
	struct nwg_ha_req q = {.op = h->op, .port_id = h->port_id, .pace = h->pace};
	struct nwg_ha_ep *eps = NULL;
	struct nwg_ha_out o;
	int rc;

	if (!c->backend)
		return nwg_err_set(err, EOPNOTSUPP, "HA: no backend here");
	if (h->n_eps && !(eps = calloc(h->n_eps, sizeof(*eps))))
		return nwg_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < h->n_eps; i++) {
		eps[i].pub = h->eps[i].key;
		if (nwg_endpoint_parse(&eps[i].ep, h->eps[i].endpoint) < 0) { /* checked already */
			free(eps);
			return nwg_err_set(err, EINVAL, "HA: endpoint %zu", i);
		}
	}
	q.eps = eps;
	q.n_eps = h->n_eps;
	rc = nwg_ha_takeover_run(c->backend, c->repo,
				 c->conf && c->conf->ovn_bridge && !c->conf->dry_run, &q, &o, err);
	free(eps);
	if (rc < 0)
		return rc;
	out->count = o.set > 0 ? (uint32_t)o.set : 0;
	out->listed = (uint32_t)o.listed;
	out->changed = o.tenant_changed; /* the tenant port */
	out->up = o.tenant_up;
	snprintf(out->ifname, sizeof(out->ifname), "%s", o.ifname);
	return 0;
}

_Static_assert((int)NWG_PS_VRRP_START == (int)NWG_VRRP_OP_START &&
		   (int)NWG_PS_VRRP_REAP == (int)NWG_VRRP_OP_REAP &&
		   (int)NWG_PS_VRRP_STOP == (int)NWG_VRRP_OP_STOP &&
		   (int)NWG_PS_VRRP_RELEASE_VIP == (int)NWG_VRRP_OP_RELEASE_VIP,
	       "VRRP's ops are hostops.h's");

int nwg_ps_op_stream(void *ctx, const struct nwg_ps_stream *s, struct nwg_ps_result *out,
		     struct nwg_err *err)
{
	struct nwg_ps_repo_ctx *c = ctx;
	struct nwg_ha_chunk_out ch;
	size_t sent = 0, eps = 0;
	int rc;

	if (!c->ha)
		return nwg_err_set(err, EOPNOTSUPP, "STREAM: no [wireguard_ha] on this node");
	if (s->op == NWG_PS_STREAM_SEAL) {
		rc = nwg_ha_priv_seal(c->ha, c->backend, c->repo, c->conf, s->port_id, &s->peer_pub,
				      &sent, &eps, err);
		out->count = sent > UINT32_MAX ? UINT32_MAX : (uint32_t)sent;
		out->listed = eps > UINT32_MAX ? UINT32_MAX : (uint32_t)eps;
		return rc;
	}
	rc = nwg_ha_priv_open(c->ha, c->conf, s->port_id, &s->peer_pub, s->min_seq, s->dgram,
			      s->dgram_len, &ch, err);
	if (rc < 0)
		return rc;
	out->seq = ch.seq;
	out->chunk_idx = ch.c.idx;
	out->chunk_total = ch.c.total;
	out->text = ch.text; /* the dispatch frees it */
	out->text_len = ch.len;
	return 0;
}

int nwg_ps_op_vrrp(void *ctx, const struct nwg_ps_vrrp *v, struct nwg_ps_result *out,
		   struct nwg_err *err)
{
	struct nwg_ps_repo_ctx *c = ctx;
	struct nwg_vrrp_out o;
	int rc;

	if (!c->ha || !c->conf)
		return nwg_err_set(err, EOPNOTSUPP, "VRRP: no [wireguard_ha] on this node");
	rc = nwg_ha_priv_vrrp(c->ha, c->conf, v->op, &o, err);
	if (rc < 0)
		return rc;
	if (v->op == NWG_PS_VRRP_START) {
		out->count = (uint32_t)o.pid;
		out->fd = o.fifo;
		out->fd_set = true;
	} else if (v->op == NWG_PS_VRRP_REAP) {
		out->changed = o.exited;
		out->count = (uint32_t)o.status;
	} else {
		out->changed = o.removed;
	}
	return 0;
}
