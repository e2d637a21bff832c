/* SPDX-License-Identifier: Apache-2.0 */
#include "privsep/ops_seal.h"

#include <errno.h>
#include <string.h>

#include "nwg/seal.h"
#include "privsep/ops_repo.h"

int nwg_ps_op_seal(void *ctx, const struct nwg_ps_seal *s, struct nwg_ps_result *out,
		   struct nwg_err *err)
{
	struct nwg_ps_repo_ctx *c = ctx;
	struct nwg_hub_record *rec = NULL;
	int rc = nwg_repo_load(c->repo, s->port_id, &rec, err);

	if (rc < 0)
		return rc;
	rc = nwg_seal_hub_key(out->sealed, &rec->private_key, s->port_id, &s->peer_pub);
	nwg_hub_record_free(rec); /* wipes the key */
	if (rc < 0) {
		out->sealed[0] = '\0';
		return nwg_err_set(err, -rc, "SEAL %s: %s", s->port_id, strerror(-rc));
	}
	return 0;
}
