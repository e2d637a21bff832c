/* SPDX-License-Identifier: Apache-2.0 */
/* hostops.h over the privsep channel: PLACE, NETNS_REMOVE, (UN)QUARANTINE,
 * PURGE, SEAL, HA (APPLY: client_apply.c; READ_ACTUAL: client_actual.c;
 * OVN_PLUG, OVN_SWEEP: client_ovn.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "nwg/ha.h"
#include "privsep/client_ops.h"
#include "privsep/proc.h"

/* A RESULT's rc, with its text as the error. */
static int result_rc(const struct nwg_ps_result *res, struct nwg_err *err)
{
	return res->rc < 0 ? nwg_err_set(err, -res->rc, "%s", res->error) : 0;
}

static int client_place(void *ctx, const char *port_id, const struct nwg_l3_req *q,
			struct nwg_place_out *out, struct nwg_err *err)
{
	struct nwg_ps_result res;
	struct nwg_ps_msg m;
	struct nwg_ps_place *p = &m.u.place;
	int rc = 0;

	nwg_ps_msg_init(&m, NWG_PS_PLACE, 0);
	snprintf(p->port_id, sizeof(p->port_id), "%s", port_id);
	snprintf(p->netns, sizeof(p->netns), "%s", q->netns ? q->netns : "");
	snprintf(p->ifname, sizeof(p->ifname), "%s", q->ifname ? q->ifname : "");
	p->attach = q->attach;
	p->mtu = q->mtu;
	for (size_t i = 0; q->attach && q->cidrs && q->cidrs[i] && rc == 0; i++)
		rc = p->addrs.n >= NWG_PS_MAX_ADDRS
			 ? nwg_err_set(err, E2BIG, "more than %d addresses", NWG_PS_MAX_ADDRS)
			 : nwg_cidr_parse(&p->addrs.a[p->addrs.n++], q->cidrs[i], true);
	if (rc < 0) {
		nwg_ps_msg_clear(&m);
		return rc == -E2BIG ? rc
				    : nwg_err_set(err, EINVAL, "an address outside the grammar");
	}
	rc = nwg_ps_call(ctx, &m, NULL, NULL, &res, err);
	nwg_ps_msg_clear(&m);
	if (rc < 0)
		return rc;
	out->changed = res.changed;
	out->present = res.ifname[0] != '\0';
	snprintf(out->netns, sizeof(out->netns), "%s", res.netns);
	snprintf(out->ifname, sizeof(out->ifname), "%s", res.ifname);
	return result_rc(&res, err);
}

static int client_netns_remove(void *ctx, const char *name, char *why, size_t why_len,
			       struct nwg_err *err)
{
	struct nwg_ps_result res;
	struct nwg_ps_msg m;
	int rc;

	why[0] = '\0';
	nwg_ps_msg_init(&m, NWG_PS_NETNS_REMOVE, 0);
	snprintf(m.u.netns, sizeof(m.u.netns), "%s", name);
	rc = nwg_ps_call(ctx, &m, NULL, NULL, &res, err);
	nwg_ps_msg_clear(&m);
	if (rc < 0)
		return rc;
	rc = result_rc(&res, err);
	if (rc < 0)
		return rc;
	if (res.netns_state == NWG_PS_NETNS_KEPT)
		snprintf(why, why_len, "%s", res.error);
	return res.netns_state;
}

/* QUARANTINE / UNQUARANTINE (port_id) or PURGE (max_age_s): the count. */
static int client_repo(void *ctx, uint16_t type, const char *port_id, unsigned int max_age_s,
		       struct nwg_err *err)
{
	struct nwg_ps_result res;
	struct nwg_ps_msg m;
	int rc;

	nwg_ps_msg_init(&m, type, 0);
	if (type == NWG_PS_PURGE)
		m.u.max_age_s = max_age_s;
	else
		snprintf(m.u.port_id, sizeof(m.u.port_id), "%s", port_id);
	rc = nwg_ps_call(ctx, &m, NULL, NULL, &res, err);
	nwg_ps_msg_clear(&m);
	if (rc == 0)
		rc = result_rc(&res, err);
	return rc < 0 ? rc : (int)(res.count > 0x7fffffff ? 0x7fffffff : res.count);
}

