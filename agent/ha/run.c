/* SPDX-License-Identifier: Apache-2.0 */
#include "ha/run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "attach/ovn.h"
#include "ha/priv.h"
#include "ha/stream.h"
#include "ha/vrrp.h"
#include "log/log.h"
#include "nwg/ha.h"
#include "privsep/hostops.h"
#include "reconcile/desired_ha.h"
#include "reconcile/plan.h"

#define RESTART_MIN_MS 1000
#define RESTART_MAX_MS 30000
#define CHECK_MS       200  /* keepalived's liveness and the hubs' wish */
#define RENEW_QUIET_MS 2000 /* one renewal per healed split brain */

struct nwg_ha_rt {
	struct nwg_vrrp vrrp;
	enum nwg_vrrp_state state;
	int64_t restart_at_ms, backoff_ms, next_check_ms, renewed_ms;
	struct nwg_ha_stream stream;
};

void nwg_ha_run_init(struct nwg_agent *a)
{
	struct nwg_ha_rt *h;

	if (!a->conf.ha.on)
		return;
	h = calloc(1, sizeof(*h));
	if (!h) {
		log_err("HA: out of memory; the agent runs no VRRP");
		return;
	}
	nwg_vrrp_init(&h->vrrp);
	h->backoff_ms = RESTART_MIN_MS;
	nwg_ha_stream_init(&h->stream);
	a->ha = h;
}

/* keepalived through the seam (hostops.h vrrp: the local side or the
 * executor runs it from its own [wireguard_ha]); -errno logged by the
 * caller. */
static int vrrp_op(struct nwg_agent *a, uint8_t op, struct nwg_vrrp_out *out, struct nwg_err *err)
{
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);

	return ops->vrrp(ctx, op, out, err);
}

static void close_fifo(struct nwg_ha_rt *h)
{
	if (h->vrrp.fifo >= 0)
		close(h->vrrp.fifo);
	h->vrrp.fifo = -1;
	h->vrrp.len = 0;
}

static void vrrp_stop(struct nwg_agent *a)
{
	struct nwg_vrrp_out out;
	struct nwg_err err = {{0}};

	if (vrrp_op(a, NWG_VRRP_OP_STOP, &out, &err) < 0)
		log_err("HA: stopping keepalived (pid %d): %s", (int)a->ha->vrrp.pid, err.msg);
	a->ha->vrrp.pid = 0;
	close_fifo(a->ha);
}

void nwg_ha_run_fini(struct nwg_agent *a)
{
	struct nwg_ha_rt *h = a->ha;

	if (!h)
		return;
	if (h->vrrp.pid > 0) {
		log_info("HA: stopping keepalived (pid %d): this node leaves VRRP",
			 (int)h->vrrp.pid);
		vrrp_stop(a);
	}
	close_fifo(h);
	nwg_ha_stream_fini(&h->stream);
	free(h);
	a->ha = NULL;
	nwg_ha_priv_free(a->ha_priv); /* the local side's (none in an engine) */
	a->ha_priv = NULL;
}

const char *nwg_ha_vrrp_state(const struct nwg_agent *a)
{
	const char *s;

	if (!a->ha)
		return NULL;
	s = nwg_vrrp_state_name(a->ha->state);
	return s ? s : "";
}

void nwg_ha_note_hub(struct nwg_hubstate *st, const struct nwg_action *act)
{
	const struct nwg_dha *ha = act->want ? act->want->ha : NULL;

	st->ha_hub = ha != NULL;
	st->ha_has_peer = ha && ha->has_peer_pub;
	if (st->ha_has_peer)
		st->ha_peer = ha->peer_pub;
}

/* Port ids of this node's HA hubs (a pass realized them). */
static size_t ha_hubs(struct nwg_agent *a, const char **ids, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < a->hubs.n && n < cap; i++) {
		if (a->hubs.v[i].ha_hub)
			ids[n++] = a->hubs.v[i].port_id;
	}
	return n;
}

static size_t count_ha_hubs(const struct nwg_agent *a)
{
	size_t n = 0;

	for (size_t i = 0; i < a->hubs.n; i++)
		n += a->hubs.v[i].ha_hub;
	return n;
}

/* One HA hub's device operation, through the seam (hostops.h: the
 * implementation loads the hub's record; this process never does). */
