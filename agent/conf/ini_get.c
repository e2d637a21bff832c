/* SPDX-License-Identifier: Apache-2.0 */
/* Typed getters with oslo.config semantics. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/ini.h"
#include "nwg/rtnl.h"

static int get_args_ok(const struct nwg_ini *ini, const char *section, const char *key,
		       const void *out, struct nwg_err *err)
{
	if (!ini || !section || !key || !out)
		return nwg_err_set(err, EINVAL, "ini: NULL argument");
	return 0;
}

int nwg_ini_get_str(const struct nwg_ini *ini, const char *section, const char *key,
		    const char *def, const char **out, struct nwg_err *err)
{
	const char *v;
	int rc = get_args_ok(ini, section, key, out, err);

	if (rc < 0)
		return rc;
	v = nwg_ini_get(ini, section, key);
	*out = v ? v : def;
	return 0;
}

int nwg_ini_get_bool(const struct nwg_ini *ini, const char *section, const char *key, bool def,
		     bool *out, struct nwg_err *err)
{
	static const char *const yes[] = {"true", "yes", "1", "on"};
	static const char *const no[] = {"false", "no", "0", "off"};
	const char *v;
	int rc = get_args_ok(ini, section, key, out, err);

	if (rc < 0)
		return rc;
	v = nwg_ini_get(ini, section, key);
	*out = def;
	if (!v)
		return 0;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return nwg_err_set(err, EINVAL, "[%s] %s: '%.32s' is not a boolean (true/false)", section,
			   key, v);
}

int nwg_ini_get_int(const struct nwg_ini *ini, const char *section, const char *key, long def,
		    long min, long max, long *out, struct nwg_err *err)
{
	const char *v;
	char *end;
	long n;
	int rc = get_args_ok(ini, section, key, out, err);

	if (rc < 0)
		return rc;
	v = nwg_ini_get(ini, section, key);
	*out = def;
	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || end == v || errno == ERANGE ||
	    (*v != '-' && *v != '+' && (*v < '0' || *v > '9')))
		return nwg_err_set(err, EINVAL, "[%s] %s: '%.32s' is not an integer", section, key,
				   v);
	if (n < min || n > max)
		return nwg_err_set(err, EINVAL, "[%s] %s: %ld is out of range %ld..%ld", section,
				   key, n, min, max);
	*out = n;
	return 0;
}

static int list_push(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strndup(s, len);
	if (!nv[*n])
		return -ENOMEM;
	nv[++*n] = NULL;
	return 0;
}

static void trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r')) {
		(*s)++;
		(*len)--;
	}
	while (*len && strchr(" \t\n\r", (*s)[*len - 1]))
		(*len)--;
}

int nwg_ini_get_list(const struct nwg_ini *ini, const char *section, const char *key, char ***out,
		     struct nwg_err *err)
{
	const char *v, *p;
	char **list;
	size_t n = 0;
	int rc = get_args_ok(ini, section, key, out, err);

	if (rc < 0)
		return rc;
	*out = NULL;
	list = calloc(1, sizeof(*list));
	if (!list)
		return nwg_err_set(err, ENOMEM, "[%s] %s: out of memory", section, key);
	v = nwg_ini_get(ini, section, key);
	for (p = v; p && *p && rc == 0;) {
		const char *item = p, *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		p = comma ? comma + 1 : p + len;
		trim(&item, &len);
		if (len)
			rc = list_push(&list, &n, item, len);
	}
	if (rc < 0) {
		nwg_strv_free(list);
		return nwg_err_set(err, ENOMEM, "[%s] %s: out of memory", section, key);
	}
	*out = list;
	return 0;
}
