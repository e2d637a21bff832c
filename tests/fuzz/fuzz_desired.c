/* SPDX-License-Identifier: Apache-2.0 */
/* The get_hubs payload parser (it comes off the network), then the planner
 * and record building on whatever it accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reconcile/desired.h"
#include "reconcile/plan.h"
#include "reconcile/record.h"
#include "reconcile/view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_hub(const struct nwg_dhub *h)
{
	struct nwg_key k = {{1}};
	struct nwg_record_spec spec = {.hub = h,
				       .public_key = &k,
				       .ifname = "wg-x",
				       .netns = "",
				       .home_netns = "",
				       .addressed = true,
				       .private_key = &k};
	struct nwg_hub_record *rec;
	struct nwg_hub_view *v;
	char buf[NWG_IPNET_STRLEN];

	if (!nwg_uuid_valid(h->port_id) || !nwg_id_valid(h->project_id))
		abort();
	for (size_t i = 0; i < h->n_fixed_ips; i++) {
		struct nwg_ipnet back;

		if (nwg_ipnet_format(&h->fixed_ips[i], buf, sizeof(buf)) ||
		    nwg_ipnet_parse(buf, &back, false) || !nwg_ipnet_equal(&back, &h->fixed_ips[i]))
			abort();
	}
	for (size_t i = 0; i < h->n_spokes; i++) {
		if (h->spokes[i].endpoint[0] && !nwg_endpoint_str_valid(h->spokes[i].endpoint))
			abort();
	}
	rec = nwg_record_build(&spec);
	v = nwg_hub_view_build(&spec);
	if (v && !nwg_hub_view_same(v, v))
		abort();
	nwg_hub_view_free(v);
	nwg_hub_record_free(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nwg_plan_opts o = {.ns_prefix = "tun-", .underlay_mtu = 1500, .full = true};
	struct nwg_desired *d = NULL;
	struct nwg_actual *a;
	struct nwg_plan *p = NULL;

	if (nwg_desired_parse_text((const char *)data, size, &d, NULL) < 0) {
		if (d)
			abort();
		return 0;
	}
	for (size_t i = 0; i < d->n_hubs; i++)
		check_hub(&d->hubs[i]);
	a = nwg_actual_new();
	if (a && nwg_plan_build(d, a, &o, &p) == 0) {
		if (p->n > d->n_hubs + d->n_rejected)
			abort();
		for (size_t i = 0; i < p->n; i++) {
			if (p->acts[i].kind != NWG_ACT_CREATE && p->acts[i].kind != NWG_ACT_SKIP)
				abort();
		}
	}
	nwg_plan_free(p);
	nwg_actual_free(a);
	nwg_desired_free(d);
	return 0;
}
