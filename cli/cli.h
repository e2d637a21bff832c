/* SPDX-License-Identifier: Apache-2.0 */
/* neutron-wireguard: subcommands and the helpers they share. */
#ifndef NWGCLI_CLI_H
#define NWGCLI_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "nwg/err.h"
#include "nwg/key.h"

#define NWGCLI_PROG    "neutron-wireguard"
#define NWGCLI_VERSION "0.1.0"

/* Exit codes: 0 ok, 1 the port/input/network says no, 2 usage. */
enum { NWGCLI_OK = 0, NWGCLI_FAIL = 1, NWGCLI_USAGE = 2 };

/* Subcommands: argv[0] is the subcommand's name. */
int nwgcli_cmd_render(int argc, char **argv);
void nwgcli_render_usage(FILE *f);
int nwgcli_cmd_status(int argc, char **argv);
void nwgcli_status_usage(FILE *f);
int nwgcli_cmd_ha(int argc, char **argv);
void nwgcli_ha_usage(FILE *f);

#define NWGCLI_INPUT_MAX (4U << 20) /* port JSON larger than 4 MiB is refused */

/* Reads all of path ("-" or NULL = stdin) into a NUL-terminated buffer the
 * caller frees. -EFBIG beyond NWGCLI_INPUT_MAX. */
int nwgcli_read_input(const char *path, char **buf, size_t *len, struct nwg_err *err);

/* GET <base>[/v2.0]/ports/<port_id> (libcurl); token (may be NULL) goes in
 * X-Auth-Token. *body owned by the caller. */
int nwgcli_fetch_port(const char *base, const char *port_id, const char *token, char **body,
		      size_t *len, struct nwg_err *err);

/* Reads a WireGuard private key file: regular file, no group/other
 * permission bits (else refused), one strict base64 key with an optional
 * trailing newline. b64 gets the key (wipe it after use). */
int nwgcli_privkey_read(const char *path, char b64[NWG_KEY_B64_LEN + 1], struct nwg_err *err);

/* 0 when b64 (a private key) belongs to pub_b64, -EKEYREJECTED if not. */
int nwgcli_privkey_matches(const char *b64, const char *pub_b64);

/* Prints text as a QR code of UTF-8 half blocks (light modules drawn, like
 * `qrencode -t UTF8`). Wipes the encoder's copy of text. */
int nwgcli_qr_print(FILE *f, const char *text, struct nwg_err *err);

#endif
