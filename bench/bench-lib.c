/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-lib: realising N hubs (userspace backend) through libnwg versus the
 * process-per-step way (ip / wg / ip netns exec), side by side in one run.
 * Per hub: create (wireguard-go start, timed apart: the same for both),
 * then the timed steps: namespace, move, key, port, peers, save.
 * Run inside a scratch namespace (bench-lib.sh does it); root only.
 * Usage: bench-lib [N] [PEERS] [WORKDIR] [TAG]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nwg/netns.h"
#include "nwg/repo.h"
#include "nwg/rtnl.h"
#include "nwg/wg.h"

extern char **environ;

struct hub {
	char ifname[16], ns[64], keyfile[256], conf[256];
	uint16_t port;
	pid_t child; /* old way: our wireguard-go child */
};

enum step { S_NETNS, S_MOVE, S_CONFIG, S_SAVE, N_STEPS };

static const char *const step_names[N_STEPS] = {"netns create", "move (kernel-bound)",
						"key+port+peers", "save"};

struct totals {
	double start_ms, steps_ms, teardown_ms, cpu_ms;
	double step_ms[N_STEPS];
	double step_cpu[N_STEPS];
	double *per_hub; /* steps only */
	double *own;	 /* the library's own steps (config + save), per hub */
	long procs;	 /* processes spawned for the steps */
	double mark;	 /* time of the last step boundary */
	double cmark;	 /* CPU time at that boundary */
};

static struct nwg_key *spokes; /* the peers every hub gets */
static int tag;		       /* in every name, so a cleanup can find ours */
static int n_spokes;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* CPU time (user + system) of this process, its threads and reaped children. */
static double cpu_ms(void)
{
	struct rusage a, b;

	getrusage(RUSAGE_SELF, &a);
	getrusage(RUSAGE_CHILDREN, &b);
	return (double)(a.ru_utime.tv_sec + a.ru_stime.tv_sec + b.ru_utime.tv_sec +
			b.ru_stime.tv_sec) *
		   1e3 +
	       (double)(a.ru_utime.tv_usec + a.ru_stime.tv_usec + b.ru_utime.tv_usec +
			b.ru_stime.tv_usec) /
		   1e3;
}

/* Charges the time since the previous boundary to step s. */
static void step_done(struct totals *t, enum step s)
{
	double now = now_ms(), cpu = cpu_ms();

	t->step_ms[s] += now - t->mark;
	t->step_cpu[s] += cpu - t->cmark;
	t->mark = now;
	t->cmark = cpu;
}

/* The steps the library does itself; netns create and move are one kernel
 * call each, whose cost (copy_net_ns, the RCU waits of a netns move) is the
 * same whoever makes it. */
static double own_ms(const struct totals *t)
{
	return t->step_ms[S_CONFIG] + t->step_ms[S_SAVE];
}

static double own_cpu(const struct totals *t)
{
	return t->step_cpu[S_CONFIG] + t->step_cpu[S_SAVE];
}

static void die(const char *what, int r, const struct nwg_err *err)
{
	fprintf(stderr, "bench-lib: %s: %s (%s)\n", what, err && err->msg[0] ? err->msg : "-",
		strerror(r < 0 ? -r : r));
	exit(1);
}

/* ---- the old way: one process per step ---- */

/* Runs argv (PATH lookup), stdin from in_path, stdout to out_path (NULL =
 * /dev/null); returns the wait status. */
static int run_io(char *const argv[], const char *in_path, const char *out_path, struct totals *t)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = -1;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in_path ? in_path : "/dev/null", O_RDONLY, 0);
	if (out_path)
		posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC,
						 0600);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) == 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	posix_spawn_file_actions_destroy(&fa);
	if (t)
		t->procs++;
	return st;
}

static int run(char *const argv[], const char *out_path, struct totals *t)
{
	return run_io(argv, NULL, out_path, t);
}

#define RUN(t, out, ...)                                                                           \
	do {                                                                                       \
		char *const av_[] = {__VA_ARGS__, NULL};                                           \
		if (run(av_, out, t) != 0)                                                         \
			die(av_[0], -EIO, NULL);                                                   \
	} while (0)

