/* SPDX-License-Identifier: Apache-2.0 */
/* The executor's dispatch: decode, check the grammar and the naming policy,
 * then run one operation and answer it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "privsep/server.h"
#include "reconcile/plan.h"
#include "repo_check.h"

/* "" (a root hub), qrouter-<uuid>, or <prefix><project> (any valid project
 * when project is NULL). */
static bool ns_allowed(const struct nwg_ps_policy *pol, const char *ns, const char *project)
{
	const char *pre = pol->ns_prefix ? pol->ns_prefix : "tun-";
	size_t n = strlen(pre);

	if (!*ns || nwg_ctl_router_ns_check(ns, NULL, NULL, NULL) == 0)
		return true;
	if (strncmp(ns, pre, n) != 0)
		return false;
	return project ? strcmp(ns + n, project) == 0 : nwg_repo_id_valid(ns + n);
}

int nwg_ps_policy_apply(const struct nwg_ps_policy *pol, const struct nwg_ps_apply *a,
			struct nwg_err *err)
{
	const char *proj = a->kind == NWG_PS_DELETE ? NULL : a->project_id;
	char want[IFNAMSIZ];

	if (a->kind != NWG_PS_DELETE && a->home_netns[0] &&
	    (!ns_allowed(pol, a->home_netns, proj) || !strncmp(a->home_netns, "qrouter-", 8)))
		return nwg_err_set(err, EPERM, "APPLY %s: home namespace %s is not the project's",
				   a->port_id, a->home_netns);
	if (!ns_allowed(pol, a->netns, proj))
		return nwg_err_set(err, EPERM,
				   "APPLY %s: namespace %s is neither the hub's home "
				   "nor a router's",
				   a->port_id, a->netns);
	nwg_hub_ifname(a->port_id, want);
	if (a->kind == NWG_PS_CREATE &&
	    (strcmp(a->ifname, want) != 0 || strcmp(a->netns, a->home_netns) != 0))
		return nwg_err_set(err, EPERM, "APPLY %s: a hub is created as %s in its home",
				   a->port_id, want);
	return 0;
}

int nwg_ps_policy_place(const struct nwg_ps_policy *pol, const struct nwg_ps_place *p,
			struct nwg_err *err)
{
	bool router = nwg_ctl_router_ns_check(p->netns, NULL, NULL, NULL) == 0;

	if (p->attach ? !router : !ns_allowed(pol, p->netns, NULL) || router)
		return nwg_err_set(err, EPERM, "PLACE %s: %s into namespace %s is not allowed",
				   p->port_id, p->attach ? "attach" : "detach", p->netns);
	return 0;
}

int nwg_ps_policy_read(const struct nwg_ps_policy *pol, const struct nwg_ps_ids *ids,
		       struct nwg_err *err)
{
	for (size_t i = 0; i < ids->n_netns; i++)
		if (!ns_allowed(pol, ids->netns[i], NULL))
			return nwg_err_set(err, EPERM,
					   "READ_ACTUAL: %s is neither a project's namespace nor "
					   "a router's",
					   ids->netns[i]);
	return 0;
}

int nwg_ps_policy_netns(const struct nwg_ps_policy *pol, const char *netns, struct nwg_err *err)
{
	if (!*netns || !strncmp(netns, "qrouter-", 8) || !ns_allowed(pol, netns, NULL))
		return nwg_err_set(err, EPERM, "NETNS_REMOVE: %s is not a project namespace",
				   *netns ? netns : "the root namespace");
	return 0;
}

