/* SPDX-License-Identifier: Apache-2.0 */
/* Control socket protocol: a request line to a reply line. */
#include <string.h>

#include "ctl/ctl.h"

static char *error_reply(const char *msg)
{
	json_t *j = json_pack("{s:b, s:s}", "ok", 0, "error", msg);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	return s;
}

char *nwg_ctl_reply(const char *line, size_t len, nwg_ctl_fn fn, void *ctx)
{
	struct nwg_err err = {{0}};
	json_error_t jerr;
	json_t *req, *args, *res, *rep;
	const char *method;
	char *s;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req)
		return error_reply("invalid JSON");
	method = json_string_value(json_object_get(req, "method"));
	args = json_object_get(req, "args");
	if (!json_is_object(req) || !method ||
	    (args && !json_is_object(args) && !json_is_null(args))) {
		json_decref(req);
		return error_reply("request must be {\"method\": string, \"args\": object}");
	}
	if (!json_is_object(args))
		args = NULL;
	res = fn(ctx, method, args, &err);
	json_decref(req);
	if (!res)
		return error_reply(err.msg[0] ? err.msg : "failed");
	rep = json_pack("{s:b, s:o}", "ok", 1, "result", res);
	s = rep ? json_dumps(rep, JSON_COMPACT) : NULL;
	json_decref(rep);
	return s ? s : error_reply("out of memory");
}
