/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Named network namespaces the iproute2 way: /run/netns is a shared mount
 * (bind-mounted onto itself first if it is not a mount point yet) and every
 * namespace is an nsfs bind mount on /run/netns/NAME, so `ip netns exec` and
 * `ip netns list` see what we create and we see what they create.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "netns_int.h"
#include "nwg/netns.h"

int nwg_netns_name_valid(const char *name)
{
	size_t len;

	if (!name)
		return -EINVAL;
	len = strnlen(name, NWG_NETNS_NAME_MAX + 1);
	if (len == 0 || len > NWG_NETNS_NAME_MAX || strchr(name, '/'))
		return -EINVAL;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	return 0;
}

static int check_name(const char *name, struct nwg_err *err)
{
	if (nwg_netns_name_valid(name) < 0)
		return nwg_err_set(err, EINVAL, "invalid namespace name");
	return 0;
}

static void ns_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", NWG_NETNS_RUN_DIR, name);
}

/* 1 if fd is an nsfs file (a namespace), 0 if not, -errno on error. */
static int fd_is_nsfs(int fd)
{
	struct statfs st;

	if (fstatfs(fd, &st) < 0)
		return -errno;
	return st.f_type == NSFS_MAGIC;
}

static int path_is_nsfs(const char *path)
{
	struct statfs st;

	if (statfs(path, &st) < 0)
		return -errno;
	return st.f_type == NSFS_MAGIC;
}

int nwg_netns_exists(const char *name)
{
	char path[sizeof(NWG_NETNS_RUN_DIR) + NWG_NETNS_NAME_MAX + 1];
	int ret;

	if (nwg_netns_name_valid(name) < 0)
		return -EINVAL;
	ns_path(path, sizeof(path), name);
	ret = path_is_nsfs(path);
	if (ret == -ENOENT)
		return 0;
	return ret;
}

/* ---- root namespace, captured once from the thread group leader ---- */

static pthread_once_t root_once = PTHREAD_ONCE_INIT;
static int root_fd = -1;
static int root_errno;

static void root_capture(void)
{
	/* /proc/self names the thread group leader (the main thread). */
	root_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (root_fd < 0)
		root_errno = errno;
}

static int open_root(struct nwg_err *err)
{
	int fd;

	pthread_once(&root_once, root_capture);
	if (root_fd < 0)
		return nwg_err_set(err, root_errno, "open /proc/self/ns/net: %s",
				   strerror(root_errno));
	fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return nwg_err_set(err, errno, "dup root namespace fd: %s", strerror(errno));
	return fd;
}

int nwg_netns_open(const char *name, struct nwg_err *err)
{
	char path[sizeof(NWG_NETNS_RUN_DIR) + NWG_NETNS_NAME_MAX + 1];
	int fd, ret;

	if (!name)
		return open_root(err);
	ret = check_name(name, err);
	if (ret < 0)
		return ret;
	ns_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nwg_err_set(err, errno, "open namespace %s: %s", name, strerror(errno));
	ret = fd_is_nsfs(fd);
	if (ret != 1) {
		close(fd);
		if (ret == 0)
			ret = -EINVAL;
		return nwg_err_set(err, -ret, "%s is not a network namespace", path);
	}
	return fd;
}

/* ---- create / delete ---- */

/* Makes /run/netns a shared mount, bind-mounting it onto itself first when
 * it is not a mount point yet (the kernel answers EINVAL then). */
