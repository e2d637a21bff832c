/* SPDX-License-Identifier: Apache-2.0 */
/* Control socket: protocol (line in, line out) and the socket itself. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl/ctl.h"

static int calls;

static json_t *fake(void *ctx, const char *method, const json_t *args, struct nwg_err *err)
{
	(void)ctx;
	calls++;
	if (strcmp(method, "status") == 0)
		return json_pack("{s:s, s:O*}", "host", "n1", "echo", args);
	nwg_err_set(err, EINVAL, "unknown method");
	return NULL;
}

static void expect_reply(const char *req, const char *want)
{
	char *rep = nwg_ctl_reply(req, strlen(req), fake, NULL);

	assert_non_null(rep);
	if (strcmp(rep, want) != 0)
		fail_msg("request %s: got %s, want %s", req, rep, want);
	free(rep);
}

static void test_protocol(void **state)
{
	(void)state;
	expect_reply("{\"method\": \"status\", \"args\": {}}",
		     "{\"ok\":true,\"result\":{\"host\":\"n1\",\"echo\":{}}}");
	expect_reply("{\"method\": \"status\"}", "{\"ok\":true,\"result\":{\"host\":\"n1\"}}");
	expect_reply("{\"method\": \"owns\", \"args\": {\"port_id\": \"x\"}}",
		     "{\"ok\":false,\"error\":\"unknown method\"}");
	expect_reply("{\"method\": ", "{\"ok\":false,\"error\":\"invalid JSON\"}");
	expect_reply("\xff\xfe", "{\"ok\":false,\"error\":\"invalid JSON\"}");
	expect_reply("[1,2]", "{\"ok\":false,\"error\":\"request must be {\\\"method\\\": string, "
			      "\\\"args\\\": object}\"}");
	expect_reply("{\"method\": 5}", "{\"ok\":false,\"error\":\"request must be "
					"{\\\"method\\\": string, \\\"args\\\": object}\"}");
	expect_reply("{\"method\": \"status\", \"args\": [1]}",
		     "{\"ok\":false,\"error\":\"request must be {\\\"method\\\": string, "
		     "\\\"args\\\": object}\"}");
}

struct server {
	struct nwg_ctl *ctl;
	char dir[64], path[96];
};

static void pump(struct server *s, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		struct pollfd fds[NWG_CTL_MAX_CLIENTS + 1];
		size_t n = nwg_ctl_pollfds(s->ctl, fds, NWG_CTL_MAX_CLIENTS + 1);

		if (poll(fds, n, 20) > 0)
			nwg_ctl_service(s->ctl, fds, n);
	}
}

static int client(const struct server *s)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void read_line(struct server *s, int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n < len - 1) {
		ssize_t r = recv(fd, buf + n, 1, MSG_DONTWAIT);

		if (r == 1 && buf[n] == '\n')
			break;
		if (r == 1) {
			n++;
			continue;
		}
		if (r == 0)
			break;
		pump(s, 1);
	}
	buf[n] = '\0';
}

static void test_socket(void **state)
{
	struct server s;
	struct nwg_err err = {{0}};
	struct stat st;
	char line[512], *big;
	int fd, fd2;

	(void)state;
	snprintf(s.dir, sizeof(s.dir), "/tmp/nwg-ctl-test.%d", (int)getpid());
	snprintf(s.path, sizeof(s.path), "%s/sub/agent.sock", s.dir);
	mkdir(s.dir, 0755);
	assert_int_equal(nwg_ctl_open(&s.ctl, s.path, fake, NULL, &err), 0);
	assert_int_equal(stat(s.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(line, sizeof(line), "%s/sub", s.dir);
	assert_int_equal(stat(line, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* a second agent on the same socket is refused */
	assert_int_equal(nwg_ctl_open(&(struct nwg_ctl *){NULL}, s.path, fake, NULL, &err),
			 -EADDRINUSE);
	/* two requests in one write, answered in order */
	fd = client(&s);
	assert_true(write(fd, "{\"method\":\"status\"}\n{\"method\":\"x\"}\n", 35) == 35);
	read_line(&s, fd, line, sizeof(line));
	assert_string_equal(line, "{\"ok\":true,\"result\":{\"host\":\"n1\"}}");
	read_line(&s, fd, line, sizeof(line));
	assert_string_equal(line, "{\"ok\":false,\"error\":\"unknown method\"}");
	/* garbage, then the same client still works */
	assert_true(write(fd, "not json\n", 9) == 9);
	read_line(&s, fd, line, sizeof(line));
	assert_string_equal(line, "{\"ok\":false,\"error\":\"invalid JSON\"}");
	/* a request split across writes, the last without a newline then EOF */
	fd2 = client(&s);
	assert_true(write(fd2, "{\"meth", 6) == 6);
	pump(&s, 2);
	assert_true(write(fd2, "od\":\"status\"}", 13) == 13);
	shutdown(fd2, SHUT_WR);
	read_line(&s, fd2, line, sizeof(line));
	assert_string_equal(line, "{\"ok\":true,\"result\":{\"host\":\"n1\"}}");
	close(fd2);
	/* a line longer than the bound: error reply, then the connection closes */
	big = malloc(NWG_CTL_MAX_LINE + 10);
	memset(big, 'a', NWG_CTL_MAX_LINE + 10);
	fd2 = client(&s);
	for (size_t off = 0; off < NWG_CTL_MAX_LINE + 10;) {
		ssize_t w = send(fd2, big + off, NWG_CTL_MAX_LINE + 10 - off, MSG_DONTWAIT);

		if (w > 0)
			off += (size_t)w;
		pump(&s, 1);
	}
	free(big);
	read_line(&s, fd2, line, sizeof(line));
	assert_string_equal(line, "{\"ok\":false,\"error\":\"request line too long\"}");
	close(fd2);
	/* the first client is unaffected */
	assert_true(write(fd, "{\"method\":\"status\"}\n", 20) == 20);
	read_line(&s, fd, line, sizeof(line));
	assert_string_equal(line, "{\"ok\":true,\"result\":{\"host\":\"n1\"}}");
	close(fd);
	pump(&s, 2);
	nwg_ctl_close(s.ctl);
	assert_int_equal(stat(s.path, &st), -1); /* unlinked on close */
	snprintf(line, sizeof(line), "%s/sub", s.dir);
	rmdir(line);
	rmdir(s.dir);
}

