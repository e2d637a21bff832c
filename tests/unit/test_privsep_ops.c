/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Two of the executor's operations run directly (privsep/ops_repo.c's
 * table, the code a split agent's executor runs; no root needed):
 *  - PLACE detach of a hub this node has no record of (deleted while
 *    attached) sweeps the UAPI alias its link left (qr-*.sock pointing at a
 *    socket that is gone) and answers -ENOENT; a live alias stays; an
 *    attach of an unknown hub sweeps nothing;
 *  - SEAL seals only to the pinned HA peer key (privsep/seal_pin.h): with
 *    [wireguard_ha] peer_enrollment_key, another key is -EPERM and nothing
 *    is sealed; without it, the first key is pinned in a 0600 file, another
 *    one is then -EPERM; a pin file with group/other bits or a symbolic
 *    link is refused; removing the file re-pins.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "fake_repo.h"
#include "nwg/key.h"
#include "nwg/repo.h"
#include "nwg/seal.h"
#include "nwg/wg.h"
#include "privsep/ops_repo.h"
#include "privsep/seal_pin.h"

#define PORT  "7d1c2b3a-0000-4111-8222-333344445555"
#define GONE  "9e8d7c6b-0000-4111-8222-333344445555"
#define OTHER "1a2b3c4d-0000-4111-8222-333344445555"

static char dir[64], uapi[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nwg-psops.XXXXXX");
	snprintf(uapi, sizeof(uapi), "/tmp/nwg-psops-uapi.XXXXXX");
	return mkdtemp(dir) && mkdtemp(uapi) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fake_dir_remove(dir);
	fake_dir_remove(uapi);
	return 0;
}

static void touch(const char *name)
{
	char p[160];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", uapi, name);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static void alias(const char *name, const char *target)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/%s", uapi, name);
	assert_int_equal(symlink(target, p), 0);
}

static bool present(const char *d, const char *name)
{
	char p[160];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", d, name);
	return lstat(p, &st) == 0;
}

static int place(struct nwg_ps_repo_ctx *ctx, const char *port, bool attach, const char *netns,
		 const char *ifname)
{
	struct nwg_ps_place p;
	struct nwg_ps_result out;
	struct nwg_err err = {{0}};

	memset(&p, 0, sizeof(p));
	memset(&out, 0, sizeof(out));
	snprintf(p.port_id, sizeof(p.port_id), "%s", port);
	snprintf(p.netns, sizeof(p.netns), "%s", netns);
	snprintf(p.ifname, sizeof(p.ifname), "%s", ifname);
	p.attach = attach;
	return nwg_ps_repo_ops.place(ctx, &p, &out, &err);
}

static void test_detach_gone_sweeps(void **state)
{
	struct nwg_backend_opts bo = {.kind = NWG_BACKEND_USERSPACE, .uapi_dir = uapi};
	struct nwg_ps_repo_ctx ctx = {0};

	(void)state;
	assert_int_equal(nwg_repo_open(&ctx.repo, dir, NULL), 0);
	assert_int_equal(nwg_backend_open(&ctx.backend, &bo, NULL), 0);
	/* a deleted hub's alias (its socket is gone) and a live hub's alias */
	alias("qr-9e8d7c6b-00.sock", "wg-9e8d7c6b-00.sock");
	touch("wg-1a2b3c4d-00.sock");
	alias("qr-1a2b3c4d-00.sock", "wg-1a2b3c4d-00.sock");
	/* an attach of an unknown hub: -ENOENT, nothing swept */
	assert_int_equal(place(&ctx, GONE, true, "qrouter-9e8d7c6b-0000-4111-8222-333344445555",
			       "qr-9e8d7c6b-00"),
			 -ENOENT);
	assert_true(present(uapi, "qr-9e8d7c6b-00.sock"));
	/* the L3 agent's detach of the deleted hub */
	assert_int_equal(place(&ctx, GONE, false, "", "wg-9e8d7c6b-00"), -ENOENT);
	assert_false(present(uapi, "qr-9e8d7c6b-00.sock"));
	assert_true(present(uapi, "qr-1a2b3c4d-00.sock"));
	assert_true(present(uapi, "wg-1a2b3c4d-00.sock"));
	nwg_backend_close(ctx.backend);
	nwg_repo_close(ctx.repo);
}

