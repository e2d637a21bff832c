/* SPDX-License-Identifier: Apache-2.0 */
/*
 * UAPI transport and process handling without root or wireguard-go: a fake
 * UAPI server on a thread, and fake "wireguard-go" scripts in a temp dir.
 */
#include <errno.h>
#include <pthread.h>
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "wg_backend.h"

struct fake {
	char dir[64], path[128];
	int lfd;
	const char *reply; /* NULL = accept and never answer */
	char req[4096];
	size_t req_len;
	pthread_t th;
};

static void *serve_one(void *arg)
{
	struct fake *f = arg;
	int c = accept(f->lfd, NULL, NULL);
	ssize_t n;

	if (c < 0)
		return NULL;
	while (f->req_len < sizeof(f->req) - 1) {
		n = read(c, f->req + f->req_len, sizeof(f->req) - 1 - f->req_len);
		if (n <= 0)
			break;
		f->req_len += (size_t)n;
		if (f->req_len >= 2 && !memcmp(f->req + f->req_len - 2, "\n\n", 2))
			break;
	}
	f->req[f->req_len] = '\0';
	if (f->reply && write(c, f->reply, strlen(f->reply)) < 0)
		f->req_len = 0;
	if (!f->reply)
		sleep(3); /* outlives the client's 2 s timeout */
	close(c);
	return NULL;
}

static void fake_listen(struct fake *f, const char *ifname)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	snprintf(f->path, sizeof(f->path), "%s/%s.sock", f->dir, ifname);
	assert_true(strlen(f->path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, f->path, strlen(f->path) + 1);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
}

static void fake_start(struct fake *f, const char *ifname, const char *reply)
{
	fake_listen(f, ifname);
	f->reply = reply;
	f->req_len = 0;
	assert_int_equal(pthread_create(&f->th, NULL, serve_one, f), 0);
}

