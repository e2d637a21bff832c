/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The planner's inputs hold no private key (doc/security.md, "Privilege
 * separation"): the actual state read from a repository keeps records as
 * views (reconcile/view.h), a device read is stripped of its key, and the
 * executor loads a key only from the repository, refusing one that is not
 * the key the pass planned with. The memory of every struct the read returns
 * is searched for each record's 32 key bytes; the same search finds the key
 * in a loaded record (it can find 32 bytes).
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
#include <unistd.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "fake_repo.h"
#include "reconcile/actual.h"
#include "reconcile/exec.h"
#include "reconcile/plan.h"
#include "reconcile/record.h"
#include "reconcile/view.h"
#include "strv.h"

#define N_HUBS 3

static const char *const ids[N_HUBS] = {HUB_A, HUB_B, HUB_C};

struct fx {
	char dir[64], repo_dir[96], uapi_dir[96];
	struct nwg_repo *repo;
	struct nwg_backend *b;
	struct nwg_key priv[N_HUBS];
};

static bool has(const void *mem, size_t len, const struct nwg_key *k)
{
	return mem && memmem(mem, len, k->b, sizeof(k->b)) != NULL;
}

static bool strv_has(char **v, const struct nwg_key *k)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (has(v[i], strlen(v[i]) + 1, k))
			return true;
	}
	return false;
}

/* Every byte the planner can reach through a view. */
static bool view_has(const struct nwg_hub_view *v, const struct nwg_key *k)
{
	if (has(v, sizeof(*v), k) || strv_has(v->addresses, k) ||
	    has(v->peers, v->n_peers * sizeof(*v->peers), k))
		return true;
	for (size_t i = 0; i < v->n_peers; i++) {
		if (strv_has(v->peers[i].allowed_ips, k))
			return true;
	}
	return false;
}

static bool device_has(const struct nwg_device *d, const struct nwg_key *k)
{
	return d && (has(d, sizeof(*d), k) || has(d->peers, d->n_peers * sizeof(*d->peers), k));
}

static bool actual_has(const struct nwg_actual *a, const struct nwg_key *k)
{
	for (size_t i = 0; i < a->n_recs; i++) {
		if (view_has(a->recs[i], k))
			return true;
	}
	for (size_t i = 0; i < a->n_links; i++) {
		if (has(&a->links[i], sizeof(a->links[i]), k) || device_has(a->links[i].dev, k))
			return true;
	}
	return false;
}

static struct nwg_hub_record *record(const char *id, const struct nwg_key *priv)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();
	struct nwg_repo_peer *p;

	assert_non_null(rec);
	snprintf(rec->port_id, sizeof(rec->port_id), "%s", id);
	snprintf(rec->project_id, sizeof(rec->project_id), "%s", PROJECT);
	snprintf(rec->ifname, sizeof(rec->ifname), "wg-%.11s", id);
	rec->private_key = *priv;
	rec->listen_port = 51820;
	rec->mtu = 1420;
	assert_int_equal(nwg_hub_record_add_address(rec, "10.99.0.1/24"), 0);
	p = nwg_hub_record_add_peer(rec);
	assert_non_null(p);
	snprintf(p->port_id, sizeof(p->port_id), "%s", SPOKE_1);
	p->public_key = tkey(1);
	assert_int_equal(nwg_repo_peer_add_allowed_ip(p, "10.99.0.5/32"), 0);
	return rec;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct nwg_backend_opts bo = {.kind = NWG_BACKEND_USERSPACE};

	assert_non_null(f);
	fake_repo_make(f->dir, sizeof(f->dir), f->repo_dir, sizeof(f->repo_dir), "view", &f->repo);
	snprintf(f->uapi_dir, sizeof(f->uapi_dir), "%s/uapi", f->dir);
	bo.uapi_dir = f->uapi_dir; /* empty: no device is readable */
	assert_int_equal(nwg_backend_open(&f->b, &bo, NULL), 0);
	for (size_t i = 0; i < N_HUBS; i++) {
		struct nwg_hub_record *rec;

		assert_int_equal(nwg_key_generate(&f->priv[i]), 0);
		rec = record(ids[i], &f->priv[i]);
		assert_int_equal(nwg_repo_save(f->repo, rec, NULL), 0);
		nwg_hub_record_free(rec);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	nwg_backend_close(f->b);
	fake_repo_remove(f->dir, f->repo);
	free(f);
	return 0;
}

