/* SPDX-License-Identifier: Apache-2.0 */
/* Control socket: listener, clients, line framing. */
#include "ctl/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log/log.h"

#define MAX_OUT (4 * 1024 * 1024)

struct client {
	int fd;
	char *in, *out;
	size_t n_in, n_out;
	bool closing;			     /* close once out is flushed */
	bool privileged;		     /* root (or the agent's uid): every method */
	long uid;			     /* the peer's, -1 unknown (for the log) */
	gid_t gids[NWG_CTL_MAX_PEER_GROUPS]; /* not privileged: the peer's groups */
	size_t n_gids;
	int64_t deadline_ms; /* dropped then unless a complete request comes first */
};

struct nwg_ctl {
	int fd;
	long gid;		      /* control_socket_group, -1 = root only */
	long idle_ms;		      /* control_socket_idle_timeout */
	struct nwg_ctl_groups groups; /* per-method groups (none by default) */
	char path[108];
	nwg_ctl_fn fn;
	void *ctx;
	struct client clients[NWG_CTL_MAX_CLIENTS];
	size_t n_clients;
};

/* Root only: 0700. With a group: 0750 root:group (its members may reach the
 * socket; nobody else may even look up its name). */
static int prepare_dir(const char *path, long gid, struct nwg_err *err)
{
	mode_t want = gid < 0 ? 0700 : 0750;
	char buf[108], *dir;
	struct stat st;

	snprintf(buf, sizeof(buf), "%s", path);
	dir = dirname(buf);
	if (mkdir(dir, want) < 0 && errno != EEXIST)
		return nwg_err_set(err, errno, "control socket directory %s: %s", dir,
				   strerror(errno));
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return nwg_err_set(err, EPERM,
				   "control socket directory %s: not a directory of ours", dir);
	if (gid >= 0 && st.st_gid != (gid_t)gid && chown(dir, (uid_t)-1, (gid_t)gid) < 0)
		return nwg_err_set(err, errno, "chown %s: %s", dir, strerror(errno));
	if ((st.st_mode & 07777) != want && chmod(dir, want) < 0)
		return nwg_err_set(err, errno, "chmod %s: %s", dir, strerror(errno));
	return 0;
}