static int answer(nwg_ps_emit_fn emit, void *ectx, uint32_t seq, int rc,
		  const struct nwg_ps_result *res, const struct nwg_err *err)
{
	struct nwg_ps_msg m;

	nwg_ps_msg_init(&m, NWG_PS_RESULT, seq);
	if (res)
		m.u.result = *res; /* text and fd stay res's */
	m.u.result.rc = rc < 0 ? rc : 0;
	if (rc < 0) { /* a failure carries no chunk and no descriptor */
		size_t n = err ? strnlen(err->msg, NWG_PS_ERROR_MAX) : 0;

		m.u.result.seq = m.u.result.chunk_idx = m.u.result.chunk_total = 0;
		m.u.result.text = NULL;
		m.u.result.text_len = 0;
		m.u.result.fd_set = false;
		memcpy(m.u.result.error, err ? err->msg : "", n);
		m.u.result.error[n] = '\0';
	}
	/* printable ASCII only: the engine treats it as input */
	for (char *c = m.u.result.error; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	return emit(ectx, &m);
}

/* An operation's failure is answered; only the wire (another version, a
 * malformed datagram, a reply sent as a request) ends the executor, so an
 * operation's -EPROTO or -EBADMSG is answered as -EIO. */
static int op_rc(int rc)
{
	return rc == -EPROTO || rc == -EBADMSG ? -EIO : rc;
}

static int run(const struct nwg_ps_policy *pol, const struct nwg_ps_ops *ops, void *ctx,
	       const struct nwg_ps_msg *m, nwg_ps_emit_fn emit, void *ectx,
	       struct nwg_ps_result *res, struct nwg_err *err)
{
	int rc;

	switch (m->type) {
	case NWG_PS_HELLO:
		return 0;
	case NWG_PS_READ_ACTUAL:
	case NWG_PS_STATUS:
		rc = nwg_ps_policy_read(pol, &m->u.ids, err);
		return rc < 0 ? rc
			      : op_rc(ops->read(ctx, m->type, &m->u.ids, emit, ectx, m->seq, res,
						err));
	case NWG_PS_APPLY:
		rc = nwg_ps_policy_apply(pol, &m->u.apply, err);
		return rc < 0 ? rc : op_rc(ops->apply(ctx, &m->u.apply, res, err));
	case NWG_PS_PLACE:
		rc = nwg_ps_policy_place(pol, &m->u.place, err);
		return rc < 0 ? rc : op_rc(ops->place(ctx, &m->u.place, res, err));
	case NWG_PS_QUARANTINE:
	case NWG_PS_UNQUARANTINE:
		return op_rc(ops->repo(ctx, m->type, m->u.port_id, 0, res, err));
	case NWG_PS_PURGE:
		return op_rc(ops->repo(ctx, m->type, NULL, m->u.max_age_s, res, err));
	case NWG_PS_NETNS_REMOVE:
		rc = nwg_ps_policy_netns(pol, m->u.netns, err);
		return rc < 0 ? rc : op_rc(ops->netns_remove(ctx, m->u.netns, res, err));
	case NWG_PS_SEAL:
		if (!ops->seal)
			return nwg_err_set(err, EOPNOTSUPP, "SEAL: not served here");
		return op_rc(ops->seal(ctx, &m->u.seal, res, err));
	case NWG_PS_HA:
		if (!ops->ha)
			return nwg_err_set(err, EOPNOTSUPP, "HA: not served here");
		return op_rc(ops->ha(ctx, &m->u.ha, res, err));
	case NWG_PS_STREAM:
		if (!ops->stream)
			return nwg_err_set(err, EOPNOTSUPP, "STREAM: not served here");
		return op_rc(ops->stream(ctx, &m->u.stream, res, err));
	case NWG_PS_VRRP:
		if (!ops->vrrp)
			return nwg_err_set(err, EOPNOTSUPP, "VRRP: not served here");
		return op_rc(ops->vrrp(ctx, &m->u.vrrp, res, err));
	case NWG_PS_OVN_PLUG:
		if (!ops->ovn_plug)
			return nwg_err_set(err, EOPNOTSUPP, "OVN_PLUG: not served here");
		return op_rc(ops->ovn_plug(ctx, &m->u.ovn, res, err));
	case NWG_PS_OVN_SWEEP:
		if (!ops->ovn_sweep)
			return nwg_err_set(err, EOPNOTSUPP, "OVN_SWEEP: not served here");
		return op_rc(ops->ovn_sweep(ctx, res, err));
	case NWG_PS_SHUTDOWN:
		return 0;
	default: /* ACTUAL, RESULT: replies, never requests */
		return nwg_err_set(err, EBADMSG, "%s is not a request", nwg_ps_type_name(m->type));
	}
}

int nwg_ps_serve(const struct nwg_ps_policy *pol, const struct nwg_ps_ops *ops, void *ctx,
		 const uint8_t *in, size_t len, nwg_ps_emit_fn emit, void *ectx)
{
	struct nwg_ps_msg m;
	struct nwg_ps_result res;
	struct nwg_err err = {{0}};
	uint16_t type = 0;
	uint32_t seq = 0;
	int rc, sent;

	memset(&res, 0, sizeof(res));
	nwg_ps_peek(in, len, &type, &seq);
	rc = nwg_ps_decode(in, len, &m, &err);
	if (rc == 0)
		rc = run(pol, ops, ctx, &m, emit, ectx, &res, &err);
	if (rc == 0 && m.type == NWG_PS_HELLO && m.u.version != NWG_PS_VERSION)
		rc = nwg_err_set(&err, EPROTO, "HELLO: version %u, expected %u", m.u.version,
				 NWG_PS_VERSION);
	sent = answer(emit, ectx, seq, rc, &res, &err);
	free(res.text);
	if (res.fd_set)
		close(res.fd);
	nwg_ps_msg_clear(&m);
	if (sent < 0)
		return sent;
	if (rc == -EPROTO || rc == -EBADMSG)
		return rc;
	return type == NWG_PS_SHUTDOWN && rc == 0 ? NWG_PS_SERVE_STOP : NWG_PS_SERVE_MORE;
}
