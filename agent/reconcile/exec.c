/* SPDX-License-Identifier: Apache-2.0 */
#include "reconcile/exec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log/log.h"
#include "nwg/rtnl.h"
#include "nwg/seal.h"
#include "nwg/secmem.h"
#include "reconcile/desired_ha.h"
#include "reconcile/record.h"

static const char *ns_name(const char *ns)
{
	return ns && *ns ? ns : "root namespace";
}

static const char *ns_arg(const char *ns)
{
	return ns && *ns ? ns : NULL;
}

/* ---- listen ports ---- */

static size_t collect_taken(const struct nwg_exec_ctx *x, const char *self, uint16_t *v, size_t max)
{
	const struct nwg_actual *a = x->actual;
	size_t n = 0;

	for (size_t i = 0; a && i < a->n_recs && n < max; i++) {
		if (strcmp(a->recs[i]->port_id, self) != 0 && a->recs[i]->listen_port)
			v[n++] = a->recs[i]->listen_port;
	}
	for (size_t i = 0; a && i < a->n_links && n < max; i++) {
		const struct nwg_device *d = a->links[i].dev;

		if (d && strcmp(a->links[i].port_id, self) != 0 && d->listen_port)
			v[n++] = d->listen_port;
	}
	for (size_t i = 0; i < x->n_claimed && n < max; i++)
		v[n++] = x->claimed[i];
	return n;
}

static int alloc_port(struct nwg_exec_ctx *x, const char *self, uint16_t *port, struct nwg_err *err)
{
	const struct nwg_actual *a = x->actual;
	size_t max = (a ? a->n_recs + a->n_links : 0) + x->n_claimed + 1;
	uint16_t *taken = calloc(max, sizeof(*taken));
	uint16_t *claimed;
	size_t n;
	int r;

	if (!taken)
		return nwg_err_set(err, ENOMEM, "out of memory");
	n = collect_taken(x, self, taken, max);
	r = nwg_port_alloc(&x->conf->port_range, taken, n, x->busy, x->busy_ctx, port, err);
	free(taken);
	if (r < 0)
		return r;
	claimed = realloc(x->claimed, (x->n_claimed + 1) * sizeof(*claimed));
	if (!claimed)
		return nwg_err_set(err, ENOMEM, "out of memory");
	x->claimed = claimed;
	claimed[x->n_claimed++] = *port;
	return 0;
}

/* HA standby (doc/ha.md): the listen port is the primary's, not chosen
 * here; it must not be another hub's of this node. Claimed for this pass. */
static int reserve_port(struct nwg_exec_ctx *x, const char *self, uint16_t port,
			struct nwg_err *err)
{
	const struct nwg_actual *a = x->actual;
	size_t max = (a ? a->n_recs + a->n_links : 0) + x->n_claimed + 1;
	uint16_t *taken = calloc(max, sizeof(*taken));
	uint16_t *claimed;
	size_t n;

	if (!taken)
		return nwg_err_set(err, ENOMEM, "out of memory");
	n = collect_taken(x, self, taken, max);
	for (size_t i = 0; i < n; i++) {
		if (taken[i] == port) {
			free(taken);
			return nwg_err_set(err, EADDRINUSE,
					   "HA listen port %u (the primary's) is held by another "
					   "hub of this node",
					   port);
		}
	}
	free(taken);
	claimed = realloc(x->claimed, (x->n_claimed + 1) * sizeof(*claimed));
	if (!claimed)
		return nwg_err_set(err, ENOMEM, "out of memory");
	x->claimed = claimed;
	claimed[x->n_claimed++] = port;
	return 0;
}

void nwg_exec_ctx_clear(struct nwg_exec_ctx *x)
{
	free(x->claimed);
	x->claimed = NULL;
	x->n_claimed = 0;
}

/* ---- link helpers ---- */

static int move_link(const char *ifname, const char *from, const char *to, struct nwg_err *err)
{
	struct nwg_rtnl *r = NULL;
	int fd, rc;

	if (*to && (rc = nwg_netns_create(to, err)) < 0)
		return rc;
	fd = nwg_netns_open(ns_arg(to), err);
	if (fd < 0)
		return fd;
	rc = nwg_rtnl_open(&r, ns_arg(from), err);
	if (rc >= 0)
		rc = nwg_link_move(r, ifname, fd, err);
	nwg_rtnl_close(r);
	close(fd);
	return rc;
}

