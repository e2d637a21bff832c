/* SPDX-License-Identifier: Apache-2.0 */
/* Control socket (ARCHITECTURE §7): unix stream, root only, one JSON request
 * per line in, one JSON reply per line out, non-blocking, bounded. */
#ifndef NWG_AGENT_CTL_H
#define NWG_AGENT_CTL_H

#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "nwg/err.h"

#define NWG_CTL_MAX_LINE       65536
#define NWG_CTL_MAX_CLIENTS    32
#define NWG_CTL_IDLE_TIMEOUT_S 30 /* [wireguard] control_socket_idle_timeout */

/* Returns the result (new reference), or NULL with a message in err. */
typedef json_t *(*nwg_ctl_fn)(void *ctx, const char *method, const json_t *args,
			      struct nwg_err *err);

struct nwg_ctl;

int nwg_ctl_open(struct nwg_ctl **out, const char *path, nwg_ctl_fn fn, void *ctx,
		 struct nwg_err *err);
/* gid >= 0 (control_socket_group): socket 0660 and its directory 0750, both
 * group gid; members of that group may call the methods nwg_ctl_group_may
 * allows (status and the L3 agent's owns/attach/detach), root every method. */
int nwg_ctl_open_group(struct nwg_ctl **out, const char *path, long gid, nwg_ctl_fn fn, void *ctx,
		       struct nwg_err *err);
bool nwg_ctl_group_may(const char *method);
void nwg_ctl_close(struct nwg_ctl *c); /* closes clients, unlinks the socket */

/* Per-method groups (agent/ctl/ctl_groups.c): [wireguard]
 * control_status_groups (status) and control_l3_groups (owns, attach,
 * detach). A class with groups configured is open to a non-root client only
 * when one of its groups (primary or supplementary, as the kernel reports
 * them) is listed; a class without groups is open to every client that may
 * connect (control_socket_group), as before. Root: every method. */
#define NWG_CTL_MAX_METHOD_GROUPS 16
#define NWG_CTL_MAX_PEER_GROUPS	  64
enum { NWG_CTL_CLASS_STATUS, NWG_CTL_CLASS_L3, NWG_CTL_CLASS_N };
struct nwg_ctl_groups {
	long gids[NWG_CTL_CLASS_N][NWG_CTL_MAX_METHOD_GROUPS];
	size_t n[NWG_CTL_CLASS_N];
};
void nwg_ctl_set_groups(struct nwg_ctl *c, const struct nwg_ctl_groups *g);
/* The method's class, or -1 (a method these options do not cover: the HA
 * ones, or one for root only; nwg_ctl_group_may decides those). */
int nwg_ctl_method_class(const char *method);
/* The peer's primary and supplementary groups (at most max); 0 if unknown. */
size_t nwg_ctl_peer_groups(int fd, gid_t *out, size_t max);
bool nwg_ctl_groups_allow(const struct nwg_ctl_groups *g, const char *method, const gid_t *peer,
			  size_t n_peer);
/* A client that sends no complete request line for ms milliseconds (from
 * its connection or its last request) is dropped, whatever it is doing:
 * silent, trickling a partial line, or not reading its replies. */
void nwg_ctl_set_idle_timeout(struct nwg_ctl *c, long ms);
/* Drops the clients past their deadline; nwg_ctl_service calls it too. The
 * caller's loop calls it at least once a second. */
void nwg_ctl_expire(struct nwg_ctl *c);
/* Fills up to max pollfds (listener first); returns how many. */
size_t nwg_ctl_pollfds(const struct nwg_ctl *c, struct pollfd *fds, size_t max);
/* Services the ready fds among those returned by nwg_ctl_pollfds. */
void nwg_ctl_service(struct nwg_ctl *c, const struct pollfd *fds, size_t n);

/*
 * attach's target namespace (agent/ctl/ctl_router.c): ns must be
 * "qrouter-<router_id>" with a canonical lower-case UUID; req_router (the
 * request's router_id, NULL if absent) must name that same router; and when
 * Neutron's data names the hub's router (hub_router non-empty) it must be
 * that one. 0, or -EINVAL / -EPERM with the reason in err.
 */
int nwg_ctl_router_ns_check(const char *ns, const char *req_router, const char *hub_router,
			    struct nwg_err *err);

/* One request line -> one reply (malloc'd, no newline). Pure; for tests. */
char *nwg_ctl_reply(const char *line, size_t len, nwg_ctl_fn fn, void *ctx);

#endif
