/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: nwg_msg_decode on arbitrary bodies. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "msg/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nwg_msg_in m;
	struct nwg_err err;

	if (nwg_msg_decode(data, size, &m, &err) == 0) {
		/* a decoded message is self-consistent */
		if (!m.args || (m.method && (m.result || m.failure)))
			__builtin_trap();
		nwg_msg_in_clear(&m);
	} else if (m.method || m.args || m.result || !err.msg[0]) {
		__builtin_trap();
	}
	return 0;
}
