/* SPDX-License-Identifier: Apache-2.0 */
/* A config as a terminal QR code: UTF-8 half blocks, two modules per line. */
#include <errno.h>
#include <qrencode.h>
#include <string.h>

#include "cli.h"

#define QR_MARGIN 2

/* Light (drawn) when outside the symbol or a light module. */
static int light(const QRcode *q, int x, int y)
{
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 1;
	return !(q->data[y * q->width + x] & 1);
}

static void print_rows(FILE *f, const QRcode *q, int y)
{
	static const char *const glyph[4] = {" ", "\u2584", "\u2580", "\u2588"};

	for (int x = -QR_MARGIN; x < q->width + QR_MARGIN; x++)
		fputs(glyph[light(q, x, y) * 2 + light(q, x, y + 1)], f);
	fputc('\n', f);
}

int nwgcli_qr_print(FILE *f, const char *text, struct nwg_err *err)
{
	QRcode *q;

	if (!f || !text)
		return nwg_err_set(err, EINVAL, "no text");
	q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L);
	if (!q)
		return nwg_err_set(err, errno == ERANGE ? EFBIG : EINVAL,
				   "cannot encode the config as a QR code%s",
				   errno == ERANGE ? ": too large (too many hubs?)" : "");
	for (int y = -QR_MARGIN; y < q->width + QR_MARGIN; y += 2)
		print_rows(f, q, y);
	nwg_wipe(q->data, (size_t)q->width * (size_t)q->width);
	QRcode_free(q);
	return fflush(f) || ferror(f) ? nwg_err_set(err, EIO, "write error") : 0;
}
