/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nwg-wgtool: exposes libnwg's WireGuard, netns and rtnl calls to shell
 * tests. Library calls only: it never runs ip, wg or wireguard-go itself
 * (the userspace backend spawns wireguard-go, as the agent does).
 * A namespace argument of "-" means this process's own (root) namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nwg/netns.h"
#include "nwg/repo.h"
#include "nwg/rtnl.h"
#include "nwg/secmem.h"
#include "nwg/wg.h"
#include "wg_priv.h"

struct tool {
	struct nwg_backend *b;
	struct nwg_err err;
	int argc; /* arguments after the command name */
};

struct tool_cmd {
	const char *name;
	int min_args;
	int (*fn)(struct tool *t, char **a);
};

static int fail(const char *what, int r, const struct nwg_err *err);

static const char *ns_arg(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : s;
}

static int usage(void)
{
	fprintf(stderr, "usage: nwg-wgtool [-b auto|kernel|userspace] CMD ARGS (NS '-' = root)\n"
			"  create IF | delete IF NS | exists IF NS | move IF FROM TO\n"
			"  set-key IF NS | set-port IF NS PORT | get IF NS | peers IF NS\n"
			"  add-peer IF NS PUBKEY CIDR[,CIDR..] [ENDPOINT [KEEPALIVE]]\n"
			"  set-peers-many IF NS N | addr IF NS CIDR | up IF NS | down IF NS\n"
			"  repo-format IF NS OUTFILE | repo-save IF NS DIR PORT_ID\n");
	return 2;
}

static int fail(const char *what, int r, const struct nwg_err *err)
{
	if (r == 0)
		r = -EIO;
	fprintf(stderr, "nwg-wgtool: %s: %s (%s)\n", what, err->msg[0] ? err->msg : "-",
		strerror(-r));
	return 1;
}

static int cmd_create(struct tool *t, char **a)
{
	int r = nwg_wg_create(t->b, a[0], &t->err);

	if (r < 0)
		return fail("create", r, &t->err);
	if (nwg_backend_kind(t->b) == NWG_BACKEND_USERSPACE)
		printf("pid=%d\n", (int)nwg_children_find(t->b, a[0]));
	return 0;
}

static int cmd_delete(struct tool *t, char **a)
{
	int r = nwg_wg_delete(t->b, a[0], ns_arg(a[1]), &t->err);

	return r < 0 ? fail("delete", r, &t->err) : 0;
}

static int cmd_exists(struct tool *t, char **a)
{
	printf("%d\n", nwg_wg_exists(t->b, a[0], ns_arg(a[1])));
	return 0;
}

static int cmd_move(struct tool *t, char **a)
{
	struct nwg_rtnl *r = NULL;
	int fd = nwg_netns_open(ns_arg(a[2]), &t->err), rc;

	if (fd < 0)
		return fail("open target namespace", fd, &t->err);
	rc = nwg_rtnl_open(&r, ns_arg(a[1]), &t->err);
	if (rc == 0)
		rc = nwg_link_move(r, a[0], fd, &t->err);
	nwg_rtnl_close(r);
	close(fd);
	return rc < 0 ? fail("move", rc, &t->err) : 0;
}

static int with_link(struct tool *t, const char *ns, const char *what,
		     int (*fn)(struct nwg_rtnl *, char **, struct nwg_err *), char **a)
{
	struct nwg_rtnl *r = NULL;
	int rc = nwg_rtnl_open(&r, ns_arg(ns), &t->err);

	if (rc == 0)
		rc = fn(r, a, &t->err);
	nwg_rtnl_close(r);
	return rc < 0 ? fail(what, rc, &t->err) : 0;
}

static int do_addr(struct nwg_rtnl *r, char **a, struct nwg_err *err)
{
	return nwg_addr_add(r, a[0], a[2], err);
}

static int do_up(struct nwg_rtnl *r, char **a, struct nwg_err *err)
{
	return nwg_link_set_up(r, a[0], true, err);
}

static int do_down(struct nwg_rtnl *r, char **a, struct nwg_err *err)
{
	return nwg_link_set_up(r, a[0], false, err);
}

static int cmd_addr(struct tool *t, char **a)
{
	return with_link(t, a[1], "addr", do_addr, a);
}