/* A child that drops to uid 65534 with primary group gid, connects, and
 * checks what it may call. Exit: 0 as expected, 2 connect refused, 1 wrong. */
static pid_t group_client(const char *path, gid_t gid)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		char buf[256] = "";
		size_t n = 0;
		int fd;

		if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(65534) < 0)
			_exit(1);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			_exit(errno == EACCES ? 2 : 1);
		if (write(fd, "{\"method\":\"status\"}\n{\"method\":\"x\"}\n", 35) != 35)
			_exit(1);
		while (n < sizeof(buf) - 1 && read(fd, buf + n, 1) == 1)
			if (buf[n++] == '\n' && strchr(buf, '\n') != buf + n - 1)
				break;
		_exit(strcmp(buf,
			     "{\"ok\":true,\"result\":{\"host\":\"n1\"}}\n"
			     "{\"ok\":false,\"error\":\"permission denied: x is for root only\"}\n")
			  ? 1
			  : 0);
	}
	return pid;
}

static int served_exit(struct server *s, pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, WNOHANG) == 0)
		pump(s, 1);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_group(void **state)
{
	struct server s;
	struct nwg_err err = {{0}};
	struct stat st;
	char sub[96];

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(s.dir, sizeof(s.dir), "/tmp/nwg-ctl-grp.%d", (int)getpid());
	snprintf(s.path, sizeof(s.path), "%s/sub/agent.sock", s.dir);
	snprintf(sub, sizeof(sub), "%s/sub", s.dir);
	mkdir(s.dir, 0755);
	/* root only (no group): another user cannot even connect */
	assert_int_equal(nwg_ctl_open(&s.ctl, s.path, fake, NULL, &err), 0);
	assert_int_equal(served_exit(&s, group_client(s.path, 65534)), 2);
	nwg_ctl_close(s.ctl);
	/* control_socket_group = 65534: 0750/0660 root:65534 */
	assert_int_equal(nwg_ctl_open_group(&s.ctl, s.path, 65534, fake, NULL, &err), 0);
	assert_int_equal(stat(s.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(st.st_gid, 65534);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);
	assert_int_equal(st.st_gid, 65534);
	/* a member gets status, not the rest; a non-member cannot connect */
	assert_int_equal(served_exit(&s, group_client(s.path, 65534)), 0);
	assert_int_equal(served_exit(&s, group_client(s.path, 12345)), 2);
	assert_true(nwg_ctl_group_may("attach") && nwg_ctl_group_may("detach"));
	assert_false(nwg_ctl_group_may("reload"));
	nwg_ctl_close(s.ctl);
	rmdir(sub);
	rmdir(s.dir);
}

/* A child as uid 65534 with primary group gid and supplementary group supp
 * (-1: none) that sends req and expects want. Exit 0 as expected, 1 not. */
static pid_t method_client(const char *path, gid_t gid, long supp, const char *req,
			   const char *want)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		gid_t sg = (gid_t)supp;
		char buf[256] = "";
		size_t n = 0;
		int fd;

		if (setgroups(supp < 0 ? 0 : 1, &sg) < 0 || setgid(gid) < 0 || setuid(65534) < 0)
			_exit(1);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			_exit(1);
		if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
			_exit(1);
		while (n < sizeof(buf) - 1 && read(fd, buf + n, 1) == 1 && buf[n++] != '\n')
			;
		_exit(strcmp(buf, want) ? 1 : 0);
	}
	return pid;
}

