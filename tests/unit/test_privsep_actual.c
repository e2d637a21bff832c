/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The actual state through the executor (doc/security.md, "Privilege
 * separation": ACTUAL in the view's shape). An executor process serves
 * READ_ACTUAL over a real SOCK_SEQPACKET pair with the executor's code
 * (privsep/actual_send.c) from a scratch repository's records read by
 * reconcile/actual.c plus links built here; the engine's side of the seam
 * (nwg_hostops_client.actual, privsep/client_actual.c) must build exactly the
 * struct nwg_actual the executor read — a plain hub, an HA standby copy, a
 * drifted record (moved, rekeyed), a link without a record, a record without
 * a link, an unreadable device, a corrupt record file and a hub with 300
 * peers on the link and in the record (three chunks each) — holding no
 * private key. An answer that breaks the rules (a key claim the public keys
 * contradict, parts out of order, a part cut by another, a hub not asked
 * for) is -EPROTO and gives the engine nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "fake_repo.h"
#include "privsep/actual_send.h"
#include "privsep/client_ops.h"
#include "privsep/proc.h"
#include "reconcile/actual.h"
#include "strv.h"

#define HUB_D  "dddddddd-0000-4000-8000-000000000004"
#define HUB_E  "eeeeeeee-0000-4000-8000-000000000005"
#define HUB_F  "ffffffff-0000-4000-8000-000000000006"
#define HUB_G  "99999999-0000-4000-8000-000000000007"
#define BROKEN "77777777-0000-4000-8000-000000000008"
#define HOME   "tun-" PROJECT
#define ROUTER "qrouter-9d2e6f50-aaaa-4bbb-8ccc-dddddddddddd"
#define N_BIG  300

enum mode { GOOD, BAD_KEY_CLAIM, BAD_ORDER, BAD_CUT, BAD_FOREIGN };

struct fx {
	char dir[64], repo_dir[96];
	struct nwg_repo *repo;
	struct nwg_key priv[4];	    /* records of HUB_A, HUB_B, HUB_C, HUB_E */
	struct nwg_key link_priv_c; /* the key HUB_C's link holds instead */
	int fd;			    /* the engine's end */
	pid_t executor;
	enum mode mode;
	bool partial; /* the executor's read is not complete */
};

/* ---- the fixture: records on disk, links built by hand ---- */

static void add_peers(struct nwg_hub_record *rec, size_t n, bool endpoints)
{
	char ip[32];

	for (size_t i = 0; i < n; i++) {
		struct nwg_repo_peer *p = nwg_hub_record_add_peer(rec);

		assert_non_null(p);
		snprintf(p->port_id, sizeof(p->port_id), "%08zx-0000-4000-8000-000000000011", i);
		p->public_key = tkey((unsigned char)(i + 1));
		p->public_key.b[0] = (uint8_t)(i >> 8);
		if (endpoints) {
			snprintf(p->endpoint, sizeof(p->endpoint), "192.0.2.%zu:%zu", i % 250 + 1,
				 51000 + i);
			p->persistent_keepalive = 25;
		}
		snprintf(ip, sizeof(ip), "10.%zu.%zu.5/32", 100 + i / 250, i % 250);
		assert_int_equal(nwg_repo_peer_add_allowed_ip(p, ip), 0);
		assert_int_equal(nwg_repo_peer_add_allowed_ip(p, "fd00:99::/64"), 0);
	}
}

static void save(struct fx *f, const char *id, const struct nwg_key *priv, const char *netns,
		 size_t n_peers, bool endpoints)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();

	assert_non_null(rec);
	snprintf(rec->port_id, sizeof(rec->port_id), "%s", id);
	snprintf(rec->project_id, sizeof(rec->project_id), "%s", PROJECT);
	snprintf(rec->ifname, sizeof(rec->ifname), "wg-%.11s", id);
	snprintf(rec->netns, sizeof(rec->netns), "%s", netns);
	snprintf(rec->home_netns, sizeof(rec->home_netns), "%s", HOME);
	rec->private_key = *priv;
	rec->listen_port = 51820;
	rec->mtu = 1420;
	rec->up = true;
	assert_int_equal(nwg_hub_record_add_address(rec, "10.99.0.1/24"), 0);
	assert_int_equal(nwg_hub_record_add_address(rec, "fd00:99::1/64"), 0);
	add_peers(rec, n_peers, endpoints);
	assert_int_equal(nwg_repo_save(f->repo, rec, NULL), 0);
	nwg_hub_record_free(rec);
}

