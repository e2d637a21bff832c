/* SPDX-License-Identifier: Apache-2.0 */
/* attach's target: the qrouter-<router_id> namespace of the hub's own router. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ctl/ctl.h"

#define ROUTER_NS_PREFIX "qrouter-"
#define UUID_LEN	 36

/* Canonical text of a UUID: 8-4-4-4-12 lower-case hex digits. */
static bool uuid_canonical(const char *s)
{
	if (strlen(s) != UUID_LEN)
		return false;
	for (size_t i = 0; i < UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-'
			 : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

int nwg_ctl_router_ns_check(const char *ns, const char *req_router, const char *hub_router,
			    struct nwg_err *err)
{
	const char *rid;

	if (!ns || strncmp(ns, ROUTER_NS_PREFIX, strlen(ROUTER_NS_PREFIX)) != 0 ||
	    !uuid_canonical(ns + strlen(ROUTER_NS_PREFIX)))
		return nwg_err_set(err, EINVAL,
				   "namespace: an existing %s<router_id> namespace (router_id a "
				   "lower-case UUID)",
				   ROUTER_NS_PREFIX);
	rid = ns + strlen(ROUTER_NS_PREFIX);
	if (req_router && strcmp(req_router, rid) != 0)
		return nwg_err_set(err, EINVAL, "router_id: the namespace is %s, not router %.64s",
				   ns, req_router);
	if (hub_router && *hub_router && strcmp(hub_router, rid) != 0)
		return nwg_err_set(
		    err, EPERM,
		    "namespace %s: the hub is an interface of router %.64s in Neutron, "
		    "not of router %s",
		    ns, hub_router, rid);
	return 0;
}
