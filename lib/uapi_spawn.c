/* SPDX-License-Identifier: Apache-2.0 */
/* Spawning wireguard-go detached (setsid) but as our own child. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uapi_spawn.h"

extern char **environ;

/* Variables wireguard-go interprets that we set (or must never inherit). */
static const char *const drop_env[] = {
    "WG_PROCESS_FOREGROUND=", "LOG_LEVEL=", "WG_TUN_FD=", "WG_UAPI_FD=", "WG_TUN_NAME_FILE=", NULL};

static int env_dropped(const char *e)
{
	for (size_t i = 0; drop_env[i]; i++)
		if (strncmp(e, drop_env[i], strlen(drop_env[i])) == 0)
			return 1;
	return 0;
}

/* NULL-terminated array of borrowed strings; free only the array. */
static char **build_env(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!env_dropped(environ[i]))
			env[k++] = environ[i];
	env[k++] = (char *)"WG_PROCESS_FOREGROUND=1";
	env[k++] = (char *)"LOG_LEVEL=error";
	env[k] = NULL;
	return env;
}

/* Resolves binary to an executable path (PATH search without '/'). */
static int resolve(const char *binary, char *out, size_t len)
{
	const char *path = getenv("PATH");
	const char *p;

	if (strchr(binary, '/')) {
		if ((size_t)snprintf(out, len, "%s", binary) >= len)
			return -ENAMETOOLONG;
		return access(out, X_OK) == 0 ? 0 : -errno;
	}
	for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p;) {
		size_t dl = strcspn(p, ":");
		int n = snprintf(out, len, "%.*s/%s", (int)dl, dl ? p : ".", binary);

		if (n > 0 && (size_t)n < len && access(out, X_OK) == 0)
			return 0;
		p += dl;
		if (*p == ':')
			p++;
	}
	return -ENOENT;
}

static void child_exec(const char *path, char *const argv[], char *const envp[])
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t none;
	int fd;

	sigemptyset(&none);
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL); /* fails harmlessly for KILL/STOP/RT */
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setsid() < 0)
		_exit(126);
	fd = open("/dev/null", O_RDWR);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(126);
	close_range(3, ~0U, 0);
	execve(path, argv, envp);
	_exit(127);
}

int nwg_uapi_spawn(const char *binary, const char *ifname, pid_t *child, struct nwg_err *err)
{
	char path[PATH_MAX];
	char *argv[] = {(char *)binary, (char *)"-f", (char *)ifname, NULL};
	char **envp;
	pid_t pid;
	int r;

	if (!binary || !*binary || !ifname || !child)
		return nwg_err_set(err, EINVAL, "spawn: bad arguments");
	r = resolve(binary, path, sizeof(path));
	if (r < 0)
		return nwg_err_set(err, -r, "%s: not found or not executable", binary);
	envp = build_env();
	if (!envp)
		return nwg_err_set(err, ENOMEM, "out of memory");
	pid = fork();
	if (pid == 0)
		child_exec(path, argv, envp);
	r = pid < 0 ? -errno : 0;
	free(envp);
	if (r < 0)
		return nwg_err_set(err, -r, "fork: %s", strerrordesc_np(-r));
	*child = pid;
	return 0;
}

int nwg_child_wait(pid_t pid, int timeout_ms, int *status)
{
	struct timespec ts = {0, 2000000L};
	int st, waited = 0;

	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid) {
			if (status)
				*status = st;
			return 1;
		}
		if (w < 0 && errno != EINTR)
			return -errno;
		if (waited >= timeout_ms)
			return 0;
		nanosleep(&ts, NULL);
		waited += 2;
	}
}

void nwg_child_stop(pid_t pid, int grace_ms)
{
	if (pid <= 0)
		return;
	if (kill(pid, SIGTERM) == 0 && nwg_child_wait(pid, grace_ms, NULL) != 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