/* A link as reconcile/actual.c leaves it: the device's private key wiped,
 * its public key and the has-a-key flag kept. */
static void add_link(struct nwg_actual *a, const char *id, const char *netns,
		     const struct nwg_key *priv, size_t n_peers)
{
	struct nwg_alink *l = nwg_actual_add_link(a);
	char ip[32];

	assert_non_null(l);
	snprintf(l->port_id, sizeof(l->port_id), "%s", id);
	snprintf(l->ifname, sizeof(l->ifname), "%s%.11s",
		 strncmp(netns, "qrouter-", 8) ? "wg-" : "qr-", id);
	snprintf(l->netns, sizeof(l->netns), "%s", netns);
	l->up = true;
	l->mtu = 1420;
	assert_int_equal(nwg_strv_push(&l->addrs, "10.99.0.1/24"), 0);
	if (!priv)
		return; /* the device did not answer */
	assert_non_null(l->dev = nwg_device_new(l->ifname));
	l->dev->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_PUBLIC_KEY | NWG_DEV_HAS_LISTEN_PORT;
	l->dev->private_key = *priv;
	l->dev->listen_port = 51820;
	for (size_t i = 0; i < n_peers; i++) {
		struct nwg_key k = tkey((unsigned char)(i + 1));
		struct nwg_peer *p;

		k.b[0] = (uint8_t)(i >> 8);
		assert_non_null(p = nwg_device_add_peer(l->dev, &k));
		p->flags = NWG_PEER_HAS_KEEPALIVE | NWG_PEER_HAS_ENDPOINT;
		assert_int_equal(nwg_endpoint_parse(&p->endpoint, i & 1 ? "[2001:db8::7]:51820"
									: "198.51.100.9:4500"),
				 0);
		p->persistent_keepalive = 25;
		p->last_handshake.tv_sec = 1700000000 + (time_t)i;
		p->rx_bytes = (1ULL << 33) + i;
		p->tx_bytes = i * 7;
		snprintf(ip, sizeof(ip), "10.%zu.%zu.5/32", 100 + i / 250, i % 250);
		assert_int_equal(nwg_peer_add_allowedip(p, ip), 0);
	}
	nwg_device_forget_key(l->dev);
}

/* What the executor reads (and what the engine must build): the records of
 * the repository, read by reconcile/actual.c, and the links. */
static struct nwg_actual *executor_read(struct fx *f, const struct nwg_actual_src *asked)
{
	struct nwg_actual_src src = {
	    .repo = f->repo, .scope = asked->scope, .n_scope = asked->n_scope};
	struct nwg_actual *a = NULL;
	struct {
		const char *id, *netns;
		const struct nwg_key *priv;
		size_t n_peers;
	} links[] = {
	    {HUB_A, HOME, &f->priv[0], 2},	 /* as recorded */
	    {HUB_B, HOME, &f->priv[1], 2},	 /* HA standby copy */
	    {HUB_C, ROUTER, &f->link_priv_c, 1}, /* drifted: moved and rekeyed */
	    {HUB_D, HOME, &f->priv[0], 0},	 /* no record */
	    {HUB_F, HOME, &f->priv[3], N_BIG},	 /* three chunks */
	    {HUB_G, HOME, NULL, 0},		 /* the device does not answer */
	};