static int client_quarantine(void *ctx, const char *port_id, struct nwg_err *err)
{
	return client_repo(ctx, NWG_PS_QUARANTINE, port_id, 0, err);
}

static int client_unquarantine(void *ctx, const char *port_id, struct nwg_err *err)
{
	return client_repo(ctx, NWG_PS_UNQUARANTINE, port_id, 0, err);
}

static int client_purge(void *ctx, unsigned int max_age_s, struct nwg_err *err)
{
	return client_repo(ctx, NWG_PS_PURGE, NULL, max_age_s, err);
}

static int client_seal(void *ctx, const char *port_id, const struct nwg_key *peer_pub,
		       char out[NWG_SEALED_B64_LEN + 1], struct nwg_err *err)
{
	struct nwg_ps_result res;
	struct nwg_ps_msg m;
	int rc;

	out[0] = '\0';
	nwg_ps_msg_init(&m, NWG_PS_SEAL, 0);
	snprintf(m.u.seal.port_id, sizeof(m.u.seal.port_id), "%s", port_id);
	m.u.seal.peer_pub = *peer_pub;
	rc = nwg_ps_call(ctx, &m, NULL, NULL, &res, err);
	nwg_ps_msg_clear(&m);
	if (rc < 0 || (rc = result_rc(&res, err)) < 0)
		return rc;
	if (!res.sealed[0]) /* checked as an envelope when decoded */
		return nwg_err_set(err, EPROTO, "SEAL: no envelope in the answer");
	memcpy(out, res.sealed, NWG_SEALED_B64_LEN + 1);
	return 0;
}

/* HA: the op and the first NWG_PS_MAX_HA_EPS streamed endpoints (the
 * most recently active devices; the executor adds Neutron's endpoints for
 * every peer the list does not name). */
static int client_ha(void *ctx, const struct nwg_ha_req *q, struct nwg_ha_out *out,
		     struct nwg_err *err)
{
	struct nwg_ps_result res;
	struct nwg_ps_msg m;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	nwg_ps_msg_init(&m, NWG_PS_HA, 0);
	m.u.ha.op = q->op;
	snprintf(m.u.ha.port_id, sizeof(m.u.ha.port_id), "%s", q->port_id);
	m.u.ha.pace = q->op == NWG_HA_OP_DEACTIVATE ? 0 : q->pace;
	for (size_t i = 0; q->op == NWG_HA_OP_ACTIVATE && i < q->n_eps && rc == 0; i++) {
		struct nwg_ps_ha_ep *e = nwg_ps_ha_ep_add(&m.u.ha);

		if (!e)
			break; /* past the bound: Neutron's endpoints for the rest */
		e->key = q->eps[i].pub;
		if (nwg_endpoint_format(&q->eps[i].ep, e->endpoint, sizeof(e->endpoint)) < 0)
			m.u.ha.n_eps--; /* not numeric: left to Neutron's endpoint */
	}
	rc = nwg_ps_call(ctx, &m, NULL, NULL, &res, err);
	nwg_ps_msg_clear(&m);
	if (rc < 0 || (rc = result_rc(&res, err)) < 0)
		return rc;
	out->set = (int)res.count;
	out->listed = res.listed;
	out->tenant_changed = res.changed;
	out->tenant_up = res.up;
	snprintf(out->ifname, sizeof(out->ifname), "%s", res.ifname);
	return 0;
}

/* VRRP: the op only (the executor runs keepalived from its own
 * [wireguard_ha]); START's FIFO comes as a descriptor. */
