/* SPDX-License-Identifier: Apache-2.0 */
/* The fixture shared by the control socket method tests (test_ctl_l3.c,
 * test_ctl_ha.c): an agent with a scratch repository and a userspace
 * backend that finds no wireguard-go socket, a call that turns a method's
 * answer into one comparable string, and the hub record both save. Header
 * only; include it after <cmocka.h>. */
#ifndef NWG_CTL_TESTLIB_H
#define NWG_CTL_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "nwg/repo.h"

#define CTL_PORT  "0e8c91d0-9024-494b-8824-8690f960f176"
#define CTL_NETNS "tun-nwg-ctl-test-absent" /* no such namespace here */

struct ctl_fx {
	struct nwg_agent a;
	char dir[64];
};

typedef json_t *(*ctl_method_fn)(struct nwg_agent *a, const char *method, const json_t *args,
				 struct nwg_err *err);

static inline int ctl_fx_setup(void **state)
{
	struct ctl_fx *f = calloc(1, sizeof(*f));
	struct nwg_backend_opts o = {.kind = NWG_BACKEND_USERSPACE};

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/nwg-ctl-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->a.conf.host, sizeof(f->a.conf.host), "n1");
	f->a.conf.underlay_mtu = 1500;
	assert_int_equal(nwg_repo_open(&f->a.repo, f->dir, NULL), 0);
	o.uapi_dir = f->dir; /* no wireguard-go socket there */
	assert_int_equal(nwg_backend_open(&f->a.backend, &o, NULL), 0);
	*state = f;
	return 0;
}

static inline int ctl_fx_teardown(void **state)
{
	struct ctl_fx *f = *state;
	char cmd[128];

	nwg_backend_close(f->a.backend);
	nwg_repo_close(f->a.repo);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* method + JSON args -> compact sorted answer, or "error: <message>" */
static inline char *ctl_call(struct ctl_fx *f, ctl_method_fn fn, const char *method,
			     const char *args)
{
	struct nwg_err err = {{0}};
	json_t *a = json_loads(args, 0, NULL), *r;
	char *s;

	assert_non_null(a);
	r = fn(&f->a, method, a, &err);
	json_decref(a);
	if (!r) {
		s = malloc(strlen(err.msg) + 8);
		assert_non_null(s);
		sprintf(s, "error: %s", err.msg);
		return s;
	}
	s = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(r);
	return s;
}

/* the answer starts with `want` */
static inline void ctl_expect(struct ctl_fx *f, ctl_method_fn fn, const char *method,
			      const char *args, const char *want)
{
	char *got = ctl_call(f, fn, method, args);

	if (strncmp(got, want, strlen(want)) != 0)
		fail_msg("%s %s: got %s, want %s...", method, args, got, want);
	free(got);
}

/* A record for CTL_PORT whose link and namespace do not exist. */
static inline void ctl_save_hub(struct ctl_fx *f)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();

	assert_non_null(rec);
	snprintf(rec->port_id, sizeof(rec->port_id), "%s", CTL_PORT);
	snprintf(rec->project_id, sizeof(rec->project_id), "p1");
	snprintf(rec->ifname, sizeof(rec->ifname), "wg-0e8c91d0-90");
	snprintf(rec->netns, sizeof(rec->netns), CTL_NETNS);
	snprintf(rec->home_netns, sizeof(rec->home_netns), CTL_NETNS);
	memset(rec->private_key.b, 0x42, sizeof(rec->private_key.b));
	rec->listen_port = 51820;
	rec->mtu = 1420;
	assert_int_equal(nwg_repo_save(f->a.repo, rec, NULL), 0);
	nwg_hub_record_free(rec);
}

#endif
