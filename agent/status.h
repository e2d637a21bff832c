/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NWG_AGENT_STATUS_H
#define NWG_AGENT_STATUS_H

#include <jansson.h>

#include "nwg/err.h"

struct nwg_agent;

json_t *nwg_status_build(struct nwg_agent *a);
/* nwg_ctl_fn for the agent: "status"; anything else is "unknown method". */
json_t *nwg_ctl_dispatch(void *ctx, const char *method, const json_t *args, struct nwg_err *err);

#endif
