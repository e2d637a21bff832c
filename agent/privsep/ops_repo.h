/* SPDX-License-Identifier: Apache-2.0 */
/* The executor's repository operations: READ_ACTUAL / STATUS answered from
 * the records (public data only), QUARANTINE / UNQUARANTINE / PURGE, and
 * NETNS_REMOVE (reconcile/exec_netns.c's checks, then the removal), PLACE
 * (agent/attach/l3_place.c, the same code as the in-process attach/detach; needs
 * a backend) and APPLY (privsep/ops_apply.c; needs a backend and the
 * agent's configuration). */
#ifndef NWG_AGENT_PRIVSEP_OPS_REPO_H
#define NWG_AGENT_PRIVSEP_OPS_REPO_H

#include "nwg/repo.h"
#include "nwg/wg.h"
#include "privsep/server.h"

struct nwg_conf;
struct nwg_ha_priv;

struct nwg_ps_repo_ctx {
	struct nwg_repo *repo;
	struct nwg_backend *backend; /* NULL: PLACE and APPLY answer EOPNOTSUPP */
	/* APPLY: port range, state_path (SEALED: <state_path>/enroll.key);
	 * NULL: EOPNOTSUPP */
	const struct nwg_conf *conf;
	struct nwg_ps_apply *pending; /* APPLY chunks (NWG_PS_APPLY_MORE), owned */
	/* STREAM and VRRP (agent/ha/priv.h): keepalived, the enrollment key;
	 * NULL: EOPNOTSUPP (a node without [wireguard_ha]) */
	struct nwg_ha_priv *ha;
};

extern const struct nwg_ps_ops nwg_ps_repo_ops;

#endif
