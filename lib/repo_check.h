/* SPDX-License-Identifier: Apache-2.0 */
/* Field validation shared by the repository's parser, formatter and files. */
#ifndef NWG_REPO_CHECK_H
#define NWG_REPO_CHECK_H

#include <stdbool.h>

#include "nwg/repo.h"

#define NWG_MTU_MIN 68
#define NWG_MTU_MAX 65535

/* 1..NWG_ID_MAX printable non-space ASCII, no '/', no leading '.': safe as a
 * file name stem. */
bool nwg_repo_id_valid(const char *id);
/* 1..15 bytes, printable non-space ASCII, no '/' or ':', not "." or "..". */
bool nwg_repo_ifname_valid(const char *name);
/* 1..NWG_NETNS_NAME_MAX printable non-space ASCII, no '/', not "." or "..". */
bool nwg_repo_netns_valid(const char *name);
/* A numeric endpoint (nwg_endpoint_parse) or "hostname:port"; < 64 bytes. */
bool nwg_repo_endpoint_valid(const char *s);

/* Validates a whole record (what nwg_repo_save writes must load back):
 * -EINVAL with a message naming the field (never key material). */
int nwg_hub_record_check(const struct nwg_hub_record *rec, struct nwg_err *err);
/* One peer of a record (fields only, not uniqueness). */
int nwg_repo_peer_check(const struct nwg_hub_record *rec, size_t i, struct nwg_err *err);

#endif
