/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Privilege separation with real processes (root only; skipped otherwise):
 * an executor serving a real repository over the SEQPACKET pair and an
 * engine forked from it that dropped to "nobody".
 *  - /proc/<engine>/status: CapEff/CapPrm/CapBnd 0, NoNewPrivs 1, the
 *    user's uid, not dumpable (its /proc files belong to root);
 *  - /proc/<executor>/status: only CAP_KILL, CAP_NET_ADMIN, CAP_IPC_LOCK
 *    and CAP_SYS_ADMIN, effective and bounding; the executor is not dumpable;
 *  - the engine cannot open the repository; it gets the hub's public key
 *    through READ_ACTUAL; the private key is nowhere in its memory (its
 *    /proc/<pid>/mem searched; the public key is found there: the search
 *    works); quarantine, unquarantine and purge through the client
 *    implementation report what moved; a request outside the naming
 *    policy is refused with EPERM;
 *  - through the engine's side of the seam (privsep/client_ops.c):
 *    PLACE runs the real attach/detach (agent/l3_place.c) in the executor
 *    on a veth standing in for the hub's link: attached into a router
 *    namespace (name, MTU, address, up, record), again without a change,
 *    a detach anywhere but the record's home refused, then detached home;
 *  - NETNS_REMOVE runs the real removal in the executor: a project
 *    namespace a record names is kept (and says why), removed once the
 *    record is quarantined, then absent; a foreign namespace is EPERM;
 *  - killing the engine ends the executor, and killing the executor ends
 *    the engine.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "addr.h"
#include "harden.h"
#include "nwg/key.h"
#include "nwg/netns.h"
#include "nwg/repo.h"
#include "nwg/rtnl.h"
#include "nwg/wg.h"
#include "privsep/client_ops.h"
#include "privsep/ops_repo.h"
#include "privsep/proc.h"

#define PORT "7d1c2b3a-0000-4111-8222-333344445555"
#define PROJ "proj1"

static char dir[64];
static char ns[48];  /* tun-<unique>: the record's namespace, created by the test */
static char rns[48]; /* qrouter-<unique uuid>: a router's namespace */
#define HUB_IF "wg-7d1c2b3a-00"
#define QR_IF  "qr-7d1c2b3a-00"
static struct nwg_key pub_seen; /* the engine's copy of what READ_ACTUAL said */

struct engine_report {
	int open_errno;				      /* opening the record file */
	int read_rc, n_seen;			      /* READ_ACTUAL */
	int policy_rc;				      /* APPLY into another project's namespace */
	int quarantine_rc, unquarantine_rc, purge_rc; /* records moved / purged */
	int mem_errno;				      /* opening /proc/<executor>/mem */
	/* NETNS_REMOVE: rc, state (record present, quarantined, again), why kept */
	int ns_rc[3], ns_state[3];
	char ns_why[NWG_PS_ERROR_MAX + 1];
	int ns_policy_rc; /* a namespace that is not a project's */
	/* PLACE: attach, attach again, detach elsewhere, detach */
	int place_rc[4];
	bool place_changed[4];
	char place_netns[4][NWG_NETNS_NAME_MAX + 1];
};

struct ready {
	pid_t engine;
	int dumpable;
	int limit_rc;
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static int each(void *ctx, const struct nwg_ps_link *l)
{
	(void)ctx;
	if (strcmp(l->port_id, PORT) == 0)
		pub_seen = l->public_key;
	return 0;
}

static char res_why[NWG_PS_ERROR_MAX + 1];

/* PLACE and NETNS_REMOVE go through the engine's implementation of the
 * seam (privsep/client_ops.c), the one the agent's call sites use. */
static void netns_remove(struct nwg_ps_client *c, const char *name, int *rc, int *state)
{
	struct nwg_err err = {{0}};
	int r = nwg_hostops_client.netns_remove(c, name, res_why, sizeof(res_why), &err);

	*rc = r < 0 ? r : 0;
	if (state)
		*state = r;
}

static void place(struct nwg_ps_client *c, bool attach, const char *netns, const char *ifname,
		  struct engine_report *r, int i)
{
	static char addr[] = "10.77.0.1/24";
	char *cidrs[] = {addr, NULL};
	struct nwg_l3_req q = {.attach = attach,
			       .netns = netns,
			       .ifname = ifname,
			       .mtu = attach ? 1400 : 0,
			       .cidrs = attach ? cidrs : NULL};
	struct nwg_place_out out = {0};
	struct nwg_err err = {{0}};

