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
 *    PLACE runs the real attach/detach (agent/attach/l3_place.c) in the executor
 *    on a veth standing in for the hub's link: attached into a router
 *    namespace (name, MTU, address, up, record), again without a change,
 *    a detach anywhere but the record's home refused, then detached home;
 *  - NETNS_REMOVE runs the real removal in the executor: a project
 *    namespace a record names is kept (and says why), removed once the
 *    record is quarantined, then absent; a foreign namespace is EPERM;
 *  - killing the engine ends the executor, and killing the executor ends
 *    the engine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "addr.h"
#include "conf/conf.h"
#include "nwg/ha.h"
#include "nwg/key.h"
#include "nwg/netns.h"
#include "nwg/repo.h"
#include "nwg/rtnl.h"
#include "nwg/seal.h"
#include "nwg/wg.h"
#include "privsep/client_ops.h"
#include "privsep/harden.h"
#include "privsep/hostops.h"
#include "privsep/ops_apply.h"
#include "privsep/ops_repo.h"
#include "privsep/proc.h"
#include "reconcile/actual.h"
#include "reconcile/exec.h"
#include "reconcile/ipnet.h"
#include "reconcile/plan.h"

#define PORT "7d1c2b3a-0000-4111-8222-333344445555"
#define PROJ "proj1"

static char dir[64];
static char ns[48];  /* tun-<unique>: the record's namespace, created by the test */
static char rns[48]; /* qrouter-<unique uuid>: a router's namespace */
#define HUB_IF "wg-7d1c2b3a-00"
#define QR_IF  "qr-7d1c2b3a-00"
static struct nwg_key pub_seen; /* the engine's copy of what READ_ACTUAL said */
/* The HA pair's shared listen port of the sealed create: a UDP port free
 * when the test starts, outside the executor's range (52700..52789) */
static uint16_t ha_port;

static uint16_t free_udp_port(void)
{
	for (int i = 0; i < 64; i++) {
		struct sockaddr_in6 sa = {.sin6_family = AF_INET6};
		socklen_t len = sizeof(sa);
		int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		uint16_t port = 0;

		if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
		    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
			port = ntohs(sa.sin6_port);
		if (fd >= 0)
			close(fd);
		if (port && (port < 52700 || port > 52789))
			return port;
	}
	fail_msg("no free UDP port");
	return 0;
}

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
	/* SEAL: the record's key for an HA peer, and for a hub without record */
	int seal_rc, seal_missing_rc;
	char sealed[NWG_SEALED_B64_LEN + 1];
	/* SEAL to a key other than the pinned one (the first sealed to) */
	int seal_unpinned_rc;
	char sealed_unpinned[NWG_SEALED_B64_LEN + 1];
};

/* The HA peer's enrollment pair SEAL seals to (the test opens it). */
static void peer_pair(struct nwg_key *priv, struct nwg_key *pub)
{
	memset(priv->b, 0x5a, sizeof(priv->b));
	assert_int_equal(nwg_key_public(pub, priv), 0);
}

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
	if (strcmp(l->port_id, PORT) == 0 && l->part == NWG_PS_PART_RECORD)
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
	{
		struct nwg_key ppriv, ppub;
		char none[NWG_SEALED_B64_LEN + 1];

		peer_pair(&ppriv, &ppub);
		nwg_wipe(&ppriv, sizeof(ppriv));
		r->seal_rc = nwg_hostops_client.seal(c, PORT, &ppub, r->sealed, &err);
		r->seal_missing_rc = nwg_hostops_client.seal(
		    c, "7d1c2b3a-ffff-4111-8222-333344445555", &ppub, none, &err);
		/* the engine names its own key: refused, nothing sealed */
		memset(ppriv.b, 0x6b, sizeof(ppriv.b));
		nwg_key_public(&ppub, &ppriv);
		nwg_wipe(&ppriv, sizeof(ppriv));
		r->seal_unpinned_rc =
		    nwg_hostops_client.seal(c, PORT, &ppub, r->sealed_unpinned, &err);
	}
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

/* ---- APPLY (scenario 1): the engine asks, through the seam's client ---- */

