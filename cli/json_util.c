/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "json_util.h"

json_t *nwgcli_jget(const json_t *obj, const char *a, const char *b)
{
	json_t *v;

	if (!json_is_object(obj))
		return NULL;
	v = json_object_get(obj, a);
	if ((!v || json_is_null(v)) && b)
		v = json_object_get(obj, b);
	return json_is_null(v) ? NULL : v;
}

int nwgcli_jdict(json_t **out, const json_t *obj, const char *a, const char *b, struct nwg_err *err)
{
	json_t *v = nwgcli_jget(obj, a, b);
	json_error_t jerr;

	*out = NULL;
	if (!v)
		return 0;
	if (json_is_object(v)) {
		*out = json_incref(v);
		return 0;
	}
	if (json_is_string(v) && json_string_length(v) == 0)
		return 0;
	if (json_is_string(v)) {
		*out = json_loadb(json_string_value(v), json_string_length(v), 0, &jerr);
		if (json_is_object(*out))
			return 0;
		json_decref(*out);
		*out = NULL;
	}
	return nwg_err_set(err, EINVAL, "port field %s must be an object", a);
}

int nwgcli_jstr(char *buf, size_t len, const json_t *v)
{
	const char *s;
	size_t n;

	if (!json_is_string(v) || len == 0)
		return -EINVAL;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n >= len || strlen(s) != n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return -EINVAL;
	}
	memcpy(buf, s, n + 1);
	return 0;
}

int nwgcli_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}
