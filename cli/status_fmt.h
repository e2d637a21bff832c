/* SPDX-License-Identifier: Apache-2.0 */
/* `neutron-wireguard status`: the agent's status reply as text (pure). */
#ifndef NWGCLI_STATUS_FMT_H
#define NWGCLI_STATUS_FMT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "nwg/err.h"

/* "never" (ts 0), "12s ago", "3m 4s ago", "2h 5m ago", "4d 1h ago"; a
 * handshake in the future (clock skew) is "0s ago". */
void nwgcli_fmt_age(char *buf, size_t len, int64_t ts, time_t now);
/* "512 B", "1.5 KiB", "3.2 MiB", ... (binary units, one decimal). */
void nwgcli_fmt_bytes(char *buf, size_t len, uint64_t n);

/* Checks the shape of a status result (doc/contracts.md). -EINVAL with a
 * message naming the bad field. */
int nwgcli_status_check(const json_t *res, struct nwg_err *err);

/* Prints a checked status result as text. */
int nwgcli_status_print(FILE *f, const json_t *res, time_t now, struct nwg_err *err);

/* A reply line {"ok": true, "result": {...}} -> *res (new reference), or
 * -EINVAL ("bad reply ..."), -EREMOTEIO (the agent's error message). */
int nwgcli_status_parse_reply(const char *line, json_t **res, struct nwg_err *err);

#endif
