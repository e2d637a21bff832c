/* SPDX-License-Identifier: Apache-2.0 */
/* [wireguard] privsep = true: the agent as two processes (doc/security.md
 * "Privilege separation"). */
#ifndef NWG_AGENT_SPLIT_H
#define NWG_AGENT_SPLIT_H

#include "agent.h"

/* After nwg_agent_setup (hardened, repository open, temp records removed):
 * forks. The executor (this process: root, CAP_NET_ADMIN, CAP_SYS_ADMIN,
 * CAP_IPC_LOCK, CAP_KILL, not dumpable) restores the recorded hubs and
 * serves the engine's requests with the backend until the engine ends; the
 * engine (the child) opens the control socket, drops to conf.user with no
 * capability and no_new_privs, and runs the loop with hostops = the client.
 * With --desired-file the engine runs the one offline pass instead (no
 * control socket, no restore) and exits with its code.
 * Either ending ends the other (EOF / SIGCHLD, PR_SET_PDEATHSIG), logged
 * once; SIGTERM to the executor stops both. Returns the exit code of the
 * process it returns in (both return). */
int nwg_split_run(struct nwg_agent *a, int sigfd);

#endif