static int make_run_dir_shared(struct nwg_err *err)
{
	if (mount("", NWG_NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return nwg_err_set(err, errno, "make %s shared: %s", NWG_NETNS_RUN_DIR,
				   strerror(errno));
	if (mount(NWG_NETNS_RUN_DIR, NWG_NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
		return nwg_err_set(err, errno, "bind %s: %s", NWG_NETNS_RUN_DIR, strerror(errno));
	if (mount("", NWG_NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return nwg_err_set(err, errno, "make %s shared: %s", NWG_NETNS_RUN_DIR,
				   strerror(errno));
	return 0;
}

/* Creates and locks /run/netns; returns the locked directory fd. The lock
 * serialises creators (iproute2 takes the same flock). */
static int lock_run_dir(struct nwg_err *err)
{
	int fd;

	if (mkdir(NWG_NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return nwg_err_set(err, errno, "mkdir %s: %s", NWG_NETNS_RUN_DIR, strerror(errno));
	fd = open(NWG_NETNS_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nwg_err_set(err, errno, "open %s: %s", NWG_NETNS_RUN_DIR, strerror(errno));
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;

		close(fd);
		return nwg_err_set(err, e, "lock %s: %s", NWG_NETNS_RUN_DIR, strerror(e));
	}
	return fd;
}

struct bind_job {
	const char *path;
	int error; /* positive errno */
	const char *step;
};

/* Helper thread: a fresh namespace for this thread only, pinned by a bind
 * mount of its nsfs file; the thread then exits, the mount keeps it alive. */
static void *bind_new_ns(void *arg)
{
	struct bind_job *job = arg;
	char src[64];

	if (unshare(CLONE_NEWNET) < 0) {
		job->error = errno;
		job->step = "unshare(CLONE_NEWNET)";
		return NULL;
	}
	snprintf(src, sizeof(src), "/proc/self/task/%d/ns/net", (int)gettid());
	if (mount(src, job->path, "none", MS_BIND, NULL) < 0) {
		job->error = errno;
		job->step = "bind mount";
	}
	return NULL;
}

static int bind_fresh_ns(const char *path, struct nwg_err *err)
{
	struct bind_job job = {.path = path};
	pthread_t t;
	int ret;

	ret = pthread_create(&t, NULL, bind_new_ns, &job);
	if (ret)
		return nwg_err_set(err, ret, "pthread_create: %s", strerror(ret));
	pthread_join(t, NULL);
	if (job.error)
		return nwg_err_set(err, job.error, "%s %s: %s", job.step, path,
				   strerror(job.error));
	return 0;
}

/* Called with the directory lock held. */
static int create_locked(const char *path, struct nwg_err *err)
{
	int fd, ret;

	ret = make_run_dir_shared(err);
	if (ret < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno != EEXIST)
			return nwg_err_set(err, errno, "create %s: %s", path, strerror(errno));
		ret = path_is_nsfs(path);
		if (ret == 1)
			return 0; /* already there: idempotent */
		return nwg_err_set(err, EEXIST, "%s exists but is not a network namespace", path);
	}
	close(fd);
	ret = bind_fresh_ns(path, err);
	if (ret < 0) {
		umount2(path, MNT_DETACH); /* in case the mount half-happened */
		unlink(path);
		return ret;
	}
	return 0;
}

int nwg_netns_create(const char *name, struct nwg_err *err)
{
	char path[sizeof(NWG_NETNS_RUN_DIR) + NWG_NETNS_NAME_MAX + 1];
	int lock, ret;

	ret = check_name(name, err);
	if (ret < 0)
		return ret;
	ns_path(path, sizeof(path), name);
	lock = lock_run_dir(err);
	if (lock < 0)
		return lock;
	ret = create_locked(path, err);
	close(lock); /* releases the flock */
	return ret;
}

int nwg_netns_delete(const char *name, struct nwg_err *err)
{
	char path[sizeof(NWG_NETNS_RUN_DIR) + NWG_NETNS_NAME_MAX + 1];
	int ret;

	ret = check_name(name, err);
	if (ret < 0)
		return ret;
	ns_path(path, sizeof(path), name);
	/* EINVAL: not a mount point (a stale file); the unlink still cleans it. */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL) {
		if (errno == ENOENT)
			return nwg_err_set(err, ENOENT, "namespace %s does not exist", name);
		return nwg_err_set(err, errno, "umount %s: %s", path, strerror(errno));
	}
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return nwg_err_set(err, ENOENT, "namespace %s does not exist", name);
		return nwg_err_set(err, errno, "unlink %s: %s", path, strerror(errno));
	}
	return 0;
}
