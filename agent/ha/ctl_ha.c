/* SPDX-License-Identifier: Apache-2.0 */
/* HA hub control socket methods: the agent's side of `neutron-wireguard ha`
 * (lib/ha*.c does the work; the hub's link is found from its record's view,
 * read through the seam). The device operations themselves still go to the
 * backend from this process (doc/security.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/hub_arg.h"
#include "ha/ctl_ha.h"
#include "nwg/ha.h"
#include "nwg/repo.h"
#include "nwg/wg.h"

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

static json_t *endpoints(struct nwg_agent *a, const struct nwg_hub_view *rec, struct nwg_err *err)
{
	const char *ns = rec->netns[0] ? rec->netns : NULL;
	struct nwg_device *dev = NULL;
	struct nwg_ha_ep *v = NULL;
	json_t *res = NULL;
	char *text = NULL;
	size_t n = 0;
	int r = nwg_wg_get(a->backend, rec->ifname, ns, &dev, err);

	if (r >= 0)
		r = nwg_ha_snapshot(dev, &v, &n);
	if (r >= 0)
		r = nwg_ha_format(v, n, &text, NULL);
	if (r >= 0)
		res = json_pack("{s:s, s:I}", "endpoints", text, "count", (json_int_t)n);
	else if (!err || !err->msg[0])
		nwg_err_set(err, -r, "%s: %s", rec->ifname, strerror(-r));
	free(text);
	free(v);
	nwg_device_free(dev);
	return res;
}

static json_t *activate(struct nwg_agent *a, const struct nwg_hub_view *rec, const json_t *args,
			struct nwg_err *err)
{
	const char *text = json_string_value(json_object_get(args, "endpoints"));
	struct nwg_ha_activate_opts o;
	struct nwg_ha_ep *v = NULL;
	long ka, pace;
	size_t n = 0;
	int r;

	if (!text)
		return nwg_err_set(err, EINVAL, "endpoints: required (the endpoint list)"), NULL;
	if (int_arg(args, "keepalive", 1, 65535, 1, &ka, err) < 0 ||
	    int_arg(args, "pace", 1, 100000, 8, &pace, err) < 0 ||
	    nwg_ha_parse(text, strlen(text), &v, &n, err) < 0)
		return NULL;
	o.keepalive = (uint16_t)ka;
	o.pace = (unsigned)pace;
	r = nwg_ha_activate(a->backend, rec->ifname, rec->netns[0] ? rec->netns : NULL, v, n, &o,
			    err);
	free(v);
	return r < 0 ? NULL : json_pack("{s:i, s:I}", "set", r, "listed", (json_int_t)n);
}

static json_t *one(struct nwg_agent *a, const char *method, const struct nwg_hub_view *rec,
		   const json_t *args, struct nwg_err *err)
{
	const char *ns = rec->netns[0] ? rec->netns : NULL;
	long ka, since;
	int r;

	if (strcmp(method, "ha_endpoints") == 0)
		return endpoints(a, rec, err);
	if (strcmp(method, "ha_activate") == 0)
		return activate(a, rec, args, err);
	if (strcmp(method, "ha_handshaken") == 0) {
		if (int_arg(args, "since", 0, 1L << 40, 0, &since, err) < 0)
			return NULL;
		r = nwg_ha_handshaken(a->backend, rec->ifname, ns,
				      &(struct timespec){.tv_sec = since}, err);
		return r < 0 ? NULL : json_pack("{s:i}", "handshaken", r);
	}
	if (int_arg(args, "keepalive", 0, 65535, 0, &ka, err) < 0)
		return NULL;
	if (strcmp(method, "ha_restore") == 0)
		r = nwg_ha_restore_keepalive(a->backend, rec->ifname, ns, (uint16_t)ka, err);
	else
		r = nwg_ha_deactivate(a->backend, rec->ifname, ns, (uint16_t)ka, err);
	return r < 0 ? NULL : json_pack("{s:s}", "interface", rec->ifname);
}

json_t *nwg_ctl_ha(struct nwg_agent *a, const char *method, const json_t *args, struct nwg_err *err)
{
	const struct nwg_hub_view *rec = NULL;
	struct nwg_actual *act = NULL;
	const char *port_id = NULL;
	json_t *res;

	if (nwg_ctl_hub_arg(a, args, &port_id, &act, &rec, err) < 0)
		return NULL;
	res = one(a, method, rec, args, err);
	nwg_actual_free(act);
	return res;
}
