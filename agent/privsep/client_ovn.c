/* SPDX-License-Identifier: Apache-2.0 */
/* hostops.h over the privsep channel: OVN_PLUG and OVN_SWEEP. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "privsep/client_ops.h"
#include "privsep/proc.h"
#include "reconcile/ipnet.h"

static int result_rc(const struct nwg_ps_result *res, struct nwg_err *err)
{
	return res->rc < 0 ? nwg_err_set(err, -res->rc, "%s", res->error) : 0;
}

/* The request as OVN_PLUG: what Neutron says of the port, its state; the
 * executor takes the link and the routes from its own record. */
static int ovn_msg(const struct nwg_ovn_req *q, struct nwg_ps_msg *m, struct nwg_err *err)
{
	struct nwg_ps_ovn *o = &m->u.ovn;

	nwg_ps_msg_init(m, NWG_PS_OVN_PLUG, 0);
	if (q->n_fixed_ips > NWG_PS_MAX_ADDRS || q->n_gateways > NWG_PS_MAX_GW)
		return nwg_err_set(err, E2BIG, "OVN plug %s: more than %d addresses or %d gateways",
				   q->port_id, NWG_PS_MAX_ADDRS, NWG_PS_MAX_GW);
	snprintf(o->port_id, sizeof(o->port_id), "%s", q->port_id);
	snprintf(o->mac, sizeof(o->mac), "%s", q->mac ? q->mac : "");
	for (size_t i = 0; i < q->n_fixed_ips; i++)
		nwg_ipnet_to_aip(&q->fixed_ips[i], &o->addrs.a[o->addrs.n++]);
	for (size_t i = 0; i < q->n_gateways; i++)
		snprintf(o->gateways[o->n_gateways++], sizeof(o->gateways[0]), "%s",
			 q->gateways[i]);
	o->mtu = q->mtu;
	o->up = q->up;
	o->ha = q->ha;
	return 0;
}

int nwg_ps_client_ovn_plug(void *ctx, const struct nwg_ovn_req *q, struct nwg_ovn_out *out,
			   struct nwg_err *err)
{
	struct nwg_ps_result res = {0};
	struct nwg_ps_msg m;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ovn_msg(q, &m, err);
	if (rc == 0) /* encoding checks every field */
		rc = nwg_ps_call(ctx, &m, NULL, NULL, &res, err);
	nwg_ps_msg_clear(&m);
	if (rc < 0 || (rc = result_rc(&res, err)) < 0)
		return rc;
	snprintf(out->netns, sizeof(out->netns), "%s", res.netns);
	snprintf(out->wg_if, sizeof(out->wg_if), "%s", res.ifname);
	out->plugged = res.changed;
	out->link_changed = res.up;
	out->routes_removed = res.count;
	return 0;
}

int nwg_ps_client_ovn_sweep(void *ctx, size_t *removed, struct nwg_err *err)
{
	struct nwg_ps_result res = {0};
	struct nwg_ps_msg m;
	int rc;

	*removed = 0;
	nwg_ps_msg_init(&m, NWG_PS_OVN_SWEEP, 0);
	rc = nwg_ps_call(ctx, &m, NULL, NULL, &res, err);
	nwg_ps_msg_clear(&m);
	if (rc < 0)
		return rc;
	*removed = res.count; /* also those removed before a failure */
	return result_rc(&res, err);
}
