/* SPDX-License-Identifier: Apache-2.0 */
#include "conf/conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/ini.h"
#include "nwg/rtnl.h"

#define DEFAULT_STATE_PATH "/var/lib/neutron/wireguard"
#define DEFAULT_CTL_SOCKET "/run/neutron-wireguard/agent.sock"
#define DEFAULT_PORT_RANGE "51820:52820"

static int dup_opt(char **dst, const char *val)
{
	free(*dst);
	*dst = NULL;
	if (!val || !*val)
		return 0;
	*dst = strdup(val);
	return *dst ? 0 : -ENOMEM;
}

static int load_default(struct nwg_conf *c, const struct nwg_ini *ini, struct nwg_err *err)
{
	const char *s;
	int r;

	r = nwg_ini_get_str(ini, "DEFAULT", "host", NULL, &s, err);
	if (r < 0)
		return r;
	if (s && *s) {
		if (strlen(s) > NWG_HOST_MAX || strpbrk(s, " \t/"))
			return nwg_err_set(err, EINVAL, "[DEFAULT] host: invalid host name");
		snprintf(c->host, sizeof(c->host), "%s", s);
	} else if (gethostname(c->host, sizeof(c->host) - 1) < 0) {
		return nwg_err_set(err, errno, "[DEFAULT] host: gethostname failed");
	}
	r = nwg_ini_get_str(ini, "DEFAULT", "log_file", NULL, &s, err);
	if (r < 0)
		return r;
	if (dup_opt(&c->log_file, s) < 0)
		return nwg_err_set(err, ENOMEM, "out of memory");
	return nwg_ini_get_bool(ini, "DEFAULT", "debug", false, &c->debug, err);
}

static int load_hub_ip(struct nwg_conf *c, const struct nwg_ini *ini, struct nwg_err *err)
{
	unsigned char buf[sizeof(struct in6_addr)];
	const char *s;
	int r;

	r = nwg_ini_get_str(ini, "wireguard", "WG_HUB_IP", NULL, &s, err);
	if (r < 0)
		return r;
	if (!s || !*s)
		return nwg_err_set(err, EINVAL,
				   "[wireguard] WG_HUB_IP: required option is missing (the "
				   "node's public address used in hub endpoints)");
	if (inet_pton(AF_INET, s, buf) == 1)
		c->wg_hub_family = AF_INET;
	else if (inet_pton(AF_INET6, s, buf) == 1)
		c->wg_hub_family = AF_INET6;
	else
		return nwg_err_set(err, EINVAL,
				   "[wireguard] WG_HUB_IP: '%.64s' is not an IP address", s);
	snprintf(c->wg_hub_ip, sizeof(c->wg_hub_ip), "%s", s);
	return 0;
}

static int load_ports_backend(struct nwg_conf *c, const struct nwg_ini *ini, struct nwg_err *err)
{
	const char *s;
	int r;

	r = nwg_ini_get_str(ini, "wireguard", "listen_port_range", DEFAULT_PORT_RANGE, &s, err);
	if (r < 0)
		return r;
	if (nwg_port_range_parse(s, &c->port_range) < 0 || c->port_range.first == 0)
		return nwg_err_set(err, EINVAL,
				   "[wireguard] listen_port_range: '%.64s' is not FIRST:LAST", s);
	snprintf(c->port_range_str, sizeof(c->port_range_str), "%u:%u",
		 (unsigned)c->port_range.first, (unsigned)c->port_range.last);
	r = nwg_ini_get_str(ini, "wireguard", "backend", "auto", &s, err);
	if (r < 0)
		return r;
	if (nwg_backend_parse(s, &c->backend) < 0)
		return nwg_err_set(err, EINVAL,
				   "[wireguard] backend: '%.64s' is not auto, kernel or userspace",
				   s);
	r = nwg_ini_get_str(ini, "wireguard", "wireguard_go", NULL, &s, err);
	if (r < 0)
		return r;
	return dup_opt(&c->wireguard_go, s) < 0 ? nwg_err_set(err, ENOMEM, "out of memory") : 0;
}

