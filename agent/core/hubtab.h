/* SPDX-License-Identifier: Apache-2.0 */
/* In-memory per-hub status: last result, retry backoff, what Neutron was told. */
#ifndef NWG_AGENT_HUBTAB_H
#define NWG_AGENT_HUBTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nwg/repo.h"

#define NWG_RETRY_MIN_MS 1000
#define NWG_RETRY_MAX_MS 60000
#define NWG_DIGEST_MAX	 64 /* get_hubs 1.2 digest of a hub's answer */

struct nwg_hubstate {
	char port_id[NWG_ID_MAX + 1];
	char project_id[NWG_ID_MAX + 1];
	bool synced;	     /* at least one pass has looked at it */
	bool ok;	     /* last pass succeeded */
	char error[256];     /* last failure, "" when ok */
	unsigned int fails;  /* consecutive failures */
	int64_t retry_at_ms; /* monotonic; 0 = no retry pending */
	int reported_up;     /* -1 unknown, 0 update_device_down sent, 1 up sent */
	char skipped[256];   /* spokes left out of the last answer, with reasons; "" = none */
	char router_id[NWG_ID_MAX + 1];	 /* the last answer's router of the hub; "" = none */
	char digest[NWG_DIGEST_MAX + 1]; /* of the answer last applied; "" = ask in full */
	bool ha_standby;	/* an HA secondary's copy (doc/ha.md): no spoke health from it */
	bool ha_hub;		/* an HA hub (either role): follows this node's VRRP state */
	bool ha_has_peer;	/* ha_peer known */
	struct nwg_key ha_peer; /* the other node's enrollment public key */
};

struct nwg_hubtab {
	struct nwg_hubstate *v;
	size_t n;
};

struct nwg_hubstate *nwg_hubtab_get(struct nwg_hubtab *t, const char *port_id, bool create);
void nwg_hubtab_remove(struct nwg_hubtab *t, const char *port_id);
void nwg_hubtab_ok(struct nwg_hubstate *s);
/* Schedules a retry with exponential backoff (1 s doubling to 60 s); the
 * hub's digest is forgotten (its next answer is a full one). */
void nwg_hubtab_fail(struct nwg_hubstate *s, int64_t now_ms, const char *error);
/* Earliest pending retry, or -1. */
int64_t nwg_hubtab_next_retry(const struct nwg_hubtab *t);
/* Port ids whose retry is due (retry cleared); NULL-terminated, free with nwg_strv_free. */
char **nwg_hubtab_take_due(struct nwg_hubtab *t, int64_t now_ms);
void nwg_hubtab_clear(struct nwg_hubtab *t);

int64_t nwg_now_ms(void);

#endif