static void fake_stop(struct fake *f)
{
	pthread_join(f->th, NULL);
	close(f->lfd);
	unlink(f->path);
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/nwg-uapi-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void get_and_set_over_socket(void **state)
{
	struct fake *f = *state;
	struct nwg_uapi u = {"unused", f->dir, 1000};
	struct nwg_device *dev = NULL;
	struct nwg_err err = {{0}};

	fake_start(f, "nwgt0", "listen_port=51820\nerrno=0\n\n");
	assert_int_equal(nwg_uapi_get(&u, "nwgt0", &dev, &err), 0);
	fake_stop(f);
	assert_string_equal(f->req, "get=1\n\n");
	assert_string_equal(dev->name, "nwgt0");
	assert_int_equal(dev->listen_port, 51820);

	dev->flags = NWG_DEV_HAS_LISTEN_PORT;
	fake_start(f, "nwgt0", "errno=-98\n\n");
	assert_int_equal(nwg_uapi_set(&u, "nwgt0", dev, &err), -EADDRINUSE);
	fake_stop(f);
	assert_string_equal(f->req, "set=1\nlisten_port=51820\n\n");
	assert_non_null(strstr(err.msg, "-98"));

	fake_start(f, "nwgt0", "errno=0\n\n");
	assert_int_equal(nwg_uapi_set(&u, "nwgt0", dev, &err), 0);
	fake_stop(f);
	fake_start(f, "nwgt0", "garbage\n\n");
	assert_int_equal(nwg_uapi_set(&u, "nwgt0", dev, &err), -EBADMSG);
	fake_stop(f);
	nwg_device_free(dev);
}

static void hung_server_times_out(void **state)
{
	struct fake *f = *state;
	struct nwg_uapi u = {"unused", f->dir, 1000};
	struct nwg_device *dev = NULL;
	struct timespec a, b;

	fake_start(f, "nwgt1", NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(nwg_uapi_get(&u, "nwgt1", &dev, NULL), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_null(dev);
	assert_true(b.tv_sec - a.tv_sec <= 3);
	fake_stop(f);
}

static void missing_and_stale_sockets(void **state)
{
	struct fake *f = *state;
	struct nwg_uapi u = {"unused", f->dir, 1000};
	struct nwg_device *dev = NULL;
	struct stat st;

	assert_int_equal(nwg_uapi_exists(&u, "nwgt2"), 0);
	assert_int_equal(nwg_uapi_get(&u, "nwgt2", &dev, NULL), -ENODEV);
	fake_listen(f, "nwgt2");
	close(f->lfd); /* the file stays: a stale socket, like a SIGKILLed wireguard-go */
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(nwg_uapi_exists(&u, "nwgt2"), 0);
	assert_int_equal(stat(f->path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void bad_arguments(void **state)
{
	struct fake *f = *state;
	struct nwg_uapi u = {"unused", f->dir, 1000};
	struct nwg_device *dev = NULL;
	pid_t pid = 0;

	assert_int_equal(nwg_uapi_get(&u, "", &dev, NULL), -EINVAL);
	assert_int_equal(nwg_uapi_get(&u, "sixteen-chars-xx", &dev, NULL), -EINVAL);
	assert_int_equal(nwg_uapi_get(&u, "a/b", &dev, NULL), -EINVAL);
	assert_int_equal(nwg_uapi_get(NULL, "wg0", &dev, NULL), -EINVAL);
	assert_int_equal(nwg_uapi_get(&u, "wg0", NULL, NULL), -EINVAL);
	assert_int_equal(nwg_uapi_set(&u, "wg0", NULL, NULL), -EINVAL);
	assert_int_equal(nwg_uapi_create(&u, NULL, &pid, NULL), -EINVAL);
	assert_int_equal(nwg_uapi_create(&u, "wg0", NULL, NULL), -EINVAL);
	assert_int_equal(nwg_uapi_exists(&u, NULL), 0);
}

static void write_script(const struct fake *f, const char *name, const char *body)
{
	char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "%s", body);
	fclose(fp);
	assert_int_equal(chmod(path, 0755), 0);
}

static void no_children_left(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void child_that_dies_is_reported(void **state)
{
	struct fake *f = *state;
	char bin[160];
	struct nwg_uapi u = {bin, f->dir, 3000};
	struct nwg_err err = {{0}};
	pid_t pid = 0;

	write_script(f, "die", "#!/bin/sh\nexit 3\n");
	snprintf(bin, sizeof(bin), "%s/die", f->dir);
	assert_int_equal(nwg_uapi_create(&u, "nwgt3", &pid, &err), -EIO);
	assert_non_null(strstr(err.msg, "exited"));
	assert_int_equal(pid, 0);
	no_children_left();
	snprintf(bin, sizeof(bin), "%s/nonexistent", f->dir);
	assert_int_equal(nwg_uapi_create(&u, "nwgt3", &pid, &err), -ENOENT);
}

static void slurp(const struct fake *f, const char *name, char *buf, size_t len)
{
	char path[160];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static void silent_child_times_out_detached(void **state)
{
	struct fake *f = *state;
	char bin[160], script[512], buf[8192], sid[32], cpid[32];
	struct nwg_uapi u = {bin, f->dir, 300};
	pid_t pid = 0;

	snprintf(script, sizeof(script),
		 "#!/bin/sh\ncd '%s'\necho \"$@\" > args\nenv > env\n"
		 "cut -d' ' -f6 /proc/$$/stat > sid\necho $$ > pid\nexec sleep 30\n",
		 f->dir);
	write_script(f, "silent", script);
	snprintf(bin, sizeof(bin), "%s/silent", f->dir);
	setenv("WG_PROCESS_FOREGROUND", "0", 1); /* pitfall #15: must not be inherited */
	setenv("WG_UAPI_FD", "9", 1);
	assert_int_equal(nwg_uapi_create(&u, "nwgt4", &pid, NULL), -ETIMEDOUT);
	unsetenv("WG_PROCESS_FOREGROUND");
	unsetenv("WG_UAPI_FD");
	no_children_left();
	slurp(f, "args", buf, sizeof(buf));
	assert_string_equal(buf, "-f nwgt4\n");
	slurp(f, "env", buf, sizeof(buf));
	assert_non_null(strstr(buf, "WG_PROCESS_FOREGROUND=1\n"));
	assert_null(strstr(buf, "WG_PROCESS_FOREGROUND=0"));
	assert_null(strstr(buf, "WG_UAPI_FD"));
	assert_non_null(strstr(buf, "LOG_LEVEL=error\n"));
	slurp(f, "sid", sid, sizeof(sid));
	slurp(f, "pid", cpid, sizeof(cpid));
	assert_string_equal(sid, cpid); /* setsid(): leader of its own session */
}

static const char fake_wg_py[] = "#!/usr/bin/python3\n"
				 "import os, socket, sys\n"
				 "d = os.path.dirname(os.path.abspath(sys.argv[0]))\n"
				 "s = socket.socket(socket.AF_UNIX)\n"
				 "s.bind(os.path.join(d, sys.argv[2] + '.sock'))\n"
				 "s.listen(8)\n"
				 "while True:\n"
				 "    c, _ = s.accept()\n"
				 "    buf = b''\n"
				 "    while not buf.endswith(b'\\n\\n'):\n"
				 "        b = c.recv(4096)\n"
				 "        if not b: break\n"
				 "        buf += b\n"
				 "    c.sendall(b'listen_port=4242\\nerrno=0\\n\\n')\n"
				 "    c.close()\n";

static void fake_wireguard_go_starts(void **state)
{
	struct fake *f = *state;
	char bin[160];
	struct nwg_uapi u = {bin, f->dir, 5000};
	struct nwg_device *dev = NULL;
	struct nwg_err err = {{0}};
	pid_t pid = 0;
	int status;

	if (access("/usr/bin/python3", X_OK) != 0)
		skip();
	write_script(f, "fakewg", fake_wg_py);
	snprintf(bin, sizeof(bin), "%s/fakewg", f->dir);
	assert_int_equal(nwg_uapi_create(&u, "nwgt5", &pid, &err), 0);
	assert_true(pid > 0);
	assert_int_equal(nwg_uapi_exists(&u, "nwgt5"), 1);
	assert_int_equal(nwg_uapi_get(&u, "nwgt5", &dev, NULL), 0);
	assert_int_equal(dev->listen_port, 4242);
	nwg_device_free(dev);
	/* the same name again: the socket answers, so it exists already */
	assert_int_equal(nwg_uapi_create(&u, "nwgt5", &pid, &err), -EEXIST);
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	no_children_left();
	/* python left its socket file behind: stale, so exists() removes it */
	assert_int_equal(nwg_uapi_exists(&u, "nwgt5"), 0);
	assert_int_equal(access(bin, X_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(get_and_set_over_socket, setup, teardown),
	    cmocka_unit_test_setup_teardown(hung_server_times_out, setup, teardown),
	    cmocka_unit_test_setup_teardown(missing_and_stale_sockets, setup, teardown),
	    cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(child_that_dies_is_reported, setup, teardown),
	    cmocka_unit_test_setup_teardown(silent_child_times_out_detached, setup, teardown),
	    cmocka_unit_test_setup_teardown(fake_wireguard_go_starts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
