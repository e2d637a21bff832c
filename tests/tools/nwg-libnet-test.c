/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nwg-libnet-test: drives lib/netns + lib/rtnl (+ the kernel genl probe)
 * against real kernel objects, one check per subcommand, for
 * tests/netns/test-libnet.sh. NS "-" means the root namespace (NULL).
 * Success prints results on stdout and exits 0; a library error prints
 * "error=<negative errno> msg=<message>" on stdout and exits 1.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nwg/netns.h"
#include "nwg/rtnl.h"
#include "wg_backend.h"

static const char *ns_arg(const char *s)
{
	return strcmp(s, "-") ? s : NULL;
}

static int report(int ret, const struct nwg_err *err)
{
	if (ret < 0) {
		printf("error=%d msg=%s\n", ret, err->msg);
		return 1;
	}
	return 0;
}

static int cmd_ns(const char *op, const char *name)
{
	struct nwg_err err = {{0}};
	int ret;

	if (!strcmp(op, "ns-create"))
		ret = nwg_netns_create(name, &err);
	else if (!strcmp(op, "ns-delete"))
		ret = nwg_netns_delete(name, &err);
	else if (!strcmp(op, "ns-exists")) {
		ret = nwg_netns_exists(name);
		printf("%d\n", ret);
	} else {
		ret = nwg_netns_open(ns_arg(name), &err);
		if (ret >= 0) {
			close(ret);
			printf("ok\n");
		}
	}
	return report(ret, &err);
}

static int cmd_ns_list(void)
{
	struct nwg_err err = {{0}};
	char **names;
	size_t n;
	int ret = nwg_netns_list(&names, &n, &err);

	if (ret < 0)
		return report(ret, &err);
	for (size_t i = 0; i < n; i++)
		printf("%s\n", names[i]);
	nwg_netns_list_free(names);
	return 0;
}

static void thread_ns(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/thread-self/ns/net", buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
}

static int inside_fn(void *arg)
{
	thread_ns(arg, 64);
	return 42;
}

/* netns_run: fn runs in NAME, returns its value, the caller never moves. */
static int cmd_run(const char *name)
{
	struct nwg_err err = {{0}};
	char before[64], inside[64], after[64], want[64];
	struct stat st;
	int ret;

	thread_ns(before, sizeof(before));
	ret = nwg_netns_run(ns_arg(name), inside_fn, inside, &err);
	thread_ns(after, sizeof(after));
	if (ret != 42)
		return report(ret < 0 ? ret : -EPROTO, &err);
	if (!strcmp(name, "-")) {
		ssize_t n = readlink("/proc/self/ns/net", want, sizeof(want) - 1);

		want[n > 0 ? n : 0] = '\0';
	} else {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "/run/netns/%s", name);
		if (stat(path, &st) < 0)
			return report(-errno, &err);
		snprintf(want, sizeof(want), "net:[%lu]", (unsigned long)st.st_ino);
	}
	printf("before=%s inside=%s after=%s want=%s\n", before, inside, after, want);
	return strcmp(before, after) != 0 || strcmp(inside, want) != 0;
}

static void print_link(const struct nwg_link *l)
{
	printf("name=%s index=%d kind=%s mtu=%u up=%d alias=%s\n", l->name, l->ifindex,
	       l->kind[0] ? l->kind : "-", l->mtu, l->up, l->alias[0] ? l->alias : "-");
}

static int link_list(struct nwg_rtnl *r, struct nwg_err *err)
{
	struct nwg_link *v;
	size_t n;
	int ret = nwg_link_list(r, &v, &n, err);

	for (size_t i = 0; ret == 0 && i < n; i++)
		print_link(&v[i]);
	if (ret == 0)
		free(v);
	return ret;
}

static int addr_list(struct nwg_rtnl *r, const char *ifname, struct nwg_err *err)
{
	char **v;
	int ret = nwg_addr_list(r, ifname, &v, err);

	if (ret < 0)
		return ret;
	for (char **p = v; *p; p++)
		printf("%s\n", *p);
	nwg_strv_free(v);
	return 0;
}

