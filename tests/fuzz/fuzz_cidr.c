/* SPDX-License-Identifier: Apache-2.0 */
/* CIDRs and endpoints: parse(format(parse(x))) == parse(x), format is stable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/wg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_allowedip(const char *s)
{
	struct nwg_allowedip a, b;
	char t1[64], t2[64];

	if (nwg_allowedip_parse(&a, s) < 0)
		return;
	if (nwg_allowedip_format(&a, t1, sizeof(t1)) < 0 || nwg_allowedip_parse(&b, t1) < 0 ||
	    memcmp(&a, &b, sizeof(a)) || nwg_allowedip_format(&b, t2, sizeof(t2)) < 0 ||
	    strcmp(t1, t2))
		abort();
}

static void check_endpoint(const char *s)
{
	union nwg_endpoint a, b;
	char t1[64], t2[64];

	if (nwg_endpoint_parse(&a, s) < 0)
		return;
	if (nwg_endpoint_format(&a, t1, sizeof(t1)) <= 0 || nwg_endpoint_parse(&b, t1) < 0 ||
	    memcmp(&a, &b, sizeof(a)) || nwg_endpoint_format(&b, t2, sizeof(t2)) <= 0 ||
	    strcmp(t1, t2))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 256)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_allowedip(s);
	check_endpoint(s);
	free(s);
	return 0;
}
