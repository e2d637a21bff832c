/* SPDX-License-Identifier: Apache-2.0 */
/* Strict decimal numbers. */
#include <errno.h>

#include "num.h"

int nwg_parse_u32(const char *s, size_t len, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!s || !out || len == 0 || len > 10)
		return -EINVAL;
	if (s[0] == '0' && len > 1)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}
