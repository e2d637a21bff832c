/* SPDX-License-Identifier: Apache-2.0 */
/* `neutron-wireguard ha activate`: keepalived's notify_master step; with
 * --renew its notify_master_rx_lower_pri step (a split brain healed: this
 * node won, and devices may hold sessions with the node that lost). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ha_cli.h"
#include "nwg/ha.h"

struct act_args {
	const char *ifname, *from;
	struct nwg_ha_activate_opts o;
	uint16_t restore;
	long settle_ms;
	bool renew;
};

static int parse(int argc, char **argv, struct act_args *a)
{
	static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
					     {"keepalive", required_argument, NULL, 'k'},
					     {"pace", required_argument, NULL, 'p'},
					     {"restore", required_argument, NULL, 'r'},
					     {"settle-ms", required_argument, NULL, 's'},
					     {"renew", no_argument, NULL, 'n'},
					     {NULL, 0, NULL, 0}};
	uint16_t v;
	int c;

	*a = (struct act_args){.o = {.keepalive = 1, .pace = 8}, .settle_ms = 3000};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f')
			a->from = optarg;
		else if (c == 'k' && nwgcli_ha_u16(optarg, 1, &a->o.keepalive) == 0)
			continue;
		else if (c == 'p' && nwgcli_ha_u16(optarg, 1, &v) == 0)
			a->o.pace = v;
		else if (c == 'r' && nwgcli_ha_u16(optarg, 0, &a->restore) == 0)
			continue;
		else if (c == 's' && nwgcli_ha_u16(optarg, 0, &v) == 0)
			a->settle_ms = v;
		else if (c == 'n')
			a->renew = true;
		else
			return -EINVAL;
	}
	if (optind != argc - 1 || (!a->from && !a->renew))
		return -EINVAL;
	a->ifname = argv[optind];
	return 0;
}

static long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Waits until every activated peer has a fresh handshake, or settle_ms;
 * returns how many have one. */
static int settle(struct nwg_backend *b, const struct act_args *a, const struct timespec *t0,
		  int want)
{
	struct timespec tick = {0, 20 * 1000000L}, start;
	int k = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((k = nwg_ha_handshaken(b, a->ifname, NULL, t0, NULL)) < want &&
	       ms_since(&start) < a->settle_ms)
		nanosleep(&tick, NULL);
	return k;
}

/* The list to activate: --from FILE, or (--renew alone) the hub's own
 * current endpoints. */
static int load(struct nwg_backend *b, const struct act_args *a, struct nwg_ha_ep **v, size_t *n,
		struct nwg_err *err)
{
	struct nwg_device *dev = NULL;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (a->from) {
		r = nwgcli_read_input(a->from, &text, &len, err);
		if (r >= 0)
			r = nwg_ha_parse(text, len, v, n, err);
		free(text);
		return r;
	}
	r = nwg_wg_get(b, a->ifname, NULL, &dev, err);
	if (r >= 0)
		r = nwg_ha_snapshot(dev, v, n);
	nwg_device_free(dev);
	return r;
}

int nwgcli_ha_activate(int argc, char **argv)
{
	struct nwg_backend *b = NULL;
	struct nwg_ha_ep *v = NULL;
	struct nwg_err err = {{0}};
	struct act_args a;
	struct timespec t0, m0;
	size_t n = 0;
	int r;

	if (parse(argc, argv, &a) < 0)
		return NWGCLI_USAGE;
	clock_gettime(CLOCK_REALTIME, &t0);
	t0.tv_sec -= 1; /* handshake times have a one-second grain on some backends */
	r = nwgcli_ha_backend(&b, &err);
	if (r >= 0)
		r = load(b, &a, &v, &n, &err);
	clock_gettime(CLOCK_MONOTONIC, &m0);
	/* renew: drop every session first, so each device gets a handshake
	 * from this node even if it holds a fresh session with the other */
	if (r >= 0 && a.renew)
		r = nwg_ha_deactivate(b, a.ifname, NULL, a.restore, &err);
	if (r >= 0)
		r = nwg_ha_activate(b, a.ifname, NULL, v, n, &a.o, &err);
	if (r >= 0) {
		int set = r, k;

		printf("%s: active%s, %d of %zu endpoints set in %ld ms (pace %u)\n", a.ifname,
		       a.renew ? " (renewed)" : "", set, n, ms_since(&m0), a.o.pace);
		fflush(stdout);
		k = settle(b, &a, &t0, set);
		printf("%s: %d of %d handshaken after %ld ms\n", a.ifname, k < 0 ? 0 : k, set,
		       ms_since(&m0));
		r = nwg_ha_restore_keepalive(b, a.ifname, NULL, a.restore, &err);
	}
	if (r < 0)
		fprintf(stderr, NWGCLI_PROG " ha activate: %s\n",
			err.msg[0] ? err.msg : strerror(-r));
	free(v);
	nwg_backend_close(b);
	return r < 0 ? NWGCLI_FAIL : NWGCLI_OK;
}
