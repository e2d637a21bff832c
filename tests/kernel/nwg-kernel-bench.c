/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nwg-kernel-bench: run inside the QEMU guest by bench/bench-kernel.sh.
 * The same full resync of H hubs with S spokes each, two ways:
 *
 *   lib  H S P   through libnwg's kernel backend: per hub, create, alias,
 *                key + port + S peers, move into one of P project
 *                namespaces, address, MTU, up; then a warm resync (read every
 *                hub back and compare, nothing to change)
 *   old  H S P   the old way, one `ip`/`wg` process per step: ip link add,
 *                ip link set alias, wg set key+port, one `wg set peer` per
 *                spoke, ip link set netns, ip addr add, ip link set mtu,
 *                ip link set up; warm resync = `wg show dump` + `ip addr
 *                show` per hub
 *   clean P      deletes the P namespaces and the hubs in them
 *   rusage -- CMD ARGS   runs CMD, prints its wall time and CPU time
 *
 * Keys are derived from the hub/spoke index (deterministic, identical for
 * both ways); key generation is not part of the timing. Output lines:
 *   BENCH <way> <phase> hubs=H spokes=S wall=<s> user=<s> sys=<s> procs=<n>
 * Hub i: wg-b<i>, namespace tun-bench<i % P>, 10.<100+i/250>.<i%250>.1/24,
 * port 20000+i (lib) or 40000+i (old).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nwg/err.h"
#include "nwg/key.h"
#include "nwg/netns.h"
#include "nwg/rtnl.h"
#include "nwg/wg.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

struct meter {
	double t0;
	struct rusage self, kids;
	unsigned long procs;
};

static void meter_start(struct meter *m)
{
	getrusage(RUSAGE_SELF, &m->self);
	getrusage(RUSAGE_CHILDREN, &m->kids);
	m->procs = 0;
	m->t0 = now_s();
}

/* CPU = this process + its (waited-for) children since meter_start. */
static void meter_print(const struct meter *m, const char *way, const char *phase, int h, int s)
{
	struct rusage self, kids;
	double wall = now_s() - m->t0, user, sys;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	user = tv_s(self.ru_utime) - tv_s(m->self.ru_utime) + tv_s(kids.ru_utime) -
	       tv_s(m->kids.ru_utime);
	sys = tv_s(self.ru_stime) - tv_s(m->self.ru_stime) + tv_s(kids.ru_stime) -
	      tv_s(m->kids.ru_stime);
	printf("BENCH %s %s hubs=%d spokes=%d wall=%.2f user=%.2f sys=%.2f procs=%lu\n", way, phase,
	       h, s, wall, user, sys, m->procs);
}

/* ---- the workload ------------------------------------------------------------- */

struct hub {
	char ifn[IFNAMSIZ], ns[32], alias[64], cidr[32], keyfile[64];
	struct nwg_key priv;
	uint16_t port;
};

static void det_key(struct nwg_key *k, unsigned int a, unsigned int b)
{
	for (int i = 0; i < NWG_KEY_LEN; i++)
		k->b[i] =
		    (uint8_t)((a * 2654435761u + b * 40503u + (unsigned int)i * 97u) >> (i % 24));
	k->b[0] = (uint8_t)a;
	k->b[1] = (uint8_t)(a >> 8);
	k->b[2] = (uint8_t)b;
	k->b[3] = (uint8_t)(b >> 8);
	k->b[0] &= 248; /* clamped like a private key: also fine as a public key */
	k->b[31] = (uint8_t)((k->b[31] & 127) | 64);
}

/* port_base differs per way: sockets of just-deleted devices may linger. */
static void hub_init(struct hub *h, int i, int projects, int port_base)
{
	snprintf(h->ifn, sizeof(h->ifn), "wg-b%d", i);
	snprintf(h->ns, sizeof(h->ns), "tun-bench%d", i % projects);
	snprintf(h->alias, sizeof(h->alias), "neutron-wireguard:bench-hub-%06d", i);
	snprintf(h->cidr, sizeof(h->cidr), "10.%d.%d.1/24", 100 + i / 250, i % 250);
	snprintf(h->keyfile, sizeof(h->keyfile), "/tmp/bench-keys/%d", i);
	det_key(&h->priv, (unsigned int)i, 0xffff);
	h->port = (uint16_t)(port_base + i);
}

