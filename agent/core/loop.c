/* SPDX-License-Identifier: Apache-2.0 */
#include "core/loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "ha/run.h"
#include "log/log.h"
#include "sync/neutron_rpc.h"

#define RECONNECT_MIN_MS 1000
#define RECONNECT_MAX_MS 60000
#define MAX_WAIT_MS	 1000 /* heartbeats are serviced at least this often */

int nwg_loop_signals(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ---- RabbitMQ connection ---- */

static void disconnect(struct nwg_agent *a, const char *why)
{
	struct nwg_msg *m = a->msg;

	log_warn("RabbitMQ connection lost (%s); reconnecting in %lld ms", why,
		 (long long)a->reconnect_backoff_ms);
	a->msg = NULL; /* completions of pending calls run in close: they see no connection */
	nwg_msg_close(m);
	a->reconnect_at_ms = nwg_now_ms() + a->reconnect_backoff_ms;
}

static int declare(struct nwg_agent *a, struct nwg_msg *m, struct nwg_err *err)
{
	int r;

	if ((r = nwg_msg_consume_topic(m, NWG_TOPIC_AGENT, true, err)) < 0 ||
	    (r = nwg_msg_consume_fanout(m, NWG_TOPIC_AGENT, err)) < 0 ||
	    (r = nwg_msg_consume_fanout(m, NWG_TOPIC_PORT_UPDATE, err)) < 0 ||
	    (r = nwg_msg_consume_fanout(m, NWG_TOPIC_PORT_DELETE, err)) < 0)
		return r;
	(void)a;
	return 0;
}

static void connect_amqp(struct nwg_agent *a)
{
	struct nwg_err err = {{0}};
	struct nwg_msg *m = NULL;
	int r = nwg_msg_open(&m, &a->mopts, nwg_events_handle, a, &err);

	if (r >= 0)
		r = declare(a, m, &err);
	if (r < 0) {
		nwg_msg_close(m);
		log_warn("cannot connect to RabbitMQ: %s; retrying in %lld ms", err.msg,
			 (long long)a->reconnect_backoff_ms);
		a->reconnect_at_ms = nwg_now_ms() + a->reconnect_backoff_ms;
		a->reconnect_backoff_ms *= 2;
		if (a->reconnect_backoff_ms > RECONNECT_MAX_MS)
			a->reconnect_backoff_ms = RECONNECT_MAX_MS;
		return;
	}
	log_info("connected to RabbitMQ; consuming %s.%s and fanouts", NWG_TOPIC_AGENT,
		 a->conf.host);
	a->msg = m;
	a->reconnect_at_ms = 0;
	a->reconnect_backoff_ms = RECONNECT_MIN_MS;
	a->report_call = true;
	a->report_inflight = false;
	a->next_report_ms = nwg_now_ms();
	nwg_health_clear(&a->health); /* spokes are reported afresh */
	nwg_sched_full(a, 0);	      /* resync on every (re)connect */
	a->want_unconditional = true; /* ... asking every hub in full */
}

static void on_report(void *ctx, int rc, json_t *result, const char *why)
{
	struct nwg_agent *a = ctx;
	const char *res = json_string_value(result);

	a->report_inflight = false;
	if (rc < 0) {
		log_warn("report_state failed: %s", why ? why : "?");
		return;
	}
	a->report_call = false;
	a->start_flag = false;
	log_info("report_state: neutron-server says %s", res ? res : "(nothing)");
	if (res && strcmp(res, "revived") == 0) {
		nwg_health_clear(&a->health);
		nwg_sched_full(a, 0);
	}
}

/* The first report (and the first after a reconnect or a failed one) is a
 * call, answered in on_report; the others are casts. Never waits. */
static void report(struct nwg_agent *a)
{
	struct nwg_report r = {
	    .conf = &a->conf,
	    .uuid = a->uuid,
	    .backend = nwg_backend_name(a->conf.backend),
	    .hubs = a->hubs.n,
	    .start_flag = a->start_flag,
	    .enroll_pub = a->enroll_pub[0] ? a->enroll_pub : NULL,
	};
	struct nwg_err err = {{0}};
	bool call = a->report_call;

	a->next_report_ms = nwg_now_ms() + (int64_t)a->conf.report_interval * 1000;
	if (call && a->report_inflight)
		return; /* the previous call is still waiting for its reply */
	if (nwg_rpc_report_state(a->msg, &r, call, a->rpc_timeout_ms, on_report, a, &err) < 0) {
		log_warn("report_state failed: %s", err.msg);
		return;
	}
	a->report_inflight = call;
}

static void pump(struct nwg_agent *a)
{
	struct nwg_err err = {{0}};
	int r;

	if (!a->msg)
		return;
	r = nwg_msg_poll(a->msg, 0, &err);
	if (r < 0)
		disconnect(a, err.msg[0] ? err.msg : strerror(-r));
}

/* ---- signals ---- */

static void on_signals(struct nwg_agent *a, int sigfd)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("signal %u: exiting (hubs and wireguard-go processes stay)",
				 si.ssi_signo);
			a->stop = true;
			break;
		case SIGHUP: /* an operator's resync: every hub asked in full, all read */
			log_info("SIGHUP: full resync");
			nwg_sched_full(a, 0);
			a->want_unconditional = true;
			break;
		case SIGCHLD:
			nwg_backend_reap(a->backend);
			break;
		default:
			break;
		}
	}
}