	assert_int_equal(nwg_actual_read(&a, &src, NULL), 0); /* no backend: records */
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		bool in = !asked->scope;

		for (size_t k = 0; k < asked->n_scope; k++)
			in = in || strcmp(asked->scope[k], links[i].id) == 0;
		if (in)
			add_link(a, links[i].id, links[i].netns, links[i].priv, links[i].n_peers);
	}
	a->complete = !f->partial;
	return a;
}

/* ---- the executor process ---- */

static int send_link(int fd, uint32_t seq, const char *id, uint8_t part, bool last, bool claim)
{
	struct nwg_ps_msg m;
	int rc;

	nwg_ps_msg_init(&m, NWG_PS_ACTUAL, seq);
	m.u.link.part = part;
	snprintf(m.u.link.port_id, sizeof(m.u.link.port_id), "%s", id);
	snprintf(m.u.link.ifname, sizeof(m.u.link.ifname), "wg-%.11s", id);
	if (part == NWG_PS_PART_RECORD)
		m.u.link.public_key = tkey(0x51);
	if (part == NWG_PS_PART_LINK) {
		m.u.link.readable = true;
		m.u.link.dev_flags = NWG_DEV_HAS_PRIVATE_KEY;
		m.u.link.public_key = tkey(0x52);
		m.u.link.key_matches_record = claim;
	}
	m.u.link.last = last;
	rc = nwg_ps_send(fd, &m, NULL);
	nwg_ps_msg_clear(&m);
	return rc;
}

/* Answers that break the rules, each a sequence of valid messages. */
static int bad_answer(struct fx *f, int fd, uint32_t seq)
{
	switch (f->mode) {
	case BAD_KEY_CLAIM: /* the link claims the record's key; its public key says no */
		send_link(fd, seq, HUB_A, NWG_PS_PART_RECORD, true, false);
		return send_link(fd, seq, HUB_A, NWG_PS_PART_LINK, true, true);
	case BAD_ORDER: /* a record after a link */
		send_link(fd, seq, HUB_A, NWG_PS_PART_LINK, true, false);
		return send_link(fd, seq, HUB_B, NWG_PS_PART_RECORD, true, false);
	case BAD_CUT: /* a record's chunks cut by another hub's */
		send_link(fd, seq, HUB_A, NWG_PS_PART_RECORD, false, false);
		return send_link(fd, seq, HUB_B, NWG_PS_PART_RECORD, true, false);
	default: /* a hub the engine did not ask for */
		return send_link(fd, seq, HUB_E, NWG_PS_PART_RECORD, true, false);
	}
}

static int op_read(void *ctx, uint16_t type, const struct nwg_ps_ids *ids, nwg_ps_emit_fn emit,
		   void *ectx, uint32_t seq, struct nwg_ps_result *out, struct nwg_err *err)
{
	struct fx *f = ctx;
	const char *scope[NWG_PS_MAX_IDS];
	struct nwg_actual_src src = {.scope = ids->n ? scope : NULL, .n_scope = ids->n};
	struct nwg_actual *a;
	int rc;

	(void)type;
	if (f->mode != GOOD)
		return bad_answer(f, *(int *)ectx, seq);
	for (size_t i = 0; i < ids->n; i++)
		scope[i] = ids->ids[i];
	a = executor_read(f, &src);
	rc = nwg_ps_actual_send(a, emit, ectx, seq, out, err);
	nwg_actual_free(a);
	return rc;
}

static int op_apply(void *ctx, const struct nwg_ps_apply *a, struct nwg_ps_result *out,
		    struct nwg_err *err)
{
	(void)ctx;
	(void)a;
	(void)out;
	return nwg_err_set(err, EOPNOTSUPP, "not here");
}

static int op_place(void *ctx, const struct nwg_ps_place *p, struct nwg_ps_result *out,
		    struct nwg_err *err)
{
	(void)ctx;
	(void)p;
	(void)out;
	return nwg_err_set(err, EOPNOTSUPP, "not here");
}

