/* SPDX-License-Identifier: Apache-2.0 */
/* `neutron-wireguard ha` steps shared between cli/ha*.c. */
#ifndef NWGCLI_HA_CLI_H
#define NWGCLI_HA_CLI_H

#include <stdint.h>

#include "nwg/err.h"
#include "nwg/wg.h"

/* The backend (auto; NWG_UAPI_DIR overrides the UAPI socket directory). */
int nwgcli_ha_backend(struct nwg_backend **b, struct nwg_err *err);
/* Decimal min..65535 -> out; -EINVAL otherwise. */
int nwgcli_ha_u16(const char *s, unsigned min, uint16_t *out);
int nwgcli_ha_activate(int argc, char **argv);
int nwgcli_ha_stream(int argc, char **argv);
int nwgcli_ha_seal(int argc, char **argv);
int nwgcli_ha_unseal(int argc, char **argv);

#endif
