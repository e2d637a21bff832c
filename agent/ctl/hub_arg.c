/* SPDX-License-Identifier: Apache-2.0 */
#include "ctl/hub_arg.h"

#include <errno.h>
#include <string.h>

static int port_id_arg(const json_t *args, const char **out, struct nwg_err *err)
{
	const char *s = json_string_value(json_object_get(args, "port_id"));

	if (!s || !*s || strlen(s) > NWG_ID_MAX)
		return nwg_err_set(err, EINVAL, "port_id: required (a port id)");
	for (const char *p = s; *p; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || *p == '-'))
			return nwg_err_set(err, EINVAL, "port_id: not a port id");
	}
	*out = s;
	return 0;
}

int nwg_ctl_hub_arg(struct nwg_agent *a, const json_t *args, const char **port_id,
		    struct nwg_hub_record **rec, struct nwg_err *err)
{
	int r;

	*rec = NULL;
	if (!args || !json_is_object(args))
		return nwg_err_set(err, EINVAL, "args: {\"port_id\": ...} required");
	if ((r = port_id_arg(args, port_id, err)) < 0)
		return r;
	r = nwg_repo_load(a->repo, *port_id, rec, err);
	if (r == -ENOENT)
		return nwg_err_set(err, ENOENT, "hub %s is not realized on this node (host %s)",
				   *port_id, a->conf.host);
	return r < 0 ? r : 0;
}
