/* SPDX-License-Identifier: Apache-2.0 */
/* A seam (privsep/hostops.h) for unit tests: place, netns_remove,
 * quarantine, unquarantine, purge and apply refuse with EPERM ("not in this
 * test"); actual, seal, ha, vrrp and the stream are NULL. A test sets the
 * operations it plays. Linked into every unit test (tests/unit/ files that
 * are not test_*.c). */
#ifndef NWG_TEST_FAKE_HOSTOPS_H
#define NWG_TEST_FAKE_HOSTOPS_H

#include "privsep/hostops.h"

struct nwg_hostops fake_hostops_refusing(void);

#endif
