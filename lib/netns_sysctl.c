/* SPDX-License-Identifier: Apache-2.0 */
/* Per-namespace forwarding sysctls, written from a thread inside the
 * namespace (/proc/sys/net follows the writer's network namespace). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nwg/netns.h"
#include "nwg/rtnl.h"

static const char *const forwarding_paths[] = {
    "/proc/sys/net/ipv4/ip_forward",
    "/proc/sys/net/ipv6/conf/all/forwarding",
};

struct fwd_arg {
	bool on;
	int failed_path; /* index into forwarding_paths, -1 = none */
};

static int write_one(const char *path, bool on)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, on ? "1\n" : "0\n", 2);
	if (n != 2) {
		int e = n < 0 ? errno : EIO;

		close(fd);
		return -e;
	}
	return close(fd) < 0 ? -errno : 0;
}

static int set_forwarding_here(void *p)
{
	struct fwd_arg *a = p;

	for (size_t i = 0; i < sizeof(forwarding_paths) / sizeof(forwarding_paths[0]); i++) {
		int r = write_one(forwarding_paths[i], a->on);

		/* A kernel without IPv6 has no forwarding knob for it. */
		if (r == -ENOENT && i > 0)
			continue;
		if (r < 0) {
			a->failed_path = (int)i;
			return r;
		}
	}
	return 0;
}

int nwg_netns_set_forwarding(const char *name, bool on, struct nwg_err *err)
{
	struct fwd_arg a = {.on = on, .failed_path = -1};
	int r;

	if (!name || !*name)
		return nwg_err_set(err, EINVAL,
				   "forwarding: refusing to change the root namespace");
	r = nwg_netns_run(name, set_forwarding_here, &a, err);
	if (r < 0 && a.failed_path >= 0)
		return nwg_err_set(err, -r, "netns %s: %s: %s", name,
				   forwarding_paths[a.failed_path], strerror(-r));
	return r;
}

struct if_arg {
	char path[128];
	const char *value;
};

static int write_if_here(void *p)
{
	struct if_arg *a = p;
	size_t len = strlen(a->value);
	int fd = open(a->path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, a->value, len);
	if (n != (ssize_t)len) {
		int e = n < 0 ? errno : EIO;

		close(fd);
		return -e;
	}
	return close(fd) < 0 ? -errno : 0;
}

static bool span_ok(const char *s, const char *set, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	return n && n <= max && strspn(s, set) == n;
}

int nwg_netns_if_sysctl(const char *name, const char *proto, const char *ifname, const char *key,
			const char *value, struct nwg_err *err)
{
	struct if_arg a = {.value = value};
	int r;

	if (!name || !*name)
		return nwg_err_set(err, EINVAL, "sysctl: refusing to change the root namespace");
	if (!proto || (strcmp(proto, "ipv4") != 0 && strcmp(proto, "ipv6") != 0) ||
	    nwg_ifname_valid(ifname) < 0 || strchr(ifname, '.') ||
	    !span_ok(key, "abcdefghijklmnopqrstuvwxyz_", 32) || !span_ok(value, "0123456789", 8))
		return nwg_err_set(err, EINVAL, "sysctl: bad interface knob");
	snprintf(a.path, sizeof(a.path), "/proc/sys/net/%s/conf/%s/%s", proto, ifname, key);
	r = nwg_netns_run(name, write_if_here, &a, err);
	if (r < 0)
		return nwg_err_set(err, -r, "netns %s: %s: %s", name, a.path, strerror(-r));
	return r;
}
