/* SPDX-License-Identifier: Apache-2.0 */
/* Strict decimal numbers, internal. */
#ifndef NWG_NUM_H
#define NWG_NUM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses exactly len bytes of s as a decimal in 0..max: digits only (no sign,
 * no whitespace), no leading zero except "0" itself. -EINVAL otherwise.
 */
int nwg_parse_u32(const char *s, size_t len, uint32_t max, uint32_t *out);

#endif
