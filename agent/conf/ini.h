/* SPDX-License-Identifier: Apache-2.0 */
/* oslo.config-style ini files (inih): later files override earlier ones. */
#ifndef NWG_AGENT_INI_H
#define NWG_AGENT_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "nwg/err.h"

struct nwg_ini;

/*
 * Loads the files in order (like repeated --config-file); a value in a later
 * file wins. Section names are case-sensitive ("DEFAULT", "AGENT",
 * "wireguard"), option names are matched case-insensitively and with '-'
 * equal to '_' (so WG_HUB_IP == wg_hub_ip). A missing or unreadable file or
 * a syntax error is an error naming "file:line". Values have surrounding
 * whitespace stripped; inline "#"/";" comments are not supported (oslo does
 * not support them either).
 */
int nwg_ini_load(struct nwg_ini **out, const char *const *paths, size_t n, struct nwg_err *err);
/* Loads from a string (tests, fuzzers). name is used in messages. */
int nwg_ini_load_string(struct nwg_ini **out, const char *text, const char *name,
			struct nwg_err *err);
void nwg_ini_free(struct nwg_ini *ini);

/* NULL when absent. A key absent from [section] is NOT looked up in
 * [DEFAULT] (oslo groups are separate). */
const char *nwg_ini_get(const struct nwg_ini *ini, const char *section, const char *key);

/* Typed getters: absent -> *out = def, return 0; malformed -> -EINVAL with
 * "[section] key: reason" in err. */
int nwg_ini_get_str(const struct nwg_ini *ini, const char *section, const char *key,
		    const char *def, const char **out, struct nwg_err *err);
int nwg_ini_get_bool(const struct nwg_ini *ini, const char *section, const char *key, bool def,
		     bool *out, struct nwg_err *err);
int nwg_ini_get_int(const struct nwg_ini *ini, const char *section, const char *key, long def,
		    long min, long max, long *out, struct nwg_err *err);
/* Comma-separated list (oslo ListOpt), items trimmed, empty items dropped.
 * *out NULL-terminated, free with nwg_strv_free (nwg/rtnl.h). */
int nwg_ini_get_list(const struct nwg_ini *ini, const char *section, const char *key, char ***out,
		     struct nwg_err *err);

#endif