static void hub_op(struct nwg_agent *a, const char *port_id, enum nwg_ha_op op)
{
	struct nwg_ha_req q = {.op = (uint8_t)op, .port_id = port_id, .pace = a->conf.ha.pace};
	struct nwg_err err = {{0}};
	struct nwg_ha_out out;
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);
	int r;

	if (op == NWG_HA_OP_ACTIVATE)
		q.n_eps = nwg_ha_stream_cached(&a->ha->stream, port_id, &q.eps);
	r = ops->ha(ctx, &q, &out, &err);
	if (r < 0 && op == NWG_HA_OP_ACTIVATE)
		log_err("HA hub %s: takeover failed: %s", port_id,
			err.msg[0] ? err.msg : strerror(-r));
	else if (r < 0 && op == NWG_HA_OP_RENEW)
		log_err("HA hub %s: renewal failed: %s", port_id,
			err.msg[0] ? err.msg : strerror(-r));
	else if (r < 0)
		log_err("HA hub %s: going silent failed: %s", port_id,
			err.msg[0] ? err.msg : strerror(-r));
	else if (op == NWG_HA_OP_ACTIVATE)
		log_info("HA hub %s: took over: %d of %zu known endpoints set, handshakes "
			 "initiated (%s; %zu streamed)",
			 port_id, out.set, out.listed, out.ifname, q.n_eps);
	else if (op == NWG_HA_OP_RENEW)
		log_info("HA hub %s: renewed after a split brain: %d of %zu endpoints set, "
			 "handshakes initiated (%s)",
			 port_id, out.set, out.listed, out.ifname);
	else
		log_info("HA hub %s: silent (peers without endpoints, %s)", port_id, out.ifname);
	if (r >= 0 && out.tenant_changed) {
		char wo[IFNAMSIZ];

		nwg_ovn_ifname(port_id, wo);
		log_info("HA hub %s: tenant port %s %s", port_id, wo,
			 out.tenant_up ? "up (gratuitous ARP: the switches learn this node)"
				       : "down (this node is not active)");
	}
}

/* A healed split brain (doc/ha.md section 5): this master heard a
 * lower-priority one; the devices may hold sessions with the other node, so
 * every one gets a fresh handshake from here: the hub's own endpoints,
 * sessions dropped first, then initiated, paced. */
void nwg_ha_renew(struct nwg_agent *a)
{
	int64_t now = nwg_now_ms();

	if (!a->ha || a->ha->state != NWG_VRRP_MASTER || now - a->ha->renewed_ms < RENEW_QUIET_MS)
		return;
	a->ha->renewed_ms = now;
	log_info("HA: this master heard a lower-priority master (a split brain healed): "
		 "renewing every HA hub's sessions");
	for (size_t i = 0; i < a->hubs.n; i++) {
		if (a->hubs.v[i].ha_hub)
			hub_op(a, a->hubs.v[i].port_id, NWG_HA_OP_RENEW);
	}
}

/* A new VRRP state: every HA hub follows it, and Neutron is told (a
 * targeted pass asking those hubs in full reports the new ha_state). */
void nwg_ha_follow(struct nwg_agent *a, enum nwg_vrrp_state s)
{
	struct nwg_ha_rt *h = a->ha;
	size_t cap = count_ha_hubs(a), n;
	const char **ids = calloc(cap + 1, sizeof(*ids));

	if (!h) {
		free(ids);
		return;
	}
	log_info("HA: VRRP %s -> %s (%zu HA hubs)",
		 nwg_vrrp_state_name(h->state) ? nwg_vrrp_state_name(h->state) : "unknown",
		 nwg_vrrp_state_name(s), cap);
	h->state = s;
	h->backoff_ms = RESTART_MIN_MS; /* keepalived works */
	if (!ids) {
		log_err("HA: out of memory");
		return;
	}
	n = ha_hubs(a, ids, cap);
	for (size_t i = 0; i < n; i++) {
		struct nwg_hubstate *st = nwg_hubtab_get(&a->hubs, ids[i], false);

		hub_op(a, ids[i], s == NWG_VRRP_MASTER ? NWG_HA_OP_ACTIVATE : NWG_HA_OP_DEACTIVATE);
		if (st)
			st->digest[0] = '\0'; /* asked in full: its state is reported */
	}
	if (n)
		nwg_sched_ids(a, ids, n, 0);
	free(ids);
}

size_t nwg_ha_pollfds(struct nwg_agent *a, struct pollfd *fds, size_t cap)
{
	size_t n = 0;

	if (!a->ha)
		return 0;
	if (a->ha->vrrp.fifo >= 0 && n < cap)
		fds[n++] = (struct pollfd){.fd = a->ha->vrrp.fifo, .events = POLLIN};
	if (a->ha->stream.fd >= 0 && n < cap)
		fds[n++] = (struct pollfd){.fd = a->ha->stream.fd, .events = POLLIN};
	return n;
}

