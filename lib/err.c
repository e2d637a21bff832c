/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>

#include "nwg/err.h"

int nwg_err_set(struct nwg_err *err, int errnum, const char *fmt, ...)
{
	if (err) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return errnum > 0 ? -errnum : errnum;
}

void nwg_err_clear(struct nwg_err *err)
{
	if (err)
		err->msg[0] = '\0';
}
