/* SPDX-License-Identifier: Apache-2.0 */
#include "attach/ovs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 48
#define ERR_MAX	 512

/* Reads fd to EOF, keeping at most len - 1 bytes (the rest is drained). */
static void drain(int fd, char *out, size_t len)
{
	char scratch[512];
	size_t n = 0;

	for (;;) {
		char *dst = out && n + 1 < len ? out + n : scratch;
		size_t room = out && n + 1 < len ? len - 1 - n : sizeof(scratch);
		ssize_t r = read(fd, dst, room);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (dst != scratch)
			n += (size_t)r;
	}
	if (out && len)
		out[n] = '\0';
}

static void child(const struct nwg_ovs *o, char **argv, int out_fd, int err_fd)
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		_exit(127);
	execv(o->vsctl, argv);
	_exit(127);
}

static int wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int nwg_ovs_vsctl(const struct nwg_ovs *o, const char *const *args, char *out, size_t len,
		  struct nwg_err *err)
{
	char db[300], errbuf[ERR_MAX], *argv[MAX_ARGS + 4];
	int po[2], pe[2], st = 0, r;
	size_t n = 0;
	pid_t pid;

	if (!o || !o->vsctl || !o->db || !args)
		return nwg_err_set(err, EINVAL, "ovs-vsctl: missing arguments");
	snprintf(db, sizeof(db), "--db=%s", o->db);
	argv[n++] = (char *)o->vsctl;
	argv[n++] = db;
	argv[n++] = (char *)"--timeout=10";
	for (size_t i = 0; args[i]; i++) {
		if (n >= MAX_ARGS)
			return nwg_err_set(err, E2BIG, "ovs-vsctl: too many arguments");
		argv[n++] = (char *)args[i];
	}
	argv[n] = NULL;
	if (pipe2(po, O_CLOEXEC) < 0)
		return nwg_err_set(err, errno, "ovs-vsctl: pipe: %s", strerror(errno));
	if (pipe2(pe, O_CLOEXEC) < 0) {
		r = errno;
		close(po[0]);
		close(po[1]);
		return nwg_err_set(err, r, "ovs-vsctl: pipe: %s", strerror(r));
	}
	pid = fork();
	if (pid == 0)
		child(o, argv, po[1], pe[1]);
	r = pid < 0 ? errno : 0;
	close(po[1]);
	close(pe[1]);
	if (pid > 0) {
		drain(po[0], out, len);
		drain(pe[0], errbuf, sizeof(errbuf));
	}
	close(po[0]);
	close(pe[0]);
	if (pid < 0)
		return nwg_err_set(err, r, "ovs-vsctl: fork: %s", strerror(r));
	if ((r = wait_child(pid, &st)) < 0)
		return nwg_err_set(err, -r, "ovs-vsctl: wait: %s", strerror(-r));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	errbuf[strcspn(errbuf, "\n")] = '\0';
	return nwg_err_set(err, EIO, "%s %s: %s", o->vsctl, args[0],
			   errbuf[0]	   ? errbuf
			   : WIFEXITED(st) ? "failed"
					   : "killed by a signal");
}