static int op_repo(void *ctx, uint16_t type, const char *port_id, uint32_t age,
		   struct nwg_ps_result *out, struct nwg_err *err)
{
	(void)ctx;
	(void)type;
	(void)port_id;
	(void)age;
	(void)out;
	return nwg_err_set(err, EOPNOTSUPP, "not here");
}

static int op_netns(void *ctx, const char *netns, struct nwg_ps_result *out, struct nwg_err *err)
{
	(void)ctx;
	(void)netns;
	(void)out;
	return nwg_err_set(err, EOPNOTSUPP, "not here");
}

static const struct nwg_ps_ops ops = {op_read, op_apply, op_place, op_repo, op_netns, NULL,
				      NULL,    NULL,	 NULL,	   NULL,    NULL};
static const struct nwg_ps_policy pol = {.ns_prefix = "tun-"};

/* A fresh executor per read, serving f as it is now (its mode). */
static void start_executor(struct fx *f)
{
	int fds[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
	f->executor = fork();
	assert_true(f->executor >= 0);
	if (f->executor == 0) {
		close(fds[0]);
		_exit(nwg_ps_serve_loop(fds[1], &pol, &ops, f, NULL) < 0 ? 1 : 0);
	}
	close(fds[1]);
	f->fd = fds[0];
}

static void stop_executor(struct fx *f)
{
	int st;

	close(f->fd); /* the executor's loop ends when the engine hangs up */
	assert_int_equal(waitpid(f->executor, &st, 0), f->executor);
	assert_true(WIFEXITED(st));
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char path[160];
	int fd;

	assert_non_null(f);
	fake_repo_make(f->dir, sizeof(f->dir), f->repo_dir, sizeof(f->repo_dir), "psactual",
		       &f->repo);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(nwg_key_generate(&f->priv[i]), 0);
	assert_int_equal(nwg_key_generate(&f->link_priv_c), 0);
	save(f, HUB_A, &f->priv[0], HOME, 2, true);
	save(f, HUB_B, &f->priv[1], HOME, 2, false); /* standby: no endpoints */
	save(f, HUB_C, &f->priv[2], HOME, 1, true);  /* the link went elsewhere */
	save(f, HUB_E, &f->priv[2], HOME, 1, true);  /* no link */
	save(f, HUB_F, &f->priv[3], HOME, N_BIG, true);
	snprintf(path, sizeof(path), "%s/%s.conf", f->repo_dir, BROKEN);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "garbage\n", 8), 8);
	close(fd);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	fake_repo_remove(f->dir, f->repo);
	free(f);
	return 0;
}

/* ---- comparison ---- */

static bool has(const void *mem, size_t len, const struct nwg_key *k)
{
	return mem && len && memmem(mem, len, k->b, sizeof(k->b)) != NULL;
}

static bool actual_has(const struct nwg_actual *a, const struct nwg_key *k)
{
	for (size_t i = 0; i < a->n_recs; i++) {
		const struct nwg_hub_view *v = a->recs[i];

		if (has(v, sizeof(*v), k) || has(v->peers, v->n_peers * sizeof(*v->peers), k))
			return true;
	}
	for (size_t i = 0; i < a->n_links; i++) {
		const struct nwg_device *d = a->links[i].dev;

		if (has(&a->links[i], sizeof(a->links[i]), k) ||
		    (d &&
		     (has(d, sizeof(*d), k) || has(d->peers, d->n_peers * sizeof(*d->peers), k))))
			return true;
	}
	return false;
}

static size_t strv_n(char **v)
{
	return v ? nwg_strv_len(v) : 0;
}

static void same_strv(char **a, char **b)
{
	assert_int_equal(strv_n(a), strv_n(b));
	for (size_t i = 0; i < strv_n(a); i++)
		assert_string_equal(a[i], b[i]);
}

