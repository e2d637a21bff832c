/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nwg-kernel-test: the library's kernel WireGuard backend, exercised inside
 * the QEMU guest of tests/kernel/run.sh (as root, in a throw-away kernel).
 * Only library calls touch links, namespaces and WireGuard devices.
 *
 *   device                 create, alias, key, port, peers, move root ->
 *                          project ns -> router ns (renamed) -> back, delete
 *   peers [N] [K]          N peers (default 1000) with K allowed IPs each
 *                          (default 4): set and get span many messages; read
 *                          back exactly; idempotent re-set; shrink
 *   bigpeer [N]            one peer with N allowed IPs (default 3000), then
 *                          3N/4 others replacing them: a peer split across
 *                          messages (set and get)
 *   race                   gets of 600 peers while another process adds and
 *                          removes a peer: consistent or -EINTR, never torn
 *   diff                   live tunnels to 3 spokes; remove one, update one,
 *                          the untouched one keeps its session and counters
 *   hub-up NS IF KEYFILE PORT CIDR PEERPUB ENDPOINT AIP[,AIP...]
 *                          a configured, up hub in NS (created if missing)
 *   hub-check NS IF PEERPUB  0 if that peer has a handshake and traffic
 *   show NS IF             prints the device as the library reads it
 *   down NS IF             deletes the link and the namespace
 * NS "-" = the root namespace. Exit: 0 pass, 1 fail, 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nwg/err.h"
#include "nwg/key.h"
#include "nwg/netns.h"
#include "nwg/rtnl.h"
#include "nwg/wg.h"

/* ---- checks -------------------------------------------------------------- */

static int fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* A library call that must succeed (r >= 0). */
#define TRY(call)                                                                                  \
	do {                                                                                       \
		nwg_err_clear(&err);                                                               \
		int r_ = (call);                                                                   \
		if (r_ < 0)                                                                        \
			return fail(__FILE__, __LINE__, "%s = %d (%s) [%s]", #call, r_,            \
				    strerror(-r_), err.msg);                                       \
	} while (0)
/* A library call that must fail with exactly this errno. */
#define TRY_ERR(call, e)                                                                           \
	do {                                                                                       \
		int r_ = (call);                                                                   \
		if (r_ != -(e))                                                                    \
			return fail(__FILE__, __LINE__, "%s = %d, expected %d (%s)", #call, r_,    \
				    -(e), strerror(e));                                            \
	} while (0)
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return fail(__FILE__, __LINE__, __VA_ARGS__);                              \
	} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *ns_arg(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : s;
}

static int open_kernel(struct nwg_backend **b)
{
	struct nwg_backend_opts o = {.kind = NWG_BACKEND_KERNEL};
	struct nwg_err err = {{0}};

	TRY(nwg_backend_open(b, &o, &err));
	CHECK(nwg_backend_kind(*b) == NWG_BACKEND_KERNEL, "backend is %s",
	      nwg_backend_name(nwg_backend_kind(*b)));
	return 0;
}

/* ---- the device model: build and compare ----------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

#define AIP_STR 64
/* Sorted "addr/cidr" strings of a peer; *out malloc'd. */
static int aip_strings(const struct nwg_peer *p, char (**out)[AIP_STR])
{
	char(*v)[AIP_STR] = calloc(p->n_allowedips + 1, AIP_STR);

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_allowedips; i++) {
		if (nwg_allowedip_format(&p->allowedips[i], v[i], AIP_STR) < 0) {
			free(v);
			return -EINVAL;
		}
	}
	qsort(v, p->n_allowedips, AIP_STR, cmp_str);
	*out = v;
	return 0;
}

static int peer_equal(const struct nwg_peer *want, const struct nwg_peer *got, size_t idx)
{
	char ew[80], eg[80], kb[NWG_KEY_B64_LEN + 1];
	char(*aw)[AIP_STR] = NULL, (*ag)[AIP_STR] = NULL;
	int r = -1;

	nwg_key_to_b64(kb, &want->public_key);
	nwg_endpoint_format(&want->endpoint, ew, sizeof(ew));
	nwg_endpoint_format(&got->endpoint, eg, sizeof(eg));
	if (strcmp(ew, eg) != 0)
		return fail(__FILE__, __LINE__, "peer %zu %s: endpoint '%s', expected '%s'", idx,
			    kb, eg, ew);
	if (want->persistent_keepalive != got->persistent_keepalive)
		return fail(__FILE__, __LINE__, "peer %zu %s: keepalive %u, expected %u", idx, kb,
			    got->persistent_keepalive, want->persistent_keepalive);
	if (want->n_allowedips != got->n_allowedips)
		return fail(__FILE__, __LINE__, "peer %zu %s: %zu allowed IPs, expected %zu", idx,
			    kb, got->n_allowedips, want->n_allowedips);
	if (aip_strings(want, &aw) < 0 || aip_strings(got, &ag) < 0) {
		fail(__FILE__, __LINE__, "peer %zu: cannot format allowed IPs", idx);
		goto out;
	}
	for (size_t i = 0; i < want->n_allowedips; i++) {
		if (strcmp(aw[i], ag[i]) != 0) {
			fail(__FILE__, __LINE__, "peer %zu %s: allowed IP '%s', expected '%s'", idx,
			     kb, ag[i], aw[i]);
			goto out;
		}
	}
	r = 0;
out:
	free(aw);
	free(ag);
	return r;
}

/* got must hold exactly want's peers (any order) with identical config. */
static int peers_equal(const struct nwg_device *want, const struct nwg_device *got)
{
	CHECK(got->n_peers == want->n_peers, "%zu peers, expected %zu", got->n_peers,
	      want->n_peers);
	for (size_t i = 0; i < want->n_peers; i++) {
		const struct nwg_peer *g = nwg_device_find_peer(got, &want->peers[i].public_key);

		CHECK(g, "peer %zu missing from the device", i);
		if (peer_equal(&want->peers[i], g, i) < 0)
			return -1;
	}
	return 0;
}

/* Identity: private key (and its public key) and listen port. */
static int identity_equal(const struct nwg_device *got, const struct nwg_key *priv, uint16_t port)
{
	struct nwg_key pub;

	CHECK(got->flags & NWG_DEV_HAS_PRIVATE_KEY, "device has no private key");
	CHECK(nwg_key_equal(&got->private_key, priv), "private key differs");
	CHECK(nwg_key_public(&pub, priv) == 0, "nwg_key_public failed");
	CHECK(got->flags & NWG_DEV_HAS_PUBLIC_KEY, "no public key reported");
	CHECK(nwg_key_equal(&got->public_key, &pub), "public key differs");
	CHECK(got->listen_port == port, "listen port %u, expected %u", got->listen_port, port);
	return 0;
}

