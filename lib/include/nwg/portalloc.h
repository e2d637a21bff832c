/* SPDX-License-Identifier: Apache-2.0 */
/* Listen-port allocation for hubs. */
#ifndef NWG_PORTALLOC_H
#define NWG_PORTALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nwg/err.h"

struct nwg_port_range {
	uint16_t first, last; /* inclusive; default 51820..52820 */
};

/* "51820:52820" or "51820..52820" (also "51820-52820"); -EINVAL if bad. */
int nwg_port_range_parse(const char *s, struct nwg_port_range *out);

/* Predicate: is this UDP port already bound in the caller's namespace?
 * The default (NULL) probes by bind() on 0.0.0.0 and [::]. Tests inject one. */
typedef bool (*nwg_port_busy_fn)(uint16_t port, void *ctx);
bool nwg_port_busy_default(uint16_t port, void *ctx);

/*
 * Picks the lowest port in range that is neither in taken[] (ports held by
 * other hubs of the repository) nor busy. -EADDRNOTAVAIL (with a message
 * naming the range) when the range is full.
 */
int nwg_port_alloc(const struct nwg_port_range *range, const uint16_t *taken, size_t n_taken,
		   nwg_port_busy_fn busy, void *busy_ctx, uint16_t *out, struct nwg_err *err);

#endif