static int cmd_up(struct tool *t, char **a)
{
	return with_link(t, a[1], "up", do_up, a);
}

static int cmd_down(struct tool *t, char **a)
{
	return with_link(t, a[1], "down", do_down, a);
}

/* ---- WireGuard configuration ---- */

static int apply(struct tool *t, const char *ifname, const char *ns, struct nwg_device *dev)
{
	int r = nwg_wg_set(t->b, ifname, ns_arg(ns), dev, &t->err);

	nwg_device_free(dev);
	return r < 0 ? fail("set", r, &t->err) : 0;
}

static int cmd_set_key(struct tool *t, char **a)
{
	struct nwg_device *dev = nwg_device_new(a[0]);
	struct nwg_key pub;
	char b64[NWG_KEY_B64_LEN + 1];

	if (!dev || nwg_key_generate(&dev->private_key) < 0 ||
	    nwg_key_public(&pub, &dev->private_key) < 0) {
		nwg_device_free(dev);
		return fail("key", -ENOMEM, &t->err);
	}
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY;
	nwg_key_to_b64(b64, &pub);
	if (apply(t, a[0], a[1], dev) != 0)
		return 1;
	printf("%s\n", b64);
	return 0;
}

static int cmd_set_port(struct tool *t, char **a)
{
	struct nwg_device *dev = nwg_device_new(a[0]);
	char *end;
	long port = strtol(a[2], &end, 10);

	if (!dev || *end || port < 0 || port > 65535) {
		nwg_device_free(dev);
		return usage();
	}
	dev->listen_port = (uint16_t)port;
	dev->flags = NWG_DEV_HAS_LISTEN_PORT;
	return apply(t, a[0], a[1], dev);
}

/* Adds the comma-separated CIDRs in list to p. */
static int add_cidrs(struct nwg_peer *p, const char *list)
{
	char *copy = strdup(list), *save = NULL;
	int r = copy ? 0 : -ENOMEM;

	for (char *c = copy ? strtok_r(copy, ",", &save) : NULL; c && r == 0;
	     c = strtok_r(NULL, ",", &save))
		r = nwg_peer_add_allowedip(p, c);
	free(copy);
	return r;
}