static struct nwg_peer *add_peer(struct nwg_device *d, const struct nwg_key *pub,
				 const char *endpoint, uint16_t keepalive, const char *aips)
{
	struct nwg_peer *p = nwg_device_add_peer(d, pub);
	char buf[512], *save = NULL;

	if (!p)
		return NULL;
	if (endpoint && *endpoint) {
		if (nwg_endpoint_parse(&p->endpoint, endpoint) < 0)
			return NULL;
		p->flags |= NWG_PEER_HAS_ENDPOINT;
	}
	p->persistent_keepalive = keepalive;
	p->flags |= NWG_PEER_HAS_KEEPALIVE;
	snprintf(buf, sizeof(buf), "%s", aips ? aips : "");
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (nwg_peer_add_allowedip(p, t) < 0)
			return NULL;
	}
	return p;
}

static int random_pub(struct nwg_key *pub)
{
	struct nwg_key priv;
	int r = nwg_key_generate(&priv);

	if (r == 0)
		r = nwg_key_public(pub, &priv);
	nwg_key_wipe(&priv);
	return r;
}

/* ---- links ------------------------------------------------------------------ */

static int link_in(const char *ns, const char *ifname, struct nwg_link *l, struct nwg_err *err)
{
	struct nwg_rtnl *r;
	int rc = nwg_rtnl_open(&r, ns, err);

	if (rc < 0)
		return rc;
	rc = nwg_link_get(r, ifname, l, err);
	nwg_rtnl_close(r);
	return rc;
}

/* Moves ifname from ns `from` to ns `to` (NULL = root) through the library. */
static int move_link(const char *from, const char *ifname, const char *to, struct nwg_err *err)
{
	struct nwg_rtnl *r;
	int fd = nwg_netns_open(to, err), rc;

	if (fd < 0)
		return fd;
	rc = nwg_rtnl_open(&r, from, err);
	if (rc == 0) {
		rc = nwg_link_move(r, ifname, fd, err);
		nwg_rtnl_close(r);
	}
	close(fd);
	return rc;
}

static int wg_get_in(struct nwg_backend *b, const char *ns, const char *ifname,
		     struct nwg_device **d, struct nwg_err *err)
{
	nwg_device_free(*d);
	*d = NULL;
	return nwg_wg_get(b, ifname, ns, d, err);
}

/* Best-effort teardown: every test calls it on every path. */
static void teardown(struct nwg_backend *b, const char *const *ns, size_t n_ns,
		     const char *const *ifs, size_t n_if)
{
	for (size_t i = 0; i < n_if; i++) {
		nwg_wg_delete(b, ifs[i], NULL, NULL);
		for (size_t j = 0; j < n_ns; j++)
			nwg_wg_delete(b, ifs[i], ns[j], NULL);
	}
	for (size_t j = 0; j < n_ns; j++)
		nwg_netns_delete(ns[j], NULL);
}

/* ---- device ----------------------------------------------------------------- */

struct names {
	char proj[32], rtr[32], ifn[IFNAMSIZ], qr[IFNAMSIZ];
};

static int device_identity(struct nwg_backend *b, const struct names *n, struct nwg_key *priv,
			   struct nwg_device **want)
{
	struct nwg_err err = {{0}};
	struct nwg_device *got = NULL;
	struct nwg_key k2;
	int rc = -1;

	TRY(nwg_key_generate(priv));
	*want = nwg_device_new(n->ifn);
	CHECK(*want, "nwg_device_new");
	(*want)->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_LISTEN_PORT;
	(*want)->private_key = *priv;
	(*want)->listen_port = 51900;
	TRY(nwg_wg_set(b, n->ifn, NULL, *want, &err));
	TRY(wg_get_in(b, NULL, n->ifn, &got, &err));
	if (identity_equal(got, priv, 51900) < 0)
		goto out;
	if (got->n_peers != 0) {
		fail(__FILE__, __LINE__, "fresh device has %zu peers", got->n_peers);
		goto out;
	}
	/* a new private key replaces the old one (and the public key with it) */
	(*want)->flags = NWG_DEV_HAS_PRIVATE_KEY;
	if (nwg_key_generate(&k2) < 0)
		goto out;
	(*want)->private_key = k2;
	if (nwg_wg_set(b, n->ifn, NULL, *want, &err) < 0 ||
	    wg_get_in(b, NULL, n->ifn, &got, &err) < 0 || identity_equal(got, &k2, 51900) < 0) {
		fail(__FILE__, __LINE__, "re-key: %s", err.msg);
		goto out;
	}
	*priv = k2;
	rc = 0;
out:
	nwg_key_wipe(&k2);
	nwg_device_free(got);
	return rc;
}

static int device_peers(struct nwg_backend *b, const struct names *n, struct nwg_device *want)
{
	struct nwg_err err = {{0}};
	struct nwg_device *got = NULL;
	struct nwg_key k[3];
	int rc;

	for (int i = 0; i < 3; i++)
		TRY(random_pub(&k[i]));
	want->flags = NWG_DEV_REPLACE_PEERS;
	CHECK(add_peer(want, &k[0], "192.0.2.7:51820", 25, "10.77.0.5/32,fd77::5/128"), "peer0");
	CHECK(add_peer(want, &k[1], "[2001:db8::9]:4500", 0, "10.77.0.6/32,10.78.0.0/16"), "p1");
	CHECK(add_peer(want, &k[2], NULL, 0, "fd77::7/128"), "peer2");
	TRY(nwg_wg_set(b, n->ifn, NULL, want, &err));
	rc = wg_get_in(b, NULL, n->ifn, &got, &err);
	if (rc == 0)
		rc = peers_equal(want, got);
	else
		fail(__FILE__, __LINE__, "get: %d %s", rc, err.msg);
	nwg_device_free(got);
	return rc;
}

/* Where the link is (ns), under which name, with which alias; wg state equal. */
static int device_is(struct nwg_backend *b, const char *ns, const char *ifn, const char *alias,
		     const struct nwg_device *want, const struct nwg_key *priv, uint16_t port)
{
	struct nwg_err err = {{0}};
	struct nwg_device *got = NULL;
	struct nwg_link l;
	int rc;

	TRY(link_in(ns, ifn, &l, &err));
	CHECK(strcmp(l.kind, "wireguard") == 0, "%s kind '%s'", ifn, l.kind);
	CHECK(strcmp(l.alias, alias) == 0, "%s alias '%s', expected '%s'", ifn, l.alias, alias);
	CHECK(nwg_wg_exists(b, ifn, ns) == 1, "nwg_wg_exists(%s, %s) != 1", ifn, ns ? ns : "root");
	TRY(nwg_wg_get(b, ifn, ns, &got, &err));
	rc = identity_equal(got, priv, port);
	if (rc == 0)
		rc = peers_equal(want, got);
	nwg_device_free(got);
	return rc;
}

static int device_moves(struct nwg_backend *b, const struct names *n, const char *alias,
			struct nwg_device *want, const struct nwg_key *priv)
{
	struct nwg_err err = {{0}};
	struct nwg_rtnl *r = NULL;
	struct nwg_device *got = NULL;
	struct nwg_link l;
	char **cidrs = NULL;
	int rc = -1, nc = 0;