/* Addresses (flush, then the fixed IPs when addressed), MTU and up/down. */
static int link_state(const struct nwg_action *act, const char *ifname, unsigned int what,
		      struct nwg_err *err)
{
	const struct nwg_dhub *h = act->want;
	struct nwg_rtnl *r = NULL;
	char buf[NWG_IPNET_STRLEN];
	int rc = nwg_rtnl_open(&r, ns_arg(act->netns), err);

	if (rc >= 0 && (what & NWG_FIX_MTU))
		rc = nwg_link_set_mtu(r, ifname, act->mtu, err);
	if (rc >= 0 && (what & NWG_FIX_ADDRS))
		rc = nwg_addr_flush(r, ifname, err);
	for (size_t i = 0;
	     rc >= 0 && (what & NWG_FIX_ADDRS) && act->addressed && i < h->n_fixed_ips; i++) {
		if ((rc = nwg_ipnet_format(&h->fixed_ips[i], buf, sizeof(buf))) >= 0)
			rc = nwg_addr_add(r, ifname, buf, err);
	}
	if (rc >= 0 && (what & (NWG_FIX_UP | NWG_FIX_DOWN)))
		rc = nwg_link_set_up(r, ifname, (what & NWG_FIX_UP) != 0, err);
	nwg_rtnl_close(r);
	/* An addressed hub up in its project namespace routes between its
	 * devices (hub_up_unrouted): that namespace forwards. */
	if (rc >= 0 && (what & NWG_FIX_UP) && act->addressed && act->netns[0] && !act->l3_owned)
		rc = nwg_netns_set_forwarding(act->netns, true, err);
	return rc;
}

/* A removed peer as the journal names it: the record's spoke id and key. */
static int add_gone(struct nwg_hub_record *gone, const struct nwg_hub_view *rec,
		    const struct nwg_key *key)
{
	for (size_t i = 0; rec && i < rec->n_peers; i++) {
		struct nwg_repo_peer *p;

		if (!nwg_key_equal(&rec->peers[i].public_key, key))
			continue;
		if (!(p = nwg_hub_record_add_peer(gone)))
			return -ENOMEM;
		snprintf(p->port_id, sizeof(p->port_id), "%s", rec->peers[i].port_id);
		p->public_key = *key;
		return 0;
	}
	return 0; /* not recorded: nothing to remove */
}

/* What a record (or its view) of act says after exec: one spec for both. */
static struct nwg_record_spec spec_of(const struct nwg_action *act, const struct nwg_exec_out *out)
{
	return (struct nwg_record_spec){
	    .hub = act->want,
	    .ifname = out->ifname,
	    .netns = out->netns,
	    .home_netns = act->home_netns,
	    .mtu = act->mtu,
	    .up = out->up,
	    .addressed = act->addressed,
	    .listen_port = out->listen_port,
	    .standby = act->standby,
	};
}

struct nwg_hub_record *nwg_exec_record(const struct nwg_action *act, const struct nwg_exec_out *out,
				       const struct nwg_key *key)
{
	struct nwg_record_spec spec = spec_of(act, out);

	spec.private_key = key;
	return nwg_record_build(&spec);
}

struct nwg_hub_view *nwg_exec_view(const struct nwg_action *act, const struct nwg_exec_out *out)
{
	struct nwg_record_spec spec = spec_of(act, out);

	spec.public_key = &out->public_key;
	return nwg_hub_view_build(&spec);
}

/* ---- the private key: loaded here, when an action needs it ---- */

/* The key alone: the record's [Interface] section, not its peers or journal. */
static int key_from_record(struct nwg_exec_ctx *x, const struct nwg_action *act,
			   struct nwg_key *key, struct nwg_err *err)
{
	return nwg_repo_load_key(x->repo, act->port_id, key, err);
}