static int cmd_add_peer(struct tool *t, char **a)
{
	struct nwg_device *dev = nwg_device_new(a[0]);
	struct nwg_peer *p;
	struct nwg_key pub;

	if (!dev || nwg_key_from_b64(&pub, a[2], strlen(a[2])) < 0)
		goto bad;
	p = nwg_device_add_peer(dev, &pub);
	if (!p || add_cidrs(p, a[3]) < 0)
		goto bad;
	p->flags = NWG_PEER_REPLACE_ALLOWEDIPS;
	if (t->argc > 4) {
		if (nwg_endpoint_parse(&p->endpoint, a[4]) < 0)
			goto bad;
		p->flags |= NWG_PEER_HAS_ENDPOINT;
	}
	if (t->argc > 5) {
		p->persistent_keepalive = (uint16_t)atoi(a[5]);
		p->flags |= NWG_PEER_HAS_KEEPALIVE;
	}
	return apply(t, a[0], a[1], dev);
bad:
	nwg_device_free(dev);
	fprintf(stderr, "nwg-wgtool: add-peer: bad key, CIDR or endpoint\n");
	return 2;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Prints "PUB CIDR,CIDR" with the CIDRs sorted (wireguard-go's order is its trie's). */
static void print_peer_line(const struct nwg_peer *p, const char *extra)
{
	char b64[NWG_KEY_B64_LEN + 1];
	char(*bufs)[64] = calloc(p->n_allowedips + 1, 64);
	char **v = calloc(p->n_allowedips + 1, sizeof(*v));

	if (!bufs || !v)
		abort();
	for (size_t i = 0; i < p->n_allowedips; i++) {
		nwg_allowedip_format(&p->allowedips[i], bufs[i], 64);
		v[i] = bufs[i];
	}
	qsort(v, p->n_allowedips, sizeof(*v), cmp_str);
	nwg_key_to_b64(b64, &p->public_key);
	printf("%s%s ", extra, b64);
	for (size_t i = 0; i < p->n_allowedips; i++)
		printf("%s%s", i ? "," : "", v[i]);
	printf("\n");
	free(v);
	free(bufs);
}

static int cmd_set_peers_many(struct tool *t, char **a)
{
	struct nwg_device *dev = nwg_device_new(a[0]);
	int n = atoi(a[2]), r = 0;
	char cidr[64];

	if (!dev || n < 0 || n > 65535) {
		nwg_device_free(dev);
		return usage();
	}
	dev->flags = NWG_DEV_REPLACE_PEERS;
	for (int i = 0; i < n && r == 0; i++) {
		struct nwg_key priv, pub;
		struct nwg_peer *p;

		r = nwg_key_generate(&priv);
		r = r ? r : nwg_key_public(&pub, &priv);
		nwg_key_wipe(&priv);
		p = r ? NULL : nwg_device_add_peer(dev, &pub);
		snprintf(cidr, sizeof(cidr), "10.200.%d.%d/32", i / 256, i % 256);
		r = p ? nwg_peer_add_allowedip(p, cidr) : -ENOMEM;
		snprintf(cidr, sizeof(cidr), "fd00:200::%x/128", i + 1);
		r = r ? r : nwg_peer_add_allowedip(p, cidr);
	}
	for (size_t i = 0; r == 0 && i < dev->n_peers; i++)
		print_peer_line(&dev->peers[i], "");
	if (r < 0) {
		nwg_device_free(dev);
		return fail("peers", r, &t->err);
	}
	return apply(t, a[0], a[1], dev);
}

static int read_dev(struct tool *t, char **a, struct nwg_device **dev)
{
	int r = nwg_wg_get(t->b, a[0], ns_arg(a[1]), dev, &t->err);

	return r < 0 ? fail("get", r, &t->err) : 0;
}

static int cmd_peers(struct tool *t, char **a)
{
	struct nwg_device *dev = NULL;

	if (read_dev(t, a, &dev) != 0)
		return 1;
	for (size_t i = 0; i < dev->n_peers; i++)
		print_peer_line(&dev->peers[i], "");
	nwg_device_free(dev);
	return 0;
}

static void print_peer_stats(const struct nwg_peer *p)
{
	char b64[NWG_KEY_B64_LEN + 1], ep[80] = "none";

	nwg_key_to_b64(b64, &p->public_key);
	if (p->flags & NWG_PEER_HAS_ENDPOINT)
		nwg_endpoint_format(&p->endpoint, ep, sizeof(ep));
	printf("peer=%s endpoint=%s handshake=%lld rx=%llu tx=%llu keepalive=%u allowed=%zu\n", b64,
	       ep, (long long)p->last_handshake.tv_sec, (unsigned long long)p->rx_bytes,
	       (unsigned long long)p->tx_bytes, (unsigned)p->persistent_keepalive, p->n_allowedips);
}

static int cmd_get(struct tool *t, char **a)
{
	struct nwg_device *dev = NULL;
	char b64[NWG_KEY_B64_LEN + 1] = "none";

	if (read_dev(t, a, &dev) != 0)
		return 1;
	if (dev->flags & NWG_DEV_HAS_PUBLIC_KEY)
		nwg_key_to_b64(b64, &dev->public_key);
	printf("name=%s\nhas_private_key=%d\npublic_key=%s\nlisten_port=%u\npeers=%zu\n", dev->name,
	       !!(dev->flags & NWG_DEV_HAS_PRIVATE_KEY), b64, (unsigned)dev->listen_port,
	       dev->n_peers);
	for (size_t i = 0; i < dev->n_peers; i++)
		print_peer_stats(&dev->peers[i]);
	nwg_device_free(dev);
	return 0;
}

/* ---- the channel repository ---- */

static int copy_peer(struct nwg_hub_record *rec, const struct nwg_peer *p, size_t idx)
{
	struct nwg_repo_peer *rp = nwg_hub_record_add_peer(rec);
	char buf[80];

	if (!rp)
		return -ENOMEM;
	snprintf(rp->port_id, sizeof(rp->port_id), "spoke-%zu", idx);
	rp->public_key = p->public_key;
	rp->persistent_keepalive = p->persistent_keepalive;
	if (p->flags & NWG_PEER_HAS_ENDPOINT)
		nwg_endpoint_format(&p->endpoint, rp->endpoint, sizeof(rp->endpoint));
	for (size_t i = 0; i < p->n_allowedips; i++) {
		int r = nwg_allowedip_format(&p->allowedips[i], buf, sizeof(buf));

		if (r >= 0) /* the length */
			r = nwg_repo_peer_add_allowed_ip(rp, buf);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A hub record of the live device (a[0] in a[1]), with port id port_id. */
static int build_record(struct tool *t, char **a, const char *port_id, struct nwg_hub_record **out)
{
	struct nwg_device *dev = NULL;
	struct nwg_hub_record *rec;
	int r = 0;

	if (read_dev(t, a, &dev) != 0)
		return 1;
	rec = nwg_hub_record_new();
	if (!rec) {
		nwg_device_free(dev);
		return fail("record", -ENOMEM, &t->err);
	}
	snprintf(rec->port_id, sizeof(rec->port_id), "%s", port_id);
	snprintf(rec->project_id, sizeof(rec->project_id), "nwg-wgtool-project");
	snprintf(rec->ifname, sizeof(rec->ifname), "%s", a[0]);
	snprintf(rec->netns, sizeof(rec->netns), "%s", ns_arg(a[1]) ? a[1] : "");
	rec->private_key = dev->private_key;
	rec->listen_port = dev->listen_port;
	for (size_t i = 0; r == 0 && i < dev->n_peers; i++)
		r = copy_peer(rec, &dev->peers[i], i);
	nwg_device_free(dev);
	if (r < 0) {
		nwg_hub_record_free(rec);
		return fail("record", r, &t->err);
	}
	*out = rec;
	return 0;
}

static int cmd_repo_format(struct tool *t, char **a)
{
	struct nwg_hub_record *rec = NULL;
	char *text = NULL;
	size_t len = 0;
	int fd, r;

	if (build_record(t, a, "nwg-wgtool", &rec) != 0)
		return 1;
	r = nwg_repo_format(rec, &text, &len);
	nwg_hub_record_free(rec);
	if (r < 0)
		return fail("repo format", r, &t->err);
	fd = open(a[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		r = -errno;
	if (fd >= 0)
		close(fd);
	nwg_secmem_free(text);
	return r < 0 ? fail("write", r, &t->err) : 0;
}

static int cmd_repo_save(struct tool *t, char **a)
{
	struct nwg_hub_record *rec = NULL;
	struct nwg_repo *repo = NULL;
	int r;

	if (build_record(t, a, a[3], &rec) != 0)
		return 1;
	r = nwg_repo_open(&repo, a[2], &t->err);
	if (r == 0)
		r = nwg_repo_save(repo, rec, &t->err);
	nwg_repo_close(repo);
	nwg_hub_record_free(rec);
	return r < 0 ? fail("repo save", r, &t->err) : 0;
}

static const struct tool_cmd cmds[] = {
    {"create", 1, cmd_create},
    {"delete", 2, cmd_delete},
    {"exists", 2, cmd_exists},
    {"move", 3, cmd_move},
    {"set-key", 2, cmd_set_key},
    {"set-port", 3, cmd_set_port},
    {"add-peer", 4, cmd_add_peer},
    {"set-peers-many", 3, cmd_set_peers_many},
    {"get", 2, cmd_get},
    {"peers", 2, cmd_peers},
    {"addr", 3, cmd_addr},
    {"up", 2, cmd_up},
    {"down", 2, cmd_down},
    {"repo-format", 3, cmd_repo_format},
    {"repo-save", 4, cmd_repo_save},
};

int main(int argc, char **argv)
{
	struct nwg_backend_opts o = {.kind = NWG_BACKEND_USERSPACE};
	struct tool t = {0};
	int i = 1, rc;

	if (argc > 2 && strcmp(argv[1], "-b") == 0) {
		if (nwg_backend_parse(argv[2], &o.kind) < 0)
			return usage();
		i = 3;
	}
	if (i >= argc)
		return usage();
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		if (strcmp(argv[i], cmds[c].name) != 0)
			continue;
		if (argc - i - 1 < cmds[c].min_args)
			return usage();
		rc = nwg_backend_open(&t.b, &o, &t.err);
		if (rc < 0)
			return fail("backend", rc, &t.err);
		t.argc = argc - i - 1;
		rc = cmds[c].fn(&t, argv + i + 1);
		nwg_backend_close(t.b);
		return rc;
	}
	return usage();
}
