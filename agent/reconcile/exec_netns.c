/* SPDX-License-Identifier: Apache-2.0 */
/* The executor's removal of a project namespace the planner named
 * (reconcile/nsgc.h). Conservative: the namespace goes only when it holds
 * nothing of anyone -- no link but lo, no process (any thread), no hub record
 * (readable or not) of the repository -- so an operator's veth, a debugging
 * shell or a hub of the same project created meanwhile keeps it. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nwg/netns.h"
#include "nwg/rtnl.h"
#include "reconcile/exec.h"

struct why {
	char *buf;
	size_t len;
};

static int kept(struct why *w, const char *fmt, const char *what)
{
	snprintf(w->buf, w->len, fmt, what);
	return NWG_NETNS_KEPT;
}

static int check_links(const char *name, struct why *w, struct nwg_err *err)
{
	struct nwg_rtnl *r = NULL;
	struct nwg_link *l = NULL;
	size_t n = 0;
	int rc = nwg_rtnl_open(&r, name, err);

	if (rc >= 0)
		rc = nwg_link_list(r, &l, &n, err);
	nwg_rtnl_close(r);
	if (rc > 0)
		rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (strcmp(l[i].name, "lo") != 0)
			rc = kept(w, "it holds link %s", l[i].name);
	}
	free(l);
	return rc;
}

/* The namespace as two keys: its nsfs inode (what /proc/<pid>/ns/net
 * shows), and the inode of its /proc/<pid>/net/dev (procfs has one entry
 * per network namespace). The second needs no ptrace access: the split
 * agent's executor (without CAP_SYS_PTRACE) may not read another root
 * process's ns/net, but may read its net/dev. */
struct nskey {
	dev_t dev;
	ino_t ino;
	ino_t dev_ino; /* 0: not known */
};

static int net_dev_ino(void *arg)
{
	struct stat st;

	if (stat("/proc/thread-self/net/dev", &st) < 0)
		return -errno;
	*(ino_t *)arg = st.st_ino;
	return 0;
}

/* 1: the task's namespace is k's; 0: it is not; -1: cannot tell. */
static int task_ns(const char *pid, const char *tid, const struct nskey *k)
{
	char path[80];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%.16s/task/%.16s/ns/net", pid, tid);
	if (stat(path, &st) == 0)
		return st.st_dev == k->dev && st.st_ino == k->ino;
	if (errno == ENOENT || errno == ESRCH)
		return 0; /* gone meanwhile */
	snprintf(path, sizeof(path), "/proc/%.16s/task/%.16s/net/dev", pid, tid);
	if (k->dev_ino && stat(path, &st) == 0)
		return st.st_ino == k->dev_ino;
	return errno == ENOENT || errno == ESRCH ? 0 : -1;
}

/* Any thread of any process in the namespace: 1, 0, or -1 (cannot tell:
 * the namespace is kept, never removed on a guess). */
static int task_in(const char *pid, const struct nskey *k)
{
	char path[64];
	DIR *t;
	struct dirent *de;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%.16s/task", pid);
	if (!(t = opendir(path)))
		return 0; /* gone meanwhile */
	while (found == 0 && (de = readdir(t))) {
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
			found = task_ns(pid, de->d_name, k);
	}
	closedir(t);
	return found;
}

static int check_processes(const char *name, struct why *w, struct nwg_err *err)
{
	struct stat ns;
	struct nskey k = {0};
	struct dirent *de;
	DIR *proc;
	int fd = nwg_netns_open(name, err), rc = 0, in;

	if (fd < 0)
		return fd;
	rc = fstat(fd, &ns) < 0 ? nwg_err_set(err, errno, "stat namespace %s", name) : 0;
	close(fd);
	if (rc < 0)
		return rc;
	k.dev = ns.st_dev;
	k.ino = ns.st_ino;
	if (nwg_netns_run(name, net_dev_ino, &k.dev_ino, NULL) < 0)
		k.dev_ino = 0; /* then an unreadable ns/net keeps the namespace */
	if (!(proc = opendir("/proc")))
		return nwg_err_set(err, errno, "cannot list /proc: %s", strerror(errno));
	while (rc == 0 && (de = readdir(proc))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		in = task_in(de->d_name, &k);
		if (in > 0)
			rc = kept(w, "process %s runs in it", de->d_name);
		else if (in < 0)
			rc = kept(w, "process %s may run in it (its namespace cannot be read)",
				  de->d_name);
	}
	closedir(proc);
	return rc;
}

struct rec_scan {
	const char *name;
	struct why *w;
	int rc;
};

static int each_record(const struct nwg_hub_record *rec, const char *path, const struct nwg_err *e,
		       void *ctx)
{
	struct rec_scan *s = ctx;

	(void)e;
	if (!rec)
		s->rc = kept(s->w, "unreadable hub record %s may name it", path);
	else if (strcmp(rec->home_netns, s->name) == 0 || strcmp(rec->netns, s->name) == 0)
		s->rc = kept(s->w, "hub %s still names it", rec->port_id);
	return s->rc;
}

int nwg_exec_netns_remove(struct nwg_repo *repo, const char *name, char *why, size_t why_len,
			  struct nwg_err *err)
{
	struct why w = {why, why_len};
	struct rec_scan s = {name, &w, 0};
	int rc = nwg_netns_exists(name);

	why[0] = '\0';
	if (rc < 0)
		return nwg_err_set(err, -rc, "bad namespace name");
	if (rc == 0)
		return NWG_NETNS_ABSENT;
	rc = nwg_repo_foreach(repo, each_record, &s, err);
	if (rc >= 0)
		rc = s.rc;
	if (rc == 0)
		rc = check_links(name, &w, err);
	if (rc == 0)
		rc = check_processes(name, &w, err);
	if (rc != 0)
		return rc;
	rc = nwg_netns_delete(name, err);
	if (rc == -ENOENT)
		return NWG_NETNS_ABSENT;
	return rc < 0 ? rc : NWG_NETNS_REMOVED;
}