/* ---- the loop ---- */

static int wait_ms(const struct nwg_agent *a, int64_t next, int64_t now)
{
	int64_t d = next;

	if (a->msg && a->conf.report_interval)
		d = nwg_deadline_min(d, a->next_report_ms);
	if (!a->msg)
		d = nwg_deadline_min(d, a->reconnect_at_ms);
	d = nwg_deadline_min(d, a->next_health_ms);
	if (a->msg) { /* call timeouts; 0 = completions ready to run */
		int64_t c = (int64_t)nwg_msg_next_deadline(a->msg);

		if (c == 0)
			return 0;
		d = nwg_deadline_min(d, c);
	}
	if (d <= 0)
		return MAX_WAIT_MS;
	d -= now;
	if (d < 0)
		return 0;
	return d > MAX_WAIT_MS ? MAX_WAIT_MS : (int)d;
}

static int64_t step(struct nwg_agent *a)
{
	int64_t now = nwg_now_ms(), next;

	if (!a->msg && a->reconnect_at_ms && now >= a->reconnect_at_ms) {
		connect_amqp(a);
		now = nwg_now_ms(); /* report (and register) before the first sync */
	}
	if (a->msg && a->conf.report_interval && now >= a->next_report_ms)
		report(a);
	if (a->next_health_ms && now >= a->next_health_ms)
		nwg_health_run(a);
	pump(a); /* deliveries queued while we waited for replies */
	next = nwg_sched_run(a, nwg_now_ms());
	return nwg_deadline_min(next, nwg_ha_tick(a, nwg_now_ms()));
}

int nwg_loop_run(struct nwg_agent *a, int sigfd)
{
	struct pollfd fds[2 + NWG_CTL_MAX_CLIENTS + 1 + 2];

	if (!a->hostops)	/* split: the executor restored before serving */
		nwg_restore(a); /* hubs come back even while Neutron is unreachable */
	a->reconnect_backoff_ms = RECONNECT_MIN_MS;
	a->reconnect_at_ms = nwg_now_ms();
	a->start_flag = true;
	a->next_health_ms = nwg_now_ms() + (int64_t)a->conf.health_interval * 1000;
	nwg_ha_run_init(a);
	while (!a->stop) {
		int64_t next = step(a);
		size_t n = 0, n_ctl, n_ha;
		int amqp = -1, r;

		fds[n++] = (struct pollfd){.fd = sigfd, .events = POLLIN};
		if (a->msg && nwg_msg_fd(a->msg) >= 0) {
			amqp = (int)n;
			fds[n++] = (struct pollfd){.fd = nwg_msg_fd(a->msg), .events = POLLIN};
		}
		n_ha = nwg_ha_pollfds(a, fds + n, 2);
		n += n_ha;
		n_ctl = nwg_ctl_pollfds(a->ctl, fds + n, sizeof(fds) / sizeof(fds[0]) - n);
		r = poll(fds, n + n_ctl, wait_ms(a, next, nwg_now_ms()));
		if (r < 0 && errno != EINTR) {
			r = -errno;
			log_err("poll: %s", strerror(errno));
			nwg_ha_run_fini(a);
			return r;
		}
		nwg_ctl_expire(a->ctl); /* idle clients, even when nothing is ready */
		if (r <= 0)
			continue;
		if (fds[0].revents)
			on_signals(a, sigfd);
		nwg_ha_service(a, fds + n - n_ha, n_ha);
		nwg_ctl_service(a->ctl, fds + n, n_ctl);
		if (amqp >= 0 && fds[amqp].revents)
			pump(a);
	}
	nwg_ha_run_fini(a); /* keepalived leaves VRRP with the agent */
	return 0;
}
