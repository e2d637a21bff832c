/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The executor's OVN attach (privsep/ops_ovn.c through privsep/ops_repo.c's
 * table, the code a split agent's executor runs; attach/ovn_hub.c and
 * ovn_sweep.c, the code the one-process agent runs too). No root needed:
 * ovs-vsctl is a script that logs its arguments.
 *  - OVN_SWEEP removes our ports whose hub has no record here, and keeps
 *    those of recorded hubs (a corrupt record's too);
 *  - OVN_PLUG plugs where this side's record says the link is, never where
 *    the engine says: no record, a root hub or a hub in a router's
 *    namespace is not plugged (nothing run); a record's namespace that does
 *    not exist is an error, not a plug elsewhere;
 *  - the executor re-checks the request with the grammar the messages are
 *    checked with (a MAC, a gateway outside it: EINVAL, nothing run);
 *    without an integration bridge in its own configuration: EOPNOTSUPP;
 *  - the dispatch serves OVN_PLUG and OVN_SWEEP from the table.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "attach/ovn.h"
#include "conf/conf.h"
#include "nwg/key.h"
#include "nwg/repo.h"
#include "privsep/ops_repo.h"
#include "privsep/server.h"

#define PORT   "7d1c2b3a-0000-4111-8222-333344445555" /* recorded */
#define GONE   "9e8d7c6b-0000-4111-8222-333344445555" /* no record */
#define OTHER  "1a2b3c4d-0000-4111-8222-333344445555" /* a corrupt record */
#define ROUTER "qrouter-5e6f7a8b-0000-4111-8222-333344445555"
#define MAC    "fa:16:3e:00:00:01"

static char dir[64], bin[64], vsctl[96], calls[96];
static struct nwg_conf conf;
static struct nwg_ps_repo_ctx ctx;

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

/* ovs-vsctl: every call logged; `find` lists three marked ports */
static const char script[] =
    "#!/bin/sh\n"
    "echo \"$*\" >>'%s'\n"
    "case \"$*\" in *' find Interface '*) printf 'wo-7d1c2b3a-00\\nwo-9e8d7c6b-00\\n"
    "wo-1a2b3c4d-00\\n' ;; esac\n"
    "exit 0\n";

static int setup(void **state)
{
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nwg-psovn.XXXXXX");
	snprintf(bin, sizeof(bin), "/tmp/nwg-psovn-bin.XXXXXX");
	if (!mkdtemp(dir) || !mkdtemp(bin))
		return -1;
	snprintf(vsctl, sizeof(vsctl), "%s/ovs-vsctl", bin);
	snprintf(calls, sizeof(calls), "%s/calls", bin);
	if (!(f = fopen(vsctl, "w")))
		return -1;
	fprintf(f, script, calls);
	fclose(f);
	chmod(vsctl, 0700);
	memset(&conf, 0, sizeof(conf));
	conf.ovn_bridge = (char *)"br-int";
	conf.ovs_vsctl = vsctl;
	conf.ovsdb_connection = (char *)"unix:/nonexistent/db.sock";
	memset(&ctx, 0, sizeof(ctx));
	ctx.conf = &conf;
	return nwg_repo_open(&ctx.repo, dir, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	nwg_repo_close(ctx.repo);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	nftw(bin, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void save(const char *port, const char *netns)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();
	struct nwg_repo_peer *p;
	struct nwg_err err = {{0}};

	assert_non_null(rec);
	snprintf(rec->port_id, sizeof(rec->port_id), "%s", port);
	strcpy(rec->project_id, "proj1");
	snprintf(rec->ifname, sizeof(rec->ifname), "wg-%.11s", port);
	snprintf(rec->netns, sizeof(rec->netns), "%s", netns);
	strcpy(rec->home_netns, netns[0] ? "tun-proj1" : "");
	assert_int_equal(nwg_key_generate(&rec->private_key), 0);
	rec->listen_port = 51999;
	assert_non_null(p = nwg_hub_record_add_peer(rec));
	strcpy(p->port_id, OTHER);
	memset(p->public_key.b, 7, sizeof(p->public_key.b));
	assert_int_equal(nwg_repo_peer_add_allowed_ip(p, "10.61.3.7/32"), 0);
	if (nwg_repo_save(ctx.repo, rec, &err) < 0)
		fail_msg("save: %s", err.msg);
	nwg_hub_record_free(rec);
}

static void corrupt(const char *port)
{
	char p[160];
	int fd;

	snprintf(p, sizeof(p), "%s/%s.conf", dir, port);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a record\n", 13), 13);
	close(fd);
}

/* What ovs-vsctl was asked, "" when it never ran. */
static const char *asked(void)
{
	static char buf[4096];
	FILE *f = fopen(calls, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static void msg_fill(struct nwg_ps_ovn *o, const char *port)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->port_id, sizeof(o->port_id), "%s", port);
	strcpy(o->mac, MAC);
	strcpy(o->gateways[0], "10.61.2.1");
	o->n_gateways = 1;
	o->mtu = 1442;
	o->up = true;
}

static int plug(const char *port, struct nwg_ps_result *out)
{
	struct nwg_ps_ovn o;
	struct nwg_err err = {{0}};

	msg_fill(&o, port);
	memset(out, 0, sizeof(*out));
	return nwg_ps_repo_ops.ovn_plug(&ctx, &o, out, &err);
}

static void test_sweep_by_records(void **state)
{
	struct nwg_ps_result out = {0};
	struct nwg_err err = {{0}};

	(void)state;
	save(PORT, "tun-proj1");
	corrupt(OTHER);
	if (nwg_ps_repo_ops.ovn_sweep(&ctx, &out, &err) < 0)
		fail_msg("sweep: %s", err.msg);
	assert_int_equal(out.count, 1);
	assert_non_null(strstr(asked(), "--if-exists del-port br-int wo-9e8d7c6b-00"));
	assert_null(strstr(asked(), "del-port br-int wo-7d1c2b3a-00"));
	assert_null(strstr(asked(), "del-port br-int wo-1a2b3c4d-00"));
	/* the database and the binary are the executor's configuration's */
	assert_non_null(strstr(asked(), "--db=unix:/nonexistent/db.sock --timeout=10"));
}

static void test_plug_where_the_record_says(void **state)
{
	struct nwg_ps_result out;

	(void)state;
	/* no record: not realized yet, nothing run */
	assert_int_equal(plug(GONE, &out), 0);
	assert_string_equal(out.ifname, "");
	assert_string_equal(out.netns, "");
	/* a root hub, a hub attached to a router: not plugged */
	save(PORT, "");
	assert_int_equal(plug(PORT, &out), 0);
	assert_string_equal(out.netns, "");
	save(PORT, ROUTER);
	assert_int_equal(plug(PORT, &out), 0);
	assert_string_equal(out.netns, "");
	assert_string_equal(asked(), "");
	/* a record's namespace that is not there: an error, nothing plugged */
	save(PORT, "tun-nwgpsovn-absent");
	assert_true(plug(PORT, &out) < 0);
	assert_string_equal(out.netns, "");
	assert_null(strstr(asked(), "add-port"));
}

static void test_plug_rechecked(void **state)
{
	struct nwg_ovn_where w = {.bridge = "br-int", .vsctl = vsctl, .db = "unix:/x"};
	const char gws[][INET6_ADDRSTRLEN] = {"10.61.2.1", "gw.example"};
	struct nwg_ovn_req q = {.port_id = PORT, .mac = MAC, .gateways = gws, .n_gateways = 1};
	struct nwg_ps_result res;
	struct nwg_ovn_out out;
	struct nwg_err err = {{0}};

	(void)state;
	save(PORT, "tun-nwgpsovn-absent");
	q.mac = "FA:16:3E:00:00:01"; /* upper case */
	assert_int_equal(nwg_ovn_plug_hub(ctx.repo, &w, &q, &out, &err), -EINVAL);
	q.mac = "fb:16:3e:00:00:01"; /* multicast */
	assert_int_equal(nwg_ovn_plug_hub(ctx.repo, &w, &q, &out, &err), -EINVAL);
	q.mac = MAC;
	q.n_gateways = 2; /* a name */
	assert_int_equal(nwg_ovn_plug_hub(ctx.repo, &w, &q, &out, &err), -EINVAL);
	q.n_gateways = 5; /* past the bound */
	assert_int_equal(nwg_ovn_plug_hub(ctx.repo, &w, &q, &out, &err), -EINVAL);
	q.port_id = "../x";
	q.n_gateways = 0;
	assert_int_equal(nwg_ovn_plug_hub(ctx.repo, &w, &q, &out, &err), -EINVAL);
	assert_string_equal(asked(), "");
	/* no integration bridge in the executor's own configuration */
	conf.ovn_bridge = NULL;
	assert_int_equal(plug(PORT, &res), -EOPNOTSUPP);
	assert_int_equal(nwg_ps_repo_ops.ovn_sweep(&ctx, &res, &err), -EOPNOTSUPP);
	assert_string_equal(asked(), "");
}

/* The dispatch: OVN_PLUG and OVN_SWEEP served from the executor's table. */
static struct nwg_ps_msg last;
static int sink(void *ectx, const struct nwg_ps_msg *m)
{
	static uint8_t out[NWG_PS_MAX_MSG];
	int n = nwg_ps_encode(m, out, sizeof(out), NULL);

	(void)ectx;
	if (n < 0)
		return n;
	nwg_ps_msg_clear(&last);
	return nwg_ps_decode(out, (size_t)n, &last, NULL);
}

static void test_dispatch(void **state)
{
	static uint8_t buf[NWG_PS_MAX_MSG];
	const struct nwg_ps_policy pol = {.ns_prefix = "tun-"};
	struct nwg_ps_msg m;
	int n;

	(void)state;
	nwg_ps_msg_init(&m, NWG_PS_OVN_PLUG, 5);
	msg_fill(&m.u.ovn, GONE);
	n = nwg_ps_encode(&m, buf, sizeof(buf), NULL);
	assert_true(n > 0);
	assert_int_equal(nwg_ps_serve(&pol, &nwg_ps_repo_ops, &ctx, buf, (size_t)n, sink, NULL),
			 NWG_PS_SERVE_MORE);
	assert_int_equal(last.type, NWG_PS_RESULT);
	assert_int_equal(last.u.result.rc, 0);
	assert_string_equal(last.u.result.netns, "");
	nwg_ps_msg_clear(&m);
	save(PORT, "tun-proj1");
	nwg_ps_msg_init(&m, NWG_PS_OVN_SWEEP, 6);
	n = nwg_ps_encode(&m, buf, sizeof(buf), NULL);
	assert_int_equal(nwg_ps_serve(&pol, &nwg_ps_repo_ops, &ctx, buf, (size_t)n, sink, NULL),
			 NWG_PS_SERVE_MORE);
	assert_int_equal(last.u.result.rc, 0);
	assert_int_equal(last.u.result.count, 2); /* no corrupt record this time */
	nwg_ps_msg_clear(&last);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sweep_by_records, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plug_where_the_record_says, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plug_rechecked, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
