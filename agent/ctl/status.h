/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NWG_AGENT_STATUS_H
#define NWG_AGENT_STATUS_H

#include <jansson.h>

#include "nwg/err.h"

struct nwg_agent;

/* The status reply, read through the seam (hostops.h); NULL with err set
 * when the actual state cannot be read. */
json_t *nwg_status_build(struct nwg_agent *a, struct nwg_err *err);
/* nwg_ctl_fn for the agent: "status"; anything else is "unknown method". */
json_t *nwg_ctl_dispatch(void *ctx, const char *method, const json_t *args, struct nwg_err *err);

#endif
