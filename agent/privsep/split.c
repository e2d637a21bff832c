/* SPDX-License-Identifier: Apache-2.0 */
/* The fork of privilege separation (OpenIKED's shape): a privileged parent
 * that only executes, an unprivileged child that parses. */
#include "privsep/split.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/setup.h"
#include "ha/priv.h"
#include "log/log.h"
#include "privsep/client_ops.h"
#include "privsep/ops_apply.h"
#include "privsep/ops_repo.h"
#include "privsep/proc.h"
#include "privsep/seccomp.h"

#define ENGINE_STOP_MS 10000 /* after SIGTERM, before SIGKILL */

static struct nwg_ps_client client; /* the engine's channel (hostops ctx) */

struct executor {
	struct nwg_agent *a;
	pid_t engine;
	int fd;
	bool reaped, stopping;
	int status;
	int64_t kill_at_ms; /* 0 = not asked to stop */
};

static bool reap_engine(struct executor *x)
{
	if (!x->reaped && waitpid(x->engine, &x->status, WNOHANG) == x->engine)
		x->reaped = true;
	return x->reaped;
}

static void on_signals(struct executor *x, int sigfd)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			nwg_backend_reap(x->a->backend);
			reap_engine(x);
		} else if ((si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) && !x->stopping) {
			log_info("executor: signal %u: stopping the engine (pid %d)", si.ssi_signo,
				 (int)x->engine);
			x->stopping = true;
			x->kill_at_ms = nwg_now_ms() + ENGINE_STOP_MS;
			kill(x->engine, SIGTERM);
		} else if (si.ssi_signo == SIGHUP) {
			kill(x->engine, SIGHUP); /* an operator's resync is the engine's */
		}
	}
}

/* Serves until the engine hangs up or ends; -errno when it cannot be
 * trusted (the executor then ends it). */
static int serve(struct executor *x, int sigfd)
{
	/* HA: keepalived and the enrollment key live here (agent/ha/priv.h) */
	struct nwg_ps_repo_ctx ctx = {.repo = x->a->repo,
				      .backend = x->a->backend,
				      .conf = &x->a->conf,
				      .ha = x->a->conf.ha.on ? nwg_ha_priv_new() : NULL};
	struct nwg_ps_policy pol = {.ns_prefix = x->a->conf.ns_prefix,
				    .root_namespace = x->a->conf.root_namespace};
	int rc = 0;

	while (!reap_engine(x)) {
		struct pollfd fds[2] = {{.fd = sigfd, .events = POLLIN},
					{.fd = x->fd, .events = POLLIN}};
		struct nwg_err err = {{0}};

		if (x->kill_at_ms && nwg_now_ms() >= x->kill_at_ms) {
			log_err("executor: the engine (pid %d) did not stop: killed",
				(int)x->engine);
			kill(x->engine, SIGKILL);
			x->kill_at_ms = 0;
		}
		if (poll(fds, 2, 500) < 0 && errno != EINTR)
			break;
		if (fds[0].revents)
			on_signals(x, sigfd);
		if (!fds[1].revents)
			continue;
		rc = nwg_ps_serve_one(x->fd, &pol, &nwg_ps_repo_ops, &ctx, &err);
		if (rc == NWG_PS_SERVE_STOP)
			break;
		if (rc < 0) {
			log_err("executor: %s; ending the engine (pid %d)", err.msg,
				(int)x->engine);
			break;
		}
	}
	nwg_ps_apply_pending_clear(&ctx);
	if (ctx.ha && ctx.ha->vrrp.pid > 0)
		log_info("executor: stopping keepalived (pid %d): this node leaves VRRP",
			 (int)ctx.ha->vrrp.pid);
	nwg_ha_priv_free(ctx.ha); /* keepalived ends with the engine */
	return rc < 0 ? rc : 0;
}

/* The engine is gone or must go: wait for it, say once how it ended. */
static int engine_ended(struct executor *x, int served)
{
	if (!x->reaped && served < 0)
		kill(x->engine, SIGKILL);
	else if (!x->reaped)
		kill(x->engine, SIGTERM); /* it hung up: make sure it ends */
	while (!x->reaped && waitpid(x->engine, &x->status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(x->status))
		log_info("executor: the engine (pid %d) exited with %d; stopping (hubs and "
			 "wireguard-go processes stay)",
			 (int)x->engine, WEXITSTATUS(x->status));
	else
		log_warn("executor: the engine (pid %d) ended by signal %d%s; stopping (hubs and "
			 "wireguard-go processes stay)",
			 (int)x->engine, WTERMSIG(x->status),
			 WTERMSIG(x->status) == SIGSYS ? " (a system call outside its seccomp "
							 "allow-list: its last line names it)"
						       : "");
	/* the engine no longer has the right to remove the socket file */
	if (x->a->conf.control_socket)
		unlink(x->a->conf.control_socket);
	if (served < 0)
		return 1;
	if (x->stopping)
		return 0;
	return WIFEXITED(x->status) ? WEXITSTATUS(x->status) : 1;
}

static int run_executor(struct nwg_agent *a, pid_t engine, int fd, int sigfd)
{
	struct executor x = {.a = a, .engine = engine, .fd = fd};
	struct nwg_err err = {{0}};
	unsigned long long caps = 0;
	int rc;

	if (nwg_ps_limit_executor(a->conf.ha.on, &err) < 0) {
		log_err("executor: cannot limit its capabilities: %s", err.msg);
		kill(engine, SIGKILL);
		return engine_ended(&x, -1);
	}
	nwg_ps_caps_effective(&caps);
	log_info("privilege separation: executor pid %d (capabilities %llx, %sdumpable), "
		 "engine pid %d as %s",
		 (int)getpid(), caps, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) ? "" : "not ", (int)engine,
		 a->conf.user);
	if (!a->offline)
		nwg_restore(a); /* before the engine's first request is read */
	rc = serve(&x, sigfd);
	close(fd);
	return engine_ended(&x, rc);
}