static int scenario; /* 0: test_split, 1: test_apply (set before the fork) */
#define N_SPOKES 202 /* past two chunks of NWG_PS_MAX_PEERS */
static char aport[40], aport2[40], aport3[40];	  /* hub, sealed hub, refused hub */
static char aproj[48];				  /* the project whose home is ns */
static char sealed_own[NWG_SEALED_B64_LEN + 1];	  /* for aport2 */
static char sealed_other[NWG_SEALED_B64_LEN + 1]; /* for aport3 */
static struct nwg_key sealed_pub;		  /* aport2's key, public half */
static struct nwg_key spoke_key[N_SPOKES];
static struct nwg_ipnet spoke_ip[N_SPOKES], hub_ip;
static struct nwg_dspoke spoke[N_SPOKES];

struct apply_report {
	int create_rc, foreign_ns_rc, foreign_if_rc, sealed_other_rc, sealed_rc;
	char why[NWG_PS_ERROR_MAX + 1]; /* the last raw create's error */
	struct nwg_exec_out create, sealed;
	int add_rc, delta_rc, remove_rc, many_rc;
	int delete_rc, delete2_rc;
	/* phase 4: the engine's READ_ACTUAL of the two hubs (client_actual.c) */
	int actual_rc;
	/* phase 4: HA through the seam: DEACTIVATE, ACTIVATE (one endpoint
	 * streamed), a hub the executor has no record of */
	int ha_off_rc, ha_on_rc, ha_missing_rc, ha_set;
	size_t ha_listed;
	char ha_ifname[IFNAMSIZ];
	size_t n_recs, n_links;
	bool complete;
	struct seen_hub {
		bool rec, link, readable, key_matches;
		size_t rec_peers, link_peers;
		struct nwg_key rec_pub, link_pub;
		uint16_t rec_port, link_port;
		char netns[NWG_NETNS_NAME_MAX + 1], ifname[IFNAMSIZ];
		char last_spoke[NWG_ID_MAX + 1]; /* the record's last peer's port id */
	} seen[2];
};

/* What the engine (or the root test, reading locally) sees of a hub. */
static void seen_of(const struct nwg_actual *a, const char *id, struct seen_hub *h)
{
	const struct nwg_hub_view *v = nwg_actual_find_record(a, id);
	const struct nwg_alink *l = nwg_actual_find_link(a, id);

	memset(h, 0, sizeof(*h));
	if ((h->rec = v != NULL)) {
		h->rec_peers = v->n_peers;
		h->rec_pub = v->public_key;
		h->rec_port = v->listen_port;
		if (v->n_peers)
			snprintf(h->last_spoke, sizeof(h->last_spoke), "%s",
				 v->peers[v->n_peers - 1].port_id);
	}
	if ((h->link = l != NULL)) {
		snprintf(h->netns, sizeof(h->netns), "%s", l->netns);
		snprintf(h->ifname, sizeof(h->ifname), "%s", l->ifname);
		h->readable = l->dev != NULL;
		h->key_matches = nwg_alink_key_matches(l, v);
		h->link_peers = l->dev ? l->dev->n_peers : 0;
		h->link_pub = l->dev ? l->dev->public_key : h->link_pub;
		h->link_port = l->dev ? l->dev->listen_port : 0;
	}
}

static void engine_actual(struct nwg_ps_client *c, struct apply_report *r)
{
	const char *scope[] = {aport, aport2};
	char *extra[] = {ns, NULL};
	struct nwg_actual_src src = {.scope = scope, .n_scope = 2, .extra_netns = extra};
	struct nwg_actual *a = NULL;

	r->actual_rc = nwg_hostops_client.actual(c, &src, &a, NULL);
	if (r->actual_rc < 0)
		return;
	r->n_recs = a->n_recs;
	r->n_links = a->n_links;
	r->complete = a->complete;
	seen_of(a, aport, &r->seen[0]);
	seen_of(a, aport2, &r->seen[1]);
	nwg_actual_free(a);
}

static void spokes_init(void)
{
	char buf[32];

	for (int i = 0; i < N_SPOKES; i++) {
		struct nwg_key priv;

		assert_int_equal(nwg_key_generate(&priv), 0);
		assert_int_equal(nwg_key_public(&spoke_key[i], &priv), 0);
		snprintf(buf, sizeof(buf), "10.78.%d.%d/32", 1 + i / 200, 2 + i % 200);
		assert_int_equal(nwg_ipnet_parse(buf, &spoke_ip[i], true), 0);
		snprintf(spoke[i].port_id, sizeof(spoke[i].port_id), "spoke-%d", i);
		spoke[i].public_key = spoke_key[i];
		snprintf(spoke[i].endpoint, sizeof(spoke[i].endpoint), "192.0.2.%d:51820",
			 1 + i % 250);
		spoke[i].allowed = &spoke_ip[i];
		spoke[i].n_allowed = 1;
	}
	assert_int_equal(nwg_ipnet_parse("10.78.0.1/16", &hub_ip, false), 0);
}

