/* SPDX-License-Identifier: Apache-2.0 */
/* `neutron-wireguard status`: asks the agent's control socket. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "status_fmt.h"

#define DEFAULT_SOCKET "/run/neutron-wireguard/agent.sock"
#define REPLY_MAX      (4U << 20)
#define TIMEOUT_MS     10000

void nwgcli_status_usage(FILE *f)
{
	fputs("Usage: " NWGCLI_PROG " status [--json] [--socket PATH]\n"
	      "Shows the local agent's hubs and their spokes (handshake age, transfer).\n"
	      "  --json         print the agent's status as JSON\n"
	      "  --socket PATH  control socket (default " DEFAULT_SOCKET ")\n"
	      "Exit: 0 ok, 1 agent not reachable or bad reply (message on stderr), 2 usage.\n",
	      f);
}

static int dial(const char *path, struct nwg_err *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return nwg_err_set(err, EINVAL, "%s: socket path too long", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return nwg_err_set(err, errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	int e = errno;

	close(fd);
	if (e == ENOENT || e == ECONNREFUSED)
		return nwg_err_set(err, e, "agent not running (nothing listens on %s)", path);
	if (e == EACCES || e == EPERM)
		return nwg_err_set(err, e, "permission denied: %s (run as root)", path);
	return nwg_err_set(err, e, "connect %s: %s", path, strerror(e));
}

static int send_all(int fd, const char *s, struct nwg_err *err)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return nwg_err_set(err, errno ? errno : EIO, "send: %s", strerror(errno));
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one line (without the newline) into *out. */
static int read_line(int fd, char **out, struct nwg_err *err)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	while (buf) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char *nl;
		ssize_t n;

		if (poll(&p, 1, TIMEOUT_MS) == 0)
			break;
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if ((nl = memchr(buf, '\n', len))) {
			*nl = '\0';
			*out = buf;
			return 0;
		}
		if (len + 1 == cap) {
			char *nb = cap < REPLY_MAX ? realloc(buf, cap * 2) : NULL;

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
	}
	free(buf);
	if (len == 0)
		return nwg_err_set(err, EPROTO,
				   "bad reply from agent: connection closed without a reply "
				   "(not root or not the agent?)");
	return nwg_err_set(err, EPROTO, "bad reply from agent: incomplete or too long");
}

static int query(const char *path, json_t **res, struct nwg_err *err)
{
	char *line = NULL;
	int fd = dial(path, err), r;

	if (fd < 0)
		return fd;
	r = send_all(fd, "{\"method\": \"status\"}\n", err);
	if (r == 0)
		r = read_line(fd, &line, err);
	close(fd);
	if (r == 0)
		r = nwgcli_status_parse_reply(line, res, err);
	free(line);
	return r;
}

int nwgcli_cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"socket", required_argument, NULL, 's'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *path = DEFAULT_SOCKET;
	struct nwg_err err = {{0}};
	json_t *res = NULL;
	int json = 0, c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 's')
			path = optarg;
		else {
			nwgcli_status_usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? NWGCLI_OK : NWGCLI_USAGE;
		}
	}
	if (optind != argc) {
		nwgcli_status_usage(stderr);
		return NWGCLI_USAGE;
	}
	r = query(path, &res, &err);
	if (r == 0 && json)
		r = json_dumpf(res, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 &&
			    fputc('\n', stdout) != EOF
			? 0
			: nwg_err_set(&err, EIO, "write: %s", strerror(errno));
	else if (r == 0)
		r = nwgcli_status_print(stdout, res, time(NULL), &err);
	json_decref(res);
	if (r < 0) {
		fprintf(stderr, NWGCLI_PROG " status: %s\n", err.msg);
		return NWGCLI_FAIL;
	}
	return NWGCLI_OK;
}
