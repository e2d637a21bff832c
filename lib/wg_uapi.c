/* SPDX-License-Identifier: Apache-2.0 */
/* Userspace backend: wireguard-go processes configured over their UAPI socket. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nwg/rtnl.h"
#include "uapi_io.h"
#include "uapi_spawn.h"
#include "wg_backend.h"

#define PATH_LEN   108 /* sizeof(sun_path) */
#define GET_REQ	   "get=1\n\n"
#define POLL_MS	   2
#define STOP_GRACE 1000

static const char *errdesc(int e)
{
	const char *s = strerrordesc_np(e < 0 ? -e : e);

	return s ? s : "unknown error";
}

static int sock_path(const struct nwg_uapi *u, const char *ifname, char path[PATH_LEN],
		     struct nwg_err *err)
{
	int r;

	if (!u || !u->dir || !ifname)
		return nwg_err_set(err, EINVAL, "uapi: bad arguments");
	r = nwg_ifname_valid(ifname);
	if (r < 0)
		return nwg_err_set(err, EINVAL, "invalid interface name");
	r = nwg_uapi_sock_path(u->dir, ifname, path, PATH_LEN);
	if (r < 0)
		return nwg_err_set(err, -r, "uapi socket path too long");
	return 0;
}

/* 1 = a live wireguard-go answered get with errno=0; 0 = nobody (a stale
 * socket is unlinked); negative errno otherwise. */
static int probe(const char *path, int unlink_stale)
{
	char *reply;
	size_t len;
	int r =
	    nwg_uapi_request(path, GET_REQ, strlen(GET_REQ), &reply, &len, NWG_UAPI_IO_TIMEOUT_MS);

	if (r == -ECONNREFUSED && unlink_stale)
		unlink(path);
	if (r == -ENOENT || r == -ECONNREFUSED)
		return 0;
	if (r < 0)
		return r;
	r = nwg_uapi_parse_errno(reply, len);
	nwg_uapi_reply_free(reply, len);
	return r == 0 ? 1 : (r < 0 ? r : -EBADMSG);
}

int nwg_uapi_exists(const struct nwg_uapi *u, const char *ifname)
{
	char path[PATH_LEN];

	if (sock_path(u, ifname, path, NULL) < 0)
		return 0;
	return probe(path, 1) == 1;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000L + (t.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* Polls get until the child answers, dies, or the timeout passes. */
static int wait_ready(const struct nwg_uapi *u, const char *ifname, const char *path, pid_t pid,
		      struct nwg_err *err)
{
	struct timespec t0, nap = {0, POLL_MS * 1000000L};
	int timeout = u->start_timeout_ms > 0 ? u->start_timeout_ms : 5000;
	int status, r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (nwg_child_wait(pid, 0, &status) == 1) {
			probe(path, 1);
			return nwg_err_set(err, EIO,
					   "wireguard-go for %s exited (status 0x%x) before its "
					   "UAPI answered",
					   ifname, (unsigned)status);
		}
		r = probe(path, 0);
		if (r == 1)
			return 0;
		if (elapsed_ms(&t0) >= timeout)
			break;
		nanosleep(&nap, NULL);
	}
	nwg_child_stop(pid, STOP_GRACE);
	probe(path, 1);
	return nwg_err_set(err, ETIMEDOUT, "wireguard-go for %s did not answer within %d ms",
			   ifname, timeout);
}

int nwg_uapi_create(const struct nwg_uapi *u, const char *ifname, pid_t *child, struct nwg_err *err)
{
	char path[PATH_LEN];
	pid_t pid;
	int r;

	r = sock_path(u, ifname, path, err);
	if (r < 0)
		return r;
	if (!u->wireguard_go || !child)
		return nwg_err_set(err, EINVAL, "uapi create: bad arguments");
	r = probe(path, 1); /* removes a stale socket */
	if (r == 1)
		return nwg_err_set(err, EEXIST, "a wireguard-go device %s already exists", ifname);
	r = nwg_uapi_spawn(u->wireguard_go, ifname, &pid, err);
	if (r < 0)
		return r;
	r = wait_ready(u, ifname, path, pid, err);
	if (r < 0)
		return r;
	*child = pid;
	return 0;
}

/* Runs one request; maps a missing/stale socket to -ENODEV. */
static int request(const char *path, const char *ifname, const char *req, size_t len, char **reply,
		   size_t *rlen, struct nwg_err *err)
{
	int r = nwg_uapi_request(path, req, len, reply, rlen, NWG_UAPI_IO_TIMEOUT_MS);

	if (r == -ECONNREFUSED)
		unlink(path);
	if (r == -ENOENT || r == -ECONNREFUSED)
		return nwg_err_set(err, ENODEV, "no wireguard-go device %s", ifname);
	if (r < 0)
		return nwg_err_set(err, -r, "uapi %s: %s", ifname, errdesc(r));
	return 0;
}

int nwg_uapi_get(const struct nwg_uapi *u, const char *ifname, struct nwg_device **out,
		 struct nwg_err *err)
{
	char path[PATH_LEN];
	char *reply;
	size_t len;
	int r;

	r = sock_path(u, ifname, path, err);
	if (r < 0)
		return r;
	if (!out)
		return nwg_err_set(err, EINVAL, "uapi get: no output");
	*out = NULL;
	r = request(path, ifname, GET_REQ, strlen(GET_REQ), &reply, &len, err);
	if (r < 0)
		return r;
	r = nwg_uapi_parse_get(reply, len, out, err);
	nwg_uapi_reply_free(reply, len);
	if (r == 0)
		memcpy((*out)->name, ifname, strlen(ifname) + 1);
	return r;
}

int nwg_uapi_set(const struct nwg_uapi *u, const char *ifname, const struct nwg_device *dev,
		 struct nwg_err *err)
{
	char path[PATH_LEN];
	char *req, *reply;
	size_t len, rlen;
	int r;

	r = sock_path(u, ifname, path, err);
	if (r < 0)
		return r;
	if (!dev)
		return nwg_err_set(err, EINVAL, "uapi set: no device");
	r = nwg_uapi_format_set(dev, &req, &len);
	if (r < 0)
		return nwg_err_set(err, -r, "uapi set: cannot encode the device: %s", errdesc(r));
	r = request(path, ifname, req, len, &reply, &rlen, err);
	nwg_uapi_reply_free(req, len);
	if (r < 0)
		return r;
	r = nwg_uapi_parse_errno(reply, rlen);
	nwg_uapi_reply_free(reply, rlen);
	if (r == -EBADMSG)
		return nwg_err_set(err, EBADMSG, "uapi set %s: malformed reply", ifname);
	if (r < 0)
		return nwg_err_set(err, -r, "wireguard-go rejected set on %s: errno=%d (%s)",
				   ifname, r, errdesc(r));
	return 0;
}
