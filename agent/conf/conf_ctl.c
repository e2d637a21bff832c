/* SPDX-License-Identifier: Apache-2.0 */
/* [wireguard] control_status_groups, control_l3_groups: who (besides root)
 * may call which control socket methods. */
#include <errno.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/ini.h"

#define GROUP_NAME_MAX 64

static int group_list(const struct nwg_ini *ini, const char *opt, long *gids, size_t *n,
		      struct nwg_err *err)
{
	const char *s, *p;
	int r = nwg_ini_get_str(ini, "wireguard", opt, NULL, &s, err);

	*n = 0;
	if (r < 0 || !s)
		return r;
	for (p = s; *p;) {
		char name[GROUP_NAME_MAX + 1];
		size_t len;

		p += strspn(p, " \t,");
		len = strcspn(p, " \t,");
		if (!len)
			break;
		if (len > GROUP_NAME_MAX || *n == NWG_CONF_MAX_GROUPS)
			return nwg_err_set(err, EINVAL,
					   "[wireguard] %s: at most %d groups of at most %d bytes",
					   opt, NWG_CONF_MAX_GROUPS, GROUP_NAME_MAX);
		memcpy(name, p, len);
		name[len] = '\0';
		if ((r = nwg_conf_group_gid(name, &gids[*n], err)) < 0)
			return nwg_err_set(err, EINVAL, "[wireguard] %s: no group %s", opt, name);
		(*n)++;
		p += len;
	}
	return 0;
}

int nwg_conf_load_ctl_groups(struct nwg_conf *conf, const struct nwg_ini *ini, struct nwg_err *err)
{
	int r = group_list(ini, "control_status_groups", conf->control_status_gids,
			   &conf->n_control_status_gids, err);

	if (r == 0)
		r = group_list(ini, "control_l3_groups", conf->control_l3_gids,
			       &conf->n_control_l3_gids, err);
	if (r < 0)
		return r;
	if ((conf->n_control_status_gids || conf->n_control_l3_gids) && conf->control_gid < 0)
		return nwg_err_set(err, EINVAL,
				   "[wireguard] control_status_groups / control_l3_groups need "
				   "control_socket_group (the group that may connect at all)");
	return 0;
}