	TRY(move_link(NULL, n->ifn, n->proj, &err));
	TRY_ERR(link_in(NULL, n->ifn, &l, NULL), ENODEV);
	CHECK(nwg_wg_exists(b, n->ifn, NULL) == 0, "still reachable in root after the move");
	CHECK(nwg_wg_get(b, n->ifn, NULL, &got, NULL) < 0, "get in root after the move worked");
	if (device_is(b, n->proj, n->ifn, alias, want, priv, 51900) < 0)
		return -1;
	/* addresses, MTU, up in the project namespace */
	TRY(nwg_rtnl_open(&r, n->proj, &err));
	if (nwg_addr_add(r, n->ifn, "10.77.0.1/24", &err) < 0 ||
	    nwg_addr_add(r, n->ifn, "fd77::1/64", &err) < 0 ||
	    nwg_addr_add(r, n->ifn, "10.77.0.1/24", &err) < 0 || /* again: 0 */
	    nwg_link_set_mtu(r, n->ifn, 1380, &err) < 0 ||
	    nwg_link_set_up(r, n->ifn, true, &err) < 0 ||
	    nwg_addr_list(r, n->ifn, &cidrs, &err) < 0 || nwg_link_get(r, n->ifn, &l, &err) < 0) {
		fail(__FILE__, __LINE__, "configuring the link in %s: %s", n->proj, err.msg);
		goto out;
	}
	for (char **c = cidrs; c && *c; c++)
		nc += !strcmp(*c, "10.77.0.1/24") || !strcmp(*c, "fd77::1/64");
	if (nc != 2 || l.mtu != 1380 || !l.up) {
		fail(__FILE__, __LINE__, "link: %d of 2 addresses, mtu %u, up %d", nc, l.mtu, l.up);
		goto out;
	}
	/* router attach: down, rename to qr-, move into the router namespace */
	if (nwg_link_set_up(r, n->ifn, false, &err) < 0 ||
	    nwg_link_rename(r, n->ifn, n->qr, &err) < 0) {
		fail(__FILE__, __LINE__, "rename: %s", err.msg);
		goto out;
	}
	nwg_rtnl_close(r);
	r = NULL;
	TRY(move_link(n->proj, n->qr, n->rtr, &err));
	TRY_ERR(link_in(n->proj, n->qr, &l, NULL), ENODEV);
	if (device_is(b, n->rtr, n->qr, alias, want, priv, 51900) < 0)
		goto out;
	/* a port change while in the router namespace */
	want->flags = NWG_DEV_HAS_LISTEN_PORT;
	want->listen_port = 51901;
	TRY(nwg_wg_set(b, n->qr, n->rtr, want, &err));
	if (device_is(b, n->rtr, n->qr, alias, want, priv, 51901) < 0)
		goto out;
	/* detach: rename back, home again */
	TRY(nwg_rtnl_open(&r, n->rtr, &err));
	TRY(nwg_link_rename(r, n->qr, n->ifn, &err));
	nwg_rtnl_close(r);
	r = NULL;
	TRY(move_link(n->rtr, n->ifn, n->proj, &err));
	if (device_is(b, n->proj, n->ifn, alias, want, priv, 51901) < 0)
		goto out;
	/* and back to the root namespace */
	TRY(move_link(n->proj, n->ifn, NULL, &err));
	if (device_is(b, NULL, n->ifn, alias, want, priv, 51901) < 0)
		goto out;
	TRY(move_link(NULL, n->ifn, n->proj, &err));
	rc = 0;
out:
	nwg_strv_free(cidrs);
	nwg_device_free(got);
	nwg_rtnl_close(r);
	return rc;
}

static int device_run(struct nwg_backend *b, const struct names *n)
{
	const char *alias = "neutron-wireguard:5f0c3b7e-0a4c-4a43-9d7e-2c4d3c1e9a11";
	struct nwg_err err = {{0}};
	struct nwg_device *want = NULL, *got = NULL;
	struct nwg_rtnl *r;
	struct nwg_link l;
	struct nwg_key priv;
	int rc = -1;

	TRY(nwg_netns_create(n->proj, &err));
	TRY(nwg_netns_create(n->proj, &err)); /* idempotent */
	TRY(nwg_netns_create(n->rtr, &err));
	CHECK(nwg_netns_exists(n->proj) == 1, "nwg_netns_exists");
	TRY(nwg_wg_create(b, n->ifn, &err));
	TRY_ERR(nwg_wg_create(b, n->ifn, NULL), EEXIST);
	TRY(nwg_rtnl_open(&r, NULL, &err));
	rc = nwg_link_set_alias(r, n->ifn, alias, &err);
	if (rc == 0)
		rc = nwg_link_get(r, n->ifn, &l, &err);
	nwg_rtnl_close(r);
	CHECK(rc == 0, "alias: %d %s", rc, err.msg);
	CHECK(!strcmp(l.kind, "wireguard") && !strcmp(l.alias, alias), "kind '%s' alias '%s'",
	      l.kind, l.alias);
	rc = -1;
	if (device_identity(b, n, &priv, &want) < 0 || device_peers(b, n, want) < 0 ||
	    device_moves(b, n, alias, want, &priv) < 0)
		goto out;
	/* never touch a link that is not WireGuard; reject bad names */
	CHECK(nwg_wg_exists(b, "lo", NULL) == 0, "lo counted as a WireGuard device");
	CHECK(nwg_wg_get(b, "lo", NULL, &got, NULL) < 0, "get on lo succeeded");
	CHECK(nwg_wg_delete(b, "lo", NULL, NULL) < 0, "delete of lo succeeded");
	TRY(link_in(NULL, "lo", &l, &err));			     /* still there */
	TRY_ERR(nwg_wg_create(b, "wg-0123456789abc", NULL), EINVAL); /* 16 bytes */
	TRY_ERR(nwg_wg_create(b, "wg/x", NULL), EINVAL);
	/* a device that is not there */
	if (nwg_wg_get(b, "wg-nosuch0", n->proj, &got, NULL) >= 0 ||
	    nwg_wg_set(b, "wg-nosuch0", n->proj, want, NULL) >= 0) {
		fail(__FILE__, __LINE__, "get/set of a missing device succeeded");
		goto out;
	}
	/* REPLACE_PEERS with no peers empties the device */
	for (size_t i = 0; i < want->n_peers; i++)
		free(want->peers[i].allowedips);
	want->n_peers = 0;
	want->flags = NWG_DEV_REPLACE_PEERS;
	if (nwg_wg_set(b, n->ifn, n->proj, want, &err) < 0 ||
	    device_is(b, n->proj, n->ifn, alias, want, &priv, 51901) < 0) {
		fail(__FILE__, __LINE__, "emptying the peers: %s", err.msg);
		goto out;
	}
	/* delete from where it lives; a second delete is -ENODEV */
	TRY(nwg_wg_delete(b, n->ifn, n->proj, &err));
	TRY_ERR(nwg_wg_delete(b, n->ifn, n->proj, NULL), ENODEV);
	CHECK(nwg_wg_exists(b, n->ifn, n->proj) == 0, "exists after delete");
	TRY(nwg_netns_delete(n->rtr, &err));
	TRY_ERR(nwg_netns_delete(n->rtr, NULL), ENOENT);
	rc = 0;
out:
	nwg_key_wipe(&priv);
	nwg_device_free(want);
	nwg_device_free(got);
	return rc;
}

