/* SPDX-License-Identifier: Apache-2.0 */
/* The engine's system-call allow-list ([wireguard] seccomp, doc/security.md
 * "The engine's seccomp allow-list"). */
#ifndef NWG_AGENT_PRIVSEP_SECCOMP_H
#define NWG_AGENT_PRIVSEP_SECCOMP_H

#include "nwg/err.h"

/* Installs, in the calling process (the engine, after nwg_ps_drop_engine:
 * no_new_privs is set), a seccomp filter that allows only what the engine
 * does: descriptors and files, memory, time, poll, signals to itself,
 * AF_UNIX/AF_INET/AF_INET6 sockets and NETLINK_ROUTE (glibc's name
 * resolution), a few read-only prctl and ioctl requests. Any other call
 * (execve, clone, ptrace, mount, socket(AF_PACKET), ...) does not run: it
 * traps, one line names it (stderr and the log file) and the process ends
 * by SIGSYS. Another architecture's calls kill the process. Irreversible.
 * -errno (err set) when the filter cannot be built or loaded. */
int nwg_ps_seccomp_engine(struct nwg_err *err);

#endif
