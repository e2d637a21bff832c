/* SPDX-License-Identifier: Apache-2.0 */
/* Error detail carried next to a negative errno return. */
#ifndef NWG_ERR_H
#define NWG_ERR_H

#include <stddef.h>

#define NWG_ERR_MSG_LEN 256

/*
 * Every library function returns 0 (or a count/fd) on success and a negative
 * errno on failure. When the caller passes a non-NULL struct nwg_err, the
 * function also writes a human-readable message (never key material), e.g.
 * the kernel's extended-ack text. Library code never logs.
 */
struct nwg_err {
	char msg[NWG_ERR_MSG_LEN];
};

/* Formats into err (if non-NULL) and returns -errnum (errnum > 0). */
int nwg_err_set(struct nwg_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clears the message. */
void nwg_err_clear(struct nwg_err *err);

#endif