static int cmd_device(void)
{
	struct nwg_backend *b;
	struct names n;
	int rc;

	if (open_kernel(&b) < 0)
		return 1;
	snprintf(n.proj, sizeof(n.proj), "tun-kt%d", (int)getpid());
	snprintf(n.rtr, sizeof(n.rtr), "qrouter-kt%d", (int)getpid());
	snprintf(n.ifn, sizeof(n.ifn), "wg-kt%d", (int)getpid() % 100000);
	snprintf(n.qr, sizeof(n.qr), "qr-kt%d", (int)getpid() % 100000);
	rc = device_run(b, &n);
	const char *ns[] = {n.proj, n.rtr}, *ifs[] = {n.ifn, n.qr};
	teardown(b, ns, 2, ifs, 2);
	nwg_backend_close(b);
	if (rc == 0)
		printf("device: create, alias, key, re-key, port, 3 peers, moves "
		       "root->project->router(qr)->project->root->project, delete: OK\n");
	return rc == 0 ? 0 : 1;
}

/* ---- many peers -------------------------------------------------------------- */

/* Peer i: up to 4 allowed IPs, none shared with another peer; endpoints
 * v4 / v6 / none and keepalive on every 5th, so every attribute kind shows. */
static struct nwg_peer *big_peer(struct nwg_device *d, unsigned int i, unsigned int k)
{
	char aips[256], ep[64] = "";
	struct nwg_key pub;
	int n;

	if (nwg_key_generate(&pub) < 0) /* random bytes are as good a public key */
		return NULL;
	n = snprintf(aips, sizeof(aips),
		     "100.%u.%u.1/32,10.%u.%u.0/24,fd00:1::%x/128,fd00:2:%x::/64", 64 + (i >> 8),
		     i & 255, i >> 8, i & 255, i + 1, i + 1);
	if (n < 0 || (size_t)n >= sizeof(aips))
		return NULL;
	/* keep the first k of the 4 (k <= 4) */
	for (unsigned int seen = 0, j = 0; aips[j]; j++) {
		if (aips[j] == ',' && ++seen == k) {
			aips[j] = '\0';
			break;
		}
	}
	if (i % 3 == 0)
		snprintf(ep, sizeof(ep), "192.0.2.%u:%u", i % 250 + 1, 20000 + i);
	else if (i % 3 == 1)
		snprintf(ep, sizeof(ep), "[2001:db8::%x]:%u", i, 20000 + i);
	return add_peer(d, &pub, ep, i % 5 == 0 ? 25 : 0, k ? aips : NULL);
}

static int peers_run(struct nwg_backend *b, const char *ns, const char *ifn, unsigned int np,
		     unsigned int k)
{
	struct nwg_err err = {{0}};
	struct nwg_device *want = nwg_device_new(ifn), *got = NULL;
	struct nwg_key priv;
	double t0, t_set, t_get, t_reset;
	int rc = -1;

	CHECK(want, "nwg_device_new");
	TRY(nwg_key_generate(&priv));
	want->private_key = priv;
	want->listen_port = 51910;
	want->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_LISTEN_PORT | NWG_DEV_REPLACE_PEERS;
	for (unsigned int i = 0; i < np; i++)
		CHECK(big_peer(want, i, k), "building peer %u", i);
	TRY(nwg_netns_create(ns, &err));
	TRY(nwg_wg_create(b, ifn, &err));
	TRY(move_link(NULL, ifn, ns, &err));
	t0 = now_s();
	TRY(nwg_wg_set(b, ifn, ns, want, &err));
	t_set = now_s() - t0;
	t0 = now_s();
	TRY(nwg_wg_get(b, ifn, ns, &got, &err));
	t_get = now_s() - t0;
	if (identity_equal(got, &priv, 51910) < 0 || peers_equal(want, got) < 0)
		goto out;
	/* the same again, REPLACE_PEERS: same result */
	t0 = now_s();
	TRY(nwg_wg_set(b, ifn, ns, want, &err));
	t_reset = now_s() - t0;
	if (wg_get_in(b, ns, ifn, &got, &err) < 0 || peers_equal(want, got) < 0) {
		fail(__FILE__, __LINE__, "after re-set: %s", err.msg);
		goto out;
	}
	printf("peers: %u peers x %u allowed IPs: set %.2fs, get %.2fs, re-set %.2fs, "
	       "read back exactly\n",
	       np, k, t_set, t_get, t_reset);
	/* shrink to the first half (REPLACE_PEERS) */
	for (size_t i = np / 2; i < want->n_peers; i++)
		free(want->peers[i].allowedips);
	want->n_peers = np / 2;
	want->flags = NWG_DEV_REPLACE_PEERS;
	TRY(nwg_wg_set(b, ifn, ns, want, &err));
	if (wg_get_in(b, ns, ifn, &got, &err) < 0 || peers_equal(want, got) < 0 ||
	    identity_equal(got, &priv, 51910) < 0) {
		fail(__FILE__, __LINE__, "after shrinking: %s", err.msg);
		goto out;
	}
	printf("peers: replaced by the first %u: OK\n", np / 2);
	rc = 0;
out:
	nwg_key_wipe(&priv);
	nwg_device_free(want);
	nwg_device_free(got);
	return rc;
}

static int cmd_peers(int argc, char **argv)
{
	unsigned int np = argc > 0 ? (unsigned int)strtoul(argv[0], NULL, 10) : 1000;
	unsigned int k = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : 4;
	struct nwg_backend *b;
	char ns[32], ifn[IFNAMSIZ];
	int rc;

	if (np > 60000 || k > 4) {
		fprintf(stderr, "peers: N <= 60000, K <= 4\n");
		return 2;
	}
	if (open_kernel(&b) < 0)
		return 1;
	snprintf(ns, sizeof(ns), "tun-ktpeers%d", (int)getpid());
	snprintf(ifn, sizeof(ifn), "wg-ktp%d", (int)getpid() % 100000);
	rc = peers_run(b, ns, ifn, np, k);
	const char *nss[] = {ns}, *ifs[] = {ifn};
	teardown(b, nss, 1, ifs, 1);
	nwg_backend_close(b);
	return rc == 0 ? 0 : 1;
}

/* ---- reads racing with writes ----------------------------------------------------------- */