/* Nothing in the engine reads a record or drives a device itself (every
 * such operation is a request): the repository's directory descriptor and
 * the backend (its children list, wireguard-go's paths) are the executor's
 * alone. The backend's kind stays in conf (reported by name). */
static void drop_handles(struct nwg_agent *a)
{
	nwg_repo_close(a->repo);
	a->repo = NULL;
	nwg_backend_close(a->backend);
	a->backend = NULL;
}

static int run_engine(struct nwg_agent *a, pid_t executor, int fd, int sigfd)
{
	struct nwg_ps_user u = {.uid = a->conf.user_uid, .gid = a->conf.user_gid, .found = true};
	struct nwg_err err = {{0}};
	unsigned long long caps = ~0ULL;
	int rc;

	/* opened as root, kept: the control socket (the log file already is) */
	if (!a->offline && nwg_agent_listen(a) != 0)
		return 1;
	if (nwg_ps_drop_engine(&u, executor, &err) < 0) {
		log_err("engine: cannot drop privileges: %s", err.msg);
		return 1;
	}
	nwg_ps_caps_effective(&caps);
	drop_handles(a);
	/* before anything is read from the broker or the control socket */
	if (a->conf.seccomp && nwg_ps_seccomp_engine(&err) < 0) {
		log_err("engine: %s", err.msg);
		return 1;
	}
	client.fd = fd;
	a->hostops = &nwg_hostops_client;
	a->hostops_ctx = &client;
	log_info("engine pid %d: uid %u, capabilities %llx, no_new_privs, %s; privileged "
		 "operations go to the executor (pid %d)",
		 (int)getpid(), (unsigned)getuid(), caps,
		 a->conf.seccomp ? "seccomp allow-list" : "NO seccomp filter ([wireguard] seccomp)",
		 (int)executor);
	if (a->offline) /* --desired-file: one pass through the executor */
		rc = nwg_agent_offline(a);
	else
		rc = nwg_loop_run(a, sigfd) < 0 ? 1 : 0;
	if (getppid() != executor) {
		log_err("engine: the executor (pid %d) is gone; stopping", (int)executor);
		rc = 1;
	}
	return rc;
}

/* [health] metrics_textfile is the engine's to write (public data: the
 * file is replaced by a rename, so its directory must be the engine
 * user's to write). A missing directory is created for the user (0755);
 * an existing one is left as it is, and said once if the user cannot
 * write it. */
static void metrics_dir(const struct nwg_agent *a)
{
	const struct nwg_conf *c = &a->conf;
	char dir[4096], *slash;
	struct stat st;
	bool w;

	if (!c->metrics_textfile ||
	    snprintf(dir, sizeof(dir), "%s", c->metrics_textfile) >= (int)sizeof(dir) ||
	    !(slash = strrchr(dir, '/')) || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0755) == 0) {
		if (chown(dir, c->user_uid, c->user_gid) < 0)
			log_err("metrics: cannot give %s to %s: %s", dir, c->user, strerror(errno));
		return;
	}
	if (errno != EEXIST || stat(dir, &st) < 0) {
		log_err("metrics: cannot create %s for the engine (%s): %s", dir, c->user,
			strerror(errno));
		return;
	}
	w = (st.st_uid == c->user_uid && (st.st_mode & S_IWUSR)) ||
	    (st.st_gid == c->user_gid && (st.st_mode & S_IWGRP)) || (st.st_mode & S_IWOTH);
	if (!S_ISDIR(st.st_mode) || !w)
		log_err("metrics: %s is not writable by %s, who writes metrics_textfile with "
			"privsep = true: make it theirs (or pick a directory that is)",
			dir, c->user);
}

int nwg_split_run(struct nwg_agent *a, int sigfd)
{
	struct nwg_err err = {{0}};
	pid_t peer;
	int fd, rc;

	metrics_dir(a);
	rc = nwg_ps_fork(&fd, &peer, &err);
	if (rc < 0) {
		log_err("privilege separation: %s", err.msg);
		return 1;
	}
	return rc == 0 ? run_executor(a, peer, fd, sigfd) : run_engine(a, peer, fd, sigfd);
}
