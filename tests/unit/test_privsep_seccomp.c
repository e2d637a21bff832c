/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The engine's seccomp allow-list (agent/privsep/seccomp.c) in real
 * processes: a child installs it exactly as the engine does (after
 * no_new_privs) and then
 *  - makes one call outside the list (ptrace, mount, socket(AF_PACKET),
 *    a generic netlink socket, execve, fork, setuid, kill of another
 *    process): the call does not run, the child ends by SIGSYS and its
 *    last line names the call's number;
 *  - does what the engine does (files written and renamed, TCP over
 *    loopback, a UNIX socket pair, poll, time, the user database, name
 *    resolution of "localhost", memory, a signal to itself): exit 0;
 *  - connects to the broker's way with TLS (rabbitmq-c over OpenSSL, the CA
 *    and the host name verified) to a local `openssl s_server`: exit 0
 *    (skipped without the openssl command).
 * Without the filter every forbidden call either succeeds or fails with an
 * errno, and the child exits: each "ends by SIGSYS" assertion fails.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <amqp.h>
#include <amqp_ssl_socket.h>
#include <cmocka.h>

#include "privsep/seccomp.h"

typedef int (*child_fn)(void);

/* Runs fn in a child under the filter; *status = its wait status; the
 * child's stderr (the trap's line) into out. */
static void run_filtered(child_fn fn, int *status, char *out, size_t len)
{
	int p[2];
	pid_t pid;
	ssize_t n;
	size_t got = 0;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct nwg_err err = {{0}};

		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || nwg_ps_seccomp_engine(&err) < 0)
			_exit(100);
		_exit(fn());
	}
	close(p[1]);
	while (got + 1 < len && (n = read(p[0], out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, status, 0), pid);
}

static void assert_trapped(child_fn fn, long nr)
{
	char out[512], want[64];
	int st;

	run_filtered(fn, &st, out, sizeof(out));
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGSYS)
		fail_msg("system call %ld: the child %s %d, not ended by SIGSYS", nr,
			 WIFEXITED(st) ? "exited with" : "ended by signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	snprintf(want, sizeof(want), "system call %ld is not in its seccomp allow-list", nr);
	if (!strstr(out, want))
		fail_msg("no line naming system call %ld: \"%s\"", nr, out);
}

static int do_ptrace(void)
{
	return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : 1;
}
static int do_mount(void)
{
	return mount("none", "/tmp", "tmpfs", 0, NULL) == 0 ? 0 : 1;
}
static int do_packet(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	return fd >= 0 ? 0 : 1;
}
static int do_genl(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);

	return fd >= 0 ? 0 : 1;
}
static int do_execve(void)
{
	char *const argv[] = {"true", NULL};

	execve("/bin/true", argv, NULL);
	return 1;
}
static int do_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid > 0 ? 0 : 1;
}
static int do_setuid(void)
{
	return setuid(0) == 0 ? 0 : 1;
}
static int do_kill_other(void)
{
	return kill(getppid(), 0) == 0 ? 0 : 1;
}

static void test_outside_the_list_ends_the_engine(void **state)
{
	(void)state;
	assert_trapped(do_ptrace, SYS_ptrace);
	assert_trapped(do_mount, SYS_mount);
	assert_trapped(do_packet, SYS_socket);
	assert_trapped(do_genl, SYS_socket);
	assert_trapped(do_execve, SYS_execve);
	assert_trapped(do_fork, SYS_clone);
	assert_trapped(do_setuid, SYS_setuid);
	assert_trapped(do_kill_other, SYS_kill);
}

static char tmpdir[] = "/tmp/nwg-seccomp-XXXXXX";

/* The metrics textfile's way: a temporary file written and renamed. */
static int files(void)
{
	char a[128], b[128];
	int fd;

	snprintf(a, sizeof(a), "%s/m.tmp", tmpdir);
	snprintf(b, sizeof(b), "%s/m.prom", tmpdir);
	fd = open(a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "x 1\n", 4) != 4 || fsync(fd) < 0 || close(fd) < 0)
		return 10;
	return rename(a, b) == 0 && unlink(b) == 0 ? 0 : 11;
}

/* The broker's way: TCP over loopback, non-blocking connect, poll. */
static int tcp(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof(sa);
	int one = 1, l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c, s;
	struct pollfd pfd;

	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(l, (struct sockaddr *)&sa, &sl) < 0)
		return 20;
	/* listen() is not the engine's: the parent's socket would be; here
	 * the child cannot, so it connects to a port nobody listens on */
	c = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP);
	if (c < 0 || setsockopt(c, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one)) < 0)
		return 21;
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP);
	if (c < 0 || (connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS &&
		      errno != ECONNREFUSED))
		return 22;
	pfd = (struct pollfd){.fd = c, .events = POLLOUT};
	if (poll(&pfd, 1, 1000) < 0)
		return 23;
	sl = sizeof(s);
	if (getsockopt(c, SOL_SOCKET, SO_ERROR, &s, &sl) < 0)
		return 24;
	close(c);
	close(l);
	return 0;
}

