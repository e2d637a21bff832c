/* SPDX-License-Identifier: Apache-2.0 */
/* The node's keepalived (VRRPv3) for its HA hubs (doc/ha.md, "The agent
 * runs the takeover"): configuration written by the agent (0600), the
 * process supervised by PID (restarted with back-off), its state changes
 * read from keepalived's notify FIFO without blocking. No logging here:
 * results are returned to agent/ha/run.c, which logs. */
#ifndef NWG_AGENT_HA_VRRP_H
#define NWG_AGENT_HA_VRRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf/conf_ha.h"
#include "nwg/err.h"

enum nwg_vrrp_state { NWG_VRRP_UNKNOWN, NWG_VRRP_BACKUP, NWG_VRRP_MASTER, NWG_VRRP_FAULT };

#define NWG_VRRP_INSTANCE "nwg_hubs"

struct nwg_vrrp {
	char dir[4000]; /* <state_path>/vrrp (0700) */
	pid_t pid;	/* keepalived's main process, 0 = not running */
	int fifo;	/* notify FIFO, -1 = closed */
	char line[256]; /* partial line read from the FIFO */
	size_t len;
};

void nwg_vrrp_init(struct nwg_vrrp *v);
/* The keepalived.conf text for h (one vrrp_instance, the VIP on the
 * interface, notify_fifo, renew: the notify_master_rx_lower_pri script);
 * *out malloc'd. Pure (unit-tested). */
int nwg_vrrp_render(const struct nwg_conf_ha *h, const char *fifo, const char *renew, char **out);
/* Writes the configuration, makes the FIFO, stops a keepalived left by an
 * earlier agent (its pidfile, if it is keepalived), starts keepalived. */
int nwg_vrrp_start(struct nwg_vrrp *v, const struct nwg_conf_ha *h, const char *state_path,
		   struct nwg_err *err);
/* SIGTERM (keepalived releases the address), waits up to wait_ms, then
 * SIGKILL; closes the FIFO. */
void nwg_vrrp_stop(struct nwg_vrrp *v, int wait_ms);
/* 1 when keepalived exited (reaped; *status set), 0 running, -ECHILD none. */
int nwg_vrrp_reap(struct nwg_vrrp *v, int *status);
/* Reads what the FIFO holds; returns the last state of our instance in it
 * (NWG_VRRP_UNKNOWN when none); *renew set when a "RENEW" line was there
 * (notify_master_rx_lower_pri: this master heard a lower-priority master, a
 * split brain healed). Never blocks. */
enum nwg_vrrp_state nwg_vrrp_read(struct nwg_vrrp *v, bool *renew);
/* "RENEW nwg_hubs" (the line renew.sh writes). Pure. */
bool nwg_vrrp_is_renew(const char *line);
/* One notify_fifo line ("INSTANCE \"name\" MASTER 100"): the state of our
 * instance, UNKNOWN for anything else. Pure. */
enum nwg_vrrp_state nwg_vrrp_parse_line(const char *line);
const char *nwg_vrrp_state_name(enum nwg_vrrp_state s); /* ha_state: active/standby/fault */

#endif
