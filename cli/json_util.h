/* SPDX-License-Identifier: Apache-2.0 */
/* jansson lookups that tolerate both spellings of a Neutron field. */
#ifndef NWGCLI_JSON_UTIL_H
#define NWGCLI_JSON_UTIL_H

#include <jansson.h>
#include <stddef.h>

#include "nwg/err.h"

/* obj[a], else obj[b] (b may be NULL); JSON null counts as absent.
 * Borrowed reference or NULL. obj may be NULL or a non-object. */
json_t *nwgcli_jget(const json_t *obj, const char *a, const char *b);

/*
 * A dict field (binding:profile, binding:vif_details): an object, or a
 * string that holds a JSON object (some OSC formats), or absent/""/null.
 * *out gets a new reference (caller json_decref) or NULL. -EINVAL with a
 * message naming the field when it has another type.
 */
int nwgcli_jdict(json_t **out, const json_t *obj, const char *a, const char *b,
		 struct nwg_err *err);

/* Copies a JSON string into buf: -EINVAL when v is not a string, holds a
 * NUL, a control character, or does not fit. */
int nwgcli_jstr(char *buf, size_t len, const json_t *v);

/* true when s is a plausible Neutron id: 1..63 of [A-Za-z0-9_-]. */
int nwgcli_id_ok(const char *s);

#endif
