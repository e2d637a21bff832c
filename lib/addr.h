/* SPDX-License-Identifier: Apache-2.0 */
/* Address parsing shared by the model and the repository, internal. */
#ifndef NWG_ADDR_H
#define NWG_ADDR_H

#include <stdbool.h>

#include "nwg/wg.h"

/*
 * Parses "addr/plen" (IPv4 or IPv6, numeric, prefix required, no leading
 * zeros). With host_bits_ok false the bits past the prefix must be zero (an
 * allowed IP); true accepts an interface address such as "10.0.0.1/24".
 */
int nwg_cidr_parse(struct nwg_allowedip *out, const char *s, bool host_bits_ok);

#endif
