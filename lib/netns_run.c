/* SPDX-License-Identifier: Apache-2.0 */
/* Listing /run/netns and running a function inside a namespace on a helper
 * thread (setns() is per thread: the caller's thread never moves). */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns_int.h"
#include "nwg/netns.h"

struct run_job {
	int fd;
	nwg_netns_fn fn;
	void *arg;
	int setns_errno;
	int ret;
};

/* 1 if this thread already is in the namespace behind fd (then no setns,
 * which needs CAP_SYS_ADMIN, is required: unprivileged callers can still
 * use the root namespace). */
static int already_in(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat("/proc/thread-self/ns/net", &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void *run_in_ns(void *p)
{
	struct run_job *job = p;

	if (!already_in(job->fd) && setns(job->fd, CLONE_NEWNET) < 0) {
		job->setns_errno = errno;
		return NULL;
	}
	job->ret = job->fn(job->arg);
	return NULL;
}

int nwg_netns_run(const char *name, nwg_netns_fn fn, void *arg, struct nwg_err *err)
{
	struct run_job job = {.fn = fn, .arg = arg};
	pthread_t t;
	int ret;

	if (!fn)
		return nwg_err_set(err, EINVAL, "nwg_netns_run: no function");
	job.fd = nwg_netns_open(name, err);
	if (job.fd < 0)
		return job.fd;
	ret = pthread_create(&t, NULL, run_in_ns, &job);
	if (ret) {
		close(job.fd);
		return nwg_err_set(err, ret, "pthread_create: %s", strerror(ret));
	}
	pthread_join(t, NULL);
	close(job.fd);
	if (job.setns_errno)
		return nwg_err_set(err, job.setns_errno, "setns %s: %s", name ? name : "(root)",
				   strerror(job.setns_errno));
	return job.ret;
}

/* ---- list ---- */

void nwg_netns_list_free(char **names)
{
	if (!names)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends a copy of s to the NULL-terminated *v of *n entries. */
static int push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

static int read_names(DIR *d, char ***v, size_t *n)
{
	struct dirent *de;
	int ret;

	while ((errno = 0, de = readdir(d))) {
		if (nwg_netns_name_valid(de->d_name) < 0)
			continue; /* ".", ".." */
		ret = push(v, n, de->d_name);
		if (ret < 0)
			return ret;
	}
	return errno ? -errno : 0;
}

/* Sorted by name; a missing /run/netns is an empty list. */
int nwg_netns_list(char ***names, size_t *count, struct nwg_err *err)
{
	char **v;
	size_t n = 0;
	DIR *d;
	int ret;

	if (!names || !count)
		return nwg_err_set(err, EINVAL, "nwg_netns_list: NULL argument");
	v = calloc(1, sizeof(*v));
	if (!v)
		return nwg_err_set(err, ENOMEM, "out of memory");
	d = opendir(NWG_NETNS_RUN_DIR);
	if (!d && errno != ENOENT) {
		ret = nwg_err_set(err, errno, "opendir %s: %s", NWG_NETNS_RUN_DIR, strerror(errno));
		free(v);
		return ret;
	}
	ret = d ? read_names(d, &v, &n) : 0;
	if (d)
		closedir(d);
	if (ret < 0) {
		nwg_netns_list_free(v);
		return nwg_err_set(err, -ret, "list %s: %s", NWG_NETNS_RUN_DIR, strerror(-ret));
	}
	qsort(v, n, sizeof(*v), cmp_str);
	*names = v;
	*count = n;
	return 0;
}