	r->place_rc[i] = nwg_hostops_client.place(c, PORT, &q, &out, &err);
	r->place_changed[i] = out.changed;
	snprintf(r->place_netns[i], sizeof(r->place_netns[i]), "%s", out.netns);
}

/* Phase 1: what the engine may not do, READ_ACTUAL, attach twice. */
static void engine_first(struct nwg_ps_client *cl, pid_t executor, struct engine_report *r)
{
	struct nwg_ps_client c = *cl;
	struct nwg_ps_result res;
	struct nwg_ps_msg m;
	char path[128];
	int f;

	snprintf(path, sizeof(path), "%s/%s.conf", dir, PORT);
	f = open(path, O_RDONLY);
	r->open_errno = f < 0 ? errno : 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)executor);
	f = open(path, O_RDONLY);
	r->mem_errno = f < 0 ? errno : 0;

	nwg_ps_msg_init(&m, NWG_PS_READ_ACTUAL, 0);
	r->read_rc = nwg_ps_call(&c, &m, each, NULL, &res, NULL);
	r->n_seen = !nwg_key_is_zero(&pub_seen);
	nwg_ps_msg_clear(&m);

	nwg_ps_msg_init(&m, NWG_PS_APPLY, 0);
	m.u.apply.kind = NWG_PS_DELETE;
	strcpy(m.u.apply.port_id, PORT);
	strcpy(m.u.apply.ifname, "wg-x");
	strcpy(m.u.apply.netns, "sshd");
	r->policy_rc = nwg_ps_call(&c, &m, NULL, NULL, &res, NULL);
	if (r->policy_rc == 0)
		r->policy_rc = res.rc;
	nwg_ps_msg_clear(&m);

	place(&c, true, rns, QR_IF, r, 0);
	place(&c, true, rns, QR_IF, r, 1);
	*cl = c;
}

/* Phase 3: the namespace removal and the quarantine. */
static void engine_last(struct nwg_ps_client *c, struct engine_report *r)
{
	struct nwg_err err = {{0}};

	netns_remove(c, ns, &r->ns_rc[0], &r->ns_state[0]);
	snprintf(r->ns_why, sizeof(r->ns_why), "%s", res_why);
	r->quarantine_rc = nwg_hostops_client.quarantine(c, PORT, &err);
	netns_remove(c, ns, &r->ns_rc[1], &r->ns_state[1]);
	netns_remove(c, ns, &r->ns_rc[2], &r->ns_state[2]);
	netns_remove(c, "sshd", &r->ns_policy_rc, NULL);
	r->unquarantine_rc = nwg_hostops_client.unquarantine(c, PORT, &err);
	r->purge_rc = nwg_hostops_client.purge(c, 1, &err);
}

static void engine_work(struct nwg_ps_client *c, pid_t executor, struct engine_report *r, int phase)
{
	if (phase == 1) {
		engine_first(c, executor, r);
	} else if (phase == 2) { /* detach elsewhere, then home */
		place(c, false, "tun-elsewhere", HUB_IF, r, 2);
		place(c, false, ns, HUB_IF, r, 3);
	} else {
		engine_last(c, r);
	}
}

/* The executor process: opens the repository, forks the engine, serves.
 * go: the engine waits for one byte before working; rep: its report. */
static void executor_main(int ready_w, int go_r, int rep_w)
{
	struct nwg_ps_repo_ctx ctx = {0};
	struct nwg_ps_policy pol = {.ns_prefix = "tun-"};
	struct nwg_backend_opts bo = {.kind = NWG_BACKEND_KERNEL};
	struct nwg_harden_result hr;
	struct nwg_ps_user u;
	struct ready rd = {0};
	pid_t peer;
	int fd, rc;

	if (nwg_harden_process(&hr, NULL) < 0 || nwg_repo_open(&ctx.repo, dir, NULL) < 0 ||
	    nwg_backend_open(&ctx.backend, &bo, NULL) < 0 ||
	    nwg_ps_user_lookup("nobody", &u, NULL) < 0)
		_exit(3);
	rc = nwg_ps_fork(&fd, &peer, NULL);
	if (rc < 0)
		_exit(4);
	if (rc == 1) { /* engine */
		struct engine_report r = {0};
		struct nwg_ps_client c = {.fd = fd};
		char b;

		nwg_repo_close(ctx.repo);
		nwg_backend_close(ctx.backend);
		close(ready_w);
		if (nwg_ps_drop_engine(&u, peer, NULL) < 0)
			_exit(5);
		if (write(rep_w, "r", 1) != 1)
			_exit(6);
		for (int phase = 1; phase <= 3; phase++) {
			if (read(go_r, &b, 1) != 1)
				_exit(6);
			engine_work(&c, peer, &r, phase);
			if (write(rep_w, &r, sizeof(r)) != sizeof(r))
				_exit(7);
		}
		pause(); /* until killed, or SIGTERM when the executor dies */
		_exit(0);
	}
	close(go_r);
	close(rep_w);
	rd.engine = peer;
	rd.limit_rc = nwg_ps_limit_executor(NULL);
	rd.dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (write(ready_w, &rd, sizeof(rd)) != sizeof(rd))
		_exit(8);
	rc = nwg_ps_serve_loop(fd, &pol, &nwg_ps_repo_ops, &ctx, NULL);
	_exit(rc < 0 ? 9 : 0);
}

