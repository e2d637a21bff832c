/* SPDX-License-Identifier: Apache-2.0 */
/* Per-method access for control-socket clients that are not root: the
 * peer's groups (SO_PEERCRED + SO_PEERGROUPS, the kernel's word) against
 * control_status_groups / control_l3_groups. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl/ctl.h"

int nwg_ctl_method_class(const char *method)
{
	if (!strcmp(method, "status"))
		return NWG_CTL_CLASS_STATUS;
	if (!strcmp(method, "owns") || !strcmp(method, "attach") || !strcmp(method, "detach"))
		return NWG_CTL_CLASS_L3;
	return -1;
}

size_t nwg_ctl_peer_groups(int fd, gid_t *out, size_t max)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	size_t n = 0;

	if (!max || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return 0;
	out[n++] = cred.gid;
	len = (socklen_t)((max - 1) * sizeof(gid_t));
	/* more supplementary groups than fit (ERANGE): the primary group alone
	 * counts (a member may be refused, nobody else is let in) */
	if (max > 1 && getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, out + 1, &len) == 0)
		n += len / sizeof(gid_t);
	return n;
}

bool nwg_ctl_groups_allow(const struct nwg_ctl_groups *g, const char *method, const gid_t *peer,
			  size_t n_peer)
{
	int cls = nwg_ctl_method_class(method);

	/* a method of no class (the HA ones) or a class not configured:
	 * control_socket_group decides alone (nwg_ctl_group_may) */
	if (cls < 0 || !g || !g->n[cls])
		return true;
	for (size_t i = 0; i < g->n[cls]; i++)
		for (size_t j = 0; j < n_peer; j++)
			if ((long)peer[j] == g->gids[cls][i])
				return true;
	return false;
}
