/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Strict parser for repository files (see repo_format.c for the layout).
 * Blank lines and plain '#' comments are ignored; "#@ key = value" lines are
 * the agent's fields; every other line is a section header or a wg key.
 * Unknown keys, duplicates, misplaced keys, missing fields and a missing
 * final "#@ end" (truncation) are errors: -EBADMSG, "name:line: reason".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/secmem.h"
#include "repo_parse.h"

#define NWG_REPO_MAX_SIZE (16U << 20)

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

static bool controls_free(const char *s)
{
	for (; *s; s++) {
		if ((*s >= 0 && *s < ' ' && *s != '\t') || *s == 0x7f)
			return false;
	}
	return true;
}

/* Checks the required fields of the section being closed. */
static const char *end_section(struct nwg_repo_parser *ps, char *why, size_t whylen)
{
	for (unsigned int i = 0; nwg_repo_fields[i].key; i++) {
		const struct nwg_repo_field *f = &nwg_repo_fields[i];

		if (f->sec == ps->sec && (f->flags & NWG_FIELD_REQUIRED) &&
		    !(ps->seen & (1U << i))) {
			snprintf(why, whylen, "missing %s%s",
				 f->flags & NWG_FIELD_AGENT ? "#@ " : "", f->key);
			return why;
		}
	}
	return NULL;
}

static const char *on_section(struct nwg_repo_parser *ps, const char *s, char *why, size_t whylen)
{
	const char *reason;

	if (!strcmp(s, "[Interface]")) {
		if (ps->sec != NWG_SEC_NONE)
			return "unexpected [Interface]";
		ps->sec = NWG_SEC_INTERFACE;
	} else if (!strcmp(s, "[Peer]")) {
		if (ps->sec == NWG_SEC_NONE)
			return "[Peer] before [Interface]";
		reason = end_section(ps, why, whylen);
		if (reason)
			return reason;
		ps->peer = nwg_hub_record_add_peer(ps->rec);
		if (!ps->peer)
			return nwg_repo_enomem;
		ps->sec = NWG_SEC_PEER;
	} else {
		return "unknown section";
	}
	ps->seen = 0;
	return NULL;
}

static const char *on_field(struct nwg_repo_parser *ps, char *s, bool agent, char *why,
			    size_t whylen)
{
	char *eq = strchr(s, '='), *key, *val;

	if (!eq)
		return "expected 'key = value'";
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	for (unsigned int i = 0; nwg_repo_fields[i].key; i++) {
		const struct nwg_repo_field *f = &nwg_repo_fields[i];

		if (!(f->flags & NWG_FIELD_AGENT) != !agent || strcmp(f->key, key))
			continue;
		snprintf(why, whylen, "%s%s %s", agent ? "#@ " : "", f->key,
			 f->sec != ps->sec ? "outside its section" : "repeated");
		if (f->sec != ps->sec || (!(f->flags & NWG_FIELD_REPEAT) && (ps->seen & (1U << i))))
			return why;
		ps->seen |= 1U << i;
		if (!*val)
			return "empty value";
		return f->set(ps, val);
	}
	return "unknown key";
}

static const char *parse_line(struct nwg_repo_parser *ps, char *line, char *why, size_t whylen)
{
	char *s;

	if (!controls_free(line))
		return "control character";
	s = trim(line);
	if (!*s || (s[0] == '#' && s[1] != '@'))
		return NULL;
	if (ps->sec == NWG_SEC_END)
		return "data after #@ end";
	if (s[0] == '[')
		return on_section(ps, s, why, whylen);
	if (s[0] != '#')
		return ps->sec == NWG_SEC_NONE ? "data before [Interface]"
					       : on_field(ps, s, false, why, whylen);
	s = trim(s + 2);
	if (strcmp(s, "end"))
		return ps->sec == NWG_SEC_NONE ? "data before [Interface]"
					       : on_field(ps, s, true, why, whylen);
	if (ps->sec == NWG_SEC_NONE)
		return "#@ end before [Interface]";
	s = (char *)end_section(ps, why, whylen);
	ps->sec = NWG_SEC_END;
	return s;
}

static const char *parse_all(struct nwg_repo_parser *ps, char *text, char *why, size_t whylen)
{
	const char *reason = NULL;
	char *next;

	for (char *s = text; s && *s && !reason; s = next) {
		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		ps->line++;
		reason = parse_line(ps, s, why, whylen);
	}
	if (reason)
		return reason;
	if (ps->sec == NWG_SEC_NONE)
		return "missing [Interface]";
	if (ps->sec != NWG_SEC_END) {
		reason = end_section(ps, why, whylen);
		return reason ? reason : "missing #@ end (truncated file)";
	}
	return NULL;
}

static unsigned int line_of(const char *buf, const char *at)
{
	unsigned int n = 1;

	for (; buf < at; buf++)
		n += *buf == '\n';
	return n;
}

int nwg_repo_parse(const char *buf, size_t len, const char *name, struct nwg_hub_record **out,
		   struct nwg_err *err)
{
	struct nwg_repo_parser ps = {.name = name ? name : "(buffer)"};
	const char *reason, *nul;
	char why[96], *text;

	if (!out || (!buf && len))
		return nwg_err_set(err, EINVAL, "repository parse: missing argument");
	*out = NULL;
	if (len > NWG_REPO_MAX_SIZE)
		return nwg_err_set(err, EBADMSG, "%s: file too large", ps.name);
	nul = len ? memchr(buf, '\0', len) : NULL;
	if (nul)
		return nwg_err_set(err, EBADMSG, "%s:%u: NUL byte", ps.name, line_of(buf, nul));
	ps.rec = nwg_hub_record_new();
	text = nwg_secmem_alloc(len + 1); /* a copy of the private key line */
	if (!ps.rec || !text) {
		nwg_secmem_free(text);
		nwg_hub_record_free(ps.rec);
		return nwg_err_set(err, ENOMEM, "%s: out of memory", ps.name);
	}
	if (len)
		memcpy(text, buf, len);
	text[len] = '\0';
	reason = parse_all(&ps, text, why, sizeof(why));
	nwg_repo_dupset_clear(&ps.keys);
	nwg_repo_dupset_clear(&ps.spokes);
	nwg_secmem_free(text); /* wipes */
	if (reason) {
		nwg_hub_record_free(ps.rec);
		return nwg_err_set(err, reason == nwg_repo_enomem ? ENOMEM : EBADMSG, "%s:%u: %s",
				   ps.name, ps.line, reason);
	}
	*out = ps.rec;
	return 0;
}
