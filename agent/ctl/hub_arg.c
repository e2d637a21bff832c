/* SPDX-License-Identifier: Apache-2.0 */
#include "ctl/hub_arg.h"

#include <errno.h>
#include <string.h>

#include "privsep/hostops.h"

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
		    struct nwg_actual **act, const struct nwg_hub_view **rec, struct nwg_err *err)
{
	int r;

	*act = NULL;
	*rec = NULL;
	if (!args || !json_is_object(args))
		return nwg_err_set(err, EINVAL, "args: {\"port_id\": ...} required");
	if ((r = port_id_arg(args, port_id, err)) < 0)
		return r;
	r = nwg_hostops_actual_one(a, *port_id, act, err);
	if (r < 0)
		return r;
	if (nwg_actual_is_corrupt(*act, *port_id))
		r = nwg_err_set(err, EIO, "hub %s: its record on this node is unreadable",
				*port_id);
	else if (!(*rec = nwg_actual_find_record(*act, *port_id)))
		r = nwg_err_set(err, ENOENT, "hub %s is not realized on this node (host %s)",
				*port_id, a->conf.host);
	if (r < 0) {
		nwg_actual_free(*act);
		*act = NULL;
	}
	return r;
}