static int key_from_link(struct nwg_exec_ctx *x, const struct nwg_action *act, struct nwg_key *key,
			 struct nwg_err *err)
{
	const struct nwg_alink *l = act->link;
	struct nwg_device *dev = NULL;
	int r;

	if (!l)
		return nwg_err_set(err, ENODEV, "no link to take the key from");
	r = nwg_wg_get(x->backend, l->ifname, ns_arg(l->netns), &dev, err);
	if (r >= 0 && !(dev->flags & NWG_DEV_HAS_PRIVATE_KEY))
		r = nwg_err_set(err, ENOKEY, "%s has no private key", l->ifname);
	if (r >= 0)
		*key = dev->private_key;
	nwg_device_free(dev); /* wipes */
	return r;
}

/* The public key the pass planned with: the record's or the device's. */
static const struct nwg_key *planned_key(const struct nwg_action *act)
{
	if (act->key_src == NWG_KEY_RECORD)
		return act->rec ? &act->rec->public_key : NULL;
	return act->link && act->link->dev ? &act->link->dev->public_key : NULL;
}

/* The hub's private key (secure memory; nwg_secmem_free wipes it) from the
 * repository (key source RECORD) or the live device (LINK: the record is
 * lost). It must be the key the pass planned with: the public key of the
 * record's view or of the device as read (-ESTALE otherwise). */
static int load_key(struct nwg_exec_ctx *x, const struct nwg_action *act, struct nwg_key **out,
		    struct nwg_err *err)
{
	const struct nwg_key *planned = planned_key(act);
	struct nwg_key *key = nwg_secmem_alloc(sizeof(*key));
	struct nwg_key pub;
	int r;

	*out = NULL;
	if (!key)
		return nwg_err_set(err, ENOMEM, "out of memory");
	r = act->key_src == NWG_KEY_RECORD ? key_from_record(x, act, key, err)
					   : key_from_link(x, act, key, err);
	if (r >= 0 && (!planned || nwg_key_public(&pub, key) < 0 || !nwg_key_equal(&pub, planned)))
		r = nwg_err_set(err, ESTALE, "hub %s: its key changed since this pass read it",
				act->port_id);
	if (r < 0) {
		nwg_secmem_free(key);
		return r;
	}
	*out = key;
	return 0;
}

/* key NULL: loaded for the save (and wiped after it). */
static int save_record(struct nwg_exec_ctx *x, const struct nwg_action *act,
		       const struct nwg_key *key, const struct nwg_exec_out *out,
		       struct nwg_err *err)
{
	struct nwg_key *loaded = NULL;
	struct nwg_hub_record *rec;
	int r = key ? 0 : load_key(x, act, &loaded, err);

	if (r < 0)
		return r;
	rec = nwg_exec_record(act, out, key ? key : loaded);
	nwg_secmem_free(loaded);
	if (!rec)
		return nwg_err_set(err, ENOMEM, "out of memory");
	r = nwg_repo_save(x->repo, rec, err);
	nwg_hub_record_free(rec);
	return r;
}

/* Peers only: the changed peers are appended to the record's journal (a
 * spoke change of a 10,000-spoke hub writes a few hundred bytes); a journal
 * due for folding (-EAGAIN) makes it a whole-record save. */
static int save_delta(struct nwg_exec_ctx *x, const struct nwg_action *act,
		      const struct nwg_key *key, const struct nwg_exec_out *out,
		      struct nwg_err *err)
{
	struct nwg_hub_record *set = nwg_hub_record_new(), *gone = nwg_hub_record_new();
	int r = set && gone ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < act->n_peer_ops; i++) {
		const struct nwg_peer_op *op = &act->peer_ops[i];

		if (op->op != NWG_POP_REMOVE)
			r = nwg_record_add_spoke(set, op->spoke) < 0 ? -ENOMEM : 0;
		else
			r = add_gone(gone, act->rec, &op->key);
	}
	if (r == 0)
		r = nwg_repo_append_peers(x->repo, act->port_id, set, gone, err);
	nwg_hub_record_free(set);
	nwg_hub_record_free(gone);
	if (r == -EAGAIN || r == -ENOMEM) {
		nwg_err_clear(err);
		return save_record(x, act, key, out, err);
	}
	return r;
}

