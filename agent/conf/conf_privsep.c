/* SPDX-License-Identifier: Apache-2.0 */
/* [wireguard] privsep, user, seccomp: the agent split into a privileged executor and
 * an unprivileged engine running as user; [wireguard_ha]
 * peer_enrollment_key: the pinned recipient of SEAL (doc/security.md). */
#include <errno.h>
#include <pwd.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/ini.h"

#define DEFAULT_USER "neutron"

/* The user must exist and must not be root: the engine runs as it. */
static int resolve_user(struct nwg_conf *c, struct nwg_err *err)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc = getpwnam_r(c->user, &pw, buf, sizeof(buf), &res);

	if (rc != 0)
		return nwg_err_set(err, EINVAL, "[wireguard] user: cannot look %s up: %s", c->user,
				   strerror(rc));
	if (!res)
		return nwg_err_set(err, EINVAL,
				   "[wireguard] user: no user %s on this node (privsep = true runs "
				   "the engine as this user)",
				   c->user);
	if (pw.pw_uid == 0)
		return nwg_err_set(err, EINVAL,
				   "[wireguard] user: %s is uid 0; the engine must run as an "
				   "unprivileged user",
				   c->user);
	c->user_uid = pw.pw_uid;
	c->user_gid = pw.pw_gid;
	return 0;
}

/* The HA peer's enrollment PUBLIC key, pinned by the operator. */
static int load_pin(struct nwg_conf *c, const struct nwg_ini *ini, struct nwg_err *err)
{
	const char *s = NULL;
	int r = nwg_ini_get_str(ini, "wireguard_ha", "peer_enrollment_key", NULL, &s, err);

	c->ha_pin_set = false;
	if (r < 0 || !s || !*s)
		return r < 0 ? r : 0;
	if (nwg_key_from_b64(&c->ha_pin, s, strlen(s)) < 0 || nwg_key_is_zero(&c->ha_pin))
		return nwg_err_set(err, EINVAL,
				   "[wireguard_ha] peer_enrollment_key: the other node's "
				   "enrollment public key (44 base64 characters)");
	c->ha_pin_set = true;
	return 0;
}

int nwg_conf_load_privsep(struct nwg_conf *c, const struct nwg_ini *ini, struct nwg_err *err)
{
	const char *s;
	int r = nwg_ini_get_bool(ini, "wireguard", "privsep", true, &c->privsep, err);

	if (r < 0 || (r = load_pin(c, ini, err)) < 0 ||
	    (r = nwg_ini_get_bool(ini, "wireguard", "seccomp", true, &c->seccomp, err)) < 0)
		return r;
	r = nwg_ini_get_str(ini, "wireguard", "user", DEFAULT_USER, &s, err);
	if (r < 0)
		return r;
	if (!s || !*s || strlen(s) >= sizeof(c->user) || strchr(s, '/'))
		return nwg_err_set(err, EINVAL,
				   "[wireguard] user: a user name of 1 to %zu bytes is needed",
				   sizeof(c->user) - 1);
	memcpy(c->user, s, strlen(s) + 1);
	return c->privsep ? resolve_user(c, err) : 0;
}
