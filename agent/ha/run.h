/* SPDX-License-Identifier: Apache-2.0 */
/* The agent runs the HA takeover itself (doc/ha.md, "The agent runs the
 * takeover"): one keepalived per node for all its HA hubs ([wireguard_ha]),
 * its state changes read by the loop, MASTER -> every HA hub activated
 * (the streamed endpoints, paced, keepalive on), BACKUP/FAULT -> every HA
 * hub deactivated, and each change reported to Neutron as ha_state. */
#ifndef NWG_AGENT_HA_RUN_H
#define NWG_AGENT_HA_RUN_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "ha/vrrp.h"

struct nwg_agent;
struct nwg_hubstate;
struct nwg_action;

void nwg_ha_run_init(struct nwg_agent *a);
/* Stops keepalived (the address is released) and frees everything. */
void nwg_ha_run_fini(struct nwg_agent *a);
/* The descriptors the loop polls for HA (FIFO, stream socket): how many
 * were written to fds (at most cap). */
size_t nwg_ha_pollfds(struct nwg_agent *a, struct pollfd *fds, size_t cap);
/* Services what poll reported on those descriptors. */
void nwg_ha_service(struct nwg_agent *a, const struct pollfd *fds, size_t n);
/* Starts/stops/restarts keepalived as the hubs want it, runs the stream;
 * returns the next deadline (monotonic ms), 0 = none. */
int64_t nwg_ha_tick(struct nwg_agent *a, int64_t now);
/* After a pass applied act: whether st is an HA hub, and its peer node's
 * enrollment key (the stream's). */
void nwg_ha_note_hub(struct nwg_hubstate *st, const struct nwg_action *act);
/* This node's VRRP state as ha_state ("active", "standby", "fault"; ""
 * while keepalived has not said), NULL when the agent runs no VRRP. */
const char *nwg_ha_vrrp_state(const struct nwg_agent *a);
/* A new VRRP state (the FIFO's, or FAULT when keepalived died): every HA
 * hub follows it through the seam (hostops.h ha: MASTER -> ACTIVATE with
 * the streamed endpoints, otherwise DEACTIVATE; no record is read here) and
 * a targeted pass reports it to Neutron. */
void nwg_ha_follow(struct nwg_agent *a, enum nwg_vrrp_state s);
/* A healed split brain: every HA hub RENEWed (at most once per 2 s, as
 * the master only). */
void nwg_ha_renew(struct nwg_agent *a);

#endif