static void same_peer(const struct nwg_peer *a, const struct nwg_peer *b)
{
	char ea[64] = "", eb[64] = "";

	assert_memory_equal(a->public_key.b, b->public_key.b, NWG_KEY_LEN);
	assert_int_equal(a->flags & NWG_PEER_HAS_ENDPOINT, b->flags & NWG_PEER_HAS_ENDPOINT);
	if (a->flags & NWG_PEER_HAS_ENDPOINT) {
		assert_true(nwg_endpoint_format(&a->endpoint, ea, sizeof(ea)) > 0);
		assert_true(nwg_endpoint_format(&b->endpoint, eb, sizeof(eb)) > 0);
		assert_string_equal(ea, eb);
	}
	assert_int_equal(a->persistent_keepalive, b->persistent_keepalive);
	assert_int_equal(a->last_handshake.tv_sec, b->last_handshake.tv_sec);
	assert_int_equal(a->rx_bytes, b->rx_bytes);
	assert_int_equal(a->tx_bytes, b->tx_bytes);
	assert_int_equal(a->n_allowedips, b->n_allowedips);
	assert_memory_equal(a->allowedips, b->allowedips, a->n_allowedips * sizeof(*a->allowedips));
}

static void same_link(const struct nwg_alink *a, const struct nwg_alink *b)
{
	assert_string_equal(a->ifname, b->ifname);
	assert_string_equal(a->netns, b->netns);
	assert_int_equal(a->up, b->up);
	assert_int_equal(a->mtu, b->mtu);
	same_strv(a->addrs, b->addrs);
	assert_int_equal(!a->dev, !b->dev);
	if (!a->dev)
		return;
	assert_int_equal(a->dev->flags, b->dev->flags);
	assert_memory_equal(a->dev->public_key.b, b->dev->public_key.b, NWG_KEY_LEN);
	assert_true(nwg_key_is_zero(&b->dev->private_key));
	assert_int_equal(a->dev->listen_port, b->dev->listen_port);
	assert_int_equal(a->dev->n_peers, b->dev->n_peers);
	for (size_t i = 0; i < a->dev->n_peers; i++)
		same_peer(&a->dev->peers[i], &b->dev->peers[i]);
}

static void same_actual(const struct nwg_actual *want, const struct nwg_actual *got)
{
	assert_int_equal(got->n_recs, want->n_recs);
	for (size_t i = 0; i < want->n_recs; i++) {
		const struct nwg_hub_view *g = nwg_actual_find_record(got, want->recs[i]->port_id);

		assert_non_null(g);
		if (!nwg_hub_view_same(want->recs[i], g))
			fail_msg("record %s differs", g->port_id);
	}
	assert_int_equal(got->n_links, want->n_links);
	for (size_t i = 0; i < want->n_links; i++) {
		const struct nwg_alink *g = nwg_actual_find_link(got, want->links[i].port_id);

		assert_non_null(g);
		same_link(&want->links[i], g);
		assert_int_equal(nwg_alink_key_matches(g, nwg_actual_find_record(got, g->port_id)),
				 nwg_alink_key_matches(&want->links[i],
						       nwg_actual_find_record(want, g->port_id)));
	}
	assert_int_equal(strv_n(got->corrupt), strv_n(want->corrupt));
	for (size_t i = 0; i < strv_n(want->corrupt); i++)
		assert_true(nwg_actual_is_corrupt(got, want->corrupt[i]));
	assert_int_equal(got->complete, want->complete);
}

/* ---- tests ---- */

static void read_both(struct fx *f, const struct nwg_actual_src *src, struct nwg_actual **want,
		      struct nwg_actual **got)
{
	struct nwg_ps_client c = {0};
	struct nwg_err err = {{0}};
	int rc;

	*want = executor_read(f, src);
	start_executor(f);
	c.fd = f->fd;
	rc = nwg_hostops_client.actual(&c, src, got, &err);
	stop_executor(f);
	if (rc < 0)
		fail_msg("READ_ACTUAL: %s", err.msg);
}

