/* SPDX-License-Identifier: Apache-2.0 */
/* owns / attach / detach: a hub becomes a router interface and back.
 *
 * attach(port_id, namespace, ifname, cidrs, mtu): moves the hub's link into
 * the router namespace as ifname (qr-<port[:11]>), sets the MTU (the
 * network's, capped at underlay_mtu - 80), the addresses (reconciled: left
 * alone when already right, so an "already attached" call after an L3 agent
 * restart changes nothing), and brings it up. detach(port_id): back to the
 * hub's home namespace as wg-<port[:11]>, down, no addresses. Both record
 * where the link lives in the repository, so a restart finds it there, and
 * schedule a targeted sync (status up/down to Neutron). The key, the listen
 * port and the peers are never touched: sessions survive. The link itself
 * changes only through the executor (reconcile/exec_place.c) and the
 * backend seam (the UAPI socket under the qr- name lives in lib/). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach/l3_place.h"
#include "ctl/ctl.h"
#include "ctl/ctl_l3.h"
#include "ctl/hub_arg.h"
#include "log/log.h"
#include "nwg/netns.h"
#include "nwg/repo.h"
#include "nwg/rtnl.h"
#include "nwg/wg.h"
#include "privsep/hostops.h"
#include "reconcile/exec.h"
#include "reconcile/plan.h"

#define ROUTER_NS_PREFIX "qrouter-"
#define MAX_CIDRS	 32

bool nwg_ctl_l3_handles(const char *method)
{
	return strcmp(method, "owns") == 0 || strcmp(method, "attach") == 0 ||
	       strcmp(method, "detach") == 0;
}

static const char *nsname(const char *ns)
{
	return ns && *ns ? ns : "the root namespace";
}

/* The request's cidrs as a NULL-terminated vector (validated before). */
static char **cidr_vec(const json_t *cidrs)
{
	char **v = calloc(json_array_size(cidrs) + 1, sizeof(*v));
	size_t i;
	const json_t *c;

	json_array_foreach(cidrs, i, c)
	{
		if (v && !(v[i] = strdup(json_string_value(c)))) {
			nwg_strv_free(v);
			return NULL;
		}
	}
	return v;
}

/* Through the executor (hostops.h: in this process, or the privsep
 * executor): the one place that changes a hub link and its record.
 * cidrs NULL: detach. */
static int place(struct nwg_agent *a, const char *port_id, const char *netns, const char *ifname,
		 unsigned int mtu, const json_t *cidrs, struct nwg_place_out *out,
		 struct nwg_err *err)
{
	struct nwg_l3_req q = {
	    .attach = cidrs != NULL, .netns = netns, .ifname = ifname, .mtu = mtu};
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);
	char **v = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (cidrs && !(v = cidr_vec(cidrs)))
		return nwg_err_set(err, ENOMEM, "out of memory");
	q.cidrs = v;
	nwg_acache_drop(&a->acache, port_id); /* the link changes outside the reconcile */
	rc = ops->place(ctx, port_id, &q, out, err);
	nwg_strv_free(v);
	return rc;
}

static void resync(struct nwg_agent *a, const char *port_id)
{
	const char *ids[] = {port_id};

	nwg_sched_ids(a, ids, 1, 0);
}

static int check_cidrs(const json_t *cidrs, struct nwg_err *err)
{
	size_t i;
	const json_t *v;

	if (!json_is_array(cidrs) || json_array_size(cidrs) > MAX_CIDRS)
		return nwg_err_set(err, EINVAL, "cidrs: a list of at most %d addresses", MAX_CIDRS);
	json_array_foreach(cidrs, i, v)
	{
		const char *s = json_string_value(v);

		if (!s || !strchr(s, '/') || strlen(s) > 64)
			return nwg_err_set(err, EINVAL, "cidrs: \"address/prefixlen\" strings");
	}
	return 0;
}

/* The hub's router as Neutron's last answer named it ("" = none or unknown). */
static const char *hub_router(struct nwg_agent *a, const char *port_id)
{
	const struct nwg_hubstate *st = nwg_hubtab_get(&a->hubs, port_id, false);

	return st ? st->router_id : "";
}

static int attach_args(struct nwg_agent *a, const char *port_id, const json_t *args,
		       const char **ns, const char **ifname, const json_t **cidrs,
		       unsigned int *mtu, struct nwg_err *err)
{
	const json_t *m = json_object_get(args, "mtu"), *rid = json_object_get(args, "router_id");
	int r;

	*ns = json_string_value(json_object_get(args, "namespace"));
	*ifname = json_string_value(json_object_get(args, "ifname"));
	*cidrs = json_object_get(args, "cidrs");
	if (rid && !json_is_null(rid) && !json_is_string(rid))
		return nwg_err_set(err, EINVAL, "router_id: a router id or null");
	r = nwg_ctl_router_ns_check(*ns, json_string_value(rid), hub_router(a, port_id), err);
	if (r < 0)
		return r;
	if (nwg_netns_exists(*ns) != 1)
		return nwg_err_set(err, EINVAL, "namespace: an existing %s<router_id> namespace",
				   ROUTER_NS_PREFIX);
	if (!*ifname || nwg_ifname_valid(*ifname) < 0)
		return nwg_err_set(err, EINVAL, "ifname: an interface name");
	if (m && !json_is_null(m) &&
	    (!json_is_integer(m) || json_integer_value(m) < 68 || json_integer_value(m) > 65535))
		return nwg_err_set(err, EINVAL, "mtu: 68..65535 or null");
	*mtu = json_is_integer(m) ? (unsigned int)json_integer_value(m) : 0;
	return check_cidrs(*cidrs, err);
}

