/* SPDX-License-Identifier: Apache-2.0 */
/* Keys stay in the node's memory: the agent holds every hub's private key. */
#ifndef NWG_AGENT_HARDEN_H
#define NWG_AGENT_HARDEN_H

#include <stdbool.h>

#include "nwg/err.h"

/* An ASan build (the tests): no memory locking; the seccomp filter lets
 * LeakSanitizer's exit check run (privsep/seccomp.c). */
#if defined(__SANITIZE_ADDRESS__)
#define NWG_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NWG_SANITIZED 1
#endif
#endif

struct nwg_harden_result {
	bool locked; /* mlockall succeeded (no page of ours is swapped out) */
	int lock_errno;
};

/* Not dumpable (no core file, no ptrace by non-root, /proc/<pid>/mem closed),
 * RLIMIT_CORE 0 (soft and hard), and, outside sanitizer builds, all memory
 * locked (MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) where RLIMIT_MEMLOCK allows:
 * a failed lock is reported in *res, not an error. -errno (err set) when the
 * first two fail: the agent must not run with keys then. */
int nwg_harden_process(struct nwg_harden_result *res, struct nwg_err *err);

#endif