/* The action the planner would make for hub port with spokes [from, to). */
static void action(struct nwg_action *act, struct nwg_dhub *h, enum nwg_act_kind kind,
		   const char *port, int from, int to)
{
	memset(act, 0, sizeof(*act));
	memset(h, 0, sizeof(*h));
	snprintf(h->port_id, sizeof(h->port_id), "%s", port);
	snprintf(h->project_id, sizeof(h->project_id), "%s", aproj);
	h->admin_state_up = true;
	h->fixed_ips = &hub_ip;
	h->n_fixed_ips = 1;
	h->spokes = &spoke[from];
	h->n_spokes = (size_t)(to - from);
	act->kind = kind;
	act->want = kind == NWG_ACT_DELETE ? NULL : h;
	snprintf(act->port_id, sizeof(act->port_id), "%s", port);
	snprintf(act->project_id, sizeof(act->project_id), "%s", aproj);
	nwg_hub_ifname(port, act->ifname);
	snprintf(act->netns, sizeof(act->netns), "%s", ns);
	snprintf(act->home_netns, sizeof(act->home_netns), "%s", ns);
	act->key_src = kind == NWG_ACT_CREATE ? NWG_KEY_NEW : NWG_KEY_RECORD;
	act->mtu = 1420;
	act->up = act->addressed = true;
	act->reason = "test";
}

static int apply(struct nwg_ps_client *c, struct nwg_action *act, struct nwg_exec_out *out)
{
	struct nwg_exec_out none;
	struct nwg_err err = {{0}};

	int rc = nwg_hostops_client.apply(c, NULL, act, out ? out : &none, &err);

	if (rc < 0) /* the test expects some refusals: this says which */
		fprintf(stderr, "engine: APPLY %s: %s\n", act->port_id, err.msg);
	return rc;
}

/* An UPDATE of aport's peers: ops [op_from, op_to) of kind op. */
static int update(struct nwg_ps_client *c, enum nwg_peer_op_kind op, int op_from, int op_to,
		  int want_from, int want_to, bool delta)
{
	struct nwg_peer_op ops[N_SPOKES];
	struct nwg_action act;
	struct nwg_dhub h;

	action(&act, &h, NWG_ACT_UPDATE, aport, want_from, want_to);
	for (int i = op_from; i < op_to; i++)
		ops[i - op_from] =
		    (struct nwg_peer_op){.op = op,
					 .key = spoke_key[i],
					 .spoke = op == NWG_POP_REMOVE ? NULL : &spoke[i]};
	act.peer_ops = ops;
	act.n_peer_ops = (size_t)(op_to - op_from);
	act.fix = NWG_FIX_PEERS | NWG_FIX_RECORD;
	act.record_delta = delta;
	return apply(c, &act, NULL);
}

/* A create as raw APPLY: SEALED (env set; the planner makes none yet) or
 * under another name (ifname set; the client always asks for wg-<port>). */
static int raw_create(struct nwg_ps_client *c, const char *port, const char *env,
		      const char *ifname, struct apply_report *r)
{
	struct nwg_ps_result res;
	struct nwg_ps_msg m;
	struct nwg_ps_apply *a = &m.u.apply;
	int rc;

	nwg_ps_msg_init(&m, NWG_PS_APPLY, 0);
	a->kind = NWG_PS_CREATE;
	a->key_src = env ? NWG_PS_KEY_SEALED : NWG_PS_KEY_NEW;
	/* a sealed create is an HA standby's: its port reserved, not chosen */
	a->flags = NWG_PS_APPLY_ADDRESSED | (env ? NWG_PS_APPLY_STANDBY : 0);
	snprintf(a->port_id, sizeof(a->port_id), "%s", port);
	snprintf(a->project_id, sizeof(a->project_id), "%s", aproj);
	nwg_hub_ifname(port, a->ifname);
	if (ifname)
		snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	snprintf(a->netns, sizeof(a->netns), "%s", ns);
	snprintf(a->home_netns, sizeof(a->home_netns), "%s", ns);
	snprintf(a->sealed, sizeof(a->sealed), "%s", env ? env : "");
	a->mtu = 1420;
	a->up = true;
	a->listen_port = ha_port; /* the HA pair's shared port */
	rc = nwg_ps_call(c, &m, NULL, NULL, &res, NULL);
	nwg_ps_msg_clear(&m);
	if (rc == 0)
		rc = res.rc;
	r->sealed.public_key = res.public_key;
	r->sealed.listen_port = res.listen_port;
	snprintf(r->why, sizeof(r->why), "%s", res.error);
	return rc;
}