/* Child: adds and removes a ghost peer on the device, every 0..15 ms. */
static void churn(struct nwg_backend *b, const char *ns, const char *ifn)
{
	struct nwg_device *d = nwg_device_new(ifn);
	struct timespec nap = {0, 0};
	struct nwg_key k;

	if (!d || random_pub(&k) < 0 || !add_peer(d, &k, NULL, 0, "10.250.0.1/32"))
		_exit(3);
	for (unsigned int i = 0;; i++) {
		nap.tv_nsec = (long)(i % 4) * 5000000L; /* 0, 5, 10, 15 ms */
		nanosleep(&nap, NULL);
		d->peers[0].flags &= ~(uint32_t)NWG_PEER_REMOVE;
		if (nwg_wg_set(b, ifn, ns, d, NULL) < 0)
			_exit(4);
		d->peers[0].flags |= NWG_PEER_REMOVE;
		if (nwg_wg_set(b, ifn, ns, d, NULL) < 0)
			_exit(5);
	}
}

/* Every get is either a consistent snapshot (the n peers exactly, plus or
 * minus the ghost) or -EINTR ("dump interrupted, retry"): never torn. */
static int race_check(struct nwg_backend *b, const char *ns, const char *ifn,
		      const struct nwg_device *want, int *n_ok, int *n_intr)
{
	struct nwg_err err = {{0}};
	struct nwg_device *got = NULL, *trim;
	int rc;

	for (int i = 0; i < 30; i++) {
		rc = wg_get_in(b, ns, ifn, &got, &err);
		if (rc == -EINTR) {
			(*n_intr)++;
			continue;
		}
		CHECK(rc == 0, "get during churn: %d %s", rc, err.msg);
		CHECK(got->n_peers == want->n_peers || got->n_peers == want->n_peers + 1,
		      "torn read: %zu peers (want %zu or +1)", got->n_peers, want->n_peers);
		trim = got;
		if (got->n_peers > want->n_peers) { /* drop the ghost (the newest, last) */
			free(got->peers[got->n_peers - 1].allowedips);
			got->n_peers--;
		}
		if (peers_equal(want, trim) < 0)
			return fail(__FILE__, __LINE__, "torn read %d", i);
		(*n_ok)++;
	}
	nwg_device_free(got);
	return 0;
}

static int cmd_race(void)
{
	struct nwg_err err = {{0}};
	struct nwg_backend *b;
	struct nwg_device *want;
	char ns[32], ifn[IFNAMSIZ];
	int rc = 1, n_ok = 0, n_intr = 0, st;
	pid_t child = -1;

	if (open_kernel(&b) < 0)
		return 1;
	snprintf(ns, sizeof(ns), "tun-ktrace%d", (int)getpid());
	snprintf(ifn, sizeof(ifn), "wg-ktr%d", (int)getpid() % 100000);
	want = nwg_device_new(ifn);
	for (unsigned int i = 0; want && i < 600; i++)
		if (!big_peer(want, i, 2))
			goto out;
	if (!want || nwg_netns_create(ns, &err) < 0 || nwg_wg_create(b, ifn, &err) < 0 ||
	    move_link(NULL, ifn, ns, &err) < 0 || nwg_wg_set(b, ifn, ns, want, &err) < 0) {
		fail(__FILE__, __LINE__, "setup: %s", err.msg);
		goto out;
	}
	child = fork();
	if (child == 0)
		churn(b, ns, ifn);
	if (child < 0 || race_check(b, ns, ifn, want, &n_ok, &n_intr) < 0)
		goto out;
	printf("race: 30 gets of 600 peers during add/remove churn: %d consistent, %d -EINTR "
	       "(retry), none torn\n",
	       n_ok, n_intr);
	/* no n_intr > 0 requirement: a library that retries -EINTR itself is fine */
	rc = 0;
out:
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, &st, 0);
		if (WIFEXITED(st)) { /* it stopped by itself: a set failed */
			fail(__FILE__, __LINE__, "churn child exited %d", WEXITSTATUS(st));
			rc = 1;
		}
	}
	const char *nss[] = {ns}, *ifs[] = {ifn};
	teardown(b, nss, 1, ifs, 1);
	nwg_device_free(want);
	nwg_backend_close(b);
	return rc;
}

/* ---- one peer with thousands of allowed IPs ------------------------------------------ */

/* n allowed IPs for one peer, from base (v4 /32 and v6 /128 alternating). */
static int many_aips(struct nwg_peer *p, unsigned int n, unsigned int base)
{
	char c[64];

	for (unsigned int i = 0; i < n; i++) {
		unsigned int v = base + i;

		if (i % 2)
			snprintf(c, sizeof(c), "fd10:%x::%x/128", v >> 16, v & 0xffff);
		else
			snprintf(c, sizeof(c), "172.%u.%u.%u/32", 16 + (v >> 16), (v >> 8) & 255,
				 v & 255);
		if (nwg_peer_add_allowedip(p, c) < 0)
			return -1;
	}
	return 0;
}

/* Peer 0 gets n allowed IPs (from base), replacing what it had; peer 1 two. */
static struct nwg_device *bigpeer_dev(const char *ifn, const struct nwg_key *k, unsigned int n,
				      unsigned int base)
{
	struct nwg_device *d = nwg_device_new(ifn);
	struct nwg_peer *p;

	if (!d || !(p = add_peer(d, &k[0], "192.0.2.1:1", 0, NULL)) || many_aips(p, n, base) < 0 ||
	    !(p = add_peer(d, &k[1], NULL, 0, "10.200.0.0/16,fd20::/64"))) {
		nwg_device_free(d);
		return NULL;
	}
	d->peers[0].flags |= NWG_PEER_REPLACE_ALLOWEDIPS;
	d->peers[1].flags |= NWG_PEER_REPLACE_ALLOWEDIPS;
	return d;
}

static int bigpeer_run(struct nwg_backend *b, const char *ns, const char *ifn, unsigned int n)
{
	struct nwg_err err = {{0}};
	struct nwg_device *want = NULL, *got = NULL;
	struct nwg_key k[2];
	int rc = -1;

	TRY(random_pub(&k[0]));
	TRY(random_pub(&k[1]));
	TRY(nwg_netns_create(ns, &err));
	TRY(nwg_wg_create(b, ifn, &err));
	TRY(move_link(NULL, ifn, ns, &err));
	/* n, then a different n - n/4 replacing them: a continuation message
	 * must not replace (wipe) what the first part of the same peer set */
	for (int round = 0; round < 2; round++) {
		unsigned int cnt = round ? n - n / 4 : n;

		nwg_device_free(want);
		want = bigpeer_dev(ifn, k, cnt, round ? 100000 : 0);
		CHECK(want, "building the device");
		if (nwg_wg_set(b, ifn, ns, want, &err) < 0 ||
		    wg_get_in(b, ns, ifn, &got, &err) < 0) {
			fail(__FILE__, __LINE__, "round %d: %s", round, err.msg);
			goto out;
		}
		if (peers_equal(want, got) < 0) {
			fail(__FILE__, __LINE__, "round %d (%u allowed IPs on one peer)", round,
			     cnt);
			goto out;
		}
		printf(
		    "bigpeer: one peer with %u allowed IPs (+ a second peer): read back exactly\n",
		    cnt);
	}
	rc = 0;
out:
	nwg_device_free(want);
	nwg_device_free(got);
	return rc;
}