struct pair {
	pid_t executor, engine;
	int go_w, rep_r;
	struct ready rd;
};

static struct pair *running; /* killed by the teardown, failures included */

static void start_pair(struct pair *p)
{
	int ready[2], go[2], rep[2];
	char b;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(rep), 0);
	p->executor = fork();
	assert_true(p->executor >= 0);
	if (p->executor == 0) {
		close(ready[0]);
		close(go[1]);
		close(rep[0]);
		executor_main(ready[1], go[0], rep[1]);
	}
	close(ready[1]);
	close(go[0]);
	close(rep[1]);
	assert_int_equal(read(ready[0], &p->rd, sizeof(p->rd)), sizeof(p->rd));
	close(ready[0]);
	p->engine = p->rd.engine;
	p->go_w = go[1];
	p->rep_r = rep[0];
	running = p;
	/* the engine dropped its privileges and armed its death signal */
	assert_int_equal(read(p->rep_r, &b, 1), 1);
}

static void stop_pair(struct pair *p)
{
	int status;

	if (p->engine > 0 && kill(p->engine, SIGKILL) == 0)
		waitpid(p->engine, &status, 0);
	if (p->executor > 0 && kill(p->executor, SIGKILL) == 0)
		waitpid(p->executor, &status, 0);
	close(p->go_w);
	close(p->rep_r);
	running = NULL;
}

static int pair_teardown(void **state)
{
	(void)state;
	if (running)
		stop_pair(running);
	return 0;
}

/* Reads one "Name:\tvalue" line of /proc/<pid>/status. */
static void status_field(pid_t pid, const char *name, char *out, size_t len)
{
	char path[64], line[256];
	size_t n = strlen(name);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	out[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			snprintf(out, len, "%s", line + n + 1 + strspn(line + n + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
		}
	fclose(f);
}

/* Searches every readable mapping (up to 256 MiB each) of pid for needle. */
static bool mem_contains(pid_t pid, const uint8_t *needle, size_t n)
{
	char path[64], line[512];
	FILE *maps;
	int mem;
	bool found = false;
	static uint8_t chunk[1 << 20];

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	mem = open(path, O_RDONLY);
	assert_non_null(maps);
	assert_true(mem >= 0);
	while (!found && fgets(line, sizeof(line), maps)) {
		uint64_t lo, hi;
		char perms[5];

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s", &lo, &hi, perms) != 3 ||
		    perms[0] != 'r' || hi - lo > (256u << 20) || strstr(line, "[vvar]"))
			continue;
		for (uint64_t a = lo; !found && a < hi; a += sizeof(chunk) - n) {
			size_t want = hi - a < sizeof(chunk) ? hi - a : sizeof(chunk);
			ssize_t got = pread(mem, chunk, want, (off_t)a);

			if (got < (ssize_t)n)
				break;
			found = memmem(chunk, (size_t)got, needle, n) != NULL;
			if ((size_t)got < sizeof(chunk))
				break;
		}
	}
	fclose(maps);
	close(mem);
	return found;
}

static void save_record(struct nwg_key *priv, struct nwg_key *pub)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();
	struct nwg_repo *repo;
	struct nwg_err err = {{0}};

	assert_non_null(rec);
	strcpy(rec->port_id, PORT);
	strcpy(rec->project_id, PROJ);
	strcpy(rec->ifname, "wg-7d1c2b3a-00");
	strcpy(rec->netns, ns);
	strcpy(rec->home_netns, ns);
	assert_int_equal(nwg_key_generate(&rec->private_key), 0);
	rec->listen_port = 51999;
	rec->mtu = 1420;
	assert_int_equal(nwg_hub_record_add_address(rec, "10.77.0.1/24"), 0);
	*priv = rec->private_key;
	assert_int_equal(nwg_key_public(pub, priv), 0);
	assert_int_equal(nwg_repo_open(&repo, dir, &err), 0);
	if (nwg_repo_save(repo, rec, &err) < 0)
		fail_msg("save: %s", err.msg);
	nwg_repo_close(repo);
	nwg_hub_record_free(rec);
}

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	if (system(cmd) != 0)
		fail_msg("%s: failed", cmd);
}