static void spoke_strings(int i, int j, char *pub, char *aip, char *ep)
{
	struct nwg_key k;

	det_key(&k, (unsigned int)i, (unsigned int)j);
	nwg_key_to_b64(pub, &k);
	sprintf(aip, "10.%d.%d.%d/32", 100 + i / 250, i % 250, 10 + j);
	sprintf(ep, "192.0.2.%d:%d", 1 + j, 30000 + i);
}

/* ---- lib --------------------------------------------------------------------------- */

static int lib_hub(struct nwg_backend *b, const struct hub *h, int i, int spokes,
		   struct nwg_err *err)
{
	struct nwg_device *d = nwg_device_new(h->ifn);
	struct nwg_rtnl *r = NULL;
	char pub[64], aip[32], ep[32];
	int rc, fd = -1;

	if (!d)
		return -ENOMEM;
	d->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_LISTEN_PORT | NWG_DEV_REPLACE_PEERS;
	d->private_key = h->priv;
	d->listen_port = h->port;
	for (int j = 0; j < spokes; j++) {
		struct nwg_peer *p;
		struct nwg_key k;

		spoke_strings(i, j, pub, aip, ep);
		nwg_key_from_b64(&k, pub, strlen(pub));
		p = nwg_device_add_peer(d, &k);
		if (!p || nwg_peer_add_allowedip(p, aip) < 0 ||
		    nwg_endpoint_parse(&p->endpoint, ep) < 0) {
			nwg_device_free(d);
			return -ENOMEM;
		}
		p->flags = NWG_PEER_HAS_ENDPOINT | NWG_PEER_REPLACE_ALLOWEDIPS;
	}
	rc = nwg_wg_create(b, h->ifn, err);
	if (rc == 0 && (rc = nwg_rtnl_open(&r, NULL, err)) == 0)
		rc = nwg_link_set_alias(r, h->ifn, h->alias, err);
	if (rc == 0)
		rc = nwg_wg_set(b, h->ifn, NULL, d, err);
	if (rc == 0 && (fd = rc = nwg_netns_open(h->ns, err)) >= 0)
		rc = nwg_link_move(r, h->ifn, fd, err);
	if (fd >= 0)
		close(fd);
	nwg_rtnl_close(r);
	r = NULL;
	if (rc == 0 && (rc = nwg_rtnl_open(&r, h->ns, err)) == 0) {
		rc = nwg_addr_add(r, h->ifn, h->cidr, err);
		if (rc == 0)
			rc = nwg_link_set_mtu(r, h->ifn, 1420, err);
		if (rc == 0)
			rc = nwg_link_set_up(r, h->ifn, true, err);
		nwg_rtnl_close(r);
	}
	nwg_device_free(d);
	return rc;
}

/* Warm resync: read back the hub (device + link + addresses) and compare. */
static int lib_check(struct nwg_backend *b, const struct hub *h, int spokes, struct nwg_err *err)
{
	struct nwg_device *d = NULL;
	struct nwg_rtnl *r = NULL;
	struct nwg_link l = {0};
	char **cidrs = NULL;
	int rc = nwg_wg_get(b, h->ifn, h->ns, &d, err);

	if (rc == 0 && (rc = nwg_rtnl_open(&r, h->ns, err)) == 0) {
		rc = nwg_link_get(r, h->ifn, &l, err);
		if (rc == 0)
			rc = nwg_addr_list(r, h->ifn, &cidrs, err);
		nwg_rtnl_close(r);
	}
	if (rc == 0 &&
	    (d->n_peers != (size_t)spokes || !nwg_key_equal(&d->private_key, &h->priv) ||
	     d->listen_port != h->port || !l.up || l.mtu != 1420 || !cidrs || !cidrs[0] ||
	     strcmp(cidrs[0], h->cidr) != 0 || strcmp(l.alias, h->alias) != 0))
		rc = nwg_err_set(err, EPROTO, "%s differs from what was set", h->ifn);
	nwg_strv_free(cidrs);
	nwg_device_free(d);
	return rc;
}