static void old_start(struct hub *h)
{
	char *const argv[] = {(char *)"wireguard-go", (char *)"-f", h->ifname, NULL};
	char *const envp[] = {(char *)"WG_PROCESS_FOREGROUND=1", (char *)"LOG_LEVEL=error",
			      (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	posix_spawnattr_t at;
	char *const show[] = {(char *)"wg", (char *)"show", h->ifname, NULL};

	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID);
	if (posix_spawnp(&h->child, "wireguard-go", NULL, &at, argv, envp) != 0)
		die("spawn wireguard-go", -errno, NULL);
	posix_spawnattr_destroy(&at);
	for (int i = 0; i < 2500 && run(show, NULL, NULL) != 0; i++)
		usleep(2000); /* the old way waits with `wg show` before moving */
}

static void old_steps(struct hub *h, struct totals *t)
{
	char port[8], peer[64], aips[64];

	snprintf(port, sizeof(port), "%u", h->port);
	RUN(t, NULL, "ip", "netns", "add", h->ns);
	step_done(t, S_NETNS);
	RUN(t, NULL, "ip", "link", "set", h->ifname, "netns", h->ns);
	step_done(t, S_MOVE);
	RUN(t, h->keyfile, "wg", "genkey");
	{
		char *const pub[] = {(char *)"wg", (char *)"pubkey", NULL};

		if (run_io(pub, h->keyfile, NULL, t) != 0)
			die("wg pubkey", -EIO, NULL);
	}
	RUN(t, NULL, "ip", "netns", "exec", h->ns, "wg", "set", h->ifname, "private-key",
	    h->keyfile);
	RUN(t, NULL, "ip", "netns", "exec", h->ns, "wg", "set", h->ifname, "listen-port", port);
	for (int i = 0; i < n_spokes; i++) {
		nwg_key_to_b64(peer, &spokes[i]);
		snprintf(aips, sizeof(aips), "10.77.%d.%d/32", i / 256, i % 256);
		RUN(t, NULL, "ip", "netns", "exec", h->ns, "wg", "set", h->ifname, "peer", peer,
		    "allowed-ips", aips);
	}
	step_done(t, S_CONFIG);
	RUN(t, h->conf, "ip", "netns", "exec", h->ns, "wg", "showconf", h->ifname);
	step_done(t, S_SAVE);
}

static void old_teardown(struct hub *h)
{
	RUN(NULL, NULL, "ip", "-n", h->ns, "link", "del", h->ifname);
	RUN(NULL, NULL, "ip", "netns", "del", h->ns);
	while (waitpid(h->child, NULL, 0) < 0 && errno == EINTR)
		;
	unlink(h->keyfile);
	unlink(h->conf);
}

/* ---- the library ---- */

static void lib_move(const struct hub *h)
{
	struct nwg_err err = {{0}};
	struct nwg_rtnl *r = NULL;
	int fd = nwg_netns_open(h->ns, &err), rc;

	if (fd < 0)
		die("netns open", fd, &err);
	rc = nwg_rtnl_open(&r, NULL, &err);
	if (rc == 0)
		rc = nwg_link_move(r, h->ifname, fd, &err);
	nwg_rtnl_close(r);
	close(fd);
	if (rc < 0)
		die("move", rc, &err);
}

static void lib_set(struct nwg_backend *b, const struct hub *h, struct nwg_device *dev)
{
	struct nwg_err err = {{0}};
	int r = nwg_wg_set(b, h->ifname, h->ns, dev, &err);

	if (r < 0)
		die("set", r, &err);
}

static void lib_save(struct nwg_repo *repo, const struct hub *h, const struct nwg_key *priv)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();
	struct nwg_err err = {{0}};
	char aip[32];
	int r = rec ? 0 : -ENOMEM;

	for (int i = 0; r == 0 && i < n_spokes; i++) {
		struct nwg_repo_peer *p = nwg_hub_record_add_peer(rec);

		snprintf(aip, sizeof(aip), "10.77.%d.%d/32", i / 256, i % 256);
		r = p ? nwg_repo_peer_add_allowed_ip(p, aip) : -ENOMEM;
		if (r == 0) {
			snprintf(p->port_id, sizeof(p->port_id), "spoke-%d", i);
			p->public_key = spokes[i];
		}
	}
	if (r == 0) {
		snprintf(rec->port_id, sizeof(rec->port_id), "bench-%s", h->ifname);
		snprintf(rec->project_id, sizeof(rec->project_id), "bench-project");
		snprintf(rec->ifname, sizeof(rec->ifname), "%s", h->ifname);
		snprintf(rec->netns, sizeof(rec->netns), "%s", h->ns);
		snprintf(rec->home_netns, sizeof(rec->home_netns), "%s", h->ns);
		rec->private_key = *priv;
		rec->listen_port = h->port;
		r = nwg_repo_save(repo, rec, &err);
	}
	nwg_hub_record_free(rec);
	if (r < 0)
		die("repo save", r, &err);
}

