/* SPDX-License-Identifier: Apache-2.0 */
/* The agent's options (ARCHITECTURE §9), read from Neutron's ini files. */
#ifndef NWG_AGENT_CONF_H
#define NWG_AGENT_CONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conf/conf_ha.h"
#include "nwg/err.h"
#include "nwg/key.h"
#include "nwg/portalloc.h"
#include "nwg/wg.h"

struct nwg_ini;

#define NWG_HOST_MAX	  255
#define NWG_NS_PREFIX_MAX 32

#define NWG_CONF_MAX_GROUPS 16 /* per control_*_groups option */
#define NWG_USER_MAX	    32 /* [wireguard] user */

struct nwg_conf {
	char host[NWG_HOST_MAX + 1];	       /* [DEFAULT] host, default hostname */
	char *log_file;			       /* [DEFAULT] log_file, NULL = none */
	bool debug;			       /* [DEFAULT] debug */
	int report_interval;		       /* [AGENT] report_interval (s), 0 = off */
	char wg_hub_ip[INET6_ADDRSTRLEN];      /* [wireguard] WG_HUB_IP (required) */
	int wg_hub_family;		       /* AF_INET / AF_INET6 */
	struct nwg_port_range port_range;      /* listen_port_range */
	char port_range_str[32];	       /* as reported ("51820:52820") */
	enum nwg_backend_kind backend;	       /* backend */
	char *wireguard_go;		       /* wireguard_go (binary), NULL = default */
	char *state_path;		       /* repository directory */
	char ns_prefix[NWG_NS_PREFIX_MAX + 1]; /* namespace_prefix */
	bool root_namespace;
	bool hub_up_unrouted;
	unsigned int underlay_mtu;
	char **ignored_devices; /* NULL-terminated (ifnames or port ids) */
	bool dry_run;
	char *control_socket;
	long control_gid;	/* control_socket_group's gid, -1 = root only */
	int resync_interval;	/* s, 0 = off */
	int health_interval;	/* s: spoke health and metrics */
	int handshake_stale;	/* s: a spoke is DOWN past this */
	char *metrics_textfile; /* NULL = no metrics */
	/* [wireguard_ovn] (agent/conf/conf_ovn.c, doc/ovn.md) */
	char *ovn_bridge;	/* integration_bridge; NULL = OVN attach off */
	char *ovsdb_connection; /* ovsdb_connection */
	char *ovs_vsctl;	/* ovs_vsctl binary */
	/* mass-deletion guard (reconcile/guard.h): percent, 0 = off */
	unsigned int mass_delete_percent;
	/* get_hubs 1.3 (agent/sync/sync_delta.c): answers of hubs with at least this
	 * many spokes are kept for deltas; 0 = off (ask 1.2) */
	size_t delta_min_spokes;
	int quarantine_days; /* deleted hubs' records kept this long, 0 = not kept */
	/* control_socket_idle_timeout (s): idle control socket clients are dropped */
	int control_idle_timeout;
	/* control_status_groups / control_l3_groups (agent/conf/conf_ctl.c) */
	long control_status_gids[NWG_CONF_MAX_GROUPS];
	size_t n_control_status_gids;
	long control_l3_gids[NWG_CONF_MAX_GROUPS];
	size_t n_control_l3_gids;
	/* privsep / user (agent/conf/conf_privsep.c): the executor/engine split */
	bool privsep;
	char user[NWG_USER_MAX + 1]; /* the engine's user, default neutron */
	uid_t user_uid;		     /* resolved when privsep (never 0) */
	gid_t user_gid;
	bool seccomp; /* [wireguard] seccomp: the engine's allow-list (default true) */
	/* [wireguard_ha] peer_enrollment_key: the only key SEAL seals to
	 * (agent/privsep/seal_pin.h); unset: pinned on first use */
	bool ha_pin_set;
	struct nwg_key ha_pin;
	/* [wireguard_ha] (agent/conf/conf_ha.c, doc/ha.md) */
	struct nwg_conf_ha ha;
};

/* Fills conf from ini (defaults for everything absent). -EINVAL with
 * "[section] option: reason" in err when a value is bad or WG_HUB_IP is
 * missing. conf is always safe to pass to nwg_conf_clear afterwards. */
int nwg_conf_load(struct nwg_conf *conf, const struct nwg_ini *ini, struct nwg_err *err);
void nwg_conf_clear(struct nwg_conf *conf);
/* [wireguard_ovn]: part of nwg_conf_load; its strings are freed by nwg_conf_clear. */
int nwg_conf_load_ovn(struct nwg_conf *conf, const struct nwg_ini *ini, struct nwg_err *err);
/* control_status_groups, control_l3_groups: comma-separated group names or
 * numbers, each of which must exist; they need control_socket_group. */
int nwg_conf_load_ctl_groups(struct nwg_conf *conf, const struct nwg_ini *ini, struct nwg_err *err);
/* privsep (bool, default true), user (default neutron) and seccomp (bool,
 * default true: the engine's system-call allow-list): with privsep
 * the user must exist and not be uid 0 (-EINVAL naming the option). */
int nwg_conf_load_privsep(struct nwg_conf *conf, const struct nwg_ini *ini, struct nwg_err *err);
/* A group name (or a number) that must exist -> gid; "" or NULL -> -1. */
int nwg_conf_group_gid(const char *name, long *gid, struct nwg_err *err);

/* The hub MTU: the network's (0 = unknown) capped at underlay_mtu - 80. */
unsigned int nwg_conf_hub_mtu(const struct nwg_conf *conf, unsigned int network_mtu);
/* "WG_HUB_IP:port", "[v6]:port". */
int nwg_conf_endpoint(const struct nwg_conf *conf, unsigned int port, char *buf, size_t len);
/* true when ifname or port_id is in ignored_devices. */
bool nwg_conf_ignored(char *const *ignored, const char *ifname, const char *port_id);

#endif
