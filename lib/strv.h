/* SPDX-License-Identifier: Apache-2.0 */
/* NULL-terminated string vectors (char **), internal helpers. */
#ifndef NWG_STRV_H
#define NWG_STRV_H

#include <stddef.h>

/* Number of strings before the terminating NULL; 0 for a NULL vector. */
size_t nwg_strv_len(char *const *v);
/* Appends a copy of s to *v (allocating it when *v is NULL). -ENOMEM. */
int nwg_strv_push(char ***v, const char *s);
/* A deep copy (NULL for a NULL vector); *out NULL + -ENOMEM on failure. */
int nwg_strv_dup(char ***out, char *const *v);
/* nwg_strv_free() is public, in nwg/rtnl.h. */
void nwg_strv_free(char **v);

#endif
