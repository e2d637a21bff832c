/* SPDX-License-Identifier: Apache-2.0 */
/* Running ovs-vsctl against the node's Open vSwitch database. */
#ifndef NWG_AGENT_ATTACH_OVS_H
#define NWG_AGENT_ATTACH_OVS_H

#include <stddef.h>

#include "nwg/err.h"

struct nwg_ovs {
	const char *vsctl; /* absolute path of ovs-vsctl */
	const char *db;	   /* "unix:/var/run/openvswitch/db.sock", ... */
};

/* Runs `vsctl --db=DB --timeout=10 args...` (args NULL-terminated). Its
 * standard output goes to out (NUL-terminated, at most len - 1 bytes; out
 * may be NULL). 0 on exit status 0; -EIO with the first line of its
 * standard error in err otherwise; -errno when it could not be run. */
int nwg_ovs_vsctl(const struct nwg_ovs *o, const char *const *args, char *out, size_t len,
		  struct nwg_err *err);

#endif
