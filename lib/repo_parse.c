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
#include "repo_journal.h"
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
		if (ps->journal)
			return "[Interface] in a journal";
		if (ps->sec != NWG_SEC_NONE)
			return "unexpected [Interface]";
		ps->sec = NWG_SEC_INTERFACE;
	} else if (!strcmp(s, "[Peer]")) {
		if (ps->sec == NWG_SEC_NONE && !ps->journal)
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

/* Journal: "#@ commit" closes one change; keys and spokes may repeat across
 * changes (a later change of the same peer). */
static const char *on_commit(struct nwg_repo_parser *ps, char *why, size_t whylen)
{
	const char *reason = end_section(ps, why, whylen);

	if (reason)
		return reason;
	nwg_repo_dupset_clear(&ps->keys);
	nwg_repo_dupset_clear(&ps->spokes);
	ps->sec = NWG_SEC_NONE;
	ps->seen = 0;
	return NULL;
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
	if (ps->journal)
		return !strcmp(s, "commit")	 ? on_commit(ps, why, whylen)
		       : !strcmp(s, "end")	 ? "#@ end in a journal"
		       : ps->sec == NWG_SEC_NONE ? "data outside a [Peer]"
						 : on_field(ps, s, true, why, whylen);
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
		if (!reason && ps->header && ps->sec > NWG_SEC_INTERFACE)
			return NULL; /* [Interface] complete (end_section ran) */
	}
	if (reason || (ps->journal && ps->sec == NWG_SEC_NONE))
		return reason;
	if (ps->journal)
		return "change not committed";
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

static int parse(const char *buf, size_t len, const char *name, bool header,
		 struct nwg_hub_record **out, struct nwg_err *err)
{
	struct nwg_repo_parser ps = {.name = name ? name : "(buffer)", .header = header};
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

int nwg_repo_parse(const char *buf, size_t len, const char *name, struct nwg_hub_record **out,
		   struct nwg_err *err)
{
	return parse(buf, len, name, false, out, err);
}

int nwg_repo_parse_header(const char *buf, size_t len, const char *name,
			  struct nwg_hub_record **out, struct nwg_err *err)
{
	return parse(buf, len, name, true, out, err);
}

int nwg_repo_parse_journal(const char *buf, size_t len, const char *name,
			   struct nwg_repo_journal *out, struct nwg_err *err)
{
	struct nwg_repo_parser ps = {.name = name ? name : "(journal)", .journal = true};
	static const char commit[] = "#@ commit\n";
	const char *reason, *last = NULL;
	char why[96], *text;

	memset(out, 0, sizeof(*out));
	if (len > NWG_REPO_MAX_SIZE)
		return nwg_err_set(err, EBADMSG, "%s: file too large", ps.name);
	if (len && memchr(buf, '\0', len))
		return nwg_err_set(err, EBADMSG, "%s: NUL byte", ps.name);
	/* a change cut short by a crash (no "#@ commit" yet) never happened */
	for (const char *p = buf;
	     p && (p = memmem(p, len - (size_t)(p - buf), commit, sizeof(commit) - 1));
	     p += sizeof(commit) - 1)
		last = p + sizeof(commit) - 1;
	len = last ? (size_t)(last - buf) : 0;
	ps.rec = nwg_hub_record_new();
	text = malloc(len + 1); /* peers only: no secret */
	if (!ps.rec || !text) {
		free(text);
		nwg_hub_record_free(ps.rec);
		return nwg_err_set(err, ENOMEM, "%s: out of memory", ps.name);
	}
	memcpy(text, buf, len);
	text[len] = '\0';
	reason = parse_all(&ps, text, why, sizeof(why));
	nwg_repo_dupset_clear(&ps.keys);
	nwg_repo_dupset_clear(&ps.spokes);
	free(text);
	if (reason) {
		nwg_hub_record_free(ps.rec);
		free(ps.gone);
		return nwg_err_set(err, reason == nwg_repo_enomem ? ENOMEM : EBADMSG, "%s:%u: %s",
				   ps.name, ps.line, reason);
	}
	out->peers = ps.rec;
	out->gone = ps.gone;
	out->n_gone = ps.n_gone;
	return 0;
}