static int cmd_bigpeer(int argc, char **argv)
{
	unsigned int n = argc > 0 ? (unsigned int)strtoul(argv[0], NULL, 10) : 3000;
	struct nwg_backend *b;
	char ns[32], ifn[IFNAMSIZ];
	int rc;

	if (n < 4 || n > 100000)
		return 2;
	if (open_kernel(&b) < 0)
		return 1;
	snprintf(ns, sizeof(ns), "tun-ktbig%d", (int)getpid());
	snprintf(ifn, sizeof(ifn), "wg-ktbig%d", (int)getpid() % 100000);
	rc = bigpeer_run(b, ns, ifn, n);
	const char *nss[] = {ns}, *ifs[] = {ifn};
	teardown(b, nss, 1, ifs, 1);
	nwg_backend_close(b);
	return rc == 0 ? 0 : 1;
}

/* ---- peer diff on live tunnels -------------------------------------------------- */

#define N_SPOKES 3

struct diffnet {
	char hub_ns[32], hub_if[IFNAMSIZ];
	char sp_ns[N_SPOKES][32], sp_if[N_SPOKES][IFNAMSIZ];
	struct nwg_key hub_pub, sp_pub[N_SPOKES];
};

/* A device created in root (its UDP socket stays on root's loopback), set,
 * moved to ns, addressed and up. */
static int endpoint_dev(struct nwg_backend *b, const char *ns, const char *ifn, uint16_t port,
			const char *cidr, struct nwg_device *d, struct nwg_key *pub)
{
	struct nwg_err err = {{0}};
	struct nwg_rtnl *r;
	struct nwg_key priv;
	int rc;

	TRY(nwg_key_generate(&priv));
	TRY(nwg_key_public(pub, &priv));
	d->private_key = priv;
	nwg_key_wipe(&priv);
	d->listen_port = port;
	d->flags |= NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_LISTEN_PORT | NWG_DEV_REPLACE_PEERS;
	TRY(nwg_netns_create(ns, &err));
	TRY(nwg_wg_create(b, ifn, &err));
	TRY(nwg_wg_set(b, ifn, NULL, d, &err));
	TRY(move_link(NULL, ifn, ns, &err));
	TRY(nwg_rtnl_open(&r, ns, &err));
	rc = nwg_addr_add(r, ifn, cidr, &err);
	if (rc == 0)
		rc = nwg_link_set_up(r, ifn, true, &err);
	nwg_rtnl_close(r);
	CHECK(rc == 0, "%s up: %s", ifn, err.msg);
	return 0;
}

struct udp_dst {
	const char *ip;
};

static int send_udp(void *arg)
{
	const struct udp_dst *d = arg;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -errno;
	inet_pton(AF_INET, d->ip, &sin.sin_addr);
	rc = sendto(fd, "ping", 4, 0, (struct sockaddr *)&sin, sizeof(sin)) == 4 ? 0 : -errno;
	close(fd);
	return rc;
}

/* Sends a datagram from the hub to spoke i's tunnel address. */
static int poke(const struct diffnet *n, int i)
{
	struct nwg_err err = {{0}};
	char ip[32];
	struct udp_dst d = {ip};

	snprintf(ip, sizeof(ip), "10.88.0.%d", 11 + i);
	TRY(nwg_netns_run(n->hub_ns, send_udp, &d, &err));
	return 0;
}

/* Waits until the hub has a handshake with every spoke; *out = that state. */
static int wait_handshakes(struct nwg_backend *b, const struct diffnet *n, struct nwg_device **out)
{
	struct nwg_err err = {{0}};
	struct timespec nap = {0, 100000000L};

	for (int tries = 0; tries < 300; tries++) {
		int done = 0;

		TRY(wg_get_in(b, n->hub_ns, n->hub_if, out, &err));
		for (size_t i = 0; i < (*out)->n_peers; i++)
			done += (*out)->peers[i].last_handshake.tv_sec != 0 &&
				(*out)->peers[i].tx_bytes > 0 && (*out)->peers[i].rx_bytes > 0;
		if (done == N_SPOKES)
			return 0;
		if (tries % 20 == 0)
			for (int i = 0; i < N_SPOKES; i++)
				poke(n, i);
		nanosleep(&nap, NULL);
	}
	return fail(__FILE__, __LINE__, "no handshake with all %d spokes within 30 s", N_SPOKES);
}

static int diff_setup(struct nwg_backend *b, struct diffnet *n, struct nwg_device **hub)
{
	struct nwg_device *sp[N_SPOKES] = {NULL};
	char ep[32], aip[32], cidr[32];
	int rc = -1;

	*hub = nwg_device_new(n->hub_if);
	CHECK(*hub, "nwg_device_new");
	for (int i = 0; i < N_SPOKES; i++) {
		sp[i] = nwg_device_new(n->sp_if[i]);
		snprintf(cidr, sizeof(cidr), "10.88.0.%d/24", 11 + i);
		if (!sp[i] || endpoint_dev(b, n->sp_ns[i], n->sp_if[i], (uint16_t)(52011 + i), cidr,
					   sp[i], &n->sp_pub[i]) < 0)
			goto out;
	}
	if (endpoint_dev(b, n->hub_ns, n->hub_if, 52001, "10.88.0.1/24", *hub, &n->hub_pub) < 0)
		goto out;
	for (int i = 0; i < N_SPOKES; i++) {
		struct nwg_err err = {{0}};

		snprintf(ep, sizeof(ep), "127.0.0.1:%d", 52011 + i);
		snprintf(aip, sizeof(aip), "10.88.0.%d/32", 11 + i);
		if (!add_peer(*hub, &n->sp_pub[i], ep, 0, aip))
			goto out;
		/* spoke side: only the hub as peer */
		sp[i]->flags = NWG_DEV_REPLACE_PEERS;
		if (!add_peer(sp[i], &n->hub_pub, "127.0.0.1:52001", 0, "10.88.0.0/24") ||
		    nwg_wg_set(b, n->sp_if[i], n->sp_ns[i], sp[i], &err) < 0) {
			fail(__FILE__, __LINE__, "spoke %d: %s", i, err.msg);
			goto out;
		}
	}
	(*hub)->flags = NWG_DEV_REPLACE_PEERS;
	if (nwg_wg_set(b, n->hub_if, n->hub_ns, *hub, NULL) < 0)
		goto out;
	rc = 0;
out:
	for (int i = 0; i < N_SPOKES; i++)
		nwg_device_free(sp[i]);
	return rc;
}