static void lib_steps(struct nwg_backend *b, struct nwg_repo *repo, const struct hub *h,
		      struct totals *t)
{
	struct nwg_device *dev = nwg_device_new(h->ifname);
	struct nwg_err err = {{0}};
	struct nwg_key priv;
	int r;

	if (!dev)
		die("device", -ENOMEM, NULL);
	r = nwg_netns_create(h->ns, &err);
	if (r < 0)
		die("netns create", r, &err);
	step_done(t, S_NETNS);
	lib_move(h);
	step_done(t, S_MOVE);
	if (nwg_key_generate(&dev->private_key) < 0 ||
	    nwg_key_public(&dev->public_key, &dev->private_key) < 0)
		die("key", -EIO, NULL);
	/* one UAPI request, as the agent does: key, port and the peers */
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_LISTEN_PORT | NWG_DEV_REPLACE_PEERS;
	dev->listen_port = h->port;
	for (int i = 0; i < n_spokes; i++) {
		struct nwg_peer *p = nwg_device_add_peer(dev, &spokes[i]);
		char aip[32];

		snprintf(aip, sizeof(aip), "10.77.%d.%d/32", i / 256, i % 256);
		if (!p || nwg_peer_add_allowedip(p, aip) < 0)
			die("peer", -ENOMEM, NULL);
	}
	lib_set(b, h, dev);
	step_done(t, S_CONFIG);
	priv = dev->private_key;
	nwg_device_free(dev);
	lib_save(repo, h, &priv);
	nwg_key_wipe(&priv);
	step_done(t, S_SAVE);
}

static void lib_teardown(struct nwg_backend *b, struct nwg_repo *repo, const struct hub *h)
{
	struct nwg_err err = {{0}};
	char id[64];
	int r = nwg_wg_delete(b, h->ifname, h->ns, &err);

	if (r < 0)
		die("delete", r, &err);
	r = nwg_netns_delete(h->ns, &err);
	if (r < 0)
		die("netns delete", r, &err);
	snprintf(id, sizeof(id), "bench-%s", h->ifname);
	nwg_repo_remove(repo, id, NULL);
}

/* ---- driver ---- */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* After median() sorted v: the p-th percentile (nearest rank). */
static double pct(const double *v, int n, int p)
{
	int i = (n * p + 99) / 100 - 1;

	return v[i < 0 ? 0 : i];
}

static void name_hub(struct hub *h, char side, int i, const char *dir)
{
	snprintf(h->ifname, sizeof(h->ifname), "b%c%d_%d", side, tag, i);
	snprintf(h->ns, sizeof(h->ns), "nwgb%c%d_%d", side, tag, i);
	snprintf(h->keyfile, sizeof(h->keyfile), "%s/%s.key", dir, h->ifname);
	snprintf(h->conf, sizeof(h->conf), "%s/%s.conf", dir, h->ifname);
	h->port = (uint16_t)((side == 'l' ? 40000 : 41000) + i);
}