/* control_status_groups = 65533, control_l3_groups = 65534, both inside
 * control_socket_group 65534: status only with 65533 (a supplementary
 * group counts), attach only with 65534; root keeps every method. */
static void test_method_groups(void **state)
{
	static const char denied_status[] =
	    "{\"ok\":false,\"error\":\"permission denied: status is for other groups\"}\n";
	static const char denied_attach[] =
	    "{\"ok\":false,\"error\":\"permission denied: attach is for other groups\"}\n";
	static const char status_ok[] = "{\"ok\":true,\"result\":{\"host\":\"n1\"}}\n";
	static const char attach_ran[] = "{\"ok\":false,\"error\":\"unknown method\"}\n";
	struct nwg_ctl_groups g = {0};
	struct server s;
	struct nwg_err err = {{0}};
	char line[256];
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(s.dir, sizeof(s.dir), "/tmp/nwg-ctl-mg.%d", (int)getpid());
	snprintf(s.path, sizeof(s.path), "%s/sub/agent.sock", s.dir);
	mkdir(s.dir, 0755);
	assert_int_equal(nwg_ctl_open_group(&s.ctl, s.path, 65534, fake, NULL, &err), 0);
	g.gids[NWG_CTL_CLASS_STATUS][0] = 65533;
	g.n[NWG_CTL_CLASS_STATUS] = 1;
	g.gids[NWG_CTL_CLASS_L3][0] = 65534;
	g.n[NWG_CTL_CLASS_L3] = 1;
	nwg_ctl_set_groups(s.ctl, &g);
	/* the L3 agent's group: attach reaches the handler, status does not */
	assert_int_equal(served_exit(&s, method_client(s.path, 65534, -1,
						       "{\"method\":\"status\"}\n", denied_status)),
			 0);
	assert_int_equal(
	    served_exit(&s, method_client(s.path, 65534, -1,
					  "{\"method\":\"attach\",\"args\":{}}\n", attach_ran)),
	    0);
	/* an operator: primary group 65534 is the socket's, 65533 supplementary */
	assert_int_equal(served_exit(&s, method_client(s.path, 65534, 65533,
						       "{\"method\":\"status\"}\n", status_ok)),
			 0);
	/* the status group without the L3 group gets no attach */
	g.gids[NWG_CTL_CLASS_L3][0] = 12345;
	nwg_ctl_set_groups(s.ctl, &g);
	assert_int_equal(
	    served_exit(&s, method_client(s.path, 65534, 65533,
					  "{\"method\":\"attach\",\"args\":{}}\n", denied_attach)),
	    0);
	/* root: every method whatever the groups */
	fd = client(&s);
	assert_true(write(fd, "{\"method\":\"status\"}\n", 20) == 20);
	read_line(&s, fd, line, sizeof(line));
	assert_string_equal(line, "{\"ok\":true,\"result\":{\"host\":\"n1\"}}");
	close(fd);
	pump(&s, 2);
	assert_int_equal(nwg_ctl_method_class("status"), NWG_CTL_CLASS_STATUS);
	assert_int_equal(nwg_ctl_method_class("detach"), NWG_CTL_CLASS_L3);
	assert_int_equal(nwg_ctl_method_class("reload"), -1);
	/* methods of no class are left to control_socket_group */
	assert_true(nwg_ctl_groups_allow(&g, "ha_activate", (gid_t[]){65534}, 1));
	assert_false(nwg_ctl_groups_allow(&g, "status", (gid_t[]){65534}, 1));
	nwg_ctl_close(s.ctl);
	snprintf(line, sizeof(line), "%s/sub", s.dir);
	rmdir(line);
	rmdir(s.dir);
}

/* Everything a client sent back to us until EOF (the client was dropped)
 * or limit_ms: true when EOF came. */
static bool drained_to_eof(struct server *s, int fd, char *buf, size_t len, int limit_ms)
{
	size_t n = 0;

	for (int t = 0; t < limit_ms; t += 20) {
		ssize_t r;

		pump(s, 1);
		while ((r = recv(fd, buf + n, len - 1 - n, MSG_DONTWAIT)) > 0)
			n += (size_t)r;
		buf[n] = '\0';
		if (r == 0)
			return true;
	}
	return false;
}

