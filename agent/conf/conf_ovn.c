/* SPDX-License-Identifier: Apache-2.0 */
/* [wireguard_ovn]: plugging hubs into an OVN integration bridge (doc/ovn.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/ini.h"
#include "nwg/rtnl.h"

#define DEFAULT_OVSDB "unix:/var/run/openvswitch/db.sock"
#define DEFAULT_VSCTL "/usr/bin/ovs-vsctl"

static bool connection_valid(const char *s)
{
	static const char *const kinds[] = {"unix:/", "tcp:", "ssl:"};

	if (strlen(s) > 255 || strpbrk(s, " \t\n\"'\\"))
		return false;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strncmp(s, kinds[i], strlen(kinds[i])) == 0 && s[strlen(kinds[i])])
			return true;
	}
	return false;
}

static int set(char **dst, const char *val, struct nwg_err *err)
{
	*dst = strdup(val);
	return *dst ? 0 : nwg_err_set(err, ENOMEM, "out of memory");
}

int nwg_conf_load_ovn(struct nwg_conf *c, const struct nwg_ini *ini, struct nwg_err *err)
{
	const char *s = NULL;
	int r;

	r = nwg_ini_get_str(ini, "wireguard_ovn", "integration_bridge", NULL, &s, err);
	if (r < 0)
		return r;
	if (s && *s) {
		if (nwg_ifname_valid(s) < 0)
			return nwg_err_set(err, EINVAL,
					   "[wireguard_ovn] integration_bridge: not a valid "
					   "bridge name (1..15 bytes, no '/', ':' or space)");
		if ((r = set(&c->ovn_bridge, s, err)) < 0)
			return r;
	}
	r = nwg_ini_get_str(ini, "wireguard_ovn", "ovsdb_connection", DEFAULT_OVSDB, &s, err);
	if (r < 0)
		return r;
	if (!s || !connection_valid(s))
		return nwg_err_set(err, EINVAL,
				   "[wireguard_ovn] ovsdb_connection: expected unix:/PATH, "
				   "tcp:HOST:PORT or ssl:HOST:PORT");
	if ((r = set(&c->ovsdb_connection, s, err)) < 0)
		return r;
	r = nwg_ini_get_str(ini, "wireguard_ovn", "ovs_vsctl", DEFAULT_VSCTL, &s, err);
	if (r < 0)
		return r;
	if (!s || s[0] != '/')
		return nwg_err_set(err, EINVAL,
				   "[wireguard_ovn] ovs_vsctl: must be an absolute path");
	return set(&c->ovs_vsctl, s, err);
}
