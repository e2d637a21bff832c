/* SPDX-License-Identifier: Apache-2.0 */
/* Key source SEALED (doc/ha.md): an HA secondary's hub key, opened from the
 * envelope the primary sealed to this node's enrollment key. One function
 * for the in-process agent and the privsep executor. */
#include <errno.h>
#include <string.h>

#include "nwg/seal.h"
#include "nwg/secmem.h"
#include "reconcile/exec.h"

int nwg_exec_unseal(const char *enroll_path, const char *port_id, const char *sealed,
		    struct nwg_key *key, struct nwg_err *err)
{
	struct nwg_key *own = nwg_secmem_alloc(2 * sizeof(*own)); /* private, public */
	int rc;

	if (!enroll_path || !port_id || !sealed || !key)
		rc = nwg_err_set(err, EINVAL, "unseal: bad arguments");
	else if (!own)
		rc = nwg_err_set(err, ENOMEM, "out of memory");
	else if ((rc = nwg_enroll_load_or_create(enroll_path, &own[0], &own[1])) < 0)
		rc = nwg_err_set(err, -rc, "HA enrollment key %s: %s", enroll_path, strerror(-rc));
	else if ((rc = nwg_unseal_hub_key(key, sealed, strlen(sealed), port_id, &own[1], &own[0])) <
		 0)
		rc = nwg_err_set(err, rc == -EBADMSG ? EKEYREJECTED : -rc,
				 "hub %s: the sealed key does not open: %s", port_id,
				 rc == -ENOKEY	  ? "not sealed to this node's enrollment key"
				 : rc == -EBADMSG ? "sealed for another hub"
						  : "malformed envelope");
	nwg_secmem_free(own); /* wipes */
	return rc;
}
