/* SPDX-License-Identifier: Apache-2.0 */
/* Which routes through a hub's WireGuard link its spokes still need (pure). */
#include <stddef.h>

#include "attach/ovn_int.h"
#include "reconcile/ipnet.h"

bool nwg_ovn_route_wanted(const struct nwg_dhub *h, const char *dst)
{
	struct nwg_ipnet d;

	/* what we cannot read is not ours to judge: kept */
	if (!dst || nwg_ipnet_parse(dst, &d, true) < 0)
		return true;
	for (size_t s = 0; s < h->n_spokes; s++) {
		for (size_t i = 0; i < h->spokes[s].n_allowed; i++) {
			if (nwg_ipnet_equal(&d, &h->spokes[s].allowed[i]))
				return true;
		}
	}
	return false;
}
