/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the control-socket protocol: the input is written
 * by a real client to a real listening socket (nwg_ctl_open), in chunks,
 * and the half-closed; the replies are read back. Properties:
 *  - nothing crashes or leaks on any input;
 *  - every request line (complete, or the last one cut by end of input)
 *    that is not empty gets exactly one reply line, in order;
 *  - every reply is a JSON object {"ok": true, "result": ...} or
 *    {"ok": false, "error": string};
 *  - a request the handler ran got the method's echo as its result, with
 *    args an object or absent, never any other type.
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctl.h"

#define MAX_IN (NWG_CTL_MAX_LINE - 1) /* longer lines are refused by design */

static struct nwg_ctl *ctl;
static char path[108];

/* "fail" fails; any other method answers [method, args-or-null]. */
static json_t *handler(void *ctx, const char *method, const json_t *args, struct nwg_err *err)
{
	(void)ctx;
	if (args && !json_is_object(args))
		abort();
	if (!strcmp(method, "fail")) {
		nwg_err_set(err, EIO, "handler failed");
		return NULL;
	}
	return json_pack("[s, O?]", method, args);
}

static void setup(void)
{
	char dir[] = "/tmp/nwg-fuzz-ctl-XXXXXX";
	struct nwg_err err;

	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/s/ctl.sock", dir);
	if (nwg_ctl_open(&ctl, path, handler, NULL, &err) != 0)
		abort();
}

/* How many replies the input must produce: non-empty lines ("\r" alone
 * counts as empty), the last one even without its newline. */
static size_t expected_replies(const uint8_t *d, size_t n)
{
	size_t count = 0, start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && d[i] != '\n')
			continue;
		size_t len = i - start;

		if (len && !(len == 1 && d[start] == '\r'))
			count++;
		start = i + 1;
	}
	return count;
}

static void check_reply(const char *line, size_t len)
{
	json_t *j = json_loadb(line, len, 0, NULL), *ok = json_object_get(j, "ok");

	if (!json_is_object(j) || !json_is_boolean(ok))
		abort();
	if (json_is_true(ok) && !json_is_array(json_object_get(j, "result")))
		abort();
	if (json_is_false(ok) && !json_is_string(json_object_get(j, "error")))
		abort();
	json_decref(j);
}

/* Services the control socket until the client has every reply (EOF). */
static size_t exchange(int fd, const uint8_t *data, size_t size)
{
	static char out[8 * 1024 * 1024];
	size_t sent = 0, got = 0, lines = 0, start = 0;
	int eof = 0, shut = 0;
	long rounds = 0;

	while (!eof) {
		struct pollfd fds[NWG_CTL_MAX_CLIENTS + 1];
		size_t n = nwg_ctl_pollfds(ctl, fds, NWG_CTL_MAX_CLIENTS + 1);
		ssize_t w, r;

		if (sent < size) {
			w = send(fd, data + sent, size - sent > 1000 ? 1000 : size - sent,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w > 0)
				sent += (size_t)w;
		} else if (!shut) {
			shutdown(fd, SHUT_WR);
			shut = 1;
		}
		if (++rounds > 1000000 || (poll(fds, n, 0) < 0 && errno != EINTR))
			abort(); /* the agent never finished the exchange */
		nwg_ctl_service(ctl, fds, n);
		r = recv(fd, out + got, sizeof(out) - got, MSG_DONTWAIT);
		if (r == 0)
			eof = 1;
		if (r > 0)
			got += (size_t)r;
		if (got == sizeof(out))
			abort();
	}
	for (size_t i = 0; i < got; i++) {
		if (out[i] != '\n')
			continue;
		check_reply(out + start, i - start);
		lines++;
		start = i + 1;
	}
	if (start != got)
		abort(); /* every reply ends with a newline */
	return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	if (size > MAX_IN)
		return 0;
	if (!ctl)
		setup();
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&sun, sizeof(sun)) < 0)
		abort();
	if (exchange(fd, data, size) != expected_replies(data, size))
		abort();
	close(fd);
	return 0;
}
