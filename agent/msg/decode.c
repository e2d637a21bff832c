/* SPDX-License-Identifier: Apache-2.0 */
/* Envelope decoding: strict, bounded, never crashes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"
#include "msg/msg_int.h"

#define MAX_DEPTH 64

/* Nesting depth of v (bounded recursion: stops at limit). */
static int json_depth(json_t *v, int limit)
{
	int d = 0, sub;

	if (limit <= 0)
		return 1;
	if (json_is_object(v)) {
		const char *k;
		json_t *x;

		json_object_foreach(v, k, x)
		{
			sub = json_depth(x, limit - 1);
			d = sub > d ? sub : d;
		}
		return d + 1;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *x;

		json_array_foreach(v, i, x)
		{
			sub = json_depth(x, limit - 1);
			d = sub > d ? sub : d;
		}
		return d + 1;
	}
	return 0;
}

static json_t *parse(const char *s, size_t len, const char *what, struct nwg_err *err)
{
	json_error_t je;
	json_t *v = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je);

	if (!v) {
		nwg_err_set(err, EBADMSG, "%s is not valid JSON: %.80s", what, je.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		nwg_err_set(err, EBADMSG, "%s is not a JSON object", what);
		return NULL;
	}
	return v;
}

/* Optional string field: NULL when absent or null; -EBADMSG if not a string. */
static int opt_str(json_t *o, const char *key, char **out, struct nwg_err *err)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return nwg_err_set(err, EBADMSG, "%s is not a string", key);
	*out = strdup(json_string_value(v));
	return *out ? 0 : nwg_err_set(err, ENOMEM, "out of memory");
}

static int decode_request(json_t *in, struct nwg_msg_in *m, struct nwg_err *err)
{
	json_t *meth = json_object_get(in, "method"), *args = json_object_get(in, "args");
	int rc;

	if (!json_is_string(meth) || !json_string_length(meth))
		return nwg_err_set(err, EBADMSG, "method is not a non-empty string");
	if (args && !json_is_object(args))
		return nwg_err_set(err, EBADMSG, "args is not an object");
	rc = opt_str(in, "method", &m->method, err);
	if (rc == 0)
		rc = opt_str(in, "_reply_q", &m->reply_q, err);
	if (rc == 0 && (m->msg_id != NULL) != (m->reply_q != NULL))
		rc = nwg_err_set(err, EBADMSG, "_msg_id and _reply_q must come together");
	if (rc == 0)
		m->args = args ? json_incref(args) : json_object();
	if (rc == 0 && !m->args)
		rc = nwg_err_set(err, ENOMEM, "out of memory");
	return rc;
}

static int decode_reply(json_t *in, struct nwg_msg_in *m, struct nwg_err *err)
{
	json_t *ending = json_object_get(in, "ending"), *res = json_object_get(in, "result");
	int rc;

	if (ending && !json_is_boolean(ending))
		return nwg_err_set(err, EBADMSG, "ending is not a boolean");
	if (!m->msg_id)
		return nwg_err_set(err, EBADMSG, "reply without _msg_id");
	rc = opt_str(in, "failure", &m->failure, err);
	if (rc < 0)
		return rc;
	m->ending = ending && json_is_true(ending);
	m->result = res ? json_incref(res) : json_null();
	m->args = json_object();
	if (!m->args)
		return nwg_err_set(err, ENOMEM, "out of memory");
	return 0;
}

static int decode_inner(json_t *in, struct nwg_msg_in *m, struct nwg_err *err)
{
	int rc;

	if (json_depth(in, MAX_DEPTH + 1) > MAX_DEPTH)
		return nwg_err_set(err, EBADMSG, "message nested deeper than %d", MAX_DEPTH);
	rc = opt_str(in, "_unique_id", &m->unique_id, err);
	if (rc == 0)
		rc = opt_str(in, "_msg_id", &m->msg_id, err);
	if (rc < 0)
		return rc;
	if (json_object_get(in, "method"))
		return decode_request(in, m, err);
	if (json_object_get(in, "result") || json_object_get(in, "failure") ||
	    json_object_get(in, "ending"))
		return decode_reply(in, m, err);
	return nwg_err_set(err, EBADMSG, "neither a request (method) nor a reply (result)");
}

int nwg_msg_decode(const void *body, size_t len, struct nwg_msg_in *out, struct nwg_err *err)
{
	json_t *env, *ver, *msg, *in = NULL;
	int rc;

	if (!out)
		return nwg_err_set(err, EINVAL, "decode: NULL argument");
	memset(out, 0, sizeof(*out));
	if (!body || len == 0 || len > NWG_MSG_MAX_BODY)
		return nwg_err_set(err, EBADMSG, "body is empty or larger than %u bytes",
				   NWG_MSG_MAX_BODY);
	env = parse(body, len, "body", err);
	if (!env)
		return -EBADMSG;
	ver = json_object_get(env, "oslo.version");
	msg = json_object_get(env, "oslo.message");
	if (!json_is_string(ver) || strcmp(json_string_value(ver), "2.0") != 0)
		rc = nwg_err_set(err, EBADMSG, "oslo.version is not \"2.0\"");
	else if (!json_is_string(msg))
		rc = nwg_err_set(err, EBADMSG, "oslo.message is not a string");
	else if (!(in =
		       parse(json_string_value(msg), json_string_length(msg), "oslo.message", err)))
		rc = -EBADMSG;
	else
		rc = decode_inner(in, out, err);
	json_decref(in);
	json_decref(env);
	if (rc < 0)
		nwg_msg_in_clear(out);
	return rc;
}

void nwg_msg_in_clear(struct nwg_msg_in *m)
{
	if (!m)
		return;
	free(m->method);
	json_decref(m->args);
	free(m->msg_id);
	free(m->reply_q);
	free(m->unique_id);
	json_decref(m->result);
	free(m->failure);
	memset(m, 0, sizeof(*m));
}