static int client_vrrp(void *ctx, uint8_t op, struct nwg_vrrp_out *out, struct nwg_err *err)
{
	struct nwg_ps_result res;
	struct nwg_ps_msg m;
	int rc;

	memset(out, 0, sizeof(*out));
	out->fifo = -1;
	nwg_ps_msg_init(&m, NWG_PS_VRRP, 0);
	m.u.vrrp.op = op;
	rc = nwg_ps_call(ctx, &m, NULL, NULL, &res, err);
	nwg_ps_msg_clear(&m);
	if (rc < 0 || (rc = result_rc(&res, err)) < 0)
		return rc;
	if (op == NWG_VRRP_OP_START) {
		out->pid = (int)res.count;
		out->fifo = res.fd; /* nwg_ps_call took it for a START only */
	} else if (op == NWG_VRRP_OP_REAP) {
		out->exited = res.changed;
		out->status = (int)res.count;
	} else {
		out->removed = res.changed;
	}
	return 0;
}

static int client_stream_seal(void *ctx, const char *port_id, const struct nwg_key *peer,
			      size_t *sent, size_t *eps, struct nwg_err *err)
{
	struct nwg_ps_result res;
	struct nwg_ps_msg m;
	int rc;

	*sent = *eps = 0;
	nwg_ps_msg_init(&m, NWG_PS_STREAM, 0);
	m.u.stream.op = NWG_PS_STREAM_SEAL;
	snprintf(m.u.stream.port_id, sizeof(m.u.stream.port_id), "%s", port_id);
	m.u.stream.peer_pub = *peer;
	rc = nwg_ps_call(ctx, &m, NULL, NULL, &res, err);
	nwg_ps_msg_clear(&m);
	free(res.text); /* a SEAL's answer has none (checked: chunk fields) */
	if (rc < 0 || (rc = result_rc(&res, err)) < 0)
		return rc;
	*sent = res.count;
	*eps = res.listed;
	return 0;
}

static int client_stream_open(void *ctx, const char *port_id, const struct nwg_key *peer,
			      uint64_t min_seq, const uint8_t *msg, size_t len,
			      struct nwg_ha_chunk_out *out, struct nwg_err *err)
{
	struct nwg_ps_result res;
	struct nwg_ps_msg m;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!len || len > NWG_PS_DGRAM_MAX)
		return nwg_err_set(err, EINVAL, "stream: a datagram of %zu bytes", len);
	nwg_ps_msg_init(&m, NWG_PS_STREAM, 0);
	m.u.stream.op = NWG_PS_STREAM_OPEN;
	snprintf(m.u.stream.port_id, sizeof(m.u.stream.port_id), "%s", port_id);
	m.u.stream.peer_pub = *peer;
	m.u.stream.min_seq = min_seq;
	m.u.stream.dgram = malloc(len);
	if (!m.u.stream.dgram) {
		nwg_ps_msg_clear(&m);
		return nwg_err_set(err, ENOMEM, "out of memory");
	}
	memcpy(m.u.stream.dgram, msg, len);
	m.u.stream.dgram_len = len;
	rc = nwg_ps_call(ctx, &m, NULL, NULL, &res, err);
	nwg_ps_msg_clear(&m);
	if (rc == 0 && (rc = result_rc(&res, err)) == 0 && !res.chunk_total)
		rc = nwg_err_set(err, EPROTO, "STREAM: no chunk in the answer");
	if (rc < 0) {
		free(res.text);
		return rc;
	}
	out->seq = res.seq;
	out->c.idx = res.chunk_idx;
	out->c.total = res.chunk_total;
	out->text = res.text; /* checked in the endpoint-list grammar when decoded */
	out->len = res.text_len;
	return 0;
}

const struct nwg_hostops nwg_hostops_client = {client_place,
					       client_netns_remove,
					       client_quarantine,
					       client_unquarantine,
					       client_purge,
					       nwg_ps_client_apply,
					       nwg_ps_client_actual,
					       client_seal,
					       client_ha,
					       client_vrrp,
					       client_stream_seal,
					       client_stream_open,
					       nwg_ps_client_ovn_plug,
					       nwg_ps_client_ovn_sweep};