static int make_namespaces(int projects)
{
	struct nwg_err err = {{0}};
	char ns[32];

	for (int p = 0; p < projects; p++) {
		snprintf(ns, sizeof(ns), "tun-bench%d", p);
		if (nwg_netns_create(ns, &err) < 0) {
			fprintf(stderr, "netns %s: %s\n", ns, err.msg);
			return -1;
		}
	}
	return 0;
}

static int cmd_lib(int hubs, int spokes, int projects)
{
	struct nwg_backend_opts o = {.kind = NWG_BACKEND_KERNEL};
	struct nwg_backend *b;
	struct nwg_err err = {{0}};
	struct meter m;
	struct hub h;

	if (nwg_backend_open(&b, &o, &err) < 0) {
		fprintf(stderr, "backend: %s\n", err.msg);
		return 1;
	}
	meter_start(&m);
	if (make_namespaces(projects) < 0)
		return 1;
	for (int i = 0; i < hubs; i++) {
		hub_init(&h, i, projects, 20000);
		if (lib_hub(b, &h, i, spokes, &err) < 0) {
			fprintf(stderr, "FAIL lib hub %d: %s\n", i, err.msg);
			return 1;
		}
	}
	meter_print(&m, "lib", "create", hubs, spokes);
	meter_start(&m);
	for (int i = 0; i < hubs; i++) {
		hub_init(&h, i, projects, 20000);
		if (lib_check(b, &h, spokes, &err) < 0) {
			fprintf(stderr, "FAIL lib check hub %d: %s\n", i, err.msg);
			return 1;
		}
	}
	meter_print(&m, "lib", "warm", hubs, spokes);
	nwg_backend_close(b);
	return 0;
}

/* ---- old: one process per step ------------------------------------------------------ */

static int run(struct meter *m, const char *const *argv, int quiet)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);

			dup2(fd, 1);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	m->procs++;
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "FAIL %s %s %s %s: status %d\n", argv[0], argv[1], argv[2],
			argv[3] ? argv[3] : "", st);
		return -1;
	}
	return 0;
}

#define IP "/usr/sbin/ip"
#define WG "/usr/bin/wg"

static int write_key(const struct hub *h)
{
	char b64[NWG_KEY_B64_LEN + 2];
	FILE *f = fopen(h->keyfile, "w");

	if (!f)
		return -errno;
	nwg_key_to_b64(b64, &h->priv);
	fprintf(f, "%s\n", b64);
	return fclose(f) == 0 ? 0 : -EIO;
}

static int old_hub(struct meter *m, const struct hub *h, int i, int spokes)
{
	char port[8], pub[64], aip[32], ep[32];
	int rc;

	snprintf(port, sizeof(port), "%u", h->port);
	const char *add[] = {IP, "link", "add", h->ifn, "type", "wireguard", NULL};
	const char *al[] = {IP, "link", "set", h->ifn, "alias", h->alias, NULL};
	const char *key[] = {WG,	 "set",		h->ifn, "private-key",
			     h->keyfile, "listen-port", port,	NULL};
	const char *mv[] = {IP, "link", "set", h->ifn, "netns", h->ns, NULL};
	const char *addr[] = {IP, "-n", h->ns, "addr", "add", h->cidr, "dev", h->ifn, NULL};
	const char *mtu[] = {IP, "-n", h->ns, "link", "set", h->ifn, "mtu", "1420", NULL};
	const char *upc[] = {IP, "-n", h->ns, "link", "set", h->ifn, "up", NULL};

	if ((rc = run(m, add, 0)) < 0 || (rc = run(m, al, 0)) < 0 || (rc = run(m, key, 0)) < 0)
		return rc;
	for (int j = 0; j < spokes; j++) {
		spoke_strings(i, j, pub, aip, ep);
		const char *peer[] = {WG,  "set",      h->ifn, "peer", pub, "allowed-ips",
				      aip, "endpoint", ep,     NULL};
		if ((rc = run(m, peer, 0)) < 0)
			return rc;
	}
	if ((rc = run(m, mv, 0)) < 0 || (rc = run(m, addr, 0)) < 0 || (rc = run(m, mtu, 0)) < 0)
		return rc;
	return run(m, upc, 0);
}

