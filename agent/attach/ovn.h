/* SPDX-License-Identifier: Apache-2.0 */
/* OVN attach (doc/ovn.md): each hub's namespace is plugged into the OVN
 * integration bridge as the hub's own Neutron port, so ovn-controller binds
 * the port to this chassis and the OVN logical router reaches the devices. */
#ifndef NWG_AGENT_ATTACH_OVN_H
#define NWG_AGENT_ATTACH_OVN_H

#include <arpa/inet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "nwg/err.h"
#include "nwg/netns.h"

struct nwg_agent;
struct nwg_desired;
struct nwg_ipnet;
struct nwg_repo;

/* "wo-" + the first 11 characters of the port id. */
void nwg_ovn_ifname(const char *port_id, char out[IFNAMSIZ]);

/* After a sync pass: plugs every realized hub of d (idempotent) and, after
 * a full pass, unplugs the ports of hubs this node no longer has. Failures
 * are logged per hub and retried by a targeted sync. */
void nwg_ovn_sync(struct nwg_agent *a, const struct nwg_desired *d, bool full);

/* One hub's plug (privsep/hostops.h ovn_plug): what Neutron says of the
 * port, and its state. The implementation takes the rest from its own
 * record of the hub (the link's namespace and name; the routes through it:
 * the peers' allowed IPs) and configuration (bridge, OVS database). */
struct nwg_ovn_req {
	const char *port_id;
	const char *mac; /* nwg_mac_valid */
	const struct nwg_ipnet *fixed_ips;
	size_t n_fixed_ips;
	const char (*gateways)[INET6_ADDRSTRLEN]; /* numeric */
	size_t n_gateways;
	unsigned int mtu; /* 0 = leave */
	bool up;	  /* the port up (an HA hub's: on the active node only) */
	bool ha;	  /* HA hub: proxy ARP, address announcements */
};
struct nwg_ovn_out {
	/* the hub's link; "" = not plugged here (no record, a root hub, or a
	 * hub in a router's namespace): nothing was done */
	char netns[NWG_NETNS_NAME_MAX + 1];
	char wg_if[IFNAMSIZ];
	bool plugged;	       /* the OVS port was (re)created */
	bool link_changed;     /* the port was set up or down */
	size_t routes_removed; /* routes of spokes that left */
};
struct nwg_ovn_where {
	const char *bridge; /* [wireguard_ovn] integration_bridge */
	const char *vsctl;  /* ovs-vsctl */
	const char *db;	    /* ovsdb_connection */
};

/* The privileged side (attach/ovn_hub.c; reached through the seam only:
 * privsep/hostops.c in one process, privsep/ops_ovn.c in the executor). */
int nwg_ovn_plug_hub(struct nwg_repo *repo, const struct nwg_ovn_where *w,
		     const struct nwg_ovn_req *q, struct nwg_ovn_out *out, struct nwg_err *err);
/* Removes this agent's ports (marked) from the bridge whose hub has no
 * record here any more; *removed counts them (also on failure). */
int nwg_ovn_sweep(struct nwg_repo *repo, const struct nwg_ovn_where *w, size_t *removed,
		  struct nwg_err *err);

#endif