static void test_full_read_equals(void **state)
{
	struct fx *f = *state;
	struct nwg_actual_src src = {0};
	struct nwg_actual *want, *got;
	const struct nwg_hub_view *big;

	read_both(f, &src, &want, &got);
	same_actual(want, got);
	/* the cases are there: 5 records, 6 links, the corrupt file */
	assert_int_equal(got->n_recs, 5);
	assert_int_equal(got->n_links, 6);
	assert_true(nwg_actual_is_corrupt(got, BROKEN));
	assert_true(got->complete);
	big = nwg_actual_find_record(got, HUB_F);
	assert_int_equal(big->n_peers, N_BIG);
	assert_int_equal(nwg_actual_find_link(got, HUB_F)->dev->n_peers, N_BIG);
	assert_string_equal(nwg_actual_find_record(got, HUB_B)->peers[0].endpoint, "");
	assert_true(nwg_alink_key_matches(nwg_actual_find_link(got, HUB_A),
					  nwg_actual_find_record(got, HUB_A)));
	assert_false(nwg_alink_key_matches(nwg_actual_find_link(got, HUB_C),
					   nwg_actual_find_record(got, HUB_C)));
	assert_string_equal(nwg_actual_find_link(got, HUB_C)->netns, ROUTER);
	assert_null(nwg_actual_find_link(got, HUB_G)->dev);
	assert_null(nwg_actual_find_record(got, HUB_D));
	assert_null(nwg_actual_find_link(got, HUB_E));
	/* no private key anywhere the engine can reach; the search finds a public one */
	for (size_t i = 0; i < 4; i++)
		assert_false(actual_has(got, &f->priv[i]));
	assert_false(actual_has(got, &f->link_priv_c));
	assert_true(actual_has(got, &nwg_actual_find_record(got, HUB_A)->public_key));
	nwg_actual_free(want);
	nwg_actual_free(got);
}

static void test_scoped_read_equals(void **state)
{
	struct fx *f = *state;
	const char *scope[] = {HUB_F, HUB_D, HUB_C};
	char *extra[] = {(char *)HOME, (char *)ROUTER, (char *)"", NULL};
	struct nwg_actual_src src = {.scope = scope, .n_scope = 3, .extra_netns = extra};
	struct nwg_actual *want, *got;

	f->partial = true; /* a namespace could not be listed */
	read_both(f, &src, &want, &got);
	f->partial = false;
	same_actual(want, got);
	assert_int_equal(got->n_recs, 2);
	assert_int_equal(got->n_links, 3);
	assert_false(got->complete);
	nwg_actual_free(want);
	nwg_actual_free(got);
}

static void expect_refused(struct fx *f, enum mode mode, const char *what)
{
	struct nwg_ps_client c = {0};
	const char *scope[] = {HUB_A, HUB_B};
	struct nwg_actual_src src = {.scope = scope, .n_scope = 2};
	struct nwg_actual *sentinel = nwg_actual_new(), *got = sentinel;
	struct nwg_err err = {{0}};
	int rc;

	f->mode = mode;
	start_executor(f);
	c.fd = f->fd;
	rc = nwg_hostops_client.actual(&c, &src, &got, &err);
	stop_executor(f);
	f->mode = GOOD;
	if (rc != -EPROTO)
		fail_msg("%s: accepted (%d: %s)", what, rc, err.msg);
	assert_null(got);
	nwg_actual_free(sentinel);
}

static void test_bad_answers_refused(void **state)
{
	expect_refused(*state, BAD_KEY_CLAIM, "a key claim the public keys contradict");
	expect_refused(*state, BAD_ORDER, "a record after a link");
	expect_refused(*state, BAD_CUT, "a part cut by another");
	expect_refused(*state, BAD_FOREIGN, "a hub not asked for");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_full_read_equals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scoped_read_equals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_answers_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