/* A veth end stands in for the hub's link (no WireGuard needed to move it):
 * in the hub's home, under its name, with its alias. */
static void hub_link_create(void)
{
	assert_int_equal(nwg_netns_create(ns, NULL), 0);
	assert_int_equal(nwg_netns_create(rns, NULL), 0);
	sh("ip -n %s link add " HUB_IF " type veth peer name %s", ns, "psw-peer");
	sh("ip -n %s link set " HUB_IF " alias neutron-wireguard:%s", ns, PORT);
}

static void hub_link_delete(void)
{
	sh("ip -n %s link del %s", ns, "psw-peer");
}

static void link_check(const char *netns, const char *ifname, bool up, unsigned int mtu,
		       const char *cidr)
{
	struct nwg_rtnl *rt = NULL;
	struct nwg_link l;
	char **have = NULL;

	assert_int_equal(nwg_rtnl_open(&rt, netns, NULL), 0);
	if (nwg_link_get(rt, ifname, &l, NULL) < 0)
		fail_msg("%s not in %s", ifname, netns);
	assert_int_equal(l.up, up);
	if (mtu)
		assert_int_equal(l.mtu, mtu);
	assert_true(nwg_addr_list(rt, ifname, &have, NULL) >= 0);
	if (cidr) {
		assert_non_null(have);
		assert_string_equal(have[0], cidr);
	} else {
		for (size_t i = 0; have && have[i]; i++)
			if (strncmp(have[i], "fe80:", 5) != 0)
				fail_msg("address %s left on %s", have[i], ifname);
	}
	nwg_strv_free(have);
	nwg_rtnl_close(rt);
}

static void record_check(const char *netns, const char *ifname)
{
	struct nwg_repo *repo;
	struct nwg_hub_record *rec = NULL;

	assert_int_equal(nwg_repo_open(&repo, dir, NULL), 0);
	assert_int_equal(nwg_repo_load(repo, PORT, &rec, NULL), 0);
	assert_string_equal(rec->netns, netns);
	assert_string_equal(rec->ifname, ifname);
	nwg_hub_record_free(rec);
	nwg_repo_close(repo);
}

static int wait_exit(pid_t pid, int *status)
{
	for (int i = 0; i < 500; i++) { /* 5 s */
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		usleep(10000);
	}
	return -1;
}