/* The takeover through the seam: the engine names the hub and gives one
 * streamed endpoint (spoke 5's); the executor finds the link and every
 * other endpoint in its record. */
static void engine_ha(struct nwg_ps_client *c, struct apply_report *r)
{
	struct nwg_ha_ep ep = {.pub = spoke_key[5]};
	struct nwg_ha_req q = {.op = NWG_HA_OP_DEACTIVATE, .port_id = aport};
	struct nwg_ha_out out;
	struct nwg_err err = {{0}};

	assert_int_equal(nwg_endpoint_parse(&ep.ep, "198.51.100.5:40000"), 0);
	r->ha_off_rc = nwg_hostops_client.ha(c, &q, &out, &err);
	q.op = NWG_HA_OP_ACTIVATE;
	q.pace = 8;
	q.eps = &ep;
	q.n_eps = 1;
	r->ha_on_rc = nwg_hostops_client.ha(c, &q, &out, &err);
	r->ha_set = out.set;
	r->ha_listed = out.listed;
	snprintf(r->ha_ifname, sizeof(r->ha_ifname), "%s", out.ifname);
	q.port_id = "7d1c2b3a-ffff-4111-8222-333344445555";
	r->ha_missing_rc = nwg_hostops_client.ha(c, &q, &out, &err);
}

static void engine_apply(struct nwg_ps_client *c, struct apply_report *r, int phase)
{
	struct nwg_action act;
	struct nwg_dhub h;

	if (phase == 1) {
		action(&act, &h, NWG_ACT_CREATE, aport, 0, 0);
		r->create_rc = apply(c, &act, &r->create);
		action(&act, &h, NWG_ACT_CREATE, aport3, 0, 0);
		snprintf(act.netns, sizeof(act.netns), "tun-other%s", aproj + 6);
		snprintf(act.home_netns, sizeof(act.home_netns), "%s", act.netns);
		r->foreign_ns_rc = apply(c, &act, NULL);
		r->foreign_if_rc = raw_create(c, aport3, NULL, "eth-psx", r);
		r->sealed_other_rc = raw_create(c, aport2, sealed_other, NULL, r);
	} else if (phase == 2) {
		r->sealed_rc = raw_create(c, aport2, sealed_own, NULL, r);
		r->add_rc = update(c, NWG_POP_ADD, 0, 1, 0, 1, false);
	} else if (phase == 3) { /* journaled: the executor keeps spoke 0 from its record */
		r->delta_rc = update(c, NWG_POP_ADD, 1, 2, 0, 2, true);
	} else if (phase == 4) {
		r->remove_rc = update(c, NWG_POP_REMOVE, 0, 1, 1, 2, false);
		r->many_rc = update(c, NWG_POP_ADD, 2, N_SPOKES, 1, N_SPOKES, false);
		engine_actual(c, r);
		engine_ha(c, r);
	} else {
		action(&act, &h, NWG_ACT_DELETE, aport, 0, 0);
		r->delete_rc = apply(c, &act, NULL);
		action(&act, &h, NWG_ACT_DELETE, aport2, 0, 0);
		strcpy(act.project_id, "?"); /* what the planner says without a record */
		r->delete2_rc = apply(c, &act, NULL);
	}
}

/* The executor process: opens the repository, forks the engine, serves.
 * go: the engine waits for one byte before working; rep: its report. */
