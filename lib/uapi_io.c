/* SPDX-License-Identifier: Apache-2.0 */
/* wireguard-go UAPI transport: unix stream socket, one request per connection. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "nwg/key.h"
#include "nwg/secmem.h"
#include "uapi_io.h"

int nwg_uapi_sock_path(const char *dir, const char *ifname, char *buf, size_t len)
{
	struct sockaddr_un sun;
	int n;

	if (!dir || !ifname || !buf)
		return -EINVAL;
	n = snprintf(buf, len, "%s/%s.sock", dir, ifname);
	if (n < 0 || (size_t)n >= len || (size_t)n >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int nwg_uapi_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, waited = 0;

	if (!path || strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		if (e != EAGAIN || waited >= timeout_ms) {
			close(fd);
			return e == EAGAIN ? -ETIMEDOUT : -e;
		}
		sleep_ms(2);
		waited += 2;
	}
	return fd;
}

static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int r;

	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

static int send_all(int fd, const char *p, size_t len, int timeout_ms)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int r = wait_fd(fd, POLLOUT, timeout_ms);

			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

struct rbuf {
	char *p;
	size_t len, cap;
};

static int rbuf_reserve(struct rbuf *b)
{
	size_t cap = b->cap ? b->cap * 2 : 4096;
	char *n;

	if (b->cap - b->len > 1)
		return 0;
	if (cap > NWG_UAPI_REPLY_MAX)
		return -EMSGSIZE;
	n = nwg_secmem_alloc(cap);
	if (!n)
		return -ENOMEM;
	if (b->p) {
		memcpy(n, b->p, b->len);
		nwg_secmem_free(b->p); /* wipes */
	}
	b->p = n;
	b->cap = cap;
	return 0;
}

static int recv_reply(int fd, struct rbuf *b, int timeout_ms)
{
	for (;;) {
		int r = rbuf_reserve(b);
		ssize_t n;

		if (r < 0)
			return r;
		n = recv(fd, b->p + b->len, b->cap - b->len - 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			r = wait_fd(fd, POLLIN, timeout_ms);
			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return -errno;
		b->len += (size_t)n;
		b->p[b->len] = '\0';
		if (n == 0 || (b->len >= 2 && memcmp(b->p + b->len - 2, "\n\n", 2) == 0))
			return 0;
	}
}

void nwg_uapi_reply_free(char *reply, size_t len)
{
	(void)len;
	nwg_secmem_free(reply); /* wipes the whole block */
}

int nwg_uapi_request(const char *path, const char *req, size_t req_len, char **reply,
		     size_t *reply_len, int timeout_ms)
{
	struct rbuf b = {0};
	int fd, r;

	if (!path || !req || !reply || !reply_len)
		return -EINVAL;
	*reply = NULL;
	*reply_len = 0;
	fd = nwg_uapi_connect(path, timeout_ms);
	if (fd < 0)
		return fd;
	r = send_all(fd, req, req_len, timeout_ms);
	if (r == 0)
		r = recv_reply(fd, &b, timeout_ms);
	close(fd);
	if (r < 0) {
		nwg_uapi_reply_free(b.p, b.cap);
		return r;
	}
	*reply = b.p;
	*reply_len = b.len;
	return 0;
}