static int same_state(const struct nwg_peer *a, const struct nwg_peer *b2, const char *what)
{
	CHECK(a->last_handshake.tv_sec == b2->last_handshake.tv_sec &&
		  a->last_handshake.tv_nsec == b2->last_handshake.tv_nsec,
	      "%s: handshake time changed (%lld.%09ld -> %lld.%09ld)", what,
	      (long long)a->last_handshake.tv_sec, a->last_handshake.tv_nsec,
	      (long long)b2->last_handshake.tv_sec, b2->last_handshake.tv_nsec);
	return 0;
}

static int diff_apply(struct nwg_backend *b, const struct diffnet *n,
		      const struct nwg_device *before)
{
	struct nwg_err err = {{0}};
	struct nwg_device *d = nwg_device_new(n->hub_if), *after = NULL, *want = NULL;
	struct nwg_peer *p;
	struct nwg_key ghost;
	const struct nwg_peer *b2, *b3, *a2, *a3;
	int rc = -1;

	CHECK(d, "nwg_device_new");
	TRY(random_pub(&ghost));
	/* no REPLACE_PEERS: peers not named are left alone */
	p = add_peer(d, &n->sp_pub[0], NULL, 0, NULL);
	CHECK(p, "add_peer");
	p->flags = NWG_PEER_REMOVE;
	p = add_peer(d, &n->sp_pub[1], "127.0.0.1:52012", 15, "10.88.0.12/32,10.89.0.0/24");
	CHECK(p, "add_peer");
	p->flags |= NWG_PEER_UPDATE_ONLY | NWG_PEER_REPLACE_ALLOWEDIPS;
	p = add_peer(d, &ghost, "127.0.0.1:1", 0, "10.90.0.1/32");
	CHECK(p, "add_peer");
	p->flags |= NWG_PEER_UPDATE_ONLY; /* absent: must not be created */
	TRY(nwg_wg_set(b, n->hub_if, n->hub_ns, d, &err));
	TRY(nwg_wg_get(b, n->hub_if, n->hub_ns, &after, &err));
	/* expected config: spoke 1 as updated, spoke 2 as before */
	want = nwg_device_new(n->hub_if);
	CHECK(want, "nwg_device_new");
	CHECK(add_peer(want, &n->sp_pub[1], "127.0.0.1:52012", 15, "10.88.0.12/32,10.89.0.0/24"),
	      "add_peer");
	CHECK(add_peer(want, &n->sp_pub[2], "127.0.0.1:52013", 0, "10.88.0.13/32"), "add_peer");
	if (peers_equal(want, after) < 0)
		goto out;
	b2 = nwg_device_find_peer(before, &n->sp_pub[1]);
	b3 = nwg_device_find_peer(before, &n->sp_pub[2]);
	a2 = nwg_device_find_peer(after, &n->sp_pub[1]);
	a3 = nwg_device_find_peer(after, &n->sp_pub[2]);
	if (!b2 || !b3 || !a2 || !a3 || same_state(b2, a2, "updated spoke") < 0 ||
	    same_state(b3, a3, "untouched spoke") < 0)
		goto out;
	if (a3->rx_bytes != b3->rx_bytes || a3->tx_bytes != b3->tx_bytes) {
		fail(__FILE__, __LINE__, "untouched spoke: counters %llu/%llu -> %llu/%llu",
		     (unsigned long long)b3->rx_bytes, (unsigned long long)b3->tx_bytes,
		     (unsigned long long)a3->rx_bytes, (unsigned long long)a3->tx_bytes);
		goto out;
	}
	rc = 0;
out:
	nwg_device_free(d);
	nwg_device_free(after);
	nwg_device_free(want);
	return rc;
}

/* The untouched spoke's session still carries traffic without a new handshake. */
static int diff_still_works(struct nwg_backend *b, const struct diffnet *n,
			    const struct nwg_device *before)
{
	struct nwg_err err = {{0}};
	struct nwg_device *now = NULL;
	const struct nwg_peer *b3 = nwg_device_find_peer(before, &n->sp_pub[2]), *a3;
	struct timespec nap = {0, 100000000L};

	CHECK(b3, "spoke 2 missing before");
	for (int tries = 0; tries < 50; tries++) {
		if (tries % 10 == 0 && poke(n, 2) < 0)
			return -1;
		nanosleep(&nap, NULL);
		TRY(wg_get_in(b, n->hub_ns, n->hub_if, &now, &err));
		a3 = nwg_device_find_peer(now, &n->sp_pub[2]);
		CHECK(a3, "spoke 2 vanished");
		if (a3->tx_bytes > b3->tx_bytes && a3->rx_bytes > b3->rx_bytes) {
			int rc = same_state(b3, a3, "untouched spoke after traffic");

			nwg_device_free(now);
			return rc;
		}
	}
	nwg_device_free(now);
	return fail(__FILE__, __LINE__, "no traffic to the untouched spoke within 5 s");
}

static int cmd_diff(void)
{
	struct nwg_backend *b;
	struct nwg_device *hub = NULL, *before = NULL;
	struct diffnet n;
	const char *nss[N_SPOKES + 1], *ifs[N_SPOKES + 1];
	int rc = 1, pid = (int)getpid() % 10000;

	memset(&n, 0, sizeof(n));
	snprintf(n.hub_ns, sizeof(n.hub_ns), "tun-ktdiff%d", pid);
	snprintf(n.hub_if, sizeof(n.hub_if), "wg-ktdh%d", pid);
	nss[0] = n.hub_ns;
	ifs[0] = n.hub_if;
	for (int i = 0; i < N_SPOKES; i++) {
		snprintf(n.sp_ns[i], sizeof(n.sp_ns[i]), "kt-spoke%d-%d", i, pid);
		snprintf(n.sp_if[i], sizeof(n.sp_if[i]), "wg-kts%d-%d", i, pid);
		nss[i + 1] = n.sp_ns[i];
		ifs[i + 1] = n.sp_if[i];
	}
	if (open_kernel(&b) < 0)
		return 1;
	if (diff_setup(b, &n, &hub) == 0 && wait_handshakes(b, &n, &before) == 0) {
		printf("diff: hub has handshakes with %d spokes\n", N_SPOKES);
		/* let the first packets' echoes settle before the snapshot */
		nanosleep(&(struct timespec){0, 300000000L}, NULL);
		if (wg_get_in(b, n.hub_ns, n.hub_if, &before, NULL) == 0 &&
		    diff_apply(b, &n, before) == 0 && diff_still_works(b, &n, before) == 0) {
			printf("diff: removed 1, updated 1 (allowed IPs, keepalive; session kept), "
			       "untouched 1 kept handshake+counters and still carries traffic, "
			       "update-only ghost not created: OK\n");
			rc = 0;
		}
	}
	teardown(b, nss, N_SPOKES + 1, ifs, N_SPOKES + 1);
	nwg_device_free(hub);
	nwg_device_free(before);
	nwg_backend_close(b);
	return rc;
}

