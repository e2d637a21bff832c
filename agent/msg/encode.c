/* SPDX-License-Identifier: Apache-2.0 */
/* Request encoding: the oslo 2.0 envelope around method/args/version, the
 * call fields and an admin context shaped like neutron's (captured). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msg/msg.h"
#include "msg/msg_int.h"

/* neutron_lib admin context (get_admin_context_without_session), in the
 * order the captured report_state call has them. */
static const char *const ctx_keys[] = {
    "user",	     "project_id",	 "system_scope",      "project",       "domain",
    "user_domain",   "project_domain",	 "is_admin",	      "read_only",     "show_deleted",
    "auth_token",    "request_id",	 "global_request_id", "resource_uuid", "roles",
    "user_identity", "is_admin_project", "user_id",	      "tenant_id",     "timestamp",
    "tenant_name",   "project_name",	 "user_name",
};

static json_t *ctx_value(const char *key)
{
	char buf[64];

	if (!strcmp(key, "is_admin") || !strcmp(key, "is_admin_project"))
		return json_true();
	if (!strcmp(key, "read_only") || !strcmp(key, "show_deleted"))
		return json_false();
	if (!strcmp(key, "roles"))
		return json_array();
	if (!strcmp(key, "user_identity"))
		return json_string("- - - - -");
	if (!strcmp(key, "request_id")) {
		memcpy(buf, "req-", 4);
		if (nwg_uuid4_str(buf + 4) < 0)
			return NULL;
		buf[40] = '\0';
		return json_string(buf);
	}
	if (!strcmp(key, "timestamp")) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%06ld", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 ts.tv_nsec / 1000);
		return json_string(buf);
	}
	return json_null();
}

static int add_context(json_t *msg)
{
	for (size_t i = 0; i < sizeof(ctx_keys) / sizeof(ctx_keys[0]); i++) {
		char key[48];

		snprintf(key, sizeof(key), "_context_%s", ctx_keys[i]);
		if (json_object_set_new(msg, key, ctx_value(ctx_keys[i])) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int add_str(json_t *o, const char *k, const char *v)
{
	return json_object_set_new(o, k, json_string(v)) < 0 ? -ENOMEM : 0;
}

static json_t *build_inner(const char *method, const char *version, json_t *args,
			   const char *msg_id, const char *reply_q)
{
	json_t *m = json_object();
	char uid[NWG_UUID_HEX_LEN + 1];
	int rc = m ? 0 : -ENOMEM;

	if (rc == 0)
		rc = add_str(m, "method", method);
	if (rc == 0)
		rc = json_object_set_new(m, "args", args ? json_incref(args) : json_object());
	if (rc == 0 && version)
		rc = add_str(m, "version", version);
	if (rc == 0 && msg_id) {
		rc = add_str(m, "_msg_id", msg_id);
		if (rc == 0)
			rc = add_str(m, "_reply_q", reply_q);
		if (rc == 0)
			rc = json_object_set_new(m, "_timeout", json_null());
	}
	if (rc == 0)
		rc = nwg_uuid4_hex(uid);
	if (rc == 0)
		rc = add_str(m, "_unique_id", uid);
	if (rc == 0)
		rc = add_context(m);
	if (rc < 0) {
		json_decref(m);
		return NULL;
	}
	return m;
}

/* Python's json.dumps default: ", " / ": " separators, ensure_ascii. */
#define PY_JSON_FLAGS (JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER)

int nwg_msg_encode_envelope(json_t *inner, char **out, size_t *len)
{
	char *s = json_dumps(inner, PY_JSON_FLAGS);
	json_t *env;
	int rc = -ENOMEM;

	if (!s)
		return -ENOMEM;
	env = json_pack("{s:s, s:s}", "oslo.version", "2.0", "oslo.message", s);
	free(s);
	if (env) {
		*out = json_dumps(env, PY_JSON_FLAGS);
		json_decref(env);
		if (*out) {
			*len = strlen(*out);
			rc = 0;
		}
	}
	return rc;
}

int nwg_msg_encode_request(const char *method, const char *version, json_t *args,
			   const char *msg_id, const char *reply_q, char **out, size_t *len)
{
	json_t *inner;
	int rc;

	if (!method || !*method || !out || !len || (args && !json_is_object(args)) ||
	    (msg_id && !reply_q))
		return -EINVAL;
	*out = NULL;
	*len = 0;
	inner = build_inner(method, version, args, msg_id, reply_q);
	if (!inner)
		return -ENOMEM;
	rc = nwg_msg_encode_envelope(inner, out, len);
	json_decref(inner);
	return rc;
}
