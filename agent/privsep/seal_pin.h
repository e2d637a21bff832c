/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pinned recipient of an HA hub key (doc/security.md "SEAL's pinned
 * recipient"). A hub's private key is sealed only to the one enrollment
 * public key this node trusts for its HA peer: [wireguard_ha]
 * peer_enrollment_key when the operator set it; otherwise the first key
 * sealed to, kept in <state_path>/ha-peer-enroll.pub (0600, this process's
 * owner; trust on first use). Another key is refused (-EPERM) and nothing
 * is sealed. Re-pin: set the option, or remove the file. Runs in the
 * process that holds the keys (the executor when the agent is split), so
 * an engine (or a Neutron answer) naming another key cannot change it.
 */
#ifndef NWG_AGENT_PRIVSEP_SEAL_PIN_H
#define NWG_AGENT_PRIVSEP_SEAL_PIN_H

#include <stdbool.h>

#include "nwg/err.h"
#include "nwg/key.h"
#include "nwg/seal.h"

struct nwg_conf;
struct nwg_repo;

#define NWG_SEAL_PIN_FILE "ha-peer-enroll.pub"

/* 0 when peer_pub is the pinned key (*pinned_now: it was pinned by this
 * call), -EPERM naming both keys when not, -errno when the pin file cannot
 * be read or written (refused: group/other bits, another owner, not a
 * regular file, not a key). */
int nwg_seal_pin_check(const struct nwg_conf *c, const struct nwg_key *peer_pub, bool *pinned_now,
		       struct nwg_err *err);

/* The HA key sealed to peer_pub after nwg_seal_pin_check (logs a new pin
 * and a refusal once, here): the one seal both ways of running use. */
int nwg_seal_pinned(const struct nwg_conf *c, struct nwg_repo *repo, const char *port_id,
		    const struct nwg_key *peer_pub, char out[NWG_SEALED_B64_LEN + 1],
		    struct nwg_err *err);

#endif