static void fill_out(struct nwg_exec_out *out, const struct nwg_key *pub, uint16_t port,
		     const char *ifname, const char *netns, const struct nwg_action *act)
{
	out->public_key = *pub;
	out->listen_port = port;
	snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
	snprintf(out->netns, sizeof(out->netns), "%s", netns);
	out->mtu = act->mtu;
	out->up = act->up;
}

static int with_ctx(struct nwg_err *err, int r, const char *what, const char *ifname)
{
	if (err) {
		char msg[NWG_ERR_MSG_LEN + 64];

		snprintf(msg, sizeof(msg), "%s %s: %s", what, ifname,
			 err->msg[0] ? err->msg : strerror(r < 0 ? -r : r));
		msg[sizeof(err->msg) - 1] = '\0';
		memcpy(err->msg, msg, sizeof(err->msg));
	}
	return r;
}

/* One UAPI/genl set: key and port when asked for, and the peer diffs. */
static int configure(struct nwg_exec_ctx *x, const struct nwg_action *act, const char *ifname,
		     const struct nwg_key *key, uint16_t port, struct nwg_err *err)
{
	struct nwg_device *dev = NULL;
	int r = nwg_exec_peer_device(act, ifname, &dev, err);

	if (r < 0)
		return r;
	if (key) {
		dev->private_key = *key;
		dev->flags |= NWG_DEV_HAS_PRIVATE_KEY;
	}
	if (port) {
		dev->listen_port = port;
		dev->flags |= NWG_DEV_HAS_LISTEN_PORT;
	}
	r = nwg_wg_set(x->backend, ifname, ns_arg(act->netns), dev, err);
	nwg_device_free(dev);
	return r < 0 ? with_ctx(err, r, "configure", ifname) : 0;
}

static size_t count_ops(const struct nwg_action *act, enum nwg_peer_op_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < act->n_peer_ops; i++)
		n += act->peer_ops[i].op == k;
	return n;
}

/* HA secondary: the hub key from the envelope sealed to this node's
 * enrollment key (the one unseal step, lib/enroll.c). The error names why,
 * never the key. */
static int unseal(struct nwg_exec_ctx *x, const struct nwg_action *act, struct nwg_key *key,
		  struct nwg_err *err)
{
	const struct nwg_dha *ha = act->want ? act->want->ha : NULL;
	char path[4096];
	int r;

	if (!ha || !ha->envelope[0] || !x->conf || !x->conf->state_path)
		return nwg_err_set(err, EINVAL, "HA standby: no sealed key to open");
	snprintf(path, sizeof(path), "%s/enroll.key", x->conf->state_path);
	r = nwg_enroll_unseal(path, ha->envelope, strlen(ha->envelope), act->port_id, key);
	if (r == -ENOKEY)
		return nwg_err_set(err, ENOKEY,
				   "HA sealed key does not open with this node's "
				   "enrollment key (sealed to another node, or altered)");
	if (r == -EBADMSG)
		return nwg_err_set(err, EBADMSG, "HA sealed key was made for another hub");
	if (r < 0)
		return nwg_err_set(err, -r, "HA sealed key: enrollment key %s: %s", path,
				   strerror(-r));
	return 0;
}

/* ---- create: born in root, alias, MTU, moved, key/port/peers, (up), saved ---- */

static int born(struct nwg_exec_ctx *x, const struct nwg_action *act, struct nwg_err *err)
{
	char alias[NWG_ALIAS_MAX];
	struct nwg_rtnl *r = NULL;
	int rc;

	snprintf(alias, sizeof(alias), "%s%s", NWG_ALIAS_PREFIX, act->port_id);
	rc = nwg_wg_create(x->backend, act->ifname, err);
	if (rc < 0)
		return with_ctx(err, rc, "create", act->ifname);
	rc = nwg_rtnl_open(&r, NULL, err);
	if (rc >= 0)
		rc = nwg_link_set_alias(r, act->ifname, alias, err);
	if (rc >= 0)
		rc = nwg_link_set_mtu(r, act->ifname, act->mtu, err);
	nwg_rtnl_close(r);
	return rc < 0 ? with_ctx(err, rc, "prepare", act->ifname) : 0;
}

