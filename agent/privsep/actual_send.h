/* SPDX-License-Identifier: Apache-2.0 */
/* READ_ACTUAL / STATUS answered in the view's shape (privsep/proto.h
 * "ACTUAL"): the executor's own read of the actual state (reconcile/actual.h:
 * records as views, devices with their private keys wiped) sent as RECORD,
 * LINK and CORRUPT parts. The engine builds the same struct back
 * (privsep/client_actual.c). */
#ifndef NWG_AGENT_PRIVSEP_ACTUAL_SEND_H
#define NWG_AGENT_PRIVSEP_ACTUAL_SEND_H

#include "privsep/server.h"
#include "reconcile/actual.h"

/* Sends every part of act (a link whose name is outside the grammar, or a
 * corrupt file whose name is no port id, is left out); out->partial when
 * act is not complete. 0, or the emit's negative errno (err set). */
int nwg_ps_actual_send(const struct nwg_actual *act, nwg_ps_emit_fn emit, void *ectx, uint32_t seq,
		       struct nwg_ps_result *out, struct nwg_err *err);

#endif