static void check_read(struct fx *f, const char *const *scope, size_t n_scope)
{
	struct nwg_actual_src src = {
	    .backend = f->b, .repo = f->repo, .scope = scope, .n_scope = n_scope};
	struct nwg_actual *a = NULL;
	struct nwg_err err = {{0}};

	assert_int_equal(nwg_actual_read(&a, &src, &err), 0);
	assert_int_equal(a->n_recs, N_HUBS);
	for (size_t i = 0; i < N_HUBS; i++) {
		const struct nwg_hub_view *v = nwg_actual_find_record(a, ids[i]);
		struct nwg_key pub;

		assert_non_null(v);
		assert_int_equal(nwg_key_public(&pub, &f->priv[i]), 0);
		assert_memory_equal(v->public_key.b, pub.b, sizeof(pub.b));
		assert_int_equal(v->listen_port, 51820);
		assert_int_equal(v->n_peers, 1);
		assert_string_equal(v->addresses[0], "10.99.0.1/24");
		assert_true(actual_has(a, &pub)); /* the search finds 32 bytes */
		for (size_t k = 0; k < N_HUBS; k++)
			assert_false(actual_has(a, &f->priv[k]));
	}
	nwg_actual_free(a);
}

static void test_search_finds_a_key(void **state)
{
	struct fx *f = *state;
	struct nwg_hub_record *rec = NULL;

	assert_int_equal(nwg_repo_load(f->repo, HUB_B, &rec, NULL), 0);
	assert_true(has(rec, sizeof(*rec), &f->priv[1]));
	assert_false(has(rec, sizeof(*rec), &f->priv[0]));
	nwg_hub_record_free(rec);
}

static void test_full_read_holds_no_private_key(void **state)
{
	check_read(*state, NULL, 0);
}

static void test_scoped_read_holds_no_private_key(void **state)
{
	check_read(*state, ids, N_HUBS);
}

/* A device as a backend reads it (key included) is stripped before the
 * planner sees it: the public key and the has-key flag stay. */
static void test_device_forgets_its_key(void **state)
{
	struct fx *f = *state;
	struct nwg_device *d = nwg_device_new("wg-aaaaaaaa-00");
	struct nwg_alink l = {.dev = d};
	struct nwg_hub_view *v;
	struct nwg_hub_record *rec = record(HUB_A, &f->priv[0]);
	struct nwg_key pub;

	assert_non_null(d);
	d->private_key = f->priv[0];
	d->flags = NWG_DEV_HAS_PRIVATE_KEY; /* a backend that gave no public key */
	nwg_device_forget_key(d);
	assert_false(device_has(d, &f->priv[0]));
	assert_int_equal(nwg_key_public(&pub, &f->priv[0]), 0);
	assert_memory_equal(d->public_key.b, pub.b, sizeof(pub.b));
	assert_true(nwg_alink_keyed(&l));
	v = nwg_hub_view_of(rec);
	assert_non_null(v);
	assert_false(view_has(v, &f->priv[0]));
	assert_true(nwg_alink_key_matches(&l, v));
	d->public_key = tkey(7); /* another key on the link */
	assert_false(nwg_alink_key_matches(&l, v));
	d->flags = 0; /* a device without a key (creation cut short) */
	assert_false(nwg_alink_keyed(&l));
	nwg_hub_view_free(v);
	nwg_hub_record_free(rec);
	nwg_device_free(d);
}