/* control_socket_group: a group name (or a number) that must exist. */
int nwg_conf_group_gid(const char *name, long *gid, struct nwg_err *err)
{
	struct group gr, *res = NULL;
	char buf[4096], *end;
	unsigned long n;

	*gid = -1;
	if (!name || !*name)
		return 0;
	n = strtoul(name, &end, 10);
	if (name[0] >= '0' && name[0] <= '9' && !*end && n < 0x7fffffffUL) {
		*gid = (long)n;
		return 0;
	}
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || !res)
		return nwg_err_set(err, EINVAL, "[wireguard] control_socket_group: no group %s",
				   name);
	*gid = (long)gr.gr_gid;
	return 0;
}

static int load_paths(struct nwg_conf *c, const struct nwg_ini *ini, struct nwg_err *err)
{
	const char *s;
	int r;

	r = nwg_ini_get_str(ini, "wireguard", "state_path", DEFAULT_STATE_PATH, &s, err);
	if (r < 0)
		return r;
	if (!s || s[0] != '/')
		return nwg_err_set(err, EINVAL, "[wireguard] state_path: must be an absolute path");
	if (dup_opt(&c->state_path, s) < 0)
		return nwg_err_set(err, ENOMEM, "out of memory");
	r = nwg_ini_get_str(ini, "wireguard", "control_socket", DEFAULT_CTL_SOCKET, &s, err);
	if (r < 0)
		return r;
	if (!s || s[0] != '/' || strlen(s) >= 108)
		return nwg_err_set(err, EINVAL,
				   "[wireguard] control_socket: must be an absolute path "
				   "shorter than 108 bytes");
	if (dup_opt(&c->control_socket, s) < 0)
		return nwg_err_set(err, ENOMEM, "out of memory");
	r = nwg_ini_get_str(ini, "wireguard", "control_socket_group", NULL, &s, err);
	if (r < 0)
		return r;
	if ((r = nwg_conf_group_gid(s, &c->control_gid, err)) < 0)
		return r;
	r = nwg_ini_get_str(ini, "wireguard", "metrics_textfile", NULL, &s, err);
	if (r < 0)
		return r;
	if (s && *s && s[0] != '/')
		return nwg_err_set(err, EINVAL,
				   "[wireguard] metrics_textfile: must be an absolute path");
	if (s && *s && dup_opt(&c->metrics_textfile, s) < 0)
		return nwg_err_set(err, ENOMEM, "out of memory");
	r = nwg_ini_get_str(ini, "wireguard", "namespace_prefix", "tun-", &s, err);
	if (r < 0)
		return r;
	if (!s || !*s || strlen(s) > NWG_NS_PREFIX_MAX || strchr(s, '/') || strchr(s, ' '))
		return nwg_err_set(
		    err, EINVAL, "[wireguard] namespace_prefix: 1..%d characters, no '/' or space",
		    NWG_NS_PREFIX_MAX);
	snprintf(c->ns_prefix, sizeof(c->ns_prefix), "%s", s);
	return 0;
}

