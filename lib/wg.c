/* SPDX-License-Identifier: Apache-2.0 */
/* The public backend seam: choose kernel or userspace, validate, dispatch. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/rtnl.h"
#include "wg_backend.h"
#include "wg_priv.h"

#define DEFAULT_WG_GO	 "wireguard-go"
#define DEFAULT_UAPI_DIR "/var/run/wireguard"
#define DEFAULT_TIMEOUT	 5000
#define MAX_TIMEOUT	 600000

const char *nwg_backend_name(enum nwg_backend_kind kind)
{
	switch (kind) {
	case NWG_BACKEND_AUTO:
		return "auto";
	case NWG_BACKEND_KERNEL:
		return "kernel";
	case NWG_BACKEND_USERSPACE:
		return "userspace";
	}
	return "unknown";
}

int nwg_backend_parse(const char *s, enum nwg_backend_kind *out)
{
	static const enum nwg_backend_kind all[] = {NWG_BACKEND_AUTO, NWG_BACKEND_KERNEL,
						    NWG_BACKEND_USERSPACE};

	if (!s || !out)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(s, nwg_backend_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return -EINVAL;
}

static int check_opts(const struct nwg_backend_opts *o, struct nwg_err *err)
{
	if (o->kind != NWG_BACKEND_AUTO && o->kind != NWG_BACKEND_KERNEL &&
	    o->kind != NWG_BACKEND_USERSPACE)
		return nwg_err_set(err, EINVAL, "unknown backend kind %d", (int)o->kind);
	if (o->wireguard_go && (!*o->wireguard_go || strlen(o->wireguard_go) >= 4096))
		return nwg_err_set(err, EINVAL, "bad wireguard-go path");
	if (o->uapi_dir && (o->uapi_dir[0] != '/' || strlen(o->uapi_dir) > 80))
		return nwg_err_set(err, EINVAL, "uapi_dir must be an absolute path of <= 80 bytes");
	if (o->start_timeout_ms < 0 || o->start_timeout_ms > MAX_TIMEOUT)
		return nwg_err_set(err, EINVAL, "start_timeout_ms must be 0..%d", MAX_TIMEOUT);
	return 0;
}

static int fill(struct nwg_backend *b, const struct nwg_backend_opts *o)
{
	b->kind = o->kind;
	b->wg_go = strdup(o->wireguard_go ? o->wireguard_go : DEFAULT_WG_GO);
	b->dir = strdup(o->uapi_dir ? o->uapi_dir : DEFAULT_UAPI_DIR);
	if (!b->wg_go || !b->dir)
		return -ENOMEM;
	b->uapi.wireguard_go = b->wg_go;
	b->uapi.dir = b->dir;
	b->uapi.start_timeout_ms = o->start_timeout_ms ? o->start_timeout_ms : DEFAULT_TIMEOUT;
	if (b->kind == NWG_BACKEND_AUTO)
		b->kind = nwg_kernel_available() == 1 ? NWG_BACKEND_KERNEL : NWG_BACKEND_USERSPACE;
	return 0;
}

int nwg_backend_open(struct nwg_backend **out, const struct nwg_backend_opts *opts,
		     struct nwg_err *err)
{
	static const struct nwg_backend_opts defaults = {.kind = NWG_BACKEND_AUTO};
	struct nwg_backend *b;
	int r;

	if (!out)
		return nwg_err_set(err, EINVAL, "backend open: no output");
	*out = NULL;
	if (!opts)
		opts = &defaults;
	r = check_opts(opts, err);
	if (r < 0)
		return r;
	b = calloc(1, sizeof(*b));
	if (!b)
		return nwg_err_set(err, ENOMEM, "out of memory");
	if (fill(b, opts) < 0) {
		nwg_backend_close(b);
		return nwg_err_set(err, ENOMEM, "out of memory");
	}
	*out = b;
	return 0;
}

void nwg_backend_close(struct nwg_backend *b)
{
	if (!b)
		return;
	nwg_backend_reap(b);
	free(b->children);
	free(b->wg_go);
	free(b->dir);
	free(b);
}

enum nwg_backend_kind nwg_backend_kind(const struct nwg_backend *b)
{
	return b ? b->kind : NWG_BACKEND_AUTO;
}