static void save_record(struct nwg_repo *repo, struct nwg_key *priv)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();
	struct nwg_err err = {{0}};

	assert_non_null(rec);
	strcpy(rec->port_id, PORT);
	strcpy(rec->project_id, "proj1");
	strcpy(rec->ifname, "wg-7d1c2b3a-00");
	strcpy(rec->netns, "tun-proj1");
	strcpy(rec->home_netns, "tun-proj1");
	assert_int_equal(nwg_key_generate(&rec->private_key), 0);
	rec->listen_port = 51999;
	*priv = rec->private_key;
	if (nwg_repo_save(repo, rec, &err) < 0)
		fail_msg("save: %s", err.msg);
	nwg_hub_record_free(rec);
}

static void pair(struct nwg_key *priv, struct nwg_key *pub, unsigned char fill)
{
	memset(priv->b, fill, sizeof(priv->b));
	assert_int_equal(nwg_key_public(pub, priv), 0);
}

/* SEAL through the executor's table; the envelope opens to hub's key
 * with peer's private key when it succeeds, and is "" otherwise. */
static int seal(struct nwg_ps_repo_ctx *ctx, const struct nwg_key *pub, const struct nwg_key *priv,
		const struct nwg_key *hub)
{
	struct nwg_ps_seal s;
	struct nwg_ps_result out;
	struct nwg_err err = {{0}};
	struct nwg_key got;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(&out, 0, sizeof(out));
	memset(out.sealed, 'x', NWG_SEALED_B64_LEN); /* must be cleared on refusal */
	snprintf(s.port_id, sizeof(s.port_id), "%s", PORT);
	s.peer_pub = *pub;
	rc = nwg_ps_repo_ops.seal(ctx, &s, &out, &err);
	if (rc < 0) {
		assert_string_equal(out.sealed, "");
		return rc;
	}
	assert_int_equal(nwg_unseal_hub_key(&got, out.sealed, strlen(out.sealed), PORT, pub, priv),
			 0);
	assert_true(nwg_key_equal(&got, hub));
	return rc;
}

static void test_seal_pinned(void **state)
{
	struct nwg_ps_repo_ctx ctx = {0};
	struct nwg_conf conf;
	struct nwg_key hub, apriv, apub, bpriv, bpub;
	char pin[160];
	struct stat st;
	int fd;

	(void)state;
	memset(&conf, 0, sizeof(conf));
	conf.state_path = dir;
	ctx.conf = &conf;
	assert_int_equal(nwg_repo_open(&ctx.repo, dir, NULL), 0);
	save_record(ctx.repo, &hub);
	pair(&apriv, &apub, 0x5a); /* the real HA peer */
	pair(&bpriv, &bpub, 0x6b); /* a key a compromised engine names */
	snprintf(pin, sizeof(pin), "%s/%s", dir, NWG_SEAL_PIN_FILE);

	/* the operator's pin: only that key; no file written */
	conf.ha_pin_set = true;
	conf.ha_pin = apub;
	assert_int_equal(seal(&ctx, &bpub, &bpriv, &hub), -EPERM);
	assert_int_equal(seal(&ctx, &apub, &apriv, &hub), 0);
	assert_false(present(dir, NWG_SEAL_PIN_FILE));

	/* trust on first use: the first key is pinned (0600) */
	conf.ha_pin_set = false;
	assert_int_equal(seal(&ctx, &apub, &apriv, &hub), 0);
	assert_int_equal(lstat(pin, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(seal(&ctx, &bpub, &bpriv, &hub), -EPERM);
	assert_int_equal(seal(&ctx, &apub, &apriv, &hub), 0);
	/* a pin file others may write is refused, for every key */
	assert_int_equal(chmod(pin, 0620), 0);
	assert_int_equal(seal(&ctx, &apub, &apriv, &hub), -EPERM);
	assert_int_equal(seal(&ctx, &bpub, &bpriv, &hub), -EPERM);
	/* and so is a symbolic link */
	assert_int_equal(unlink(pin), 0);
	fd = open("/tmp/nwg-psops-pin-target", O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(symlink("/tmp/nwg-psops-pin-target", pin), 0);
	assert_true(seal(&ctx, &bpub, &bpriv, &hub) < 0);
	unlink("/tmp/nwg-psops-pin-target");
	/* re-pin: the operator removes the file; the next key is the pin */
	assert_int_equal(unlink(pin), 0);
	assert_int_equal(seal(&ctx, &bpub, &bpriv, &hub), 0);
	assert_int_equal(seal(&ctx, &apub, &apriv, &hub), -EPERM);
	nwg_repo_close(ctx.repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_detach_gone_sweeps, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_seal_pinned, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
