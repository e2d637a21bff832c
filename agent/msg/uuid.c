/* SPDX-License-Identifier: Apache-2.0 */
/* uuid4 (RFC 4122 random) from getrandom(). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>

#include "msg/msg_int.h"

static int uuid4_bytes(uint8_t b[16])
{
	size_t got = 0;

	while (got < 16) {
		ssize_t r = getrandom(b + got, 16 - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		got += (size_t)r;
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	return 0;
}

int nwg_uuid4_hex(char *buf)
{
	uint8_t b[16];
	int rc = uuid4_bytes(b);

	if (rc < 0)
		return rc;
	for (int i = 0; i < 16; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
	return 0;
}

int nwg_uuid4_str(char *buf)
{
	uint8_t b[16];
	int rc = uuid4_bytes(b), o = 0;

	if (rc < 0)
		return rc;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[o++] = '-';
		snprintf(buf + o, 3, "%02x", b[i]);
		o += 2;
	}
	return 0;
}