static int build(struct nwg_exec_ctx *x, const struct nwg_action *act, const struct nwg_key *key,
		 uint16_t port, const char **where, struct nwg_err *err)
{
	int r = born(x, act, err);

	if (r < 0)
		return r;
	*where = "";
	if (act->netns[0]) {
		r = move_link(act->ifname, "", act->netns, err);
		if (r < 0)
			return with_ctx(err, r, "move", act->ifname);
		*where = act->netns;
	}
	r = configure(x, act, act->ifname, key, port, err);
	if (r >= 0 && act->addressed)
		r = link_state(act, act->ifname, NWG_FIX_ADDRS | (act->up ? NWG_FIX_UP : 0), err);
	return r;
}

static int do_create(struct nwg_exec_ctx *x, const struct nwg_action *act, struct nwg_exec_out *out,
		     struct nwg_err *err)
{
	uint16_t port = act->listen_port;
	const char *where = NULL;
	struct nwg_key *fresh = NULL; /* the key (generated or loaded), in secure memory */
	const struct nwg_key *key;
	struct nwg_key pub = {{0}};
	int r = 0;

	if (act->replace_link) {
		r = nwg_wg_delete(x->backend, act->link->ifname, ns_arg(act->link->netns), err);
		if (r < 0 && r != -ENODEV)
			return with_ctx(err, r, "remove unreadable", act->link->ifname);
	}
	if (act->key_src == NWG_KEY_RECORD) {
		if ((r = load_key(x, act, &fresh, err)) < 0)
			return r;
		key = fresh;
	} else {
		fresh = nwg_secmem_alloc(sizeof(*fresh));
		if (!fresh)
			return nwg_err_set(err, ENOMEM, "out of memory");
		r = act->key_src == NWG_KEY_SEALED ? unseal(x, act, fresh, err)
						   : nwg_key_generate(fresh);
		if (r < 0) {
			nwg_secmem_free(fresh);
			return act->key_src == NWG_KEY_SEALED
				   ? r
				   : nwg_err_set(err, -r, "cannot generate a private key");
		}
		key = fresh;
	}
	if (!port)
		r = alloc_port(x, act->port_id, &port, err);
	else if (act->standby)
		r = reserve_port(x, act->port_id, port, err);
	if (r >= 0)
		r = build(x, act, key, port, &where, err);
	if (r >= 0 && nwg_key_public(&pub, key) < 0)
		r = nwg_err_set(err, EINVAL, "hub %s: unusable private key", act->port_id);
	fill_out(out, &pub, port, act->ifname, act->netns, act);
	if (r >= 0)
		r = save_record(x, act, key, out, err);
	if (r < 0 && where) /* leave nothing half-built behind */
		nwg_wg_delete(x->backend, act->ifname, ns_arg(where), NULL);
	nwg_secmem_free(fresh); /* wipes */
	if (r >= 0)
		log_info("hub %s project %s: created %s in %s, listen port %u, %zu peers, mtu %u, "
			 "%s (%s)",
			 act->port_id, act->project_id, act->ifname, ns_name(act->netns), port,
			 act->n_peer_ops, act->mtu, act->up ? "up" : "down", act->reason);
	return r;
}

/* ---- update: only what differs ---- */

static void fix_names(unsigned int fix, char *buf, size_t len)
{
	static const char *const names[] = {"key",	 "listen-port", "peers", "namespace", "mtu",
					    "addresses", "up",		"down",	 "record"};
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]) && off < len; i++) {
		if (fix & (1U << i))
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "",
						names[i]);
	}
}

static int do_update(struct nwg_exec_ctx *x, const struct nwg_action *act, struct nwg_exec_out *out,
		     struct nwg_err *err)
{
	const struct nwg_alink *l = act->link;
	const struct nwg_key *pub = act->rec ? &act->rec->public_key : &l->dev->public_key;
	struct nwg_key *key = NULL; /* a rekey, or a lost record rewritten from the link */
	unsigned int fix = act->fix;
	uint16_t port = act->listen_port;
	char what[96];
	int r = 0;

