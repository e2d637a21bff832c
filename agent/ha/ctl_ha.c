/* SPDX-License-Identifier: Apache-2.0 */
/* HA hub control socket methods: the agent's side of `neutron-wireguard ha`.
 * Everything goes through the seam (hostops.h), so the methods work with
 * the privilege separation: the reads (ha_endpoints, ha_handshaken) from
 * the hub's actual state (its device as the implementation read it), the
 * changes (ha_activate, ha_restore, ha_deactivate) as the HA requests SET,
 * RESTORE and SILENCE, which the implementation runs on its own record's
 * link (agent/ha/takeover.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/hub_arg.h"
#include "ha/ctl_ha.h"
#include "nwg/ha.h"
#include "nwg/repo.h"
#include "nwg/wg.h"
#include "privsep/hostops.h"
#include "reconcile/actual.h"

static const char *const methods[] = {"ha_endpoints", "ha_activate", "ha_handshaken", "ha_restore",
				      "ha_deactivate"};

bool nwg_ctl_ha_handles(const char *method)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(method, methods[i]) == 0)
			return true;
	return false;
}

/* An optional integer argument in [min, max]; absent = def. */
static int int_arg(const json_t *args, const char *name, long min, long max, long def, long *out,
		   struct nwg_err *err)
{
	const json_t *v = json_object_get(args, name);

	if (!v) {
		*out = def;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return nwg_err_set(err, EINVAL, "%s: an integer %ld..%ld", name, min, max);
	*out = (long)json_integer_value(v);
	return 0;
}

/* The hub's device as the actual state read it (through the seam: the
 * executor reads it when split): its peers, endpoints and handshakes. */
static const struct nwg_device *device(const struct nwg_actual *act, const char *port_id,
				       struct nwg_err *err)
{
	const struct nwg_alink *l = nwg_actual_find_link(act, port_id);

	if (!l)
		return nwg_err_set(err, ENODEV, "hub %s: no link on this node", port_id), NULL;
	if (!l->dev)
		return nwg_err_set(err, EIO, "%s: the device did not answer", l->ifname), NULL;
	return l->dev;
}

static json_t *endpoints(const struct nwg_device *dev, struct nwg_err *err)
{
	struct nwg_ha_ep *v = NULL;
	json_t *res = NULL;
	char *text = NULL;
	size_t n = 0;
	int r = nwg_ha_snapshot(dev, &v, &n);

	if (r >= 0)
		r = nwg_ha_format(v, n, &text, NULL);
	if (r >= 0)
		res = json_pack("{s:s, s:I}", "endpoints", text, "count", (json_int_t)n);
	else
		nwg_err_set(err, -r, "%s", strerror(-r));
	free(text);
	free(v);
	return res;
}

/* Peers with a handshake at or after since (lib/ha_ops.c's rule). */
static json_t *handshaken(const struct nwg_device *dev, long since)
{
	int k = 0;

	for (size_t i = 0; i < dev->n_peers; i++)
		k += dev->peers[i].last_handshake.tv_sec >= since;
	return json_pack("{s:i}", "handshaken", k);
}

/* A device operation through the seam (hostops.h ha: SET, RESTORE,
 * SILENCE): the implementation finds the link in its own record. */
static int ha_op(struct nwg_agent *a, struct nwg_ha_req *q, struct nwg_ha_out *out,
		 struct nwg_err *err)
{
	void *ctx;
	const struct nwg_hostops *ops = nwg_hostops_of(a, &ctx);

	return ops->ha(ctx, q, out, err);
}

static json_t *activate(struct nwg_agent *a, const char *port_id, const json_t *args,
			struct nwg_err *err)
{
	const char *text = json_string_value(json_object_get(args, "endpoints"));
	struct nwg_ha_req q = {.op = NWG_HA_OP_SET, .port_id = port_id};
	struct nwg_ha_ep *v = NULL;
	struct nwg_ha_out out;
	long ka, pace;
	size_t n = 0;
	int r;

	if (!text)
		return nwg_err_set(err, EINVAL, "endpoints: required (the endpoint list)"), NULL;
	if (int_arg(args, "keepalive", 1, 65535, 1, &ka, err) < 0 ||
	    int_arg(args, "pace", 1, 100000, 8, &pace, err) < 0 ||
	    nwg_ha_parse(text, strlen(text), &v, &n, err) < 0)
		return NULL;
	q.keepalive = (uint16_t)ka;
	q.pace = (unsigned)pace;
	q.eps = v;
	q.n_eps = n;
	r = ha_op(a, &q, &out, err);
	free(v);
	return r < 0 ? NULL : json_pack("{s:i, s:I}", "set", out.set, "listed", (json_int_t)n);
}

static json_t *one(struct nwg_agent *a, const char *method, const char *port_id,
		   const struct nwg_actual *act, const json_t *args, struct nwg_err *err)
{
	struct nwg_ha_req q = {.port_id = port_id};
	const struct nwg_device *dev;
	struct nwg_ha_out out;
	long ka, since;

	if (strcmp(method, "ha_activate") == 0)
		return activate(a, port_id, args, err);
	if (strcmp(method, "ha_endpoints") == 0 || strcmp(method, "ha_handshaken") == 0) {
		if (strcmp(method, "ha_handshaken") == 0 &&
		    int_arg(args, "since", 0, 1L << 40, 0, &since, err) < 0)
			return NULL;
		if (!(dev = device(act, port_id, err)))
			return NULL;
		return strcmp(method, "ha_endpoints") == 0 ? endpoints(dev, err)
							   : handshaken(dev, since);
	}
	if (int_arg(args, "keepalive", 0, 65535, 0, &ka, err) < 0)
		return NULL;
	q.op = strcmp(method, "ha_restore") == 0 ? NWG_HA_OP_RESTORE : NWG_HA_OP_SILENCE;
	q.keepalive = (uint16_t)ka;
	if (ha_op(a, &q, &out, err) < 0)
		return NULL;
	return json_pack("{s:s}", "interface", out.ifname);
}

json_t *nwg_ctl_ha(struct nwg_agent *a, const char *method, const json_t *args, struct nwg_err *err)
{
	const struct nwg_hub_view *rec = NULL;
	struct nwg_actual *act = NULL;
	const char *port_id = NULL;
	json_t *res;

	if (nwg_ctl_hub_arg(a, args, &port_id, &act, &rec, err) < 0)
		return NULL;
	(void)rec; /* found: the hub is realized here */
	res = one(a, method, port_id, act, args, err);
	nwg_actual_free(act);
	return res;
}