/* Idle clients are dropped: a silent one and one trickling a partial line;
 * one that keeps sending requests (every ~100 ms, 10x under the timeout, so
 * a loaded machine does not make it idle) stays. */
static void test_idle(void **state)
{
	struct server s;
	struct nwg_err err = {{0}};
	char line[512];
	int silent, trickle, busy;
	bool trickle_dropped = false;

	(void)state;
	snprintf(s.dir, sizeof(s.dir), "/tmp/nwg-ctl-idle.%d", (int)getpid());
	snprintf(s.path, sizeof(s.path), "%s/agent.sock", s.dir);
	mkdir(s.dir, 0700);
	assert_int_equal(nwg_ctl_open(&s.ctl, s.path, fake, NULL, &err), 0);
	nwg_ctl_set_idle_timeout(s.ctl, 1000);
	silent = client(&s);
	trickle = client(&s);
	busy = client(&s);
	/* 2.5 s at least: over two idle periods; trickle and busy send every ~100 ms */
	for (int i = 0; i < 25; i++) {
		char c = "{\"method\":"[i % 10];

		if (!trickle_dropped && send(trickle, &c, 1, MSG_NOSIGNAL) != 1)
			trickle_dropped = true;
		assert_true(write(busy, "{\"method\":\"status\"}\n", 20) == 20);
		read_line(&s, busy, line, sizeof(line));
		assert_string_equal(line, "{\"ok\":true,\"result\":{\"host\":\"n1\"}}");
		for (int k = 0; k < 5; k++)
			pump(&s, 1);
	}
	/* the silent client was told why, then closed */
	assert_true(drained_to_eof(&s, silent, line, sizeof(line), 2000));
	assert_string_equal(line, "{\"ok\":false,\"error\":\"idle timeout\"}\n");
	/* sending bytes without ever finishing a line does not keep a client */
	assert_true(trickle_dropped || drained_to_eof(&s, trickle, line, sizeof(line), 2000));
	/* the busy one is still served */
	assert_true(write(busy, "{\"method\":\"status\"}\n", 20) == 20);
	read_line(&s, busy, line, sizeof(line));
	assert_string_equal(line, "{\"ok\":true,\"result\":{\"host\":\"n1\"}}");
	close(silent);
	close(trickle);
	close(busy);
	pump(&s, 2);
	nwg_ctl_close(s.ctl);
	rmdir(s.dir);
}

#define RID  "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
#define RID2 "00000000-1111-4222-8333-444444444444"

/* attach goes only into qrouter-<router_id> of the hub's own router. */
static void test_router_ns(void **state)
{
	static const char *const bad[] = {
	    NULL,
	    "",
	    "qrouter-",
	    "qrouter-x",
	    "tun-" RID,
	    "Qrouter-" RID,
	    "qrouter-5D4C3B2A-1F0E-4D9C-8B7A-6F5E4D3C2B1A",
	    "qrouter-" RID "x",
	    "qrouter-" RID "/../x",
	    "qrouter-5d4c3b2a1f0e-4d9c-8b7a-6f5e4d3c2b1a-",
	    "qrouter-../../run/netns/tun-p1",
	    "snat-" RID,
	    "qrouter-5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1g",
	};
	struct nwg_err err = {{0}};

	(void)state;
	assert_int_equal(nwg_ctl_router_ns_check("qrouter-" RID, NULL, NULL, &err), 0);
	assert_int_equal(nwg_ctl_router_ns_check("qrouter-" RID, RID, "", &err), 0);
	assert_int_equal(nwg_ctl_router_ns_check("qrouter-" RID, RID, RID, &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (nwg_ctl_router_ns_check(bad[i], NULL, NULL, &err) != -EINVAL)
			fail_msg("namespace %s accepted", bad[i] ? bad[i] : "(null)");
		assert_non_null(strstr(err.msg, "qrouter-<router_id>"));
	}
	/* the request names another router than its namespace */
	assert_int_equal(nwg_ctl_router_ns_check("qrouter-" RID, RID2, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not router " RID2));
	/* Neutron says the hub belongs to another router */
	assert_int_equal(nwg_ctl_router_ns_check("qrouter-" RID, NULL, RID2, &err), -EPERM);
	assert_non_null(strstr(err.msg, "interface of router " RID2));
	assert_int_equal(nwg_ctl_router_ns_check("qrouter-" RID, RID, RID2, &err), -EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_protocol), cmocka_unit_test(test_socket),
	    cmocka_unit_test(test_group),    cmocka_unit_test(test_method_groups),
	    cmocka_unit_test(test_idle),     cmocka_unit_test(test_router_ns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
