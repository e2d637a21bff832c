/* SPDX-License-Identifier: Apache-2.0 */
#include "ha/vrrp.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void nwg_vrrp_init(struct nwg_vrrp *v)
{
	memset(v, 0, sizeof(*v));
	v->fifo = -1;
}

int nwg_vrrp_render(const struct nwg_conf_ha *h, const char *fifo, const char *renew, char **out)
{
	char *s = NULL;
	int n;

	/* both BACKUP + nopreempt: a node that comes back never takes over
	 * from a working master; the loser of a healed split brain sends one
	 * more advert so the winner hears it (doc/ha.md, "Split brain") */
	n = asprintf(&s,
		     "# written by neutron-wireguard-agent: do not edit\n"
		     "global_defs {\n"
		     "\trouter_id nwg_hubs\n"
		     "\tvrrp_garp_master_delay 0\n"
		     "\tvrrp_garp_master_repeat 3\n"
		     "\tvrrp_higher_prio_send_advert true\n"
		     "\tnotify_fifo %s\n"
		     "\tscript_user root\n"
		     "}\n"
		     "vrrp_instance %s {\n"
		     "\tstate BACKUP\n"
		     "\tnopreempt\n"
		     "\tinterface %s\n"
		     "\tvirtual_router_id %u\n"
		     "\tpriority %u\n"
		     "\tadvert_int %u.%02u\n"
		     "\tversion 3\n"
		     "\tvirtual_ipaddress {\n"
		     "\t\t%s dev %s\n"
		     "\t}\n"
		     "\tnotify_master_rx_lower_pri \"%s\"\n"
		     "}\n",
		     fifo, NWG_VRRP_INSTANCE, h->interface, h->vrid, h->priority,
		     h->advert_ms / 1000, (h->advert_ms % 1000) / 10, h->vip, h->interface, renew);
	if (n < 0)
		return -ENOMEM;
	*out = s;
	return 0;
}

static int write_file(const char *path, const char *text, struct nwg_err *err)
{
	char tmp[4400];
	int fd;
	ssize_t w;
	size_t len = strlen(text);

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return nwg_err_set(err, ENAMETOOLONG, "%s: name too long", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return nwg_err_set(err, errno, "%s: %s", tmp, strerror(errno));
	w = write(fd, text, len);
	if (w != (ssize_t)len || fsync(fd) < 0) {
		int e = w < 0 ? errno : EIO;

		close(fd);
		unlink(tmp);
		return nwg_err_set(err, e, "%s: %s", tmp, strerror(e));
	}
	close(fd);
	if (rename(tmp, path) < 0)
		return nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	return 0;
}

/* A keepalived left running by an agent that died: its pidfile, checked to
 * be keepalived before it is signalled. */
static void stop_stale(const char *pidfile)
{
	char buf[64] = "", comm[64] = "", path[64];
	FILE *f = fopen(pidfile, "re");
	long pid;

	if (!f)
		return;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	pid = strtol(buf, NULL, 10);
	if (pid <= 1)
		return;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	if (strncmp(comm, "keepalived", 10) != 0)
		return;
	kill((pid_t)pid, SIGTERM);
	for (int i = 0; i < 50 && kill((pid_t)pid, 0) == 0; i++)
		nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
	kill((pid_t)pid, SIGKILL);
}

static int open_fifo(struct nwg_vrrp *v, const char *path, struct nwg_err *err)
{
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISFIFO(st.st_mode))
		unlink(path);
	if (mkfifo(path, 0600) < 0 && errno != EEXIST)
		return nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	/* read-write: the FIFO never reports EOF while keepalived restarts */
	v->fifo = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (v->fifo < 0)
		return nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	v->len = 0;
	return 0;
}

static int spawn(struct nwg_vrrp *v, const struct nwg_conf_ha *h, const char *conf,
		 const char *pidfile, struct nwg_err *err)
{
	char vrrp_pid[4200];
	pid_t pid;

	snprintf(vrrp_pid, sizeof(vrrp_pid), "%s/vrrp.pid", v->dir);
	pid = fork();
	if (pid < 0)
		return nwg_err_set(err, errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		sigset_t none;
		int null = open("/dev/null", O_RDWR);

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL); /* the agent blocks them */
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		setsid();
		execl(h->keepalived, "keepalived", "-n", "-l", "-D", "-P", "-f", conf, "-p",
		      pidfile, "-r", vrrp_pid, (char *)NULL);
		_exit(127);
	}
	v->pid = pid;
	return 0;
}

/* renew.sh: one line into the FIFO, opened read-write so that it never
 * blocks (nor waits for a reader) when the agent is gone. */
static int write_renew(const char *path, const char *fifo, struct nwg_err *err)
{
	char *text = NULL;
	int r;

	if (asprintf(&text,
		     "#!/bin/sh\n# written by neutron-wireguard-agent: keepalived's "
		     "notify_master_rx_lower_pri\nprintf 'RENEW %s\\n' 1<>'%s'\n",
		     NWG_VRRP_INSTANCE, fifo) < 0)
		return nwg_err_set(err, ENOMEM, "out of memory");
	r = write_file(path, text, err);
	free(text);
	if (r == 0 && chmod(path, 0700) < 0)
		r = nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	return r;
}

