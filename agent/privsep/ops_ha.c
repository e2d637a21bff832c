/* SPDX-License-Identifier: Apache-2.0 */
#include "privsep/ops_ha.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf/conf.h"
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
