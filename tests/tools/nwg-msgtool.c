/* SPDX-License-Identifier: Apache-2.0 */
/* Drives agent/msg.h for the oslo.messaging interop tests.
 *
 *   nwg-msgtool -c CONF [-t MS] call TOPIC METHOD ARGS_JSON [SERVER]
 *   nwg-msgtool -c CONF [-t MS] cast TOPIC METHOD ARGS_JSON [SERVER]
 *   nwg-msgtool -c CONF [-t MS] listen-topic TOPIC N
 *   nwg-msgtool -c CONF [-t MS] listen-fanout TOPIC N
 *   nwg-msgtool -c CONF [-t MS] pipeline TOPIC N
 *
 * pipeline sends N asynchronous calls add(a=i, b=1000) at once, polls until
 * every one completed, and prints "pipeline N ok" when each got i + 1000
 * (exit 1 otherwise: a wrong, missing or failed answer).
 * call prints the result as JSON; listen prints "ready" once the consumers
 * are declared, then one JSON line per delivery ({"topic","method","args"}
 * or {"topic","method":null,"reason"}) and exits after N of them.
 * Errors: "error: ERRNONAME: message" on stderr, exit 1 (ETIMEDOUT: 3,
 * EREMOTEIO: 4, ECONNRESET: 5).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/ini.h"
#include "conf/msg_opts.h"
#include "msg/msg.h"

struct listen_state {
	long seen;
};

static int fail(int rc, const struct nwg_err *err)
{
	fprintf(stderr, "error: %s: %s\n", strerrorname_np(-rc), err->msg);
	switch (-rc) {
	case ETIMEDOUT:
		return 3;
	case EREMOTEIO:
		return 4;
	case ECONNRESET:
		return 5;
	default:
		return 1;
	}
}

static void on_msg(void *ctx, const char *topic, const char *method, json_t *args,
		   const char *reason)
{
	struct listen_state *st = ctx;
	json_t *line = json_pack("{s:s, s:s?, s:O?, s:s?}", "topic", topic, "method", method,
				 "args", args, "reason", reason);
	char *s = line ? json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	if (s)
		printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(line);
	st->seen++;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int do_listen(struct nwg_msg *m, struct listen_state *st, bool fanout, const char *topic,
		     long n, int timeout_ms)
{
	struct nwg_err err = {{0}};
	long long deadline = now_ms() + timeout_ms;
	int rc = fanout ? nwg_msg_consume_fanout(m, topic, &err)
			: nwg_msg_consume_topic(m, topic, true, &err);

	if (rc < 0)
		return fail(rc, &err);
	printf("ready\n");
	fflush(stdout);
	while (st->seen < n) {
		if (now_ms() >= deadline) {
			err = (struct nwg_err){{0}};
			snprintf(err.msg, sizeof(err.msg), "got %ld of %ld deliveries", st->seen,
				 n);
			return fail(-ETIMEDOUT, &err);
		}
		rc = nwg_msg_poll(m, 200, &err);
		if (rc < 0)
			return fail(rc, &err);
	}
	return 0;
}

static int do_send(struct nwg_msg *m, bool call, char **argv, int argc, int timeout_ms)
{
	struct nwg_err err = {{0}};
	json_error_t je;
	json_t *args = json_loads(argv[2], 0, &je), *result = NULL;
	const char *server = argc > 3 ? argv[3] : NULL;
	char *s;
	int rc;

	if (!json_is_object(args)) {
		fprintf(stderr, "error: ARGS_JSON must be a JSON object\n");
		json_decref(args);
		return 2;
	}
	if (call)
		rc = nwg_msg_call(m, argv[0], server, argv[1], "1.0", args, timeout_ms, &result,
				  &err);
	else
		rc = nwg_msg_cast(m, argv[0], server, argv[1], "1.0", args, &err);
	json_decref(args);
	if (rc < 0)
		return fail(rc, &err);
	if (call) {
		s = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		printf("%s\n", s ? s : "?");
		free(s);
		json_decref(result);
	}
	return 0;
}

struct pipe_call {
	long want, got;
	int rc, done;
};

static void on_pipe(void *ctx, int rc, json_t *result, const char *why)
{
	struct pipe_call *c = ctx;

	c->done++;
	c->rc = rc;
	c->got = json_is_integer(result) ? (long)json_integer_value(result) : -1;
	if (rc < 0)
		fprintf(stderr, "call %ld: %s\n", c->want, why ? why : "?");
}

static int do_pipeline(struct nwg_msg *m, const char *topic, long n, int timeout_ms)
{
	struct pipe_call *c = calloc((size_t)(n > 0 ? n : 1), sizeof(*c));
	struct nwg_err err = {{0}};
	long bad = 0;
	int rc = 0;

	for (long i = 0; c && rc >= 0 && i < n; i++) {
		json_t *args = json_pack("{s:I, s:I}", "a", (json_int_t)i, "b", (json_int_t)1000);

		c[i].want = i + 1000;
		rc = nwg_msg_call_async(m, topic, NULL, "add", "1.0", args, timeout_ms, on_pipe,
					&c[i], &err);
		json_decref(args);
	}
	while (c && rc >= 0 && nwg_msg_calls_pending(m))
		rc = nwg_msg_poll(m, 200, &err);
	for (long i = 0; c && i < n; i++)
		bad += c[i].done != 1 || c[i].rc != 0 || c[i].got != c[i].want;
	if (!c)
		bad = n;
	free(c);
	if (rc < 0)
		return fail(rc, &err);
	if (bad) {
		fprintf(stderr, "error: %ld of %ld calls wrong or unanswered\n", bad, n);
		return 1;
	}
	printf("pipeline %ld ok\n", n);
	return 0;
}

static int run(struct nwg_msg_opts *o, char **argv, int argc, int timeout_ms)
{
	struct listen_state st = {0};
	struct nwg_err err = {{0}};
	struct nwg_msg *m;
	const char *cmd = argv[0];
	int rc;

	rc = nwg_msg_open(&m, o, on_msg, &st, &err);
	if (rc < 0)
		return fail(rc, &err);
	if ((!strcmp(cmd, "call") || !strcmp(cmd, "cast")) && argc >= 4)
		rc = do_send(m, !strcmp(cmd, "call"), argv + 1, argc - 1, timeout_ms);
	else if (!strcmp(cmd, "pipeline") && argc == 3)
		rc = do_pipeline(m, argv[1], atol(argv[2]), timeout_ms);
	else if (!strncmp(cmd, "listen-", 7) && argc == 3)
		rc = do_listen(m, &st, !strcmp(cmd, "listen-fanout"), argv[1], atol(argv[2]),
			       timeout_ms);
	else
		rc = 2;
	nwg_msg_close(m);
	return rc;
}

int main(int argc, char **argv)
{
	struct nwg_msg_opts o = {0};
	struct nwg_err err = {{0}};
	struct nwg_ini *ini = NULL;
	const char *conf = NULL;
	int timeout_ms = 10000, c, rc;

	while ((c = getopt(argc, argv, "+c:t:")) != -1) {
		if (c == 'c')
			conf = optarg;
		else if (c == 't')
			timeout_ms = atoi(optarg);
		else
			return 2;
	}
	if (!conf || optind >= argc) {
		fprintf(stderr, "usage: nwg-msgtool -c CONF [-t MS] call|cast|listen-topic|"
				"listen-fanout ...\n");
		return 2;
	}
	rc = nwg_ini_load(&ini, &conf, 1, &err);
	if (rc == 0)
		rc = nwg_msg_opts_from_ini(&o, ini, &err);
	nwg_ini_free(ini);
	if (rc < 0)
		return fail(rc, &err);
	rc = run(&o, argv + optind, argc - optind, timeout_ms);
	nwg_msg_opts_clear(&o);
	if (rc == 2)
		fprintf(stderr, "nwg-msgtool: bad command line\n");
	return rc;
}