/* The executor loads the key from the repository and refuses one that is
 * not the key the plan was made with (the record changed since the read):
 * nothing is built. */
static void test_exec_refuses_a_changed_key(void **state)
{
	struct fx *f = *state;
	struct nwg_conf conf;
	struct nwg_exec_ctx x = {.conf = &conf, .backend = f->b, .repo = f->repo};
	struct nwg_hub_record *rec = record(HUB_A, &f->priv[0]);
	struct nwg_hub_view *planned;
	struct nwg_action act = {.kind = NWG_ACT_CREATE, .key_src = NWG_KEY_RECORD};
	struct nwg_dhub hub = {.port_id = HUB_A, .project_id = PROJECT};
	struct nwg_exec_out out;
	struct nwg_err err = {{0}};
	struct nwg_key other;

	memset(&conf, 0, sizeof(conf));
	assert_int_equal(nwg_key_generate(&other), 0);
	rec->private_key = other; /* the pass planned with another key */
	planned = nwg_hub_view_of(rec);
	assert_non_null(planned);
	snprintf(act.port_id, sizeof(act.port_id), "%s", HUB_A);
	snprintf(act.ifname, sizeof(act.ifname), "wg-%.11s", HUB_A);
	act.want = &hub;
	act.rec = planned;
	act.listen_port = 51820;
	assert_int_equal(nwg_exec_action(&x, &act, &out, &err), -ESTALE);
	assert_non_null(strstr(err.msg, "key changed"));
	nwg_exec_ctx_clear(&x);
	nwg_hub_view_free(planned);
	nwg_hub_record_free(rec);
}

/* ---- a wireguard-go that answers one get with its key (the LINK source) ---- */

struct one_get {
	int lfd;
	char reply[256];
	pthread_t th;
};

static void *answer(void *arg)
{
	struct one_get *g = arg;
	char req[512];
	int c = accept(g->lfd, NULL, NULL);

	if (c >= 0) {
		ssize_t n = read(c, req, sizeof(req));

		if (n > 0 && write(c, g->reply, strlen(g->reply)) < 0)
			n = -1;
		close(c);
	}
	return NULL;
}