static void one_lib(struct nwg_backend *b, struct nwg_repo *repo, struct hub *h, int i,
		    struct totals *t)
{
	struct nwg_err err = {{0}};
	double t0 = now_ms(), t1, t2, c0, mv;
	int r = nwg_wg_create(b, h->ifname, &err);

	if (r < 0)
		die("create", r, &err);
	mv = own_ms(t);
	t->cmark = c0 = cpu_ms();
	t->mark = t1 = now_ms();
	lib_steps(b, repo, h, t);
	t2 = now_ms();
	t->cpu_ms += cpu_ms() - c0;
	lib_teardown(b, repo, h);
	t->start_ms += t1 - t0;
	t->steps_ms += t2 - t1;
	t->per_hub[i] = t2 - t1;
	t->own[i] = own_ms(t) - mv;
	t->teardown_ms += now_ms() - t2;
}

static void one_old(struct hub *h, int i, struct totals *t)
{
	double t0 = now_ms(), t1, t2, c0, mv;

	old_start(h);
	mv = own_ms(t);
	t->cmark = c0 = cpu_ms();
	t->mark = t1 = now_ms();
	old_steps(h, t);
	t2 = now_ms();
	t->cpu_ms += cpu_ms() - c0;
	old_teardown(h);
	t->start_ms += t1 - t0;
	t->steps_ms += t2 - t1;
	t->per_hub[i] = t2 - t1;
	t->own[i] = own_ms(t) - mv;
	t->teardown_ms += now_ms() - t2;
}

static void report_steps(int n, const struct totals *lib, const struct totals *old)
{
	printf("  per step, ms per hub    wall: library   old    ratio |  CPU: library   old    "
	       "ratio\n");
	for (int s = 0; s < N_STEPS; s++)
		printf("    %-20s %9.3f %8.3f %7.1fx | %10.3f %8.3f %7.1fx\n", step_names[s],
		       lib->step_ms[s] / n, old->step_ms[s] / n, old->step_ms[s] / lib->step_ms[s],
		       lib->step_cpu[s] / n, old->step_cpu[s] / n,
		       old->step_cpu[s] / lib->step_cpu[s]);
}