/* ---- building blocks for the shell tests ------------------------------------------ */

static int read_key_file(const char *path, struct nwg_key *k)
{
	char buf[128];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	r = nwg_key_from_b64(k, buf, (size_t)n);
	nwg_wipe(buf, sizeof(buf));
	return r;
}

/* hub-up NS IF KEYFILE PORT CIDR PEERPUB ENDPOINT AIPS */
static int cmd_hub_up(int argc, char **argv)
{
	struct nwg_err err = {{0}};
	struct nwg_backend *b;
	struct nwg_device *d;
	struct nwg_rtnl *r;
	struct nwg_key peer;
	const char *ns, *ifn;
	int rc;

	if (argc != 8)
		return 2;
	ns = ns_arg(argv[0]);
	ifn = argv[1];
	d = nwg_device_new(ifn);
	CHECK(d, "nwg_device_new");
	TRY(read_key_file(argv[2], &d->private_key));
	d->listen_port = (uint16_t)atoi(argv[3]);
	d->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_LISTEN_PORT | NWG_DEV_REPLACE_PEERS;
	TRY(nwg_key_from_b64(&peer, argv[5], strlen(argv[5])));
	CHECK(add_peer(d, &peer, argv[6], 0, argv[7]), "bad peer arguments");
	if (open_kernel(&b) < 0)
		return 1;
	rc = nwg_wg_create(b, ifn, &err);
	if (rc == 0)
		rc = nwg_wg_set(b, ifn, NULL, d, &err);
	if (rc == 0 && ns && (rc = nwg_netns_create(ns, &err)) == 0)
		rc = move_link(NULL, ifn, ns, &err);
	if (rc == 0 && (rc = nwg_rtnl_open(&r, ns, &err)) == 0) {
		rc = nwg_addr_add(r, ifn, argv[4], &err);
		if (rc == 0)
			rc = nwg_link_set_up(r, ifn, true, &err);
		nwg_rtnl_close(r);
	}
	nwg_device_free(d);
	nwg_backend_close(b);
	if (rc < 0)
		fprintf(stderr, "FAIL hub-up %s: %s (%s)\n", ifn, strerror(-rc), err.msg);
	return rc < 0;
}

static void print_device(const struct nwg_device *d)
{
	char kb[NWG_KEY_B64_LEN + 1], ep[80], a[AIP_STR];

	nwg_key_to_b64(kb, &d->public_key);
	printf("interface %s public_key %s listen_port %u peers %zu\n", d->name, kb, d->listen_port,
	       d->n_peers);
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct nwg_peer *p = &d->peers[i];

		nwg_key_to_b64(kb, &p->public_key);
		nwg_endpoint_format(&p->endpoint, ep, sizeof(ep));
		printf("peer %s endpoint %s keepalive %u handshake %lld rx %llu tx %llu allowed",
		       kb, *ep ? ep : "(none)", p->persistent_keepalive,
		       (long long)p->last_handshake.tv_sec, (unsigned long long)p->rx_bytes,
		       (unsigned long long)p->tx_bytes);
		for (size_t j = 0; j < p->n_allowedips; j++) {
			nwg_allowedip_format(&p->allowedips[j], a, sizeof(a));
			printf("%c%s", j ? ',' : ' ', a);
		}
		putchar('\n');
	}
}

/* show NS IF / hub-check NS IF PEERPUB */
static int cmd_show(int argc, char **argv, bool check)
{
	struct nwg_err err = {{0}};
	struct nwg_backend *b;
	struct nwg_device *d = NULL;
	const struct nwg_peer *p;
	struct nwg_key k;
	int rc;

	if (argc != (check ? 3 : 2))
		return 2;
	if (open_kernel(&b) < 0)
		return 1;
	rc = nwg_wg_get(b, argv[1], ns_arg(argv[0]), &d, &err);
	nwg_backend_close(b);
	if (rc < 0) {
		fprintf(stderr, "FAIL get %s: %s (%s)\n", argv[1], strerror(-rc), err.msg);
		return 1;
	}
	print_device(d);
	rc = 0;
	if (check) {
		rc = 1;
		if (nwg_key_from_b64(&k, argv[2], strlen(argv[2])) < 0)
			fprintf(stderr, "FAIL bad key %s\n", argv[2]);
		else if (!(p = nwg_device_find_peer(d, &k)))
			fprintf(stderr, "FAIL peer %s not on %s\n", argv[2], argv[1]);
		else if (!p->last_handshake.tv_sec || !p->rx_bytes || !p->tx_bytes)
			fprintf(stderr, "FAIL peer %s: no handshake or no traffic\n", argv[2]);
		else
			rc = 0;
	}
	nwg_device_free(d);
	return rc;
}

/* down NS IF: delete the link (where it is) and the namespace */
static int cmd_down(int argc, char **argv)
{
	struct nwg_err err = {{0}};
	struct nwg_backend *b;
	const char *ns;
	int rc;

	if (argc != 2)
		return 2;
	ns = ns_arg(argv[0]);
	if (open_kernel(&b) < 0)
		return 1;
	rc = nwg_wg_delete(b, argv[1], ns, &err);
	nwg_backend_close(b);
	if (rc == 0 && ns)
		rc = nwg_netns_delete(ns, &err);
	if (rc < 0)
		fprintf(stderr, "FAIL down %s: %s (%s)\n", argv[1], strerror(-rc), err.msg);
	return rc < 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int rc = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "device"))
		rc = cmd_device();
	else if (!strcmp(cmd, "peers"))
		rc = cmd_peers(argc - 2, argv + 2);
	else if (!strcmp(cmd, "race"))
		rc = cmd_race();
	else if (!strcmp(cmd, "bigpeer"))
		rc = cmd_bigpeer(argc - 2, argv + 2);
	else if (!strcmp(cmd, "diff"))
		rc = cmd_diff();
	else if (!strcmp(cmd, "hub-up"))
		rc = cmd_hub_up(argc - 2, argv + 2);
	else if (!strcmp(cmd, "hub-check"))
		rc = cmd_show(argc - 2, argv + 2, true);
	else if (!strcmp(cmd, "show"))
		rc = cmd_show(argc - 2, argv + 2, false);
	else if (!strcmp(cmd, "down"))
		rc = cmd_down(argc - 2, argv + 2);
	if (rc == 2)
		fprintf(stderr,
			"usage: %s device | peers [N] [K] | bigpeer [N] | race | diff | hub-up NS "
			"IF KEYFILE PORT "
			"CIDR PEERPUB ENDPOINT AIPS | hub-check NS IF PEERPUB | show NS IF | "
			"down NS IF\n",
			argv[0]);
	return rc < 0 ? 1 : rc;
}