int nwg_vrrp_start(struct nwg_vrrp *v, const struct nwg_conf_ha *h, const char *state_path,
		   struct nwg_err *err)
{
	char conf[4200], fifo[4200], pidfile[4200], renew[4200];
	char *text = NULL;
	int r;

	snprintf(v->dir, sizeof(v->dir), "%s/vrrp", state_path);
	if (mkdir(v->dir, 0700) < 0 && errno != EEXIST)
		return nwg_err_set(err, errno, "%s: %s", v->dir, strerror(errno));
	if (chmod(v->dir, 0700) < 0)
		return nwg_err_set(err, errno, "%s: %s", v->dir, strerror(errno));
	snprintf(conf, sizeof(conf), "%s/keepalived.conf", v->dir);
	snprintf(fifo, sizeof(fifo), "%s/notify.fifo", v->dir);
	snprintf(pidfile, sizeof(pidfile), "%s/keepalived.pid", v->dir);
	snprintf(renew, sizeof(renew), "%s/renew.sh", v->dir);
	stop_stale(pidfile);
	if (strpbrk(v->dir, "'\"\\ \n"))
		return nwg_err_set(err, EINVAL, "%s: a state_path without quotes or spaces",
				   v->dir);
	if ((r = write_renew(renew, fifo, err)) < 0)
		return r;
	if (nwg_vrrp_render(h, fifo, renew, &text) < 0)
		return nwg_err_set(err, ENOMEM, "out of memory");
	r = write_file(conf, text, err);
	free(text);
	if (r < 0)
		return r;
	if (v->fifo < 0 && (r = open_fifo(v, fifo, err)) < 0)
		return r;
	return spawn(v, h, conf, pidfile, err);
}

int nwg_vrrp_reap(struct nwg_vrrp *v, int *status)
{
	pid_t w;

	if (v->pid <= 0)
		return -ECHILD;
	w = waitpid(v->pid, status, WNOHANG);
	if (w == 0)
		return 0;
	v->pid = 0;
	return 1;
}

void nwg_vrrp_stop(struct nwg_vrrp *v, int wait_ms)
{
	int st;

	if (v->pid > 0) {
		kill(v->pid, SIGTERM);
		for (int i = 0; i < wait_ms / 20 && nwg_vrrp_reap(v, &st) == 0; i++)
			nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
		if (v->pid > 0) {
			kill(v->pid, SIGKILL);
			waitpid(v->pid, &st, 0);
			v->pid = 0;
		}
	}
	if (v->fifo >= 0)
		close(v->fifo);
	v->fifo = -1;
	v->len = 0;
}

enum nwg_vrrp_state nwg_vrrp_parse_line(const char *line)
{
	static const char head[] = "INSTANCE \"" NWG_VRRP_INSTANCE "\" ";
	const char *s;

	if (!line || strncmp(line, head, sizeof(head) - 1) != 0)
		return NWG_VRRP_UNKNOWN;
	s = line + sizeof(head) - 1;
	if (strncmp(s, "MASTER ", 7) == 0 || strcmp(s, "MASTER") == 0)
		return NWG_VRRP_MASTER;
	if (strncmp(s, "BACKUP ", 7) == 0 || strcmp(s, "BACKUP") == 0)
		return NWG_VRRP_BACKUP;
	if (strncmp(s, "FAULT ", 6) == 0 || strcmp(s, "FAULT") == 0 ||
	    strncmp(s, "STOP ", 5) == 0 || strcmp(s, "STOP") == 0)
		return NWG_VRRP_FAULT;
	return NWG_VRRP_UNKNOWN;
}

bool nwg_vrrp_is_renew(const char *line)
{
	return line && strcmp(line, "RENEW " NWG_VRRP_INSTANCE) == 0;
}

enum nwg_vrrp_state nwg_vrrp_read(struct nwg_vrrp *v, bool *renew)
{
	enum nwg_vrrp_state last = NWG_VRRP_UNKNOWN;
	char buf[512];
	ssize_t n;

	while (v->fifo >= 0 && (n = read(v->fifo, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			enum nwg_vrrp_state s;

			if (buf[i] != '\n') {
				if (v->len < sizeof(v->line) - 1)
					v->line[v->len++] = buf[i];
				continue;
			}
			v->line[v->len] = '\0';
			v->len = 0;
			s = nwg_vrrp_parse_line(v->line);
			if (s != NWG_VRRP_UNKNOWN)
				last = s;
			else if (nwg_vrrp_is_renew(v->line))
				*renew = true;
		}
	}
	return last;
}

const char *nwg_vrrp_state_name(enum nwg_vrrp_state s)
{
	switch (s) {
	case NWG_VRRP_MASTER:
		return "active";
	case NWG_VRRP_BACKUP:
		return "standby";
	case NWG_VRRP_FAULT:
		return "fault";
	default:
		return NULL;
	}
}
