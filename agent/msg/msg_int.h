/* SPDX-License-Identifier: Apache-2.0 */
/* Internals of the oslo.messaging client (agent/msg_*.c). */
#ifndef NWG_AGENT_MSG_INT_H
#define NWG_AGENT_MSG_INT_H

#include <jansson.h>
#include <stddef.h>

#define NWG_MSG_MAX_BODY (4u * 1024 * 1024) /* larger messages are dropped */
#define NWG_UUID_HEX_LEN 32

int nwg_msg_pct_decode(const char *s, size_t len, char **out);

/* uuid4 from getrandom(): 32 lower-case hex digits, or the 36-character
 * dashed form. buf must hold 33 / 37 bytes. */
int nwg_uuid4_hex(char *buf);
int nwg_uuid4_str(char *buf);

/* Wraps inner (serialized like Python's json.dumps) into the 2.0 envelope. */
int nwg_msg_encode_envelope(json_t *inner, char **out, size_t *len);

#endif