static void test_split(void **state)
{
	static struct pair p; /* outlives the test: the teardown stops it */
	struct engine_report r;
	struct nwg_key priv, pub;
	struct stat st;
	char v[128], path[128];
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	start_pair(&p);
	assert_int_equal(p.rd.limit_rc, 0);
	assert_int_equal(p.rd.dumpable, 0);
	/* the key exists only after both processes are running */
	save_record(&priv, &pub);
	hub_link_create();
	assert_int_equal(write(p.go_w, "g", 1), 1);
	assert_int_equal(read(p.rep_r, &r, sizeof(r)), sizeof(r));

	/* attach: in the router namespace as qr-, MTU, address, up, recorded */
	assert_int_equal(r.place_rc[0], 0);
	assert_true(r.place_changed[0]);
	assert_string_equal(r.place_netns[0], rns);
	link_check(rns, QR_IF, true, 1400, "10.77.0.1/24");
	record_check(rns, QR_IF);
	/* again: nothing to change */
	assert_int_equal(r.place_rc[1], 0);
	assert_false(r.place_changed[1]);

	assert_int_equal(write(p.go_w, "g", 1), 1);
	assert_int_equal(read(p.rep_r, &r, sizeof(r)), sizeof(r));
	/* detach: only to the record's home, then down, no address, recorded */
	assert_int_equal(r.place_rc[2], -EPERM);
	assert_int_equal(r.place_rc[3], 0);
	assert_true(r.place_changed[3]);
	link_check(ns, HUB_IF, false, 0, NULL);
	record_check(ns, HUB_IF);
	hub_link_delete();

	assert_int_equal(write(p.go_w, "g", 1), 1);
	assert_int_equal(read(p.rep_r, &r, sizeof(r)), sizeof(r));

	status_field(p.engine, "CapEff", v, sizeof(v));
	assert_string_equal(v, "0000000000000000");
	status_field(p.engine, "CapPrm", v, sizeof(v));
	assert_string_equal(v, "0000000000000000");
	status_field(p.engine, "CapBnd", v, sizeof(v));
	assert_string_equal(v, "0000000000000000");
	status_field(p.engine, "NoNewPrivs", v, sizeof(v));
	assert_string_equal(v, "1");
	status_field(p.engine, "Uid", v, sizeof(v));
	assert_int_not_equal(atoi(v), 0);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)p.engine);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 0); /* not dumpable: /proc/<pid> belongs to root */

	status_field(p.executor, "CapEff", v, sizeof(v));
	assert_string_equal(v, "0000000000205020");
	status_field(p.executor, "CapBnd", v, sizeof(v));
	assert_string_equal(v, "0000000000205020");
	status_field(p.executor, "Uid", v, sizeof(v));
	assert_int_equal(atoi(v), 0);

	assert_int_equal(r.open_errno, EACCES);
	assert_int_equal(r.mem_errno, EACCES);
	assert_int_equal(r.read_rc, 0);
	assert_int_equal(r.n_seen, 1);
	assert_int_equal(r.policy_rc, -EPERM);
	/* quarantined (1 record), back (1), nothing old enough to purge (0) */
	assert_int_equal(r.quarantine_rc, 1);
	assert_int_equal(r.unquarantine_rc, 1);
	assert_int_equal(r.purge_rc, 0);
	snprintf(path, sizeof(path), "%s/quarantine/%s.conf", dir, PORT);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/%s.conf", dir, PORT);
	assert_int_equal(stat(path, &st), 0);

	/* the real namespace removal, through the executor */
	assert_int_equal(r.ns_rc[0], 0);
	assert_int_equal(r.ns_state[0], NWG_PS_NETNS_KEPT);
	assert_non_null(strstr(r.ns_why, "still names it"));
	assert_int_equal(r.ns_rc[1], 0);
	assert_int_equal(r.ns_state[1], NWG_PS_NETNS_REMOVED);
	assert_int_equal(nwg_netns_exists(ns), 0);
	assert_int_equal(r.ns_rc[2], 0);
	assert_int_equal(r.ns_state[2], NWG_PS_NETNS_ABSENT);
	assert_int_equal(r.ns_policy_rc, -EPERM);

	/* the search finds the public key the engine was sent ... */
	assert_true(mem_contains(p.engine, pub.b, sizeof(pub.b)));
	/* ... and not the private key, which only the executor read */
	assert_false(mem_contains(p.engine, priv.b, sizeof(priv.b)));
	memset(&priv, 0, sizeof(priv));

	/* killing the engine ends the executor */
	assert_int_equal(kill(p.engine, SIGKILL), 0);
	assert_int_equal(wait_exit(p.executor, &status), 0);
	p.executor = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_executor_death_ends_engine(void **state)
{
	static struct pair p; /* outlives the test: the teardown stops it */
	int status;

	(void)state;
	if (geteuid() != 0)
		skip();
	start_pair(&p);
	assert_int_equal(kill(p.executor, SIGKILL), 0);
	assert_int_equal(wait_exit(p.executor, &status), 0);
	p.executor = 0;
	assert_int_equal(wait_exit(p.engine, &status), 0); /* we are its subreaper */
	p.executor = p.engine = 0;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nwg-test-privsep.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(ns, sizeof(ns), "tun-psproc%d", (int)getpid());
	snprintf(rns, sizeof(rns), "qrouter-7d1c2b3a-0000-4111-8222-%012d", (int)getpid());
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

static int teardown(void **state)
{
	(void)state;
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (geteuid() == 0 && nwg_netns_exists(ns) == 1)
		nwg_netns_delete(ns, NULL);
	if (geteuid() == 0 && nwg_netns_exists(rns) == 1)
		nwg_netns_delete(rns, NULL);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_split, pair_teardown),
	    cmocka_unit_test_teardown(test_executor_death_ends_engine, pair_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