void nwg_ha_service(struct nwg_agent *a, const struct pollfd *fds, size_t n)
{
	struct nwg_ha_rt *h = a->ha;

	for (size_t i = 0; h && i < n; i++) {
		if (!fds[i].revents)
			continue;
		if (fds[i].fd == h->vrrp.fifo) {
			bool again = false;
			enum nwg_vrrp_state s = nwg_vrrp_read(&h->vrrp, &again);

			if (s != NWG_VRRP_UNKNOWN && s != h->state)
				nwg_ha_follow(a, s);
			if (again)
				nwg_ha_renew(a);
		} else if (fds[i].fd == h->stream.fd) {
			nwg_ha_stream_receive(a, &h->stream);
		}
	}
}

/* keepalived died without giving the VIP up (SIGKILL, a crash): take it
 * off now, not after the restart's back-off, so the other node, which
 * takes over once it misses the adverts, is the only one holding it. */
static void release_vip(struct nwg_agent *a)
{
	struct nwg_vrrp_out out;
	struct nwg_err err = {{0}};
	int ret = vrrp_op(a, NWG_VRRP_OP_RELEASE_VIP, &out, &err);

	if (ret < 0)
		log_err("HA: cannot remove the VIP %s from %s: %s", a->conf.ha.vip,
			a->conf.ha.interface, err.msg);
	else if (out.removed)
		log_warn("HA: keepalived left the VIP %s on %s: removed it", a->conf.ha.vip,
			 a->conf.ha.interface);
}

static void supervise(struct nwg_agent *a, int64_t now)
{
	struct nwg_ha_rt *h = a->ha;
	bool want = count_ha_hubs(a) > 0;
	struct nwg_err err = {{0}};
	struct nwg_vrrp_out out;
	int st = 0;

	nwg_ha_stream_refresh(a, &h->stream);
	if (h->vrrp.pid > 0 && vrrp_op(a, NWG_VRRP_OP_REAP, &out, &err) < 0) {
		log_err("HA: keepalived (pid %d): %s", (int)h->vrrp.pid, err.msg);
		err.msg[0] = '\0';
	} else if (h->vrrp.pid > 0 && out.exited) {
		st = out.status;
		h->vrrp.pid = 0;
		log_warn("HA: keepalived exited (%s %d); restarting in %lld ms",
			 WIFSIGNALED(st) ? "signal" : "status",
			 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
			 (long long)h->backoff_ms);
		h->restart_at_ms = now + h->backoff_ms;
		h->backoff_ms =
		    h->backoff_ms * 2 > RESTART_MAX_MS ? RESTART_MAX_MS : h->backoff_ms * 2;
		release_vip(a);
		if (h->state != NWG_VRRP_UNKNOWN && h->state != NWG_VRRP_FAULT)
			nwg_ha_follow(a, NWG_VRRP_FAULT); /* not in VRRP: silent */
	}
	if (want && h->vrrp.pid <= 0 && now >= h->restart_at_ms) {
		if (vrrp_op(a, NWG_VRRP_OP_START, &out, &err) < 0) {
			log_err("HA: cannot start keepalived: %s; retrying in %lld ms", err.msg,
				(long long)h->backoff_ms);
			h->restart_at_ms = now + h->backoff_ms;
			h->backoff_ms =
			    h->backoff_ms * 2 > RESTART_MAX_MS ? RESTART_MAX_MS : h->backoff_ms * 2;
			return;
		}
		h->vrrp.pid = out.pid;
		if (h->vrrp.fifo >= 0) /* the same FIFO: a partial line goes on */
			close(h->vrrp.fifo);
		h->vrrp.fifo = out.fifo;
		log_info("HA: keepalived started (pid %d): VRRPv3 instance %s, VIP %s on %s, "
			 "vrid %u, priority %u, advert %u ms (%s/vrrp/keepalived.conf)",
			 (int)h->vrrp.pid, NWG_VRRP_INSTANCE, a->conf.ha.vip, a->conf.ha.interface,
			 a->conf.ha.vrid, a->conf.ha.priority, a->conf.ha.advert_ms,
			 a->conf.state_path);
	} else if (!want && h->vrrp.pid > 0) {
		log_info("HA: no HA hub left on this node: stopping keepalived (pid %d)",
			 (int)h->vrrp.pid);
		vrrp_stop(a);
		h->state = NWG_VRRP_UNKNOWN;
	}
}

int64_t nwg_ha_tick(struct nwg_agent *a, int64_t now)
{
	struct nwg_ha_rt *h = a->ha;
	int64_t next;

	if (!h)
		return 0;
	if (now >= h->next_check_ms) {
		supervise(a, now);
		h->next_check_ms = now + CHECK_MS;
	}
	next = h->next_check_ms;
	if (h->state == NWG_VRRP_MASTER) {
		int64_t s = nwg_ha_stream_send_due(a, &h->stream, now);

		if (s > 0 && s < next)
			next = s;
	}
	return next;
}