/* A socket file left by a dead agent is removed; a live one is an error. */
static int clear_stale(const struct sockaddr_un *sun, struct nwg_err *err)
{
	struct stat st;
	int fd, r;

	if (lstat(sun->sun_path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return nwg_err_set(err, EEXIST, "%s exists and is not a socket", sun->sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	r = fd >= 0 ? connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) : -1;
	if (fd >= 0)
		close(fd);
	if (r == 0)
		return nwg_err_set(err, EADDRINUSE, "another agent is listening on %s",
				   sun->sun_path);
	unlink(sun->sun_path);
	return 0;
}

static int listen_on(struct nwg_ctl *c, struct nwg_err *err)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	mode_t old;
	int r;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->path);
	if ((r = prepare_dir(c->path, c->gid, err)) < 0 || (r = clear_stale(&sun, err)) < 0)
		return r;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return nwg_err_set(err, errno, "socket: %s", strerror(errno));
	old = umask(0177);
	r = bind(c->fd, (const struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r == 0 && c->gid >= 0)
		r = chown(c->path, (uid_t)-1, (gid_t)c->gid);
	if (r < 0 || chmod(c->path, c->gid < 0 ? 0600 : 0660) < 0 || listen(c->fd, 16) < 0)
		return nwg_err_set(err, errno, "control socket %s: %s", c->path, strerror(errno));
	return 0;
}

int nwg_ctl_open(struct nwg_ctl **out, const char *path, nwg_ctl_fn fn, void *ctx,
		 struct nwg_err *err)
{
	return nwg_ctl_open_group(out, path, -1, fn, ctx, err);
}

int nwg_ctl_open_group(struct nwg_ctl **out, const char *path, long gid, nwg_ctl_fn fn, void *ctx,
		       struct nwg_err *err)
{
	struct nwg_ctl *c;
	int r;

	if (!out || !path || !fn || strlen(path) >= sizeof(c->path))
		return nwg_err_set(err, EINVAL, "control socket: bad arguments");
	c = calloc(1, sizeof(*c));
	if (!c)
		return nwg_err_set(err, ENOMEM, "out of memory");
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->fn = fn;
	c->ctx = ctx;
	c->fd = -1;
	c->gid = gid;
	c->idle_ms = NWG_CTL_IDLE_TIMEOUT_S * 1000L;
	r = listen_on(c, err);
	if (r < 0) {
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

static void client_free(struct client *cl)
{
	close(cl->fd);
	free(cl->in);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

void nwg_ctl_close(struct nwg_ctl *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_clients; i++)
		client_free(&c->clients[i]);
	if (c->fd >= 0) {
		close(c->fd);
		unlink(c->path);
	}
	free(c);
}

size_t nwg_ctl_pollfds(const struct nwg_ctl *c, struct pollfd *fds, size_t max)
{
	size_t n = 0;

	if (!c || max == 0)
		return 0;
	fds[n++] = (struct pollfd){.fd = c->fd, .events = POLLIN};
	for (size_t i = 0; i < c->n_clients && n < max; i++) {
		const struct client *cl = &c->clients[i];
		short ev = (short)((cl->closing ? 0 : POLLIN) | (cl->n_out ? POLLOUT : 0));

		fds[n++] = (struct pollfd){.fd = cl->fd, .events = ev};
	}
	return n;
}

static void queue_out(struct client *cl, const char *s)
{
	size_t len = strlen(s);
	char *out;

	if (cl->n_out + len + 1 > MAX_OUT) { /* the client does not read: drop it */
		cl->closing = true;
		cl->n_out = 0;
		return;
	}
	out = realloc(cl->out, cl->n_out + len + 1);
	if (!out) {
		cl->closing = true;
		return;
	}
	memcpy(out + cl->n_out, s, len);
	out[cl->n_out + len] = '\n';
	cl->out = out;
	cl->n_out += len + 1;
}

static void flush_out(struct client *cl)
{
	while (cl->n_out) {
		ssize_t n = send(cl->fd, cl->out, cl->n_out, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			cl->n_out = 0;
			cl->closing = true;
			return;
		}
		memmove(cl->out, cl->out + n, cl->n_out - (size_t)n);
		cl->n_out -= (size_t)n;
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void nwg_ctl_set_groups(struct nwg_ctl *c, const struct nwg_ctl_groups *g)
{
	if (c && g)
		c->groups = *g;
}

void nwg_ctl_set_idle_timeout(struct nwg_ctl *c, long ms)
{
	if (c && ms > 0)
		c->idle_ms = ms;
}

/* Root (or our uid): every method. Anyone else got through the socket's
 * 0660 root:group mode, so is a member of control_socket_group: only the
 * methods below. Without a group nobody else can connect, and is refused. */
static bool peer_privileged(int fd, bool *known, long *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	*known = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0;
	*uid = *known ? (long)cred.uid : -1;
	return *known && (cred.uid == 0 || cred.uid == geteuid());
}

bool nwg_ctl_group_may(const char *method)
{
	static const char *const allowed[] = {"status",	       "owns",	       "attach",
					      "detach",	       "ha_endpoints", "ha_activate",
					      "ha_handshaken", "ha_restore",   "ha_deactivate"};

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (strcmp(method, allowed[i]) == 0)
			return true;
	}
	return false;
}

static void accept_one(struct nwg_ctl *c)
{
	int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct client *cl;
	bool known;

	if (fd < 0)
		return;
	if (c->n_clients == NWG_CTL_MAX_CLIENTS) {
		log_warn("control socket: too many clients, connection refused");
		close(fd);
		return;
	}
	cl = &c->clients[c->n_clients++];
	memset(cl, 0, sizeof(*cl));
	cl->fd = fd;
	cl->deadline_ms = now_ms() + c->idle_ms;
	cl->privileged = peer_privileged(fd, &known, &cl->uid);
	if (!cl->privileged && (!known || c->gid < 0)) {
		log_warn("control socket: refused a client that is not root");
		queue_out(cl, "{\"ok\":false,\"error\":\"permission denied\"}");
		cl->closing = true;
		flush_out(cl);
	} else if (!cl->privileged) {
		cl->n_gids = nwg_ctl_peer_groups(fd, cl->gids, NWG_CTL_MAX_PEER_GROUPS);
	}
}

struct limited {
	nwg_ctl_fn fn;
	void *ctx;
	const struct nwg_ctl_groups *groups;
	const struct client *cl;
};

/* What a control_socket_group member gets: the allowed methods only. */
static json_t *group_call(void *ctx, const char *method, const json_t *args, struct nwg_err *err)
{
	const struct limited *l = ctx;

	if (!nwg_ctl_group_may(method)) {
		nwg_err_set(err, EPERM, "permission denied: %s is for root only", method);
		return NULL;
	}
	if (!nwg_ctl_groups_allow(l->groups, method, l->cl->gids, l->cl->n_gids)) {
		log_warn("control socket: uid %ld is in none of the groups allowed to call %s",
			 l->cl->uid, method);
		nwg_err_set(err, EPERM, "permission denied: %s is for other groups", method);
		return NULL;
	}
	return l->fn(l->ctx, method, args, err);
}

static char *reply(struct nwg_ctl *c, const struct client *cl, const char *line, size_t len)
{
	struct limited l = {.fn = c->fn, .ctx = c->ctx, .groups = &c->groups, .cl = cl};

	if (cl->privileged)
		return nwg_ctl_reply(line, len, c->fn, c->ctx);
	return nwg_ctl_reply(line, len, group_call, &l);
}

/* An empty line, or a lone "\r", is no request and gets no reply; the
 * same rule for a line cut by the end of input. */
static bool is_request(const char *line, size_t len)
{
	return len && !(len == 1 && line[0] == '\r');
}

/* Handles every complete line in the input buffer. */
static void handle_lines(struct nwg_ctl *c, struct client *cl)
{
	char *nl;

	while (!cl->closing && (nl = memchr(cl->in, '\n', cl->n_in))) {
		size_t len = (size_t)(nl - cl->in);
		char *rep = NULL;

		if (is_request(cl->in, len))
			rep = reply(c, cl, cl->in, len);
		cl->deadline_ms = now_ms() + c->idle_ms;
		if (rep)
			queue_out(cl, rep);
		free(rep);
		memmove(cl->in, nl + 1, cl->n_in - len - 1);
		cl->n_in -= len + 1;
	}
	if (cl->n_in >= NWG_CTL_MAX_LINE) {
		queue_out(cl, "{\"ok\":false,\"error\":\"request line too long\"}");
		cl->closing = true;
		cl->n_in = 0;
	}
}

static void read_client(struct nwg_ctl *c, struct client *cl)
{
	char buf[4096];
	ssize_t n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT);
	char *in;

	if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == EWOULDBLOCK))
		return;
	if (n == 0 && is_request(cl->in, cl->n_in) && cl->n_in < NWG_CTL_MAX_LINE) {
		/* the last line, without its '\n' */
		char *rep = reply(c, cl, cl->in, cl->n_in);

		if (rep)
			queue_out(cl, rep);
		free(rep);
		cl->n_in = 0;
	}
	if (n <= 0) {
		cl->closing = true;
		if (n < 0)
			cl->n_out = 0;
		return;
	}
	in = realloc(cl->in, cl->n_in + (size_t)n);
	if (!in) {
		cl->closing = true;
		return;
	}
	cl->in = in;
	memcpy(cl->in + cl->n_in, buf, (size_t)n);
	cl->n_in += (size_t)n;
	handle_lines(c, cl);
}

static struct client *find_client(struct nwg_ctl *c, int fd)
{
	for (size_t i = 0; i < c->n_clients; i++) {
		if (c->clients[i].fd == fd)
			return &c->clients[i];
	}
	return NULL;
}

static void reap_clients(struct nwg_ctl *c)
{
	for (size_t i = 0; i < c->n_clients;) {
		struct client *cl = &c->clients[i];

		if (cl->closing && cl->n_out == 0) {
			client_free(cl);
			c->clients[i] = c->clients[--c->n_clients];
			continue;
		}
		i++;
	}
}

void nwg_ctl_expire(struct nwg_ctl *c)
{
	static const char idle[] = "{\"ok\":false,\"error\":\"idle timeout\"}\n";
	int64_t now = now_ms();

	if (!c)
		return;
	for (size_t i = 0; i < c->n_clients;) {
		struct client *cl = &c->clients[i];

		if (now < cl->deadline_ms) {
			i++;
			continue;
		}
		log_warn("control socket: dropped a client (uid %ld) that sent no complete "
			 "request for %ld ms (%zu bytes of a partial line, %zu unsent)",
			 cl->uid, c->idle_ms, cl->n_in, cl->n_out);
		if (!cl->n_out) /* best effort; never waits */
			(void)send(cl->fd, idle, sizeof(idle) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		client_free(cl);
		c->clients[i] = c->clients[--c->n_clients];
	}
}

void nwg_ctl_service(struct nwg_ctl *c, const struct pollfd *fds, size_t n)
{
	if (!c)
		return;
	for (size_t i = 0; i < n; i++) {
		struct client *cl;

		if (!fds[i].revents)
			continue;
		if (fds[i].fd == c->fd) {
			if (fds[i].revents & POLLIN)
				accept_one(c);
			continue;
		}
		cl = find_client(c, fds[i].fd);
		if (!cl)
			continue;
		if (fds[i].revents & (POLLIN | POLLHUP | POLLERR))
			read_client(c, cl);
		flush_out(cl);
	}
	reap_clients(c);
	nwg_ctl_expire(c);
}
