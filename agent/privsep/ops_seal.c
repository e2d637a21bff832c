/* SPDX-License-Identifier: Apache-2.0 */
#include "privsep/ops_seal.h"

#include <errno.h>

#include "privsep/ops_repo.h"
#include "privsep/seal_pin.h"

int nwg_ps_op_seal(void *ctx, const struct nwg_ps_seal *s, struct nwg_ps_result *out,
		   struct nwg_err *err)
{
	struct nwg_ps_repo_ctx *c = ctx;

	if (!c->conf)
		return nwg_err_set(err, EOPNOTSUPP, "SEAL: no configuration (no pin)");
	return nwg_seal_pinned(c->conf, c->repo, s->port_id, &s->peer_pub, out->sealed, err);
}
