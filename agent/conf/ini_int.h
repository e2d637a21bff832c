/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by ini.c, ini_parse.c and ini_get.c. */
#ifndef NWG_AGENT_INI_INT_H
#define NWG_AGENT_INI_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "nwg/err.h"

#define NWG_INI_KEY_MAX 128

struct nwg_ini;

struct nwg_ini_entry {
	char *section; /* as written (case-sensitive) */
	char *key;     /* normalized: lower case, '-' -> '_' */
	char *value;
};

struct nwg_ini {
	struct nwg_ini_entry *v;
	size_t n, cap;
};

void nwg_ini_normalize_key(char *dst, size_t cap, const char *key);
int nwg_ini_set(struct nwg_ini *ini, const char *section, const char *key, const char *value,
		bool append);
int nwg_ini_parse_into(struct nwg_ini *ini, const char *text, const char *name,
		       struct nwg_err *err);

#endif