static int cmd_old(int hubs, int spokes, int projects)
{
	struct meter m;
	struct hub h;

	mkdir("/tmp/bench-keys", 0700);
	for (int i = 0; i < hubs; i++) {
		hub_init(&h, i, projects, 40000);
		if (write_key(&h) < 0)
			return 1;
	}
	meter_start(&m);
	for (int p = 0; p < projects; p++) {
		char ns[32];

		snprintf(ns, sizeof(ns), "tun-bench%d", p);
		const char *add[] = {IP, "netns", "add", ns, NULL};
		if (run(&m, add, 0) < 0)
			return 1;
	}
	for (int i = 0; i < hubs; i++) {
		hub_init(&h, i, projects, 40000);
		if (old_hub(&m, &h, i, spokes) < 0)
			return 1;
	}
	meter_print(&m, "old", "create", hubs, spokes);
	meter_start(&m);
	for (int i = 0; i < hubs; i++) {
		hub_init(&h, i, projects, 40000);
		const char *dump[] = {IP, "netns", "exec", h.ns, WG, "show", h.ifn, "dump", NULL};
		const char *show[] = {IP, "-n", h.ns, "-d", "addr", "show", "dev", h.ifn, NULL};
		if (run(&m, dump, 1) < 0 || run(&m, show, 1) < 0)
			return 1;
	}
	meter_print(&m, "old", "warm", hubs, spokes);
	for (int i = 0; i < hubs; i++) {
		hub_init(&h, i, projects, 40000);
		unlink(h.keyfile);
	}
	return 0;
}

/* Deleting the namespaces destroys the hubs in them in one batch per
 * namespace (far faster than one link delete at a time). */
static int cmd_clean(int projects)
{
	struct meter m;
	char ns[32];

	meter_start(&m);
	for (int p = 0; p < projects; p++) {
		snprintf(ns, sizeof(ns), "tun-bench%d", p);
		nwg_netns_delete(ns, NULL);
	}
	meter_print(&m, "any", "delete-namespaces", 0, 0);
	return 0;
}

static int cmd_rusage(char **argv)
{
	struct meter m;
	struct rusage ru;
	int st;
	pid_t pid;

	meter_start(&m);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) < 0)
		return 1;
	printf("RUSAGE %s wall=%.2f user=%.2f sys=%.2f maxrss_kb=%ld status=%d\n", argv[0],
	       now_s() - m.t0, tv_s(ru.ru_utime), tv_s(ru.ru_stime), ru.ru_maxrss,
	       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int h = argc > 2 ? atoi(argv[2]) : 1000;
	int s = argc > 3 ? atoi(argv[3]) : 10;
	int p = argc > 4 ? atoi(argv[4]) : 100;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "rusage") && argc > 3 && !strcmp(argv[2], "--"))
		return cmd_rusage(argv + 3);
	if (!strcmp(cmd, "clean"))
		return argc == 3 && h > 0 ? cmd_clean(h) : 2;
	if (h < 1 || h > 10000 || s < 0 || s > 250 || p < 1 || p > h) {
		fprintf(stderr, "bad sizes\n");
		return 2;
	}
	if (!strcmp(cmd, "lib"))
		return cmd_lib(h, s, p);
	if (!strcmp(cmd, "old"))
		return cmd_old(h, s, p);
	fprintf(stderr, "usage: %s lib|old H S P | clean P | rusage -- CMD...\n", argv[0]);
	return 2;
}