static void one_get_start(struct one_get *g, const char *dir, const struct nwg_key *priv)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char hex[NWG_KEY_LEN * 2 + 1];

	for (size_t i = 0; i < NWG_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", priv->b[i]);
	snprintf(g->reply, sizeof(g->reply), "private_key=%s\nlisten_port=51820\nerrno=0\n\n", hex);
	assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
	assert_true(strlen(dir) + sizeof("/wg-aaaaaaaa-00.sock") <= sizeof(sun.sun_path));
	memcpy(sun.sun_path, dir, strlen(dir));
	memcpy(sun.sun_path + strlen(dir), "/wg-aaaaaaaa-00.sock", sizeof("/wg-aaaaaaaa-00.sock"));
	g->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(g->lfd >= 0);
	assert_int_equal(bind(g->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(g->lfd, 1), 0);
	assert_int_equal(pthread_create(&g->th, NULL, answer, g), 0);
}

/* Record lost, link adopted: the record is rewritten with the key the
 * executor reads from the link (the action carries none); a link whose key
 * is not the one planned with is refused. */
static void update_from_link(struct fx *f, const struct nwg_key *link_priv, int want_rc)
{
	struct nwg_conf conf;
	struct nwg_exec_ctx x = {.conf = &conf, .backend = f->b, .repo = f->repo};
	struct nwg_device *dev = nwg_device_new("wg-aaaaaaaa-00");
	struct nwg_alink link = {.port_id = HUB_A, .ifname = "wg-aaaaaaaa-00", .dev = dev};
	struct nwg_dhub hub = {.port_id = HUB_A, .project_id = PROJECT};
	struct nwg_action act = {.kind = NWG_ACT_UPDATE,
				 .key_src = NWG_KEY_LINK,
				 .fix = NWG_FIX_RECORD,
				 .port_id = HUB_A,
				 .project_id = PROJECT,
				 .reason = "adopt link, record lost",
				 .listen_port = 51820,
				 .ifname = "wg-aaaaaaaa-00"};
	struct nwg_hub_record *rec = NULL;
	struct nwg_exec_out out;
	struct nwg_err err = {{0}};
	struct one_get g;

	assert_non_null(dev);
	memset(&conf, 0, sizeof(conf));
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY;
	assert_int_equal(nwg_key_public(&dev->public_key, &f->priv[0]), 0); /* as planned */
	act.want = &hub;
	act.link = &link;
	assert_int_equal(nwg_repo_remove(f->repo, HUB_A, NULL), 0);
	one_get_start(&g, f->uapi_dir, link_priv);
	assert_int_equal(nwg_exec_action(&x, &act, &out, &err), want_rc);
	pthread_join(g.th, NULL);
	close(g.lfd);
	if (want_rc == 0) {
		assert_int_equal(nwg_repo_load(f->repo, HUB_A, &rec, NULL), 0);
		assert_memory_equal(rec->private_key.b, f->priv[0].b, NWG_KEY_LEN);
		assert_memory_equal(out.public_key.b, dev->public_key.b, NWG_KEY_LEN);
	} else {
		assert_int_equal(nwg_repo_load(f->repo, HUB_A, &rec, NULL), -ENOENT);
	}
	nwg_hub_record_free(rec);
	nwg_exec_ctx_clear(&x);
	nwg_device_free(dev);
}

static void test_lost_record_rewritten_from_link(void **state)
{
	struct fx *f = *state;

	update_from_link(f, &f->priv[0], 0);
}

/* The record exec saves and the view the cache keeps say the same thing
 * about an HA standby copy: its peers have no endpoint and no keepalive. */
static void test_standby_record_and_view_agree(void **state)
{
	struct nwg_dspoke spoke = {.port_id = "5d0c1b2a-0000-4000-8000-000000000001",
				   .endpoint = "192.0.2.7:51820",
				   .keepalive = 25};
	struct nwg_dhub hub = {
	    .port_id = "5d0c1b2a-0000-4000-8000-0000000000aa", .spokes = &spoke, .n_spokes = 1};
	struct nwg_action act = {.want = &hub, .standby = true};
	struct nwg_exec_out out = {.listen_port = 51820, .ifname = "wg-5d0c1b2a-00"};
	struct nwg_key priv;
	struct nwg_hub_record *rec;
	struct nwg_hub_view *view;

	(void)state;
	assert_int_equal(nwg_key_generate(&priv), 0);
	assert_int_equal(nwg_key_public(&out.public_key, &priv), 0);
	memset(&spoke.public_key, 7, sizeof(spoke.public_key));
	rec = nwg_exec_record(&act, &out, &priv);
	view = nwg_exec_view(&act, &out);
	assert_non_null(rec);
	assert_non_null(view);
	assert_int_equal(rec->n_peers, 1);
	assert_int_equal(view->n_peers, 1);
	assert_string_equal(rec->peers[0].endpoint, "");
	assert_string_equal(view->peers[0].endpoint, "");
	assert_int_equal(rec->peers[0].persistent_keepalive, 0);
	assert_int_equal(view->peers[0].persistent_keepalive, 0);
	nwg_hub_record_free(rec);
	nwg_hub_view_free(view);
	nwg_key_wipe(&priv);
}

static void test_link_with_another_key_refused(void **state)
{
	struct fx *f = *state;

	update_from_link(f, &f->priv[1], -ESTALE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_search_finds_a_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_read_holds_no_private_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scoped_read_holds_no_private_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_device_forgets_its_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exec_refuses_a_changed_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lost_record_rewritten_from_link, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_link_with_another_key_refused, setup, teardown),
	    cmocka_unit_test(test_standby_record_and_view_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