/* The executor's channel and the control socket's way. */
static int unix_pair(void)
{
	int sv[2];
	char b[4];
	struct msghdr mh = {0};
	struct iovec io = {.iov_base = b, .iov_len = sizeof(b)};

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return 30;
	if (send(sv[0], "ping", 4, 0) != 4)
		return 31;
	mh.msg_iov = &io;
	mh.msg_iovlen = 1;
	return recvmsg(sv[1], &mh, 0) == 4 && memcmp(b, "ping", 4) == 0 ? 0 : 32;
}

/* glibc's name resolution and user database (files, nscd, systemd). */
static int names(void)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG}, *res;
	struct passwd *pw = getpwuid(0);

	if (!pw || strcmp(pw->pw_name, "root") != 0)
		return 40;
	if (getaddrinfo("localhost", "5672", &hints, &res) != 0)
		return 41;
	freeaddrinfo(res);
	return 0;
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig)
{
	got_usr1 = sig;
}

static int the_rest(void)
{
	struct timespec ts;
	void *big = malloc(8 << 20); /* mmap */
	int r;

	if (!big || clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 50;
	memset(big, 1, 8 << 20);
	free(big);
	if (signal(SIGUSR1, on_usr1) == SIG_ERR || raise(SIGUSR1) != 0 || !got_usr1)
		return 51;
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) < 0)
		return 52;
	r = files();
	if (r == 0)
		r = tcp();
	if (r == 0)
		r = unix_pair();
	if (r == 0)
		r = names();
	return r;
}

static void test_what_the_engine_does_runs(void **state)
{
	char out[512];
	int st;

	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	run_filtered(the_rest, &st, out, sizeof(out));
	rmdir(tmpdir);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("the child: %s %d; \"%s\"", WIFEXITED(st) ? "exit" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), out);
}

static char tls_dir[] = "/tmp/nwg-seccomp-tls-XXXXXX";
static int tls_port;

/* [oslo_messaging_rabbit] ssl = true with ssl_ca_file: what conn.c does. */
static int tls(void)
{
	amqp_connection_state_t c = amqp_new_connection();
	amqp_socket_t *s = c ? amqp_ssl_socket_new(c) : NULL;
	char ca[96];
	int r;

	if (!s)
		return 60;
	snprintf(ca, sizeof(ca), "%s/c.pem", tls_dir);
	amqp_ssl_socket_set_verify_peer(s, 1);
	amqp_ssl_socket_set_verify_hostname(s, 1);
	if (amqp_ssl_socket_set_cacert(s, ca) != AMQP_STATUS_OK)
		return 61;
	r = amqp_socket_open(s, "localhost", tls_port);
	amqp_destroy_connection(c);
	return r == AMQP_STATUS_OK ? 0 : 62;
}

static bool tls_listening(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)tls_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

	for (int i = 0; i < 100; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;

		if (fd >= 0)
			close(fd);
		if (ok)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

static void test_tls_to_the_broker_runs(void **state)
{
	char cmd[512], out[512], acc[32], cert[96], key[96];
	pid_t srv;
	int st;

	(void)state;
	if (system("command -v openssl >/dev/null 2>&1") != 0)
		skip();
	assert_non_null(mkdtemp(tls_dir));
	snprintf(cert, sizeof(cert), "%s/c.pem", tls_dir);
	snprintf(key, sizeof(key), "%s/k.pem", tls_dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -days 1 "
		 "-subj /CN=localhost >/dev/null 2>&1",
		 key, cert);
	assert_int_equal(system(cmd), 0);
	tls_port = 20000 + (int)(getpid() % 20000);
	snprintf(acc, sizeof(acc), "127.0.0.1:%d", tls_port);
	srv = fork();
	assert_true(srv >= 0);
	if (srv == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execlp("openssl", "openssl", "s_server", "-accept", acc, "-cert", cert, "-key", key,
		       "-quiet", (char *)NULL);
		_exit(127);
	}
	assert_true(tls_listening());
	run_filtered(tls, &st, out, sizeof(out));
	kill(srv, SIGTERM);
	waitpid(srv, NULL, 0);
	unlink(cert);
	unlink(key);
	rmdir(tls_dir);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("the TLS child: %s %d; \"%s\"", WIFEXITED(st) ? "exit" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_outside_the_list_ends_the_engine),
	    cmocka_unit_test(test_what_the_engine_does_runs),
	    cmocka_unit_test(test_tls_to_the_broker_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
