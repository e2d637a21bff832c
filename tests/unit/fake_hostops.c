/* SPDX-License-Identifier: Apache-2.0 */
#include "fake_hostops.h"

#include <errno.h>

static int no_place(void *ctx, const char *port_id, const struct nwg_l3_req *q,
		    struct nwg_place_out *out, struct nwg_err *err)
{
	(void)ctx;
	(void)port_id;
	(void)q;
	(void)out;
	return nwg_err_set(err, EPERM, "not in this test");
}

static int no_netns(void *ctx, const char *name, char *why, size_t why_len, struct nwg_err *err)
{
	(void)ctx;
	(void)name;
	(void)why;
	(void)why_len;
	return nwg_err_set(err, EPERM, "not in this test");
}

static int no_id(void *ctx, const char *port_id, struct nwg_err *err)
{
	(void)ctx;
	(void)port_id;
	return nwg_err_set(err, EPERM, "not in this test");
}

static int no_purge(void *ctx, unsigned int age, struct nwg_err *err)
{
	(void)ctx;
	(void)age;
	return nwg_err_set(err, EPERM, "not in this test");
}

static int no_apply(void *ctx, struct nwg_exec_ctx *x, const struct nwg_action *act,
		    struct nwg_exec_out *out, struct nwg_err *err)
{
	(void)ctx;
	(void)x;
	(void)act;
	(void)out;
	return nwg_err_set(err, EPERM, "not in this test");
}

struct nwg_hostops fake_hostops_refusing(void)
{
	struct nwg_hostops ops = {.place = no_place,
				  .netns_remove = no_netns,
				  .quarantine = no_id,
				  .unquarantine = no_id,
				  .purge = no_purge,
				  .apply = no_apply};

	return ops;
}