static int link_move(struct nwg_rtnl *r, const char *ifname, const char *to, struct nwg_err *err)
{
	int fd = nwg_netns_open(ns_arg(to), err), ret;

	if (fd < 0)
		return fd;
	ret = nwg_link_move(r, ifname, fd, err);
	close(fd);
	return ret;
}

/* argv: op NS IFNAME [ARG] */
static int link_op(struct nwg_rtnl *r, int argc, char **argv, struct nwg_err *err)
{
	const char *op = argv[1], *ifn = argc > 3 ? argv[3] : NULL, *a = argc > 4 ? argv[4] : "";
	struct nwg_link l;
	int ret;

	if (!strcmp(op, "link-list"))
		return link_list(r, err);
	if (!strcmp(op, "link-get")) {
		ret = nwg_link_get(r, ifn, &l, err);
		if (ret == 0)
			print_link(&l);
		return ret;
	}
	if (!strcmp(op, "link-move"))
		return link_move(r, ifn, a, err);
	if (!strcmp(op, "link-rename"))
		return nwg_link_rename(r, ifn, a, err);
	if (!strcmp(op, "link-alias"))
		return nwg_link_set_alias(r, ifn, a, err);
	if (!strcmp(op, "link-mtu"))
		return nwg_link_set_mtu(r, ifn, (unsigned int)strtoul(a, NULL, 10), err);
	if (!strcmp(op, "link-up"))
		return nwg_link_set_up(r, ifn, !strcmp(a, "up"), err);
	if (!strcmp(op, "link-add-wg"))
		return nwg_link_add_wireguard(r, ifn, err);
	if (!strcmp(op, "link-del"))
		return nwg_link_del(r, ifn, err);
	if (!strcmp(op, "addr-add"))
		return nwg_addr_add(r, ifn, a, err);
	if (!strcmp(op, "addr-flush"))
		return nwg_addr_flush(r, ifn, err);
	if (!strcmp(op, "addr-list"))
		return addr_list(r, ifn, err);
	fprintf(stderr, "unknown command %s\n", op);
	return -EINVAL;
}

static int cmd_rtnl(int argc, char **argv)
{
	struct nwg_err err = {{0}};
	struct nwg_rtnl *r;
	int ret = nwg_rtnl_open(&r, ns_arg(argv[2]), &err);

	if (ret == 0) {
		ret = link_op(r, argc, argv, &err);
		nwg_rtnl_close(r);
	}
	return report(ret, &err);
}

static int cmd_forwarding(const char *ns, const char *onoff)
{
	struct nwg_err err = {{0}};

	return report(nwg_netns_set_forwarding(ns_arg(ns), !strcmp(onoff, "on"), &err), &err);
}

static int usage(void)
{
	fputs("usage: nwg-libnet-test ns-create|ns-delete|ns-exists|ns-open NAME\n"
	      "       nwg-libnet-test ns-list | run NS | kernel-available | forwarding NS on|off\n"
	      "       nwg-libnet-test link-list NS | link-get|link-del|link-add-wg|addr-flush|"
	      "addr-list NS IF\n"
	      "       nwg-libnet-test link-move|link-rename|link-alias|link-mtu|link-up|addr-add "
	      "NS IF ARG\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "ns-list"))
		return cmd_ns_list();
	if (!strcmp(argv[1], "kernel-available")) {
		printf("%d\n", nwg_kernel_available());
		return 0;
	}
	if (argc < 3)
		return usage();
	if (!strncmp(argv[1], "ns-", 3))
		return cmd_ns(argv[1], argv[2]);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argv[2]);
	if (!strcmp(argv[1], "forwarding") && argc == 4)
		return cmd_forwarding(argv[2], argv[3]);
	if (argc < 3 || (strcmp(argv[1], "link-list") && argc < 4))
		return usage();
	return cmd_rtnl(argc, argv);
}