static json_t *attach(struct nwg_agent *a, const char *port_id, const json_t *args,
		      const struct nwg_hub_view *rec, struct nwg_err *err)
{
	const char *ns, *ifname;
	const json_t *cidrs;
	unsigned int net_mtu = 0, mtu;
	struct nwg_place_out out;
	bool changed;

	if (attach_args(a, port_id, args, &ns, &ifname, &cidrs, &net_mtu, err) < 0)
		return NULL;
	mtu = nwg_conf_hub_mtu(&a->conf, net_mtu);
	if (place(a, port_id, ns, ifname, mtu, cidrs, &out, err) < 0)
		return NULL;
	changed = out.changed;
	if (changed)
		log_info("hub %s project %s: attached as %s in %s, MTU %u%s", port_id,
			 rec->project_id, ifname, ns, mtu,
			 net_mtu > mtu ? " (network MTU capped at [wireguard] underlay_mtu - 80)"
				       : "");
	else
		log_debug("hub %s: already attached as %s in %s", port_id, ifname, ns);
	if (net_mtu > mtu)
		log_warn("hub %s: network MTU %u > underlay_mtu %u - 80: hub MTU %u", port_id,
			 net_mtu, a->conf.underlay_mtu, mtu);
	resync(a, port_id);
	return json_pack("{s:b, s:s, s:s, s:i, s:b, s:i}", "changed", changed, "interface", ifname,
			 "namespace", ns, "mtu", (int)mtu, "mtu_capped", net_mtu > mtu,
			 "network_mtu", (int)net_mtu);
}

static json_t *detach(struct nwg_agent *a, const char *port_id, const struct nwg_hub_view *rec,
		      struct nwg_err *err)
{
	const char *home = rec->home_netns;
	char wg[IFNAMSIZ];
	struct nwg_place_out out;

	nwg_hub_ifname(port_id, wg);
	if (place(a, port_id, home, wg, 0, NULL, &out, err) < 0)
		return NULL;
	if (out.present && out.changed)
		log_info("hub %s project %s: detached from %s: %s in %s, down", port_id,
			 rec->project_id, nsname(rec->netns), wg, nsname(home));
	if (out.present)
		resync(a, port_id);
	return json_pack("{s:b, s:b, s:b, s:s, s:s}", "known", 1, "present", out.present, "changed",
			 out.changed, "interface", wg, "namespace", home);
}

/* A hub this node has no record of (deleted, perhaps while attached): the
 * executor's detach sweeps the aliases its link left (l3_place.h
 * nwg_l3_load) and answers -ENOENT. */
static json_t *detach_gone(struct nwg_agent *a, const char *port_id, struct nwg_err *err)
{
	char wg[IFNAMSIZ];
	struct nwg_place_out out;
	int rc;

	nwg_hub_ifname(port_id, wg);
	rc = place(a, port_id, "", wg, 0, NULL, &out, err);
	if (rc < 0 && rc != -ENOENT)
		return NULL;
	nwg_err_clear(err);
	return json_pack("{s:b}", "known", 0);
}

/* The hub's link as the actual state found it (by its alias, in the root
 * namespace or the record's namespaces). */
static json_t *owns(const struct nwg_actual *act, const struct nwg_hub_view *rec)
{
	const struct nwg_alink *l = nwg_actual_find_link(act, rec->port_id);

	return json_pack("{s:b, s:b, s:s, s:s, s:s, s:b, s:i}", "owned", 1, "present", l != NULL,
			 "interface", l ? l->ifname : rec->ifname, "namespace",
			 l ? l->netns : rec->netns, "home_namespace", rec->home_netns, "up",
			 l && l->up, "mtu", (int)(l ? l->mtu : rec->mtu));
}

json_t *nwg_ctl_l3(struct nwg_agent *a, const char *method, const json_t *args, struct nwg_err *err)
{
	const struct nwg_hub_view *rec = NULL;
	struct nwg_actual *act = NULL;
	const char *port_id = NULL;
	json_t *res;
	int r = nwg_ctl_hub_arg(a, args, &port_id, &act, &rec, err);

	if (r == -ENOENT && strcmp(method, "owns") == 0)
		return json_pack("{s:b, s:s}", "owned", 0, "host", a->conf.host);
	if (r == -ENOENT && strcmp(method, "detach") == 0)
		return detach_gone(a, port_id, err);
	if (r < 0)
		return NULL;
	if (strcmp(method, "owns") == 0)
		res = owns(act, rec);
	else if (strcmp(method, "attach") == 0)
		res = attach(a, port_id, args, rec, err);
	else
		res = detach(a, port_id, rec, err);
	nwg_actual_free(act);
	return res;
}