	/* the link's key is read where the link is, before it moves */
	if ((fix & NWG_FIX_KEY) || (act->key_src == NWG_KEY_LINK && (fix & NWG_FIX_RECORD)))
		r = load_key(x, act, &key, err);
	if (r >= 0 && (fix & NWG_FIX_NETNS)) {
		r = move_link(l->ifname, l->netns, act->netns, err);
		if (r < 0)
			with_ctx(err, r, "move", l->ifname);
		fix |= NWG_FIX_MTU;
	}
	if (r >= 0 && (fix & NWG_FIX_PORT) && !port)
		r = alloc_port(x, act->port_id, &port, err);
	else if (r >= 0 && (fix & NWG_FIX_PORT) && act->standby)
		r = reserve_port(x, act->port_id, port, err);
	if (r >= 0 && (fix & (NWG_FIX_KEY | NWG_FIX_PORT | NWG_FIX_PEERS)))
		r = configure(x, act, l->ifname, (fix & NWG_FIX_KEY) ? key : NULL,
			      (fix & NWG_FIX_PORT) ? port : 0, err);
	if (r >= 0 && !act->l3_owned &&
	    (fix & (NWG_FIX_MTU | NWG_FIX_ADDRS | NWG_FIX_UP | NWG_FIX_DOWN)))
		r = link_state(act, l->ifname, fix, err);
	fill_out(out, pub, port, l->ifname, act->netns, act);
	if (r >= 0 && (fix & NWG_FIX_RECORD))
		r = act->record_delta ? save_delta(x, act, key, out, err)
				      : save_record(x, act, key, out, err);
	nwg_secmem_free(key);
	if (r < 0)
		return r;
	fix_names(fix, what, sizeof(what));
	log_info("hub %s project %s: updated %s in %s: %s; peers +%zu ~%zu -%zu (%s)", act->port_id,
		 act->project_id, l->ifname, ns_name(act->netns), what, count_ops(act, NWG_POP_ADD),
		 count_ops(act, NWG_POP_UPDATE), count_ops(act, NWG_POP_REMOVE), act->reason);
	return 0;
}

static int do_adopt(const struct nwg_action *act, struct nwg_exec_out *out)
{
	const struct nwg_alink *l = act->link;
	const struct nwg_key *pub = act->rec ? &act->rec->public_key : &l->dev->public_key;

	fill_out(out, pub, act->listen_port, l->ifname, act->netns, act);
	log_debug("hub %s project %s: %s in %s in sync, adopted unchanged", act->port_id,
		  act->project_id, l->ifname, ns_name(act->netns));
	return 0;
}

static int do_delete(struct nwg_exec_ctx *x, const struct nwg_action *act, struct nwg_err *err)
{
	const struct nwg_alink *l = act->link;
	int r;

	if (l) {
		r = nwg_wg_delete(x->backend, l->ifname, ns_arg(l->netns), err);
		if (r < 0 && r != -ENODEV)
			return with_ctx(err, r, "delete", l->ifname);
	}
	r = nwg_repo_remove(x->repo, act->port_id, err);
	if (r < 0)
		return r;
	log_info("hub %s project %s: deleted %s%s%s and its record (%s)", act->port_id,
		 act->project_id, l ? l->ifname : "", l ? " in " : "", l ? ns_name(l->netns) : "",
		 act->reason);
	return 0;
}

int nwg_exec_action(struct nwg_exec_ctx *x, const struct nwg_action *act, struct nwg_exec_out *out,
		    struct nwg_err *err)
{
	if (!x || !act || !out)
		return nwg_err_set(err, EINVAL, "exec: bad arguments");
	memset(out, 0, sizeof(*out));
	nwg_err_clear(err);
	switch (act->kind) {
	case NWG_ACT_CREATE:
		return do_create(x, act, out, err);
	case NWG_ACT_UPDATE:
		return do_update(x, act, out, err);
	case NWG_ACT_ADOPT:
		return do_adopt(act, out);
	case NWG_ACT_DELETE:
		return do_delete(x, act, err);
	default:
		return 0;
	}
}
