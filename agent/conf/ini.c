/* SPDX-License-Identifier: Apache-2.0 */
/* oslo.config-style ini files on top of inih: storage, loading, errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/ini.h"
#include "conf/ini_int.h"
#include "nwg/rtnl.h"

#define INI_MAX_FILE	(4 * 1024 * 1024)
#define INI_MAX_ENTRIES 8192

void nwg_ini_normalize_key(char *dst, size_t cap, const char *key)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < cap; i++) {
		char c = key[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == '-')
			c = '_';
		dst[i] = c;
	}
	dst[i] = '\0';
}

static struct nwg_ini_entry *ini_find(const struct nwg_ini *ini, const char *section,
				      const char *nkey)
{
	for (size_t i = 0; i < ini->n; i++) {
		if (strcmp(ini->v[i].section, section) == 0 && strcmp(ini->v[i].key, nkey) == 0)
			return &ini->v[i];
	}
	return NULL;
}

const char *nwg_ini_get(const struct nwg_ini *ini, const char *section, const char *key)
{
	char nkey[NWG_INI_KEY_MAX];
	const struct nwg_ini_entry *e;

	if (!ini || !section || !key || strlen(key) >= sizeof(nkey))
		return NULL;
	nwg_ini_normalize_key(nkey, sizeof(nkey), key);
	e = ini_find(ini, section, nkey);
	return e ? e->value : NULL;
}

static int ini_grow(struct nwg_ini *ini)
{
	struct nwg_ini_entry *v;
	size_t cap;

	if (ini->n < ini->cap)
		return 0;
	if (ini->cap >= INI_MAX_ENTRIES)
		return -E2BIG;
	cap = ini->cap ? ini->cap * 2 : 32;
	v = realloc(ini->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	ini->v = v;
	ini->cap = cap;
	return 0;
}

static int ini_add(struct nwg_ini *ini, const char *section, const char *nkey, char *nv)
{
	struct nwg_ini_entry *e;
	int rc = ini_grow(ini);

	if (rc < 0)
		return rc;
	e = &ini->v[ini->n];
	e->section = strdup(section);
	e->key = strdup(nkey);
	if (!e->section || !e->key) {
		free(e->section);
		free(e->key);
		return -ENOMEM;
	}
	e->value = nv;
	ini->n++;
	return 0;
}

/* Sets (later wins) or, for a continuation line, appends "\n" + value. */
int nwg_ini_set(struct nwg_ini *ini, const char *section, const char *key, const char *value,
		bool append)
{
	char nkey[NWG_INI_KEY_MAX];
	struct nwg_ini_entry *e;
	char *nv;
	int rc;

	if (strlen(key) >= sizeof(nkey))
		return -ENAMETOOLONG;
	nwg_ini_normalize_key(nkey, sizeof(nkey), key);
	e = ini_find(ini, section, nkey);
	if (e && append) {
		if (asprintf(&nv, "%s\n%s", e->value, value) < 0)
			return -ENOMEM;
	} else {
		nv = strdup(value);
		if (!nv)
			return -ENOMEM;
	}
	if (e) {
		explicit_bzero(e->value, strlen(e->value));
		free(e->value);
		e->value = nv;
		return 0;
	}
	rc = ini_add(ini, section, nkey, nv);
	if (rc < 0) {
		explicit_bzero(nv, strlen(nv));
		free(nv);
	}
	return rc;
}

void nwg_ini_free(struct nwg_ini *ini)
{
	if (!ini)
		return;
	for (size_t i = 0; i < ini->n; i++) {
		free(ini->v[i].section);
		free(ini->v[i].key);
		/* values may hold credentials (transport_url) */
		explicit_bzero(ini->v[i].value, strlen(ini->v[i].value));
		free(ini->v[i].value);
	}
	free(ini->v);
	free(ini);
}

static int ini_read_file(const char *path, char **out, struct nwg_err *err)
{
	FILE *f = fopen(path, "re");
	size_t len = 0, cap = 4096;
	char *buf;
	int e;

	if (!f)
		return nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + len, 1, cap - len - 1, f);

		len += r;
		if (r == 0)
			break;
		if (len + 1 == cap) {
			char *nb = cap >= INI_MAX_FILE ? NULL : realloc(buf, cap * 2);

			if (!nb) {
				e = cap >= INI_MAX_FILE ? EFBIG : ENOMEM;
				free(buf);
				fclose(f);
				return nwg_err_set(err, e, "%s: %s", path, strerror(e));
			}
			buf = nb;
			cap *= 2;
		}
	}
	e = ferror(f) ? EIO : 0;
	fclose(f);
	if (buf && !e && memchr(buf, '\0', len))
		e = EILSEQ;
	if (!buf || e) {
		free(buf);
		return nwg_err_set(err, buf ? e : ENOMEM, "%s: %s", path,
				   e == EILSEQ ? "contains a NUL byte" : "cannot read");
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int nwg_ini_load_string(struct nwg_ini **out, const char *text, const char *name,
			struct nwg_err *err)
{
	struct nwg_ini *ini;
	int rc;

	if (!out || !text)
		return nwg_err_set(err, EINVAL, "ini: NULL argument");
	*out = NULL;
	ini = calloc(1, sizeof(*ini));
	if (!ini)
		return nwg_err_set(err, ENOMEM, "ini: out of memory");
	rc = nwg_ini_parse_into(ini, text, name ? name : "<string>", err);
	if (rc < 0) {
		nwg_ini_free(ini);
		return rc;
	}
	*out = ini;
	return 0;
}

int nwg_ini_load(struct nwg_ini **out, const char *const *paths, size_t n, struct nwg_err *err)
{
	struct nwg_ini *ini;

	if (!out || (!paths && n))
		return nwg_err_set(err, EINVAL, "ini: NULL argument");
	*out = NULL;
	ini = calloc(1, sizeof(*ini));
	if (!ini)
		return nwg_err_set(err, ENOMEM, "ini: out of memory");
	for (size_t i = 0; i < n; i++) {
		char *text = NULL;
		int rc = paths[i] ? ini_read_file(paths[i], &text, err)
				  : nwg_err_set(err, EINVAL, "ini: NULL path");

		if (rc == 0) {
			rc = nwg_ini_parse_into(ini, text, paths[i], err);
			explicit_bzero(text, strlen(text));
			free(text);
		}
		if (rc < 0) {
			nwg_ini_free(ini);
			return rc;
		}
	}
	*out = ini;
	return 0;
}