static void report(int n, struct totals *lib, struct totals *old)
{
	double ml = median(lib->per_hub, n), mo = median(old->per_hub, n);
	double own_l = median(lib->own, n), own_o = median(old->own, n);
	double ratio = old->steps_ms / lib->steps_ms, own_ratio = own_ms(old) / own_ms(lib);
	double cpu_ratio = old->cpu_ms / lib->cpu_ms, own_cpu_ratio = own_cpu(old) / own_cpu(lib);

	printf("bench-lib: N=%d hubs, %d peers each, userspace backend (wireguard-go)\n", n,
	       n_spokes);
	printf("  wireguard-go start (not in any ratio): library %.1f ms, old %.1f ms "
	       "(%.1f / %.1f ms per hub)\n",
	       lib->start_ms, old->start_ms, lib->start_ms / n, old->start_ms / n);
	report_steps(n, lib, old);
	printf("  all steps, wall:  library %7.1f ms (median %6.2f/hub)  old %7.1f ms (median "
	       "%6.2f/hub)  ratio %5.1fx\n",
	       lib->steps_ms, ml, old->steps_ms, mo, ratio);
	printf("  own steps, wall:  library %7.1f ms (median %6.2f/hub)  old %7.1f ms (median "
	       "%6.2f/hub)  ratio %5.1fx\n",
	       own_ms(lib), own_l, own_ms(old), own_o, own_ratio);
	printf("  own steps, wall per hub p50/p90/max: library %.2f/%.2f/%.2f ms  old "
	       "%.2f/%.2f/%.2f ms  median ratio %.1fx\n",
	       own_l, pct(lib->own, n, 90), lib->own[n - 1], own_o, pct(old->own, n, 90),
	       old->own[n - 1], own_o / own_l);
	printf("  all steps, CPU:   library %7.1f ms  old %7.1f ms  ratio %5.1fx\n", lib->cpu_ms,
	       old->cpu_ms, cpu_ratio);
	printf("  own steps, CPU:   library %7.1f ms  old %7.1f ms  ratio %5.1fx\n", own_cpu(lib),
	       own_cpu(old), own_cpu_ratio);
	printf("  (own = key+port+peers and save; CPU = user+sys of this process and its reaped\n"
	       "   children, i.e. the ip/wg processes; wireguard-go's own work is in neither)\n");
	printf("  processes spawned for the steps: library 0, old %ld (%ld per hub); UAPI requests "
	       "per hub: library 1, old %d\n",
	       old->procs, old->procs / n, n_spokes + 3);
	printf("  teardown (not timed in): library %.1f ms, old %.1f ms\n", lib->teardown_ms,
	       old->teardown_ms);
	printf("RESULT bench-lib own_wall_median_ratio=%.1f own_wall_total_ratio=%.1f "
	       "own_cpu_ratio=%.1f all_wall_ratio=%.1f all_cpu_ratio=%.1f lib_own_ms_per_hub=%.3f "
	       "old_own_ms_per_hub=%.3f goal_20x_own_wall_median=%s goal_20x_own_cpu=%s\n",
	       own_o / own_l, own_ratio, own_cpu_ratio, ratio, cpu_ratio, own_l, own_o,
	       own_o / own_l >= 20 ? "met" : "NOT-met", own_cpu_ratio >= 20 ? "met" : "NOT-met");
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50;
	char dir[256] = "/tmp/nwg-bench-XXXXXX", repodir[300];
	struct nwg_backend_opts o = {.kind = NWG_BACKEND_USERSPACE};
	struct totals lib = {0}, old = {0};
	struct nwg_backend *b = NULL;
	struct nwg_repo *repo = NULL;
	struct nwg_err err = {{0}};
	int r;

	n_spokes = argc > 2 ? atoi(argv[2]) : 4;
	tag = argc > 4 ? atoi(argv[4]) % 100000 : (int)getpid() % 100000;
	if (n < 1 || n > 100 || n_spokes < 0 || n_spokes > 1000)
		return fprintf(stderr, "usage: bench-lib [N<=100] [PEERS] [WORKDIR] [TAG]\n"), 2;
	if (argc > 3)
		snprintf(dir, sizeof(dir), "%s", argv[3]);
	else if (!mkdtemp(dir))
		die("mkdtemp", -errno, NULL);
	snprintf(repodir, sizeof(repodir), "%s/repo", dir);
	spokes = calloc((size_t)n_spokes + 1, sizeof(*spokes));
	lib.per_hub = calloc((size_t)n, sizeof(double));
	old.per_hub = calloc((size_t)n, sizeof(double));
	lib.own = calloc((size_t)n, sizeof(double));
	old.own = calloc((size_t)n, sizeof(double));
	if (!spokes || !lib.per_hub || !old.per_hub || !lib.own || !old.own)
		die("alloc", -ENOMEM, NULL);
	for (int i = 0; i < n_spokes; i++) {
		struct nwg_key priv;

		if (nwg_key_generate(&priv) < 0 || nwg_key_public(&spokes[i], &priv) < 0)
			die("spoke key", -EIO, NULL);
		nwg_key_wipe(&priv);
	}
	r = nwg_backend_open(&b, &o, &err);
	if (r == 0)
		r = nwg_repo_open(&repo, repodir, &err);
	if (r < 0)
		die("open", r, &err);
	for (int i = 0; i < n; i++) { /* alternate who goes first: drift hits both */
		struct hub hl = {0}, ho = {0};

		name_hub(&hl, 'l', i, dir);
		name_hub(&ho, 'o', i, dir);
		if (i % 2 == 0)
			one_lib(b, repo, &hl, i, &lib);
		one_old(&ho, i, &old);
		if (i % 2 == 1)
			one_lib(b, repo, &hl, i, &lib);
	}
	report(n, &lib, &old);
	nwg_repo_close(repo);
	nwg_backend_close(b);
	rmdir(repodir);
	free(lib.per_hub);
	free(old.per_hub);
	free(lib.own);
	free(old.own);
	free(spokes);
	return 0;
}
