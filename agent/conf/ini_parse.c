/* SPDX-License-Identifier: Apache-2.0 */
/* Feeds a text to inih line by line, tracking line numbers and continuation
 * lines (indented lines extend the previous value, as in oslo.config). */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

#include "conf/ini_int.h"

#define INI_LINE_MAX 16384

struct ini_parse {
	struct nwg_ini *ini;
	const char *p;
	const char *name;
	int line;
	bool indented; /* the current raw line starts with blanks */
	bool too_long;
	int rc;	      /* first handler failure */
	char msg[96]; /* its reason */
	char last_section[NWG_INI_KEY_MAX];
	char last_key[NWG_INI_KEY_MAX];
};

static char *nwg_ini_reader(char *str, int num, void *stream)
{
	struct ini_parse *c = stream;
	const char *nl;
	size_t len;

	if (!*c->p || c->too_long)
		return NULL;
	nl = strchr(c->p, '\n');
	len = nl ? (size_t)(nl - c->p) + 1 : strlen(c->p);
	c->line++;
	if (num < 2 || len > (size_t)num - 1) {
		c->too_long = true;
		return NULL;
	}
	memcpy(str, c->p, len);
	str[len] = '\0';
	c->p += len;
	c->indented = str[0] == ' ' || str[0] == '\t';
	return str;
}

static int ini_fail(struct ini_parse *c, int rc, const char *msg)
{
	if (c->rc == 0) {
		c->rc = rc;
		snprintf(c->msg, sizeof(c->msg), "%s", msg);
	}
	return 0;
}

static int nwg_ini_handler(void *user, const char *section, const char *name, const char *value)
{
	struct ini_parse *c = user;
	bool cont;
	int rc;

	if (c->rc)
		return 0;
	if (!section[0])
		return ini_fail(c, -EINVAL, "option outside of any [section]");
	if (!name[0])
		return ini_fail(c, -EINVAL, "empty option name");
	if (strlen(section) >= NWG_INI_KEY_MAX || strlen(name) >= NWG_INI_KEY_MAX)
		return ini_fail(c, -ENAMETOOLONG, "name too long");
	cont =
	    c->indented && strcmp(section, c->last_section) == 0 && strcmp(name, c->last_key) == 0;
	rc = nwg_ini_set(c->ini, section, name, value, cont);
	if (rc < 0)
		return ini_fail(c, rc, rc == -E2BIG ? "too many options" : strerror(-rc));
	snprintf(c->last_section, sizeof(c->last_section), "%s", section);
	snprintf(c->last_key, sizeof(c->last_key), "%s", name);
	return 1;
}

int nwg_ini_parse_into(struct nwg_ini *ini, const char *text, const char *name, struct nwg_err *err)
{
	struct ini_parse c = {.ini = ini, .p = text, .name = name};
	int line;

	/* Debian's inih exposes its compile-time knobs as globals: oslo has
	 * no inline comments, and transport_url lines can be long. */
	ini_allow_inline_comments = false;
	ini_use_stack = false;
	ini_allow_realloc = false;
	ini_max_line = INI_LINE_MAX;
	ini_initial_alloc = INI_LINE_MAX;
	ini_allow_multiline = true;
	ini_stop_on_first_error = true;
	line = ini_parse_stream(nwg_ini_reader, &c, nwg_ini_handler, &c);
	if (c.too_long)
		return nwg_err_set(err, EINVAL, "%s:%d: line too long", name, c.line);
	if (line == -2)
		return nwg_err_set(err, ENOMEM, "%s: out of memory", name);
	if (line > 0 || line < 0)
		return nwg_err_set(err, c.rc ? -c.rc : EINVAL, "%s:%d: %s", name, line,
				   c.rc ? c.msg : "syntax error");
	return 0;
}
