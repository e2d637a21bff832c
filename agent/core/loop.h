/* SPDX-License-Identifier: Apache-2.0 */
/* The single-threaded event loop: AMQP, control socket, signals, timers. */
#ifndef NWG_AGENT_LOOP_H
#define NWG_AGENT_LOOP_H

#include "agent.h"

/* Blocks the signals the loop reads through a signalfd; call before
 * anything spawns children. Returns the signalfd or a negative errno. */
int nwg_loop_signals(void);
/* Runs until SIGTERM/SIGINT. */
int nwg_loop_run(struct nwg_agent *a, int sigfd);

#endif
