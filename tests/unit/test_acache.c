/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-hub actual-state cache (agent/reconcile/cache.c): a targeted pass
 * over a cached 500-spoke hub plans against the cache, and one spoke change
 * goes to the backend as one set request carrying one peer (counted by a fake
 * wireguard-go UAPI server, the userspace backend's seam); executed changes
 * update the cache; a failure, a full pass that disagrees and a restart drop
 * what the cache held.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
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
#include <unistd.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "reconcile/cache.h"
#include "reconcile/exec.h"
#include "reconcile/peers.h"
#include "reconcile/plan.h"
#include "reconcile/record.h"

#define NS     "tun-" PROJECT
#define IFNAME "wg-aaaaaaaa-00"
#define N      500

/* ---- a fake wireguard-go: counts UAPI requests and the peers they carry ---- */

struct fake_wg {
	char dir[64], path[128];
	int lfd;
	volatile int stop;
	int fail; /* answer sets with errno=-5 */
	unsigned int gets, sets, peers;
	pthread_t th;
};

static void serve_conn(struct fake_wg *f, int c)
{
	char req[1 << 16];
	size_t len = 0;
	ssize_t n;
	const char *reply;

	while (len < sizeof(req) - 1 && (n = read(c, req + len, sizeof(req) - 1 - len)) > 0) {
		len += (size_t)n;
		if (len >= 2 && !memcmp(req + len - 2, "\n\n", 2))
			break;
	}
	req[len] = '\0';
	if (!strncmp(req, "get=1", 5)) {
		f->gets++;
		reply = "errno=0\n\n";
	} else {
		f->sets++;
		for (const char *p = req; (p = strstr(p, "public_key=")); p++)
			f->peers++;
		reply = f->fail ? "errno=-5\n\n" : "errno=0\n\n";
	}
	if (write(c, reply, strlen(reply)) < 0)
		f->fail = 2;
}

static void *serve(void *arg)
{
	struct fake_wg *f = arg;

	while (!f->stop) {
		struct pollfd p = {.fd = f->lfd, .events = POLLIN};
		int c;

		if (poll(&p, 1, 50) <= 0)
			continue;
		if ((c = accept(f->lfd, NULL, NULL)) < 0)
			continue;
		serve_conn(f, c);
		close(c);
	}
	return NULL;
}

static void fake_start(struct fake_wg *f)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	snprintf(f->dir, sizeof(f->dir), "/tmp/nwg-acache-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/%s.sock", f->dir, IFNAME);
	memcpy(sun.sun_path, f->path, strlen(f->path) + 1);
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(f->lfd, 8), 0);
	assert_int_equal(pthread_create(&f->th, NULL, serve, f), 0);
}

