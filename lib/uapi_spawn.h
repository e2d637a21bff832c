/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: starting and stopping wireguard-go children. */
#ifndef NWG_UAPI_SPAWN_H
#define NWG_UAPI_SPAWN_H

#include <sys/types.h>

#include "nwg/err.h"

/*
 * Forks and execs `binary -f ifname` in a new session, with fds >= 3 closed,
 * stdio on /dev/null, signals reset and WG_PROCESS_FOREGROUND=1
 * LOG_LEVEL=error in the environment (every inherited WG_* / LOG_LEVEL
 * variable dropped). binary without '/' is looked up in PATH. The child stays
 * a child of this process; the caller reaps it.
 */
int nwg_uapi_spawn(const char *binary, const char *ifname, pid_t *child, struct nwg_err *err);

/* Waits up to timeout_ms for pid to exit (reaping it). 1 = reaped (status in
 * *status if non-NULL), 0 = still running, negative errno (-ECHILD: not ours). */
int nwg_child_wait(pid_t pid, int timeout_ms, int *status);

/* TERM, wait grace_ms, then KILL; always reaps. */
void nwg_child_stop(pid_t pid, int grace_ms);

#endif
