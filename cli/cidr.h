/* SPDX-License-Identifier: Apache-2.0 */
/* Addresses and prefixes as the renderer needs them. */
#ifndef NWGCLI_CIDR_H
#define NWGCLI_CIDR_H

#include <stdbool.h>
#include <stddef.h>

#include "nwg/wg.h"

/* "10.99.0.1/24" -> 10.99.0.0/24 (host bits cleared: a subnet seen from a
 * hub address). A bare address is a host prefix (/32, /128). -EINVAL. */
int nwgcli_prefix_parse(struct nwg_allowedip *out, const char *s);
/* "10.99.0.5" -> 10.99.0.5/32, "fd00::5" -> fd00::5/128. -EINVAL. */
int nwgcli_host_parse(struct nwg_allowedip *out, const char *s);
bool nwgcli_prefix_equal(const struct nwg_allowedip *a, const struct nwg_allowedip *b);

#endif
