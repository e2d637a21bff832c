/* SPDX-License-Identifier: Apache-2.0 */
#include "ha/takeover.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/ovn.h"
#include "nwg/ha.h"
#include "nwg/repo.h"
#include "nwg/rtnl.h"
#include "nwg/wg.h"

/* The endpoints to take over with: the given list first (the streamed
 * snapshot), then the endpoints Neutron configured (the record) for peers
 * the list does not name. */
static int takeover_list(const struct nwg_hub_record *rec, const struct nwg_ha_ep *s, size_t ns,
			 struct nwg_ha_ep **out, size_t *n)
{
	struct nwg_ha_ep *v = calloc(ns + rec->n_peers + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	if (ns)
		memcpy(v, s, ns * sizeof(*v));
	*n = ns;
	for (size_t i = 0; i < rec->n_peers; i++) {
		const struct nwg_repo_peer *p = &rec->peers[i];
		bool have = false;

		for (size_t j = 0; j < ns && !have; j++)
			have = nwg_key_equal(&v[j].pub, &p->public_key);
		if (have || !p->endpoint[0] || nwg_endpoint_parse(&v[*n].ep, p->endpoint) < 0)
			continue;
		v[(*n)++].pub = p->public_key;
	}
	*out = v;
	return 0;
}

static int activate(struct nwg_backend *b, const struct nwg_hub_record *rec, const char *ns,
		    const struct nwg_ha_req *q, struct nwg_ha_out *out, struct nwg_err *err)
{
	struct nwg_ha_activate_opts o = {.keepalive = NWG_HA_TAKEOVER_KEEPALIVE, .pace = q->pace};
	struct nwg_ha_ep *v = NULL;
	size_t n = 0;
	int r = takeover_list(rec, q->eps, q->n_eps, &v, &n);

	if (r < 0)
		return nwg_err_set(err, -r, "out of memory");
	r = nwg_ha_activate(b, rec->ifname, ns, v, n, &o, err);
	free(v);
	out->set = r;
	out->listed = n;
	return r < 0 ? r : 0;
}

/* Sessions dropped, then a fresh handshake to every endpoint the device
 * knows (its own), paced. */
static int renew(struct nwg_backend *b, const struct nwg_hub_record *rec, const char *ns,
		 const struct nwg_ha_req *q, struct nwg_ha_out *out, struct nwg_err *err)
{
	struct nwg_ha_activate_opts o = {.keepalive = NWG_HA_TAKEOVER_KEEPALIVE, .pace = q->pace};
	struct nwg_device *dev = NULL;
	struct nwg_ha_ep *v = NULL;
	size_t n = 0;
	int r = nwg_wg_get(b, rec->ifname, ns, &dev, err);

	if (r >= 0 && (r = nwg_ha_snapshot(dev, &v, &n)) < 0)
		nwg_err_set(err, -r, "%s: %s", rec->ifname, strerror(-r));
	nwg_device_free(dev);
	if (r >= 0)
		r = nwg_ha_deactivate(b, rec->ifname, ns, 0, err);
	if (r >= 0)
		r = nwg_ha_activate(b, rec->ifname, ns, v, n, &o, err);
	free(v);
	out->set = r;
	out->listed = n;
	return r < 0 ? r : 0;
}

/* The control socket's operations (SET, RESTORE, SILENCE): as asked, on the
 * record's link. */
static int ctl_op(struct nwg_backend *b, const struct nwg_hub_record *rec, const char *ns,
		  const struct nwg_ha_req *q, struct nwg_ha_out *out, struct nwg_err *err)
{
	struct nwg_ha_activate_opts o = {.keepalive = q->keepalive, .pace = q->pace};
	int r;

	if (q->op == NWG_HA_OP_SET) {
		r = nwg_ha_activate(b, rec->ifname, ns, q->eps, q->n_eps, &o, err);
		out->set = r;
		out->listed = q->n_eps;
	} else if (q->op == NWG_HA_OP_RESTORE) {
		r = nwg_ha_restore_keepalive(b, rec->ifname, ns, q->keepalive, err);
	} else {
		r = nwg_ha_deactivate(b, rec->ifname, ns, q->keepalive, err);
	}
	return r < 0 ? r : 0;
}

/* The hub's OVN tenant port up (active: the kernel announces its
 * addresses, arp_notify) or down; -ENODEV (not plugged) is no error. */
static int tenant_link(const struct nwg_hub_record *rec, bool up, struct nwg_ha_out *out,
		       struct nwg_err *err)
{
	char ifname[IFNAMSIZ];
	struct nwg_rtnl *r = NULL;
	struct nwg_link l;
	int ret;

	if (!rec->netns[0])
		return 0;
	nwg_ovn_ifname(rec->port_id, ifname);
	ret = nwg_rtnl_open(&r, rec->netns, err);
	if (ret == 0)
		ret = nwg_link_get(r, ifname, &l, err);
	if (ret == 0 && l.up != up) {
		ret = nwg_link_set_up(r, ifname, up, err);
		out->tenant_changed = ret == 0;
		out->tenant_up = up;
	}
	nwg_rtnl_close(r);
	if (ret == -ENODEV && err)
		err->msg[0] = '\0';
	if (ret < 0 && ret != -ENODEV)
		return nwg_err_set(err, -ret, "tenant port %s: %s", ifname,
				   err && err->msg[0] ? err->msg : strerror(-ret));
	return 0;
}

int nwg_ha_takeover_run(struct nwg_backend *b, struct nwg_repo *repo, bool tenant_port,
			const struct nwg_ha_req *q, struct nwg_ha_out *out, struct nwg_err *err)
{
	struct nwg_hub_record *rec = NULL;
	const char *ns;
	int r;

	memset(out, 0, sizeof(*out));
	if (q->op < NWG_HA_OP_ACTIVATE || q->op > NWG_HA_OP_SILENCE || !q->port_id ||
	    (q->n_eps && !q->eps) || q->n_eps > NWG_HA_MAX_EPS ||
	    ((q->op == NWG_HA_OP_ACTIVATE || q->op == NWG_HA_OP_RENEW || q->op == NWG_HA_OP_SET) &&
	     q->pace < 1) ||
	    (q->op == NWG_HA_OP_SET && q->keepalive < 1))
		return nwg_err_set(err, EINVAL, "HA: a malformed request");
	if ((r = nwg_repo_load(repo, q->port_id, &rec, err)) < 0)
		return r;
	ns = rec->netns[0] ? rec->netns : NULL;
	snprintf(out->ifname, sizeof(out->ifname), "%s", rec->ifname);
	if (q->op == NWG_HA_OP_ACTIVATE)
		r = activate(b, rec, ns, q, out, err);
	else if (q->op == NWG_HA_OP_RENEW)
		r = renew(b, rec, ns, q, out, err);
	else if (q->op == NWG_HA_OP_DEACTIVATE)
		r = nwg_ha_deactivate(b, rec->ifname, ns, 0, err);
	else
		r = ctl_op(b, rec, ns, q, out, err);
	if (r >= 0 && tenant_port && q->op <= NWG_HA_OP_DEACTIVATE)
		r = tenant_link(rec, q->op == NWG_HA_OP_ACTIVATE, out, err);
	nwg_hub_record_free(rec);
	if (r < 0 && err && !err->msg[0])
		nwg_err_set(err, -r, "%s", strerror(-r));
	return r < 0 ? r : 0;
}