static void fake_stop(struct fake_wg *f)
{
	char cmd[160];

	f->stop = 1;
	pthread_join(f->th, NULL);
	close(f->lfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
}

/* ---- desired and actual state of hub A with N spokes ---- */

static char hubpub[NWG_KEY_B64_LEN + 1];

static struct nwg_key spoke_key(size_t i)
{
	struct nwg_key k;

	memset(k.b, 0, sizeof(k.b));
	k.b[0] = (unsigned char)(i * 7919 % 251);
	k.b[1] = (unsigned char)(i >> 8);
	k.b[2] = (unsigned char)i;
	k.b[31] = 0x40;
	return k;
}

/* moved: the spoke whose allowed IP is 10.98.255.1 instead ((size_t)-1: none);
 * without: a spoke left out. */
static struct nwg_desired *desired(size_t moved, size_t without)
{
	size_t cap = 256 * N + 1024, len = 0;
	char *buf = malloc(cap), b64[NWG_KEY_B64_LEN + 1];
	struct nwg_desired *d = NULL;

	assert_non_null(buf);
	len +=
	    (size_t)snprintf(buf + len, cap - len,
			     "{\"hubs\": [{\"port_id\": \"" HUB_A "\", \"project_id\": \"" PROJECT
			     "\", \"fixed_ips\": [\"10.99.0.1/24\"], \"mtu\": 1450, "
			     "\"public_key\": \"%s\", \"listen_port\": 51820, \"spokes\": [",
			     hubpub);
	for (size_t i = 0; i < N; i++) {
		struct nwg_key k = spoke_key(i);
		char ip[32];

		if (i == without)
			continue;
		nwg_key_to_b64(b64, &k);
		if (i == moved)
			snprintf(ip, sizeof(ip), "10.98.255.1/32");
		else
			snprintf(ip, sizeof(ip), "10.97.%zu.%zu/32", i / 256, i % 256);
		len += (size_t)snprintf(
		    buf + len, cap - len,
		    "%s{\"port_id\": \"5b0e0000-0000-4000-8000-%012zx\", \"public_key\": \"%s\", "
		    "\"allowed_ips\": [\"%s\"]}",
		    buf[len - 1] == '[' ? "" : ", ", i, b64, ip);
	}
	len += (size_t)snprintf(buf + len, cap - len, "]}]}");
	assert_int_equal(nwg_desired_parse_text(buf, len, &d, NULL), 0);
	assert_int_equal(d->n_hubs, 1);
	free(buf);
	return d;
}

static struct nwg_hub_record *record_for(const struct nwg_desired *d)
{
	struct nwg_key priv = tkey(9);
	struct nwg_record_spec spec = {.hub = &d->hubs[0],
				       .ifname = IFNAME,
				       .netns = NS,
				       .home_netns = NS,
				       .mtu = 1420,
				       .private_key = &priv,
				       .listen_port = 51820};
	struct nwg_hub_record *rec = nwg_record_build(&spec);

	assert_non_null(rec);
	return rec;
}

static struct nwg_device *device_for(const struct nwg_desired *d, unsigned char key_fill)
{
	struct nwg_device *dev = nwg_device_new(IFNAME);
	const struct nwg_dhub *h = &d->hubs[0];
	char buf[NWG_IPNET_STRLEN];

	assert_non_null(dev);
	dev->private_key = tkey(key_fill);
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_LISTEN_PORT;
	dev->listen_port = 51820;
	for (size_t i = 0; i < h->n_spokes; i++) {
		struct nwg_peer *p = nwg_device_add_peer(dev, &h->spokes[i].public_key);

		assert_non_null(p);
		for (size_t k = 0; k < h->spokes[i].n_allowed; k++) {
			nwg_ipnet_format(&h->spokes[i].allowed[k], buf, sizeof(buf));
			assert_int_equal(nwg_peer_add_allowedip(p, buf), 0);
		}
	}
	return dev;
}

/* The record of hub A in the repository (what the executor loads its key from). */
static int save_record_in(struct nwg_repo *repo, const struct nwg_desired *d)
{
	struct nwg_hub_record *rec = record_for(d);
	int r = nwg_repo_save(repo, rec, NULL);

	nwg_hub_record_free(rec);
	return r;
}

static bool view_same(const struct nwg_hub_record *rec, const struct nwg_hub_view *v)
{
	struct nwg_hub_view *of = nwg_hub_view_of(rec);
	bool same = of && nwg_hub_view_same(of, v);

	nwg_hub_view_free(of);
	return same;
}

/* What a read of the system returns for realized hub A (device per dd). */
static struct nwg_actual *read_of(const struct nwg_desired *d, const struct nwg_desired *dd,
				  unsigned char key_fill)
{
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_alink *l;

	struct nwg_hub_record *rec = record_for(d);

	assert_int_equal(nwg_actual_add_record_view(a, rec), 0);
	nwg_hub_record_free(rec);
	l = nwg_actual_add_link(a);
	assert_non_null(l);
	snprintf(l->port_id, sizeof(l->port_id), "%s", HUB_A);
	snprintf(l->ifname, sizeof(l->ifname), "%s", IFNAME);
	snprintf(l->netns, sizeof(l->netns), "%s", NS);
	l->mtu = 1420;
	l->dev = device_for(dd, key_fill);
	nwg_device_forget_key(l->dev); /* as nwg_actual_read does */
	return a;
}

static const char *const scope[] = {HUB_A};

static struct nwg_plan *targeted_plan(const struct nwg_desired *d, const struct nwg_actual *a)
{
	struct nwg_plan_opts o = {
	    .ns_prefix = "tun-", .underlay_mtu = 1500, .scope = scope, .n_scope = 1};
	struct nwg_plan *p = NULL;

	assert_int_equal(nwg_plan_build(d, a, &o, &p), 0);
	assert_int_equal(p->n, 1);
	return p;
}

/* Builds the actual state from the cache (must hit) and plans d on it. */
static struct nwg_plan *plan_cached(struct nwg_acache *c, const struct nwg_desired *d,
				    struct nwg_actual **a)
{
	assert_int_equal(nwg_acache_actual(c, scope, 1, a), 1);
	return targeted_plan(d, *a);
}

struct fx {
	struct fake_wg wg;
	struct nwg_backend *b;
	struct nwg_repo *repo;
	struct nwg_conf conf;
	char repo_dir[128];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct nwg_key priv = tkey(9), pub;
	struct nwg_backend_opts bo = {.kind = NWG_BACKEND_USERSPACE};

	assert_non_null(f);
	assert_int_equal(nwg_key_public(&pub, &priv), 0);
	nwg_key_to_b64(hubpub, &pub);
	fake_start(&f->wg);
	bo.uapi_dir = f->wg.dir;
	assert_int_equal(nwg_backend_open(&f->b, &bo, NULL), 0);
	snprintf(f->repo_dir, sizeof(f->repo_dir), "%s/repo", f->wg.dir);
	assert_int_equal(nwg_repo_open(&f->repo, f->repo_dir, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	nwg_repo_close(f->repo);
	nwg_backend_close(f->b);
	fake_stop(&f->wg);
	free(f);
	return 0;
}

static int exec(struct fx *f, const struct nwg_action *act, struct nwg_exec_out *out)
{
	struct nwg_exec_ctx x = {.conf = &f->conf, .backend = f->b, .repo = f->repo};
	struct nwg_err err = {{0}};
	int r = nwg_exec_action(&x, act, out, &err);

	nwg_exec_ctx_clear(&x);
	return r;
}

static long journal_size(struct fx *f)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s.journal", f->repo_dir, HUB_A);
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* ---- tests ---- */

static void test_one_change_one_peer_one_request(void **state)
{
	struct fx *f = *state;
	struct nwg_desired *d0 = desired((size_t)-1, (size_t)-1), *d1 = desired(N / 2, (size_t)-1);
	struct nwg_actual *read = read_of(d0, d0, 9), *a = NULL;
	struct nwg_acache c = {0};
	struct nwg_hub_record *saved = NULL;
	struct nwg_key key9 = tkey(9);
	struct nwg_exec_out out;
	struct nwg_plan *p;

	assert_int_equal(save_record_in(f->repo, d0), 0);
	assert_int_equal(nwg_acache_fill(&c, read, true), 0);
	assert_non_null(nwg_acache_find(&c, HUB_A));
	/* the cache keeps no private key of its own: the flag says, as a read
	 * does, that the device has one (the actual state lent to a pass is the
	 * cache's own device, not a copy); its bytes are not kept */
	assert_true(nwg_acache_find(&c, HUB_A)->link.dev->flags & NWG_DEV_HAS_PRIVATE_KEY);
	assert_true(nwg_key_is_zero(&nwg_acache_find(&c, HUB_A)->link.dev->private_key));

	p = plan_cached(&c, d1, &a); /* one spoke moved */
	/* nor does the actual state built from it: no private key for the planner */
	assert_null(memmem(a->links[0].dev, sizeof(*a->links[0].dev), key9.b, NWG_KEY_LEN));
	assert_null(memmem(a->recs[0], sizeof(*a->recs[0]), key9.b, NWG_KEY_LEN));
	assert_true(nwg_alink_key_matches(&a->links[0], a->recs[0]));
	assert_int_equal(p->acts[0].kind, NWG_ACT_UPDATE);
	assert_int_equal(p->acts[0].fix, NWG_FIX_PEERS | NWG_FIX_RECORD);
	assert_int_equal(p->acts[0].n_peer_ops, 1);
	assert_true(p->acts[0].record_delta);
	assert_int_equal(exec(f, &p->acts[0], &out), 0);
	/* the record file was not rewritten: one change appended to its journal */
	assert_true(journal_size(f) > 0 && journal_size(f) < 512);
	assert_int_equal(f->wg.gets, 0);
	assert_int_equal(f->wg.sets, 1);
	assert_int_equal(f->wg.peers, 1);
	nwg_acache_applied(&c, &p->acts[0], &out, 0);
	nwg_plan_free(p);
	nwg_actual_free(a);

	/* the cache now holds what was applied and saved: the next pass is in sync */
	assert_int_equal(nwg_repo_load(f->repo, HUB_A, &saved, NULL), 0);
	assert_true(view_same(saved, nwg_acache_find(&c, HUB_A)->rec));
	p = plan_cached(&c, d1, &a);
	assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
	assert_int_equal(p->acts[0].n_peer_ops, 0);
	nwg_plan_free(p);
	nwg_actual_free(a);
	assert_int_equal(f->wg.sets, 1);
	assert_int_equal(f->wg.gets, 0);

	nwg_hub_record_free(saved);
	nwg_actual_free(read);
	nwg_acache_clear(&c);
	nwg_desired_free(d0);
	nwg_desired_free(d1);
}

static void test_add_and_remove_one(void **state)
{
	struct fx *f = *state;
	struct nwg_desired *d0 = desired((size_t)-1, 7), *d1 = desired((size_t)-1, (size_t)-1),
			   *d2 = desired((size_t)-1, 3);
	struct nwg_actual *read = read_of(d0, d0, 9), *a = NULL;
	struct nwg_acache c = {0};
	struct nwg_exec_out out;
	struct nwg_plan *p;
	const struct nwg_desired *steps[] = {d1, d2};

	assert_int_equal(save_record_in(f->repo, d0), 0);
	assert_int_equal(nwg_acache_fill(&c, read, true), 0);
	for (int s = 0; s < 2; s++) {
		p = plan_cached(&c, steps[s], &a);
		assert_int_equal(p->acts[0].n_peer_ops, 1); /* +7, then -3 */
		assert_int_equal(exec(f, &p->acts[0], &out), 0);
		nwg_acache_applied(&c, &p->acts[0], &out, 0);
		nwg_plan_free(p);
		nwg_actual_free(a);
		p = plan_cached(&c, steps[s], &a);
		assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
		nwg_plan_free(p);
		nwg_actual_free(a);
	}
	assert_int_equal(nwg_acache_find(&c, HUB_A)->link.dev->n_peers, N - 1);
	{ /* the cached record stays in key order (the planner does not sort it) */
		const struct nwg_hub_view *rec = nwg_acache_find(&c, HUB_A)->rec;

		for (size_t i = 1; i < rec->n_peers; i++)
			assert_true(memcmp(rec->peers[i - 1].public_key.b,
					   rec->peers[i].public_key.b, NWG_KEY_LEN) < 0);
	}
	{ /* what a restart loads (record + journal) is what the cache holds */
		struct nwg_hub_record *saved = NULL;

		assert_int_equal(nwg_repo_load(f->repo, HUB_A, &saved, NULL), 0);
		assert_int_equal(saved->n_peers, N - 1);
		assert_true(view_same(saved, nwg_acache_find(&c, HUB_A)->rec));
		nwg_hub_record_free(saved);
	}
	assert_true(journal_size(f) > 0);
	assert_int_equal(f->wg.sets, 2);
	assert_int_equal(f->wg.gets, 0);
	nwg_actual_free(read);
	nwg_acache_clear(&c);
	nwg_desired_free(d0);
	nwg_desired_free(d1);
	nwg_desired_free(d2);
}

/* The actual state of a targeted pass borrows the cached device and record
 * (no copy); an entry dropped while lent stays readable until the pass
 * frees its actual state. The entry is synced (reconcile/plan_touched.c
 * may look at touched keys alone) only after an applied action, never after
 * a read. */
static void test_lent_and_synced(void **state)
{
	struct fx *f = *state;
	struct nwg_desired *d0 = desired((size_t)-1, (size_t)-1), *d1 = desired(N / 2, (size_t)-1);
	struct nwg_actual *read = read_of(d0, d0, 9), *a = NULL, *b = NULL;
	struct nwg_acache c = {0};
	struct nwg_exec_out out;
	struct nwg_plan *p;

	assert_int_equal(save_record_in(f->repo, d0), 0);
	assert_int_equal(nwg_acache_fill(&c, read, true), 0);
	assert_false(nwg_acache_find(&c, HUB_A)->synced); /* a read: not known in sync */
	p = plan_cached(&c, d1, &a);
	assert_false(a->links[0].synced);
	assert_ptr_equal(a->links[0].dev, nwg_acache_find(&c, HUB_A)->link.dev); /* lent */
	assert_ptr_equal(a->recs[0], nwg_acache_find(&c, HUB_A)->rec);
	assert_int_equal(c.lent, 1);
	assert_int_equal(nwg_acache_fill(&c, read, true), -EBUSY);
	assert_int_equal(exec(f, &p->acts[0], &out), 0);
	nwg_acache_applied(&c, &p->acts[0], &out, 0);
	assert_true(nwg_acache_find(&c, HUB_A)->synced);
	nwg_plan_free(p);
	nwg_actual_free(a);
	assert_int_equal(c.lent, 0);

	p = plan_cached(&c, d1, &b);
	assert_true(b->links[0].synced);
	assert_int_equal(p->acts[0].kind, NWG_ACT_ADOPT);
	nwg_acache_drop(&c, HUB_A); /* e.g. an action failed: gone, but still lent */
	assert_null(nwg_acache_find(&c, HUB_A));
	assert_int_equal(c.n, 1);
	assert_string_equal(b->recs[0]->port_id, HUB_A); /* readable (ASan: no UAF) */
	assert_int_equal(b->links[0].dev->n_peers, N);
	nwg_plan_free(p);
	nwg_actual_free(b);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.lent, 0);

	assert_int_equal(nwg_acache_fill(&c, read, true), 0); /* read again: not synced */
	assert_false(nwg_acache_find(&c, HUB_A)->synced);
	nwg_actual_free(read);
	nwg_acache_clear(&c);
	nwg_desired_free(d0);
	nwg_desired_free(d1);
}

static void test_exec_failure_drops(void **state)
{
	struct fx *f = *state;
	struct nwg_desired *d0 = desired((size_t)-1, (size_t)-1), *d1 = desired(1, (size_t)-1);
	struct nwg_actual *read = read_of(d0, d0, 9), *a = NULL;
	struct nwg_acache c = {0};
	struct nwg_exec_out out;
	struct nwg_plan *p;
	int r;

	assert_int_equal(nwg_acache_fill(&c, read, true), 0);
	p = plan_cached(&c, d1, &a);
	f->wg.fail = 1;
	r = exec(f, &p->acts[0], &out);
	assert_true(r < 0);
	nwg_acache_applied(&c, &p->acts[0], &out, r);
	assert_null(nwg_acache_find(&c, HUB_A));
	nwg_plan_free(p);
	nwg_actual_free(a);
	assert_int_equal(nwg_acache_actual(&c, scope, 1, &a), 0); /* the next pass reads */
	assert_null(a);
	nwg_actual_free(read);
	nwg_acache_clear(&c);
	nwg_desired_free(d0);
	nwg_desired_free(d1);
}

static void test_full_pass_disagrees(void **state)
{
	struct nwg_desired *d0 = desired((size_t)-1, (size_t)-1), *d1 = desired((size_t)-1, 42);
	struct nwg_actual *read = read_of(d0, d0, 9), *drifted = read_of(d0, d1, 9), *a = NULL;
	struct nwg_acache c = {0};
	struct nwg_plan *p;

	(void)state;
	assert_int_equal(nwg_acache_fill(&c, read, true), 0);
	assert_int_equal(nwg_acache_fill(&c, read, true), 0); /* agrees: no drift */
	/* a peer removed behind the agent's back: the full pass replaces the entry */
	assert_int_equal(nwg_acache_fill(&c, drifted, true), 1);
	assert_int_equal(c.drift, 1);
	assert_int_equal(nwg_acache_find(&c, HUB_A)->link.dev->n_peers, N - 1);
	p = plan_cached(&c, d0, &a);
	assert_int_equal(p->acts[0].n_peer_ops, 1);
	assert_int_equal(p->acts[0].peer_ops[0].op, NWG_POP_ADD);
	nwg_plan_free(p);
	nwg_actual_free(a);
	/* a full pass that no longer sees the hub forgets it */
	nwg_actual_free(drifted);
	drifted = nwg_actual_new();
	nwg_acache_fill(&c, drifted, true);
	assert_null(nwg_acache_find(&c, HUB_A));
	nwg_actual_free(drifted);
	nwg_actual_free(read);
	nwg_acache_clear(&c);
	nwg_desired_free(d0);
	nwg_desired_free(d1);
}

static void test_restart_and_uncacheable(void **state)
{
	struct nwg_desired *d0 = desired((size_t)-1, (size_t)-1);
	struct nwg_actual *read = read_of(d0, d0, 9), *wrongkey = read_of(d0, d0, 8), *a = NULL;
	struct nwg_acache c = {0};
	struct nwg_action act = {.kind = NWG_ACT_UPDATE, .fix = NWG_FIX_MTU};
	struct nwg_exec_out out;

	(void)state;
	memset(&out, 0, sizeof(out));
	/* a started agent's cache is empty (nwg_agent_setup zeroes it): a miss */
	assert_int_equal(nwg_acache_actual(&c, scope, 1, &a), 0);
	assert_int_equal(nwg_acache_fill(&c, read, true), 0);
	nwg_acache_clear(&c); /* teardown; a restart starts from nothing */
	assert_int_equal(nwg_acache_actual(&c, scope, 1, &a), 0);
	/* a device whose key is not the record's is never cached */
	nwg_acache_fill(&c, wrongkey, true);
	assert_null(nwg_acache_find(&c, HUB_A));
	/* a fix other than peers/record drops the entry */
	nwg_acache_fill(&c, read, false);
	assert_non_null(nwg_acache_find(&c, HUB_A));
	snprintf(act.port_id, sizeof(act.port_id), "%s", HUB_A);
	act.want = &d0->hubs[0];
	nwg_acache_applied(&c, &act, &out, 0);
	assert_null(nwg_acache_find(&c, HUB_A));
	nwg_actual_free(read);
	nwg_actual_free(wrongkey);
	nwg_acache_clear(&c);
	nwg_desired_free(d0);
}

static void add_aip(struct nwg_peer *p, const char *cidr)
{
	assert_int_equal(nwg_peer_add_allowedip(p, cidr), 0);
}

static void test_device_apply(void **state)
{
	size_t taken = 0;
	struct nwg_device *dev = nwg_device_new("wg0"), *set = nwg_device_new("wg0");
	struct nwg_key k1 = spoke_key(1), k2 = spoke_key(2), k3 = spoke_key(3);
	struct nwg_peer *p;

	(void)state;
	add_aip(nwg_device_add_peer(dev, &k1), "10.0.0.1/32");
	add_aip(nwg_device_add_peer(dev, &k2), "10.0.0.2/32");
	nwg_peers_sort(dev);
	/* k3 takes k1's address; k2 removed; an update-only of an absent peer is ignored */
	p = nwg_device_add_peer(set, &k3);
	add_aip(p, "10.0.0.1/32");
	p->flags = NWG_PEER_HAS_KEEPALIVE;
	p->persistent_keepalive = 25;
	nwg_device_add_peer(set, &k2)->flags = NWG_PEER_REMOVE;
	k1 = tkey(77);
	p = nwg_device_add_peer(set, &k1);
	k1 = spoke_key(1);
	p->flags = NWG_PEER_UPDATE_ONLY;
	assert_int_equal(nwg_device_apply_taken(dev, set, &taken), 0);
	assert_int_equal(taken, 1); /* k1's address: the cache entry is no longer synced */
	assert_int_equal(dev->n_peers, 2);
	assert_true(memcmp(dev->peers[0].public_key.b, dev->peers[1].public_key.b, 32) < 0);
	assert_int_equal(nwg_device_find_peer(dev, &k1)->n_allowedips, 0);
	assert_int_equal(nwg_device_find_peer(dev, &k3)->n_allowedips, 1);
	assert_int_equal(nwg_device_find_peer(dev, &k3)->persistent_keepalive, 25);
	assert_null(nwg_device_find_peer(dev, &k2));
	/* replace allowed IPs */
	nwg_device_free(set);
	set = nwg_device_new("wg0");
	p = nwg_device_add_peer(set, &k3);
	p->flags = NWG_PEER_REPLACE_ALLOWEDIPS | NWG_PEER_UPDATE_ONLY;
	add_aip(p, "10.0.0.9/32");
	taken = 0;
	assert_int_equal(nwg_device_apply_taken(dev, set, &taken), 0);
	assert_int_equal(taken, 0); /* its own addresses replaced: none taken */
	assert_int_equal(nwg_device_find_peer(dev, &k3)->n_allowedips, 1);
	assert_int_equal(nwg_device_find_peer(dev, &k3)->allowedips[0].ip4.s_addr,
			 htonl(0x0a000009));
	nwg_device_free(set);
	nwg_device_free(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_one_change_one_peer_one_request, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_add_and_remove_one, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exec_failure_drops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lent_and_synced, setup, teardown),
	    cmocka_unit_test(test_full_pass_disagrees),
	    cmocka_unit_test(test_restart_and_uncacheable),
	    cmocka_unit_test(test_device_apply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