static int load_flags(struct nwg_conf *c, const struct nwg_ini *ini, struct nwg_err *err)
{
	long v;
	int r;

	if ((r = nwg_ini_get_bool(ini, "wireguard", "root_namespace", false, &c->root_namespace,
				  err)) < 0 ||
	    (r = nwg_ini_get_bool(ini, "wireguard", "hub_up_unrouted", false, &c->hub_up_unrouted,
				  err)) < 0 ||
	    (r = nwg_ini_get_bool(ini, "wireguard", "dry_run", false, &c->dry_run, err)) < 0)
		return r;
	r = nwg_ini_get_int(ini, "wireguard", "underlay_mtu", 1500, 1360, 65535, &v, err);
	if (r < 0)
		return r;
	c->underlay_mtu = (unsigned int)v;
	r = nwg_ini_get_int(ini, "wireguard", "resync_interval", 300, 0, 86400, &v, err);
	if (r < 0)
		return r;
	c->resync_interval = (int)v;
	r = nwg_ini_get_int(ini, "wireguard", "mass_delete_percent", 50, 0, 100, &v, err);
	if (r < 0)
		return r;
	c->mass_delete_percent = (unsigned int)v;
	r = nwg_ini_get_int(ini, "wireguard", "delta_min_spokes", 256, 0, 1000000, &v, err);
	if (r < 0)
		return r;
	c->delta_min_spokes = (size_t)v;
	r = nwg_ini_get_int(ini, "wireguard", "quarantine_days", 7, 0, 3650, &v, err);
	if (r < 0)
		return r;
	c->quarantine_days = (int)v;
	r = nwg_ini_get_int(ini, "wireguard", "health_interval", 10, 1, 3600, &v, err);
	if (r < 0)
		return r;
	c->health_interval = (int)v;
	r = nwg_ini_get_int(ini, "wireguard", "handshake_stale", 180, 1, 86400, &v, err);
	if (r < 0)
		return r;
	c->handshake_stale = (int)v;
	r = nwg_ini_get_int(ini, "wireguard", "control_socket_idle_timeout", 30, 1, 3600, &v, err);
	if (r < 0)
		return r;
	c->control_idle_timeout = (int)v;
	r = nwg_ini_get_int(ini, "AGENT", "report_interval", 30, 0, 3600, &v, err);
	if (r < 0)
		return r;
	c->report_interval = (int)v;
	return nwg_ini_get_list(ini, "wireguard", "ignored_devices", &c->ignored_devices, err);
}

int nwg_conf_load(struct nwg_conf *conf, const struct nwg_ini *ini, struct nwg_err *err)
{
	int r;

	if (!conf || !ini)
		return nwg_err_set(err, EINVAL, "no configuration");
	memset(conf, 0, sizeof(*conf));
	conf->control_gid = -1;
	if ((r = load_default(conf, ini, err)) < 0 || (r = load_hub_ip(conf, ini, err)) < 0 ||
	    (r = load_ports_backend(conf, ini, err)) < 0 || (r = load_paths(conf, ini, err)) < 0 ||
	    (r = load_flags(conf, ini, err)) < 0 || (r = nwg_conf_load_ovn(conf, ini, err)) < 0 ||
	    (r = nwg_conf_load_ctl_groups(conf, ini, err)) < 0 ||
	    (r = nwg_conf_load_privsep(conf, ini, err)) < 0 ||
	    (r = nwg_conf_load_ha(&conf->ha, ini, err)) < 0)
		return r;
	return 0;
}

void nwg_conf_clear(struct nwg_conf *conf)
{
	if (!conf)
		return;
	free(conf->log_file);
	free(conf->wireguard_go);
	free(conf->state_path);
	free(conf->control_socket);
	free(conf->metrics_textfile);
	free(conf->ovn_bridge);
	free(conf->ovsdb_connection);
	free(conf->ovs_vsctl);
	nwg_strv_free(conf->ignored_devices);
	memset(conf, 0, sizeof(*conf));
}

unsigned int nwg_conf_hub_mtu(const struct nwg_conf *conf, unsigned int network_mtu)
{
	unsigned int cap = conf->underlay_mtu - 80;

	if (network_mtu == 0 || network_mtu > cap)
		return cap;
	return network_mtu;
}

int nwg_conf_endpoint(const struct nwg_conf *conf, unsigned int port, char *buf, size_t len)
{
	int n;

	if (conf->wg_hub_family == AF_INET6)
		n = snprintf(buf, len, "[%s]:%u", conf->wg_hub_ip, port);
	else
		n = snprintf(buf, len, "%s:%u", conf->wg_hub_ip, port);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

bool nwg_conf_ignored(char *const *ignored, const char *ifname, const char *port_id)
{
	for (size_t i = 0; ignored && ignored[i]; i++) {
		if ((ifname && strcmp(ignored[i], ifname) == 0) ||
		    (port_id && strcmp(ignored[i], port_id) == 0))
			return true;
	}
	return false;
}
