/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to lib/rtnl*.c. */
#ifndef NWG_RTNL_INT_H
#define NWG_RTNL_INT_H

#include "nl.h"
#include "nwg/rtnl.h"

struct nwg_rtnl {
	struct nwg_nl nl; /* NETLINK_ROUTE, bound to one namespace */
};

/* -EINVAL (with a message) unless r is non-NULL and ifname valid. */
int nwg_rtnl_check(const struct nwg_rtnl *r, const char *ifname, struct nwg_err *err);

#endif
