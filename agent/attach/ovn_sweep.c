/* SPDX-License-Identifier: Apache-2.0 */
/* The OVN sweep on the privileged side (attach/ovn.h): this agent's ports
 * (marked NWG_OVN_MARK) on the integration bridge whose hub has no record
 * here any more are removed. The records decide, not the engine: a hub kept
 * as it was (rejected, or held by the mass-deletion guard) keeps its port. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attach/ovn_int.h"
#include "nwg/repo.h"

#define LIST_MAX 65536

struct have {
	char (*names)[IFNAMSIZ];
	size_t n, cap;
	bool oom;
};

static void have_add(struct have *h, const char *port_id)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		char(*n)[IFNAMSIZ] = realloc(h->names, cap * sizeof(*n));

		if (!n) {
			h->oom = true;
			return;
		}
		h->names = n;
		h->cap = cap;
	}
	nwg_ovn_ifname(port_id, h->names[h->n++]);
}

/* Every record's port name; a corrupt record's too (from its file name):
 * its hub may come back, and its port with it. */
static int each(const struct nwg_hub_record *rec, const char *path, const struct nwg_err *e,
		void *ctx)
{
	const char *base = path ? strrchr(path, '/') : NULL;
	char id[NWG_ID_MAX + 1];
	size_t n;

	(void)e;
	if (rec) {
		have_add(ctx, rec->port_id);
		return 0;
	}
	base = base ? base + 1 : path;
	n = base ? strcspn(base, ".") : 0;
	if (n && n <= NWG_ID_MAX) {
		memcpy(id, base, n);
		id[n] = '\0';
		have_add(ctx, id);
	}
	return 0;
}

static bool kept(const struct have *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->names[i], name) == 0)
			return true;
	return false;
}

static int list_ours(const struct nwg_ovs *o, char **out, struct nwg_err *err)
{
	const char *find[] = {
	    "--bare", "--columns=name", "find", "Interface", "external_ids:" NWG_OVN_MARK "!=\"\"",
	    NULL};
	int rc;

	if (!(*out = malloc(LIST_MAX)))
		return nwg_err_set(err, ENOMEM, "out of memory");
	rc = nwg_ovs_vsctl(o, find, *out, LIST_MAX, err);
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int nwg_ovn_sweep(struct nwg_repo *repo, const struct nwg_ovn_where *w, size_t *removed,
		  struct nwg_err *err)
{
	struct nwg_ovs o = {.vsctl = w ? w->vsctl : NULL, .db = w ? w->db : NULL};
	struct have h = {0};
	char *out = NULL, *save = NULL;
	int rc, first = 0;

	*removed = 0;
	if (!repo || !w || !w->bridge)
		return nwg_err_set(err, EOPNOTSUPP, "OVN sweep: no integration bridge here");
	rc = nwg_repo_foreach(repo, each, &h, err);
	if (rc == 0 && h.oom)
		rc = nwg_err_set(err, ENOMEM, "out of memory");
	if (rc == 0)
		rc = list_ours(&o, &out, err);
	for (char *name = rc == 0 ? strtok_r(out, "\n", &save) : NULL; name;
	     name = strtok_r(NULL, "\n", &save)) {
		const char *del[] = {"--if-exists", "del-port", w->bridge, name, NULL};
		struct nwg_err e = {{0}};
		int r;

		if (!*name || kept(&h, name))
			continue;
		r = nwg_ovs_vsctl(&o, del, NULL, 0, &e);
		if (r == 0)
			(*removed)++;
		else if (!first) /* the first failure is the one told */
			first = nwg_err_set(err, -r, "removing port %s from %s: %s", name,
					    w->bridge, e.msg);
	}
	free(out);
	free(h.names);
	return rc < 0 ? rc : first;
}
