/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The two processes of privilege separation: the executor (the parent:
 * root, only CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_IPC_LOCK, not dumpable;
 * the only holder of private keys) and the engine (the child: the agent's
 * user, no capabilities, no_new_privs, not dumpable). They talk over an
 * AF_UNIX SOCK_SEQPACKET pair with the messages of privsep/proto.h; the
 * executor never originates a message. Either side ending ends the other.
 */
#ifndef NWG_AGENT_PRIVSEP_PROC_H
#define NWG_AGENT_PRIVSEP_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "privsep/proto.h"
#include "privsep/server.h"

/* The executor's capabilities (also its bounding set): NET_ADMIN and
 * SYS_ADMIN (links, setns, mounting /run/netns); IPC_LOCK: its memory is
 * locked (MCL_FUTURE) and must keep growing; KILL: the engine's death signal
 * crosses users only with it (the kernel checks the dying executor's
 * permission to signal the engine's uid). Bits: 5, 12, 14, 21. */
#define NWG_PS_EXECUTOR_CAPS 0x205020ULL
/* On an HA node ([wireguard_ha]) also NET_RAW (bit 13): keepalived, the
 * executor's child, opens the VRRP raw socket with it (0x207020). */
#define NWG_PS_EXECUTOR_HA_CAPS (1ULL << 13)

struct nwg_ps_user {
	uid_t uid;
	gid_t gid;
	bool found; /* false: no such user; the engine stays uid 0 without capabilities */
};

/* Looks the engine's user up (getpwnam_r). NULL or "" = root. Not finding
 * the user is not an error (found false); a failed lookup is. */
int nwg_ps_user_lookup(const char *name, struct nwg_ps_user *u, struct nwg_err *err);

/* In the engine, after the fork: supplementary groups cleared, gid and uid
 * set (when found), every capability cleared (effective, permitted,
 * inheritable, ambient, bounding), PR_SET_NO_NEW_PRIVS, not dumpable, memory
 * unlocked (it holds no key), and the death signal armed again (a
 * credential change clears it): -ESRCH when the executor is already gone. */
int nwg_ps_drop_engine(const struct nwg_ps_user *u, pid_t executor, struct nwg_err *err);

/* In the executor: the bounding, permitted and effective sets reduced to
 * NWG_PS_EXECUTOR_CAPS (| NWG_PS_EXECUTOR_HA_CAPS when ha), nothing
 * inheritable or ambient, not dumpable. */
int nwg_ps_limit_executor(bool ha, struct nwg_err *err);

/* Reads the effective capability mask of this process (tests, logs). */
int nwg_ps_caps_effective(unsigned long long *mask);

/* socketpair + fork. Returns 0 in the executor (*peer = the engine's pid),
 * 1 in the engine (*peer = the executor's pid), negative errno on failure;
 * *fd is this side's end. The engine gets SIGTERM when the executor dies. */
int nwg_ps_fork(int *fd, pid_t *peer, struct nwg_err *err);

/* ---- the channel (privsep/chan.c) ---- */

/* One message, one datagram. -EPIPE/-ECONNRESET: the peer is gone. */
int nwg_ps_send(int fd, const struct nwg_ps_msg *m, struct nwg_err *err);
/* Blocks for one datagram and decodes it (clear m afterwards, also on
 * failure). -ECONNRESET when the peer hung up; -EBADMSG for a truncated
 * datagram; decode's errors otherwise. */
int nwg_ps_recv(int fd, struct nwg_ps_msg *m, struct nwg_err *err);

/* Engine: sends req (its seq set here) and reads its answer. ACTUAL
 * replies (READ_ACTUAL and STATUS only; port ids within the ids asked for)
 * go to each(); the final RESULT into *res. A reply out of sequence or of
 * the wrong type is -EPROTO: the engine must stop. */
typedef int (*nwg_ps_each_fn)(void *ctx, const struct nwg_ps_link *l);
struct nwg_ps_client {
	int fd;
	uint32_t seq;
};
int nwg_ps_call(struct nwg_ps_client *c, struct nwg_ps_msg *req, nwg_ps_each_fn each, void *ctx,
		struct nwg_ps_result *res, struct nwg_err *err);

/* Executor: reads and serves one request (blocks for it): NWG_PS_SERVE_MORE,
 * NWG_PS_SERVE_STOP after SHUTDOWN or when the engine hung up, or a
 * negative errno (err set) when the engine cannot be trusted to go on. */
int nwg_ps_serve_one(int fd, const struct nwg_ps_policy *pol, const struct nwg_ps_ops *ops,
		     void *ctx, struct nwg_err *err);
/* Executor: serves requests until SHUTDOWN (0), the engine hangs up (0), or
 * a protocol error (negative errno, err set). */
int nwg_ps_serve_loop(int fd, const struct nwg_ps_policy *pol, const struct nwg_ps_ops *ops,
		      void *ctx, struct nwg_err *err);

#endif
