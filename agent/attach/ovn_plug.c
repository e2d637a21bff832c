/* SPDX-License-Identifier: Apache-2.0 */
/* One hub: the OVS internal port in the hub's namespace, its addresses and
 * the namespace's routes (devices through the tunnel, the rest through OVN;
 * the routes of spokes that left are removed). The privileged side: run
 * through the seam only (attach/ovn_hub.c). */
#include "attach/ovn_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nwg/netns.h"
#include "nwg/rtnl.h"

/* Creates (or finds) the OVS port; its TAP appears in the root namespace. */
static int add_port(const struct nwg_ovs *o, const char *br, const struct nwg_dhub *h,
		    const char *ifname, struct nwg_err *err)
{
	char mac[40], amac[64], id[128], mark[128];
	const char *args[] = {"--may-exist",
			      "add-port",
			      br,
			      ifname,
			      "--",
			      "set",
			      "Interface",
			      ifname,
			      "type=internal",
			      mac,
			      id,
			      amac,
			      "external_ids:iface-status=active",
			      mark,
			      NULL};

	snprintf(mac, sizeof(mac), "mac=\"%s\"", h->mac);
	snprintf(amac, sizeof(amac), "external_ids:attached-mac=\"%s\"", h->mac);
	snprintf(id, sizeof(id), "external_ids:iface-id=%s", h->port_id);
	snprintf(mark, sizeof(mark), "external_ids:%s=%s", NWG_OVN_MARK, h->port_id);
	return nwg_ovs_vsctl(o, args, NULL, 0, err);
}

/* The port's TAP, wherever it is, ends up in netns. */
static int place(const struct nwg_ovs *o, const char *br, const struct nwg_dhub *h,
		 const char *ifname, const char *netns, struct nwg_err *err)
{
	struct nwg_rtnl *root = NULL;
	struct nwg_link l;
	int fd, r;

	if ((r = add_port(o, br, h, ifname, err)) < 0)
		return r;
	if ((r = nwg_rtnl_open(&root, NULL, err)) < 0)
		return r;
	r = nwg_link_get(root, ifname, &l, err);
	if (r == 0) {
		fd = nwg_netns_open(netns, err);
		r = fd < 0 ? fd : nwg_link_move(root, ifname, fd, err);
		if (fd >= 0)
			close(fd);
	}
	nwg_rtnl_close(root);
	return r;
}

static int addresses(struct nwg_rtnl *r, const struct nwg_dhub *h, const char *ifname,
		     struct nwg_err *err)
{
	char cidr[NWG_IPNET_STRLEN];
	int ret;

	for (size_t i = 0; i < h->n_fixed_ips; i++) {
		if (nwg_ipnet_format(&h->fixed_ips[i], cidr, sizeof(cidr)) < 0)
			return nwg_err_set(err, EINVAL, "bad fixed IP");
		if ((ret = nwg_addr_add(r, ifname, cidr, err)) < 0)
			return ret;
	}
	return 0;
}

static int routes(struct nwg_rtnl *r, const struct nwg_dhub *h, const char *ovs_if,
		  const char *wg_if, struct nwg_err *err)
{
	char cidr[NWG_IPNET_STRLEN];
	int ret;

	for (size_t i = 0; i < h->n_gateways; i++) {
		const char *dflt = strchr(h->gateways[i], ':') ? "::/0" : "0.0.0.0/0";

		if ((ret = nwg_route_replace(r, dflt, h->gateways[i], ovs_if, err)) < 0)
			return ret;
	}
	for (size_t s = 0; s < h->n_spokes; s++) {
		for (size_t i = 0; i < h->spokes[s].n_allowed; i++) {
			if (nwg_ipnet_format(&h->spokes[s].allowed[i], cidr, sizeof(cidr)) < 0)
				return nwg_err_set(err, EINVAL, "bad allowed IP");
			if ((ret = nwg_route_replace(r, cidr, NULL, wg_if, err)) < 0)
				return ret;
		}
	}
	return 0;
}

int nwg_ovn_prune_routes(struct nwg_rtnl *r, const struct nwg_dhub *h, const char *wg_if,
			 size_t *removed, struct nwg_err *err)
{
	char **have = NULL;
	int ret = nwg_route_list(r, wg_if, &have, err);

	*removed = 0;
	for (size_t i = 0; ret >= 0 && have[i]; i++) {
		if (nwg_ovn_route_wanted(h, have[i]))
			continue;
		ret = nwg_route_del(r, have[i], wg_if, err);
		if (ret == 0)
			(*removed)++;
	}
	nwg_strv_free(have);
	return ret < 0 ? ret : 0;
}

/* An HA hub's tenant port (doc/ha.md, "The tenant side"): it answers ARP
 * for the devices behind it (their routes go through the tunnel), and
 * announces its addresses (gratuitous ARP, unsolicited NA) whenever it
 * comes up, so the switches learn where the active copy lives. */
static int ha_knobs(const char *netns, const char *ifname, struct nwg_err *err)
{
	int r = nwg_netns_if_sysctl(netns, "ipv4", ifname, "arp_notify", "1", err);

	if (r == 0)
		r = nwg_netns_if_sysctl(netns, "ipv4", ifname, "proxy_arp", "1", err);
	if (r == 0 && nwg_netns_if_sysctl(netns, "ipv6", ifname, "ndisc_notify", "1", NULL) < 0)
		r = 0; /* no IPv6 in the namespace */
	return r;
}

int nwg_ovn_plug(const struct nwg_ovs *o, const char *br, const struct nwg_dhub *h,
		 const char *netns, const char *wg_if, bool up, bool ha,
		 struct nwg_ovn_plugged *out, struct nwg_err *err)
{
	char ifname[IFNAMSIZ];
	struct nwg_rtnl *r = NULL;
	struct nwg_link l;
	int ret;

	*out = (struct nwg_ovn_plugged){0};
	nwg_ovn_ifname(h->port_id, ifname);
	if ((ret = nwg_rtnl_open(&r, netns, err)) < 0)
		return ret;
	ret = nwg_link_get(r, ifname, &l, err);
	if (ret == -ENODEV) {
		nwg_err_clear(err);
		ret = place(o, br, h, ifname, netns, err);
		out->plugged = ret == 0;
		if (ret == 0)
			ret = nwg_link_get(r, ifname, &l, err);
	}
	if (ret == 0 && h->mtu && l.mtu != h->mtu)
		ret = nwg_link_set_mtu(r, ifname, h->mtu, err);
	if (ret == 0)
		ret = addresses(r, h, ifname, err);
	if (ret == 0 && ha)
		ret = ha_knobs(netns, ifname, err);
	if (ret == 0 && l.up != up) {
		ret = nwg_link_set_up(r, ifname, up, err);
		out->link_changed = ret == 0;
	}
	if (ret == 0)
		ret = nwg_netns_set_forwarding(netns, true, err);
	if (ret == 0)
		ret = routes(r, h, ifname, wg_if, err);
	if (ret == 0)
		ret = nwg_ovn_prune_routes(r, h, wg_if, &out->routes_removed, err);
	nwg_rtnl_close(r);
	return ret;
}
