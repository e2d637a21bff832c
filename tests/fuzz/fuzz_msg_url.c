/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: nwg_msg_parse_transport_url on arbitrary strings. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nwg_msg_opts o = {0};
	struct nwg_err err = {{0}};
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (nwg_msg_parse_transport_url(&o, s, &err) == 0) {
		/* a parsed URL names at least one usable host */
		if (!o.n_hosts || !o.hosts || !o.hosts[0].host || !o.hosts[0].host[0] ||
		    o.hosts[0].port <= 0 || o.hosts[0].port > 65535)
			__builtin_trap();
	} else if (!err.msg[0]) {
		__builtin_trap();
	}
	nwg_msg_opts_clear(&o);
	free(s);
	return 0;
}