static void executor_main(int ready_w, int go_r, int rep_w)
{
	struct nwg_ps_repo_ctx ctx = {0};
	struct nwg_ps_policy pol = {.ns_prefix = "tun-"};
	/* APPLY builds real hubs: wireguard-go (no WireGuard module needed) */
	struct nwg_backend_opts bo = {.kind =
					  scenario ? NWG_BACKEND_USERSPACE : NWG_BACKEND_KERNEL};
	struct nwg_conf conf;
	struct nwg_err e = {{0}};

	struct nwg_harden_result hr;
	struct nwg_ps_user u;
	struct ready rd = {0};
	pid_t peer;
	int fd, rc;

	memset(&conf, 0, sizeof(conf));
	conf.port_range = (struct nwg_port_range){52700, 52789};
	conf.state_path = dir; /* SEALED: <state_path>/enroll.key */
	ctx.conf = &conf;

	if (nwg_harden_process(&hr, NULL) < 0 || nwg_repo_open(&ctx.repo, dir, NULL) < 0 ||
	    nwg_backend_open(&ctx.backend, &bo, NULL) < 0 ||
	    nwg_ps_user_lookup("nobody", &u, NULL) < 0)
		_exit(3);
	rc = nwg_ps_fork(&fd, &peer, NULL);
	if (rc < 0)
		_exit(4);
	if (rc == 1) { /* engine */
		struct engine_report r = {0};
		struct apply_report ar = {0};
		struct nwg_ps_client c = {.fd = fd};
		char b;

		nwg_repo_close(ctx.repo);
		nwg_backend_close(ctx.backend);
		close(ready_w);
		if (nwg_ps_drop_engine(&u, peer, NULL) < 0)
			_exit(5);
		if (write(rep_w, "r", 1) != 1)
			_exit(6);
		for (int phase = 1; phase <= (scenario ? 5 : 3); phase++) {
			if (read(go_r, &b, 1) != 1)
				_exit(6);
			if (scenario)
				engine_apply(&c, &ar, phase);
			else
				engine_work(&c, peer, &r, phase);
			if (scenario ? write(rep_w, &ar, sizeof(ar)) != sizeof(ar)
				     : write(rep_w, &r, sizeof(r)) != sizeof(r))
				_exit(7);
		}
		pause(); /* until killed, or SIGTERM when the executor dies */
		_exit(0);
	}
	close(go_r);
	close(rep_w);
	rd.engine = peer;
	rd.limit_rc = nwg_ps_limit_executor(false, NULL);
	rd.dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (write(ready_w, &rd, sizeof(rd)) != sizeof(rd))
		_exit(8);
	rc = nwg_ps_serve_loop(fd, &pol, &nwg_ps_repo_ops, &ctx, &e);
	if (rc < 0)
		fprintf(stderr, "executor: %s\n", e.msg);
	nwg_ps_apply_pending_clear(&ctx);
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

	/* SEAL: the executor sealed the record's key to the peer; the engine
	 * got only the envelope, which opens with the peer's key to exactly
	 * the record's private key, for this port id only */
	assert_int_equal(r.seal_rc, 0);
	assert_int_equal(r.seal_missing_rc, -ENOENT);
	assert_int_equal(r.seal_unpinned_rc, -EPERM);
	assert_string_equal(r.sealed_unpinned, "");
	{
		struct nwg_key ppriv, ppub, got;

		peer_pair(&ppriv, &ppub);
		assert_int_equal(
		    nwg_unseal_hub_key(&got, r.sealed, strlen(r.sealed), PORT, &ppub, &ppriv), 0);
		assert_memory_equal(got.b, priv.b, sizeof(got.b));
		assert_int_equal(nwg_unseal_hub_key(&got, r.sealed, strlen(r.sealed),
						    "7d1c2b3a-ffff-4111-8222-333344445555", &ppub,
						    &ppriv),
				 -EBADMSG);
		nwg_wipe(&got, sizeof(got));
		nwg_wipe(&ppriv, sizeof(ppriv));
	}

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

/* ---- test_apply's checks ---- */

static bool link_in(const char *netns, const char *ifname)
{
	struct nwg_rtnl *rt = NULL;
	struct nwg_link l;
	bool found;

	if (nwg_rtnl_open(&rt, netns, NULL) < 0)
		return false;
	found = nwg_link_get(rt, ifname, &l, NULL) == 0;
	nwg_rtnl_close(rt);
	return found;
}

/* The live device (userspace: its UAPI socket), owned by the caller. */
static struct nwg_device *wg_read(const char *port)
{
	struct nwg_backend_opts bo = {.kind = NWG_BACKEND_USERSPACE};
	struct nwg_backend *b = NULL;
	struct nwg_device *d = NULL;
	struct nwg_err err = {{0}};
	char ifname[IFNAMSIZ];

	nwg_hub_ifname(port, ifname);
	assert_int_equal(nwg_backend_open(&b, &bo, NULL), 0);
	if (nwg_wg_get(b, ifname, ns, &d, &err) < 0)
		fail_msg("%s: %s", ifname, err.msg);
	nwg_backend_close(b);
	return d;
}

/* The record (0600), owned by the caller; NULL when there is none. */
static struct nwg_hub_record *rec_read(const char *port)
{
	struct nwg_hub_record *rec = NULL;
	struct nwg_repo *repo;
	struct stat st;
	char path[160];
	int rc;

	snprintf(path, sizeof(path), "%s/%s.conf", dir, port);
	if (stat(path, &st) == 0)
		assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(nwg_repo_open(&repo, dir, NULL), 0);
	rc = nwg_repo_load(repo, port, &rec, NULL);
	nwg_repo_close(repo);
	if (rc == -ENOENT)
		return NULL;
	assert_int_equal(rc, 0);
	return rec;
}

static bool rec_has(const struct nwg_hub_record *rec, int i)
{
	for (size_t k = 0; k < rec->n_peers; k++)
		if (nwg_key_equal(&rec->peers[k].public_key, &spoke_key[i]))
			return strcmp(rec->peers[k].port_id, spoke[i].port_id) == 0 &&
			       rec->peers[k].allowed_ips && rec->peers[k].allowed_ips[0];
	return false;
}

/* The device and the record hold exactly spokes [from, to). */
static void peers_are(int from, int to)
{
	struct nwg_device *d = wg_read(aport);
	struct nwg_hub_record *rec = rec_read(aport);

	assert_non_null(rec);
	assert_int_equal(d->n_peers, to - from);
	assert_int_equal(rec->n_peers, to - from);
	for (int i = from; i < to; i++) {
		const struct nwg_peer *p = nwg_device_find_peer(d, &spoke_key[i]);

		if (!p || p->n_allowedips != 1 || !rec_has(rec, i))
			fail_msg("spoke %d missing on the link or in the record", i);
	}
	nwg_device_free(d);
	nwg_hub_record_free(rec);
}

static void go(struct pair *p, struct apply_report *r)
{
	assert_int_equal(write(p->go_w, "g", 1), 1);
	assert_int_equal(read(p->rep_r, r, sizeof(*r)), sizeof(*r));
}

static void apply_setup_keys(void)
{
	struct nwg_key epriv, epub, hk;
	char path[160];

	snprintf(aproj, sizeof(aproj), "%s", ns + 4);
	snprintf(aport, sizeof(aport), "%08x-a100-4111-8222-000000000001", (unsigned)getpid());
	snprintf(aport2, sizeof(aport2), "%08x-a200-4111-8222-000000000002", (unsigned)getpid());
	snprintf(aport3, sizeof(aport3), "%08x-a300-4111-8222-000000000003", (unsigned)getpid());
	snprintf(path, sizeof(path), "%s/enroll.key", dir);
	assert_int_equal(nwg_enroll_load_or_create(path, &epriv, &epub), 0);
	assert_int_equal(nwg_key_generate(&hk), 0);
	assert_int_equal(nwg_key_public(&sealed_pub, &hk), 0);
	assert_int_equal(nwg_seal_hub_key(sealed_own, &hk, aport2, &epub), 0);
	assert_int_equal(nwg_seal_hub_key(sealed_other, &hk, aport3, &epub), 0);
	nwg_wipe(&hk, sizeof(hk));
	nwg_wipe(&epriv, sizeof(epriv));
	spokes_init();
}

/* Phase 1: a create; a foreign namespace, a foreign name and an envelope
 * for another hub refused without a trace. */
static void apply_phase1(struct pair *p, struct apply_report *r)
{
	struct nwg_hub_record *rec;
	struct nwg_device *d;
	struct nwg_key pub;
	char ifname[IFNAMSIZ], other[64];

	go(p, r);
	assert_int_equal(r->create_rc, 0);
	nwg_hub_ifname(aport, ifname);
	assert_string_equal(r->create.ifname, ifname);
	assert_string_equal(r->create.netns, ns);
	assert_true(r->create.up);
	assert_true(r->create.listen_port >= 52700 && r->create.listen_port <= 52789);
	assert_true(link_in(ns, ifname));
	d = wg_read(aport);
	rec = rec_read(aport);
	assert_non_null(rec);
	assert_memory_equal(d->public_key.b, r->create.public_key.b, NWG_KEY_LEN);
	assert_int_equal(d->listen_port, r->create.listen_port);
	assert_int_equal(nwg_key_public(&pub, &rec->private_key), 0);
	assert_memory_equal(pub.b, r->create.public_key.b, NWG_KEY_LEN);
	assert_int_equal(rec->listen_port, r->create.listen_port);
	assert_string_equal(rec->home_netns, ns);
	nwg_device_free(d);
	nwg_hub_record_free(rec);

	assert_int_equal(r->foreign_ns_rc, -EPERM);
	assert_int_equal(r->foreign_if_rc, -EPERM);
	snprintf(other, sizeof(other), "tun-other%s", aproj + 6);
	assert_int_equal(nwg_netns_exists(other), 0);
	assert_null(rec_read(aport3));
	assert_false(link_in(NULL, "eth-psx"));
	/* exec.c's -EBADMSG is answered as -EIO: only the wire ends the executor */
	assert_int_equal(r->sealed_other_rc, -EIO);
	assert_non_null(strstr(r->why, "another hub"));
	assert_null(rec_read(aport2));
	nwg_hub_ifname(aport2, ifname);
	assert_false(link_in(ns, ifname));
	assert_false(link_in(NULL, ifname));
}

/* The engine's READ_ACTUAL (through the real executor, with real
 * wireguard-go links) says what root reads locally: records and links of
 * the 201-peer hub (two chunks each) and of the standby copy. */
static void actual_same(const struct apply_report *r)
{
	const char *scope[] = {aport, aport2};
	char *extra[] = {ns, NULL};
	struct nwg_backend_opts bo = {.kind = NWG_BACKEND_USERSPACE};
	struct nwg_actual_src src = {.scope = scope, .n_scope = 2, .extra_netns = extra};
	struct nwg_actual *a = NULL;
	struct seen_hub want;

	assert_int_equal(r->actual_rc, 0);
	assert_int_equal(nwg_repo_open(&src.repo, dir, NULL), 0);
	assert_int_equal(nwg_backend_open(&src.backend, &bo, NULL), 0);
	assert_int_equal(nwg_actual_read(&a, &src, NULL), 0);
	assert_int_equal(r->n_recs, 2);
	assert_int_equal(r->n_links, 2);
	assert_int_equal(r->n_recs, a->n_recs);
	assert_int_equal(r->n_links, a->n_links);
	assert_int_equal(r->complete, a->complete);
	for (int i = 0; i < 2; i++) {
		seen_of(a, scope[i], &want);
		assert_memory_equal(&r->seen[i], &want, sizeof(want));
		assert_true(want.readable && want.key_matches);
	}
	assert_int_equal(r->seen[0].rec_peers, N_SPOKES - 1);
	assert_int_equal(r->seen[0].link_peers, N_SPOKES - 1);
	assert_memory_equal(r->seen[1].link_pub.b, sealed_pub.b, NWG_KEY_LEN);
	nwg_actual_free(a);
	nwg_backend_close(src.backend);
	nwg_repo_close(src.repo);
}

/* HA through the executor: every peer has an endpoint again (the streamed
 * one for spoke 5, the record's for the others) and the takeover's
 * keepalive; a hub without a record is ENOENT. */
static void ha_checks(const struct apply_report *r)
{
	struct nwg_device *d = wg_read(aport);
	char ifname[IFNAMSIZ], got[64];
	size_t with_ep = 0;

	assert_int_equal(r->ha_off_rc, 0);
	assert_int_equal(r->ha_on_rc, 0);
	assert_int_equal(r->ha_missing_rc, -ENOENT);
	assert_int_equal(r->ha_set, N_SPOKES - 1);
	assert_int_equal(r->ha_listed, N_SPOKES - 1); /* 1 streamed + 200 of the record */
	nwg_hub_ifname(aport, ifname);
	assert_string_equal(r->ha_ifname, ifname);
	for (size_t i = 0; i < d->n_peers; i++) {
		const struct nwg_peer *pr = &d->peers[i];

		with_ep += pr->endpoint.sa.sa_family != 0;
		assert_int_equal(pr->persistent_keepalive, 1);
		assert_true(nwg_endpoint_format(&pr->endpoint, got, sizeof(got)) > 0);
		if (nwg_key_equal(&pr->public_key, &spoke_key[5]))
			assert_string_equal(got, "198.51.100.5:40000");
		else if (nwg_key_equal(&pr->public_key, &spoke_key[7]))
			assert_string_equal(got, "192.0.2.8:51820");
	}
	assert_int_equal(with_ep, N_SPOKES - 1);
	nwg_device_free(d);
}

static void test_apply(void **state)
{
	static struct pair p; /* outlives the test: the teardown stops it */
	struct apply_report r;
	struct nwg_hub_record *rec;
	struct nwg_device *d;
	struct nwg_key pub;
	char ifname[IFNAMSIZ];

	(void)state;
	if (geteuid() != 0)
		skip();
	if (system("command -v wireguard-go >/dev/null") != 0)
		fail_msg("wireguard-go is not installed (scripts/install-deps.sh all)");
	scenario = 1;
	ha_port = free_udp_port();
	apply_setup_keys();
	start_pair(&p);
	apply_phase1(&p, &r);

	/* the sealed create: the primary's key, opened by the executor alone */
	go(&p, &r);
	assert_int_equal(r.sealed_rc, 0);
	assert_memory_equal(r.sealed.public_key.b, sealed_pub.b, NWG_KEY_LEN);
	assert_int_equal(r.sealed.listen_port, ha_port);
	d = wg_read(aport2);
	assert_memory_equal(d->public_key.b, sealed_pub.b, NWG_KEY_LEN);
	nwg_device_free(d);
	assert_non_null(rec = rec_read(aport2));
	nwg_hub_record_free(rec);
	/* a peer added: on the link and in the record (with its port id) */
	assert_int_equal(r.add_rc, 0);
	peers_are(0, 1);

	go(&p, &r); /* journaled: record + operation, spoke 0 kept */
	assert_int_equal(r.delta_rc, 0);
	peers_are(0, 2);

	go(&p, &r); /* spoke 0 removed; then 200 more (two chunks past 128) */
	assert_int_equal(r.remove_rc, 0);
	assert_int_equal(r.many_rc, 0);
	peers_are(1, N_SPOKES);
	actual_same(&r);
	ha_checks(&r);

	/* the engine saw public keys only: its memory holds the hub's public
	 * key (the search works) and not the private key the executor made */
	rec = rec_read(aport);
	assert_int_equal(nwg_key_public(&pub, &rec->private_key), 0);
	assert_true(mem_contains(p.engine, pub.b, sizeof(pub.b)));
	assert_false(mem_contains(p.engine, rec->private_key.b, NWG_KEY_LEN));
	nwg_hub_record_free(rec);
	rec = rec_read(aport2);
	assert_false(mem_contains(p.engine, rec->private_key.b, NWG_KEY_LEN));
	nwg_hub_record_free(rec);

	go(&p, &r); /* deletes: links and records gone */
	assert_int_equal(r.delete_rc, 0);
	assert_int_equal(r.delete2_rc, 0);
	nwg_hub_ifname(aport, ifname);
	assert_false(link_in(ns, ifname));
	nwg_hub_ifname(aport2, ifname);
	assert_false(link_in(ns, ifname));
	assert_null(rec_read(aport));
	assert_null(rec_read(aport2));
	stop_pair(&p);
}

/* Whatever failed: no hub link of test_apply is left behind. */
static int apply_teardown(void **state)
{
	const char *ports[] = {aport, aport2, aport3};
	char ifname[IFNAMSIZ], cmd[160];

	pair_teardown(state);
	for (size_t i = 0; i < 3 && geteuid() == 0 && aport[0]; i++) {
		nwg_hub_ifname(ports[i], ifname);
		snprintf(cmd, sizeof(cmd),
			 "ip -n %s link del %s 2>/dev/null; ip link del %s 2>/dev/null", ns, ifname,
			 ifname);
		if (system(cmd) < 0)
			return -1;
	}
	scenario = 0;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nwg-test-privsep.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(ns, sizeof(ns), "tun-psproc%d", (int)getpid());
	snprintf(rns, sizeof(rns), "qrouter-7d1c2b3a-0000-4111-8222-%012d", (int)getpid());
	signal(SIGPIPE, SIG_IGN); /* a dead engine fails a check, not the test run */
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
	    cmocka_unit_test_teardown(test_apply, apply_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
