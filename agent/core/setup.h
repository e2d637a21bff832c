/* SPDX-License-Identifier: Apache-2.0 */
/* Agent start-up and shutdown. */
#ifndef NWG_AGENT_SETUP_H
#define NWG_AGENT_SETUP_H

#include "agent.h"
#include "core/cmdline.h"

/* Exit codes: 0 ok, 1 runtime failure, 2 bad configuration/arguments. */
int nwg_agent_setup(struct nwg_agent *a, const struct nwg_cmdline *cl);
/* Offline mode: one full reconcile against the desired file; exit code. */
int nwg_agent_offline(struct nwg_agent *a);
/* Opens the control socket (online mode). */
int nwg_agent_listen(struct nwg_agent *a);
/* Never deletes hubs or stops wireguard-go processes. */
void nwg_agent_teardown(struct nwg_agent *a);

#endif
