/* SPDX-License-Identifier: Apache-2.0 */
/* Peer changes of an action as a WireGuard device model (diffs only). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log/log.h"
#include "reconcile/exec.h"

/* IP literals only (doc/contracts.md "One grammar"): the agent never calls a
 * resolver, so no tenant-chosen name can stall the loop. */
static int resolve_endpoint(union nwg_endpoint *ep, const char *s)
{
	return nwg_endpoint_parse(ep, s) == 0 ? 0 : -EINVAL;
}

static int add_allowed(struct nwg_peer *p, const struct nwg_dspoke *s)
{
	char buf[NWG_IPNET_STRLEN];
	int r;

	for (size_t i = 0; i < s->n_allowed; i++) {
		if ((r = nwg_ipnet_format(&s->allowed[i], buf, sizeof(buf))) < 0 ||
		    (r = nwg_peer_add_allowedip(p, buf)) < 0)
			return r;
	}
	return 0;
}

static void set_endpoint(struct nwg_peer *p, const struct nwg_dspoke *s, const char *port_id)
{
	if (resolve_endpoint(&p->endpoint, s->endpoint) < 0) {
		log_warn("hub %s: spoke %s endpoint %s is not an IP literal; left unset", port_id,
			 s->port_id, s->endpoint);
		memset(&p->endpoint, 0, sizeof(p->endpoint));
		return;
	}
	p->flags |= NWG_PEER_HAS_ENDPOINT;
}

/* standby (an HA secondary's copy): no endpoint, no keepalive (doc/ha.md). */
static int fill_op(struct nwg_peer *p, const struct nwg_peer_op *op, const char *port_id,
		   bool standby)
{
	const struct nwg_dspoke *s = op->spoke;
	bool add = op->op == NWG_POP_ADD;
	uint16_t keepalive = standby ? 0 : s ? s->keepalive : 0;

	if (op->op == NWG_POP_REMOVE) {
		p->flags |= NWG_PEER_REMOVE;
		return 0;
	}
	if (!add)
		p->flags |= NWG_PEER_UPDATE_ONLY;
	if (add || (op->fields & NWG_POPF_ALLOWED)) {
		p->flags |= NWG_PEER_REPLACE_ALLOWEDIPS;
		if (add_allowed(p, s) < 0)
			return -EINVAL;
	}
	if (!standby && s->endpoint[0] && (add || (op->fields & NWG_POPF_ENDPOINT)))
		set_endpoint(p, s, port_id);
	if ((add && keepalive) || (op->fields & NWG_POPF_KEEPALIVE)) {
		p->flags |= NWG_PEER_HAS_KEEPALIVE;
		p->persistent_keepalive = keepalive;
	}
	return 0;
}

int nwg_exec_peer_device(const struct nwg_action *act, const char *ifname, struct nwg_device **out,
			 struct nwg_err *err)
{
	struct nwg_device *dev = nwg_device_new(ifname);

	*out = NULL;
	if (!dev)
		return nwg_err_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < act->n_peer_ops; i++) {
		const struct nwg_peer_op *op = &act->peer_ops[i];
		struct nwg_peer *p = nwg_device_add_peer(dev, &op->key);

		if (!p || fill_op(p, op, act->port_id, act->standby) < 0) {
			nwg_device_free(dev);
			return nwg_err_set(err, p ? EINVAL : ENOMEM, "peer %s: bad allowed IPs",
					   op->spoke ? op->spoke->port_id : "?");
		}
	}
	*out = dev;
	return 0;
}
