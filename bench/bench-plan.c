/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-plan: the engine's share of one spoke change on a realized hub with N
 * spokes, offline (no root, no wireguard-go, no Neutron): the targeted
 * get_hubs answer is decoded (JSON), validated (nwg_desired_parse), the
 * actual state is copied out of the per-hub cache (nwg_acache_actual: device
 * peers sorted by key, the record as saved) and the change is planned
 * (nwg_plan_build). Median of R rounds per
 * phase, so the O(n) parts show in the 100 / 1,000 / 10,000 series.
 * Usage: bench-plan [ROUNDS] N...
 * Prints "plan N=<n> json_ms=.. parse_ms=.. cache_ms=.. plan_ms=.. total_ms=.. ops=.."
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "nwg/key.h"
#include "nwg/wg.h"
#include "reconcile/actual.h"
#include "reconcile/cache.h"
#include "reconcile/desired.h"
#include "reconcile/plan.h"
#include "reconcile/record.h"

#define HUB  "b0b0b0b0-0000-4000-8000-000000000001"
#define PROJ "benchproject"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-plan: %s\n", what);
	exit(1);
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static int cmp_spoke(const void *x, const void *y)
{
	const struct nwg_dspoke *const *a = x, *const *b = y;

	return memcmp((*a)->public_key.b, (*b)->public_key.b, sizeof((*a)->public_key.b));
}

/* The answer: spoke i has key keys[i] and 100.x.y.z/32; `moved` gets another
 * address. Returned as JSON text (what the agent receives). */
static char *answer(const struct nwg_key *keys, size_t n, size_t moved, const char *hubpub)
{
	json_t *spokes = json_array(), *top;
	char *txt;

	for (size_t i = 0; i < n; i++) {
		char b64[NWG_KEY_B64_LEN + 1], ip[32], id[48];

		nwg_key_to_b64(b64, &keys[i]);
		snprintf(ip, sizeof(ip), "%u.%zu.%zu.%zu/32", i == moved ? 101u : 100u,
			 64 + i / 65536, (i / 256) % 256, i % 256);
		snprintf(id, sizeof(id), "5b0e0000-0000-4000-8000-%012zx", i);
		json_array_append_new(spokes, json_pack("{s:s, s:s, s:[s], s:n, s:n}", "port_id",
							id, "public_key", b64, "allowed_ips", ip,
							"endpoint", "persistent_keepalive"));
	}
	top = json_pack("{s:[{s:s, s:s, s:[s], s:i, s:s, s:i, s:o}]}", "hubs", "port_id", HUB,
			"project_id", PROJ, "fixed_ips", "10.99.0.1/24", "mtu", 1450, "public_key",
			hubpub, "listen_port", 51820, "spokes", spokes);
	txt = json_dumps(top, JSON_COMPACT);
	json_decref(top);
	if (!txt)
		die("out of memory");
	return txt;
}

/* The realized hub as the cache holds it: record + link with sorted peers. */
static struct nwg_actual *realized(const struct nwg_desired *d, const struct nwg_key *priv)
{
	const struct nwg_dhub *h = &d->hubs[0];
	struct nwg_key pub;
	struct nwg_record_spec spec = {.hub = h,
				       .ifname = "wg-b0b0b0b0-00",
				       .netns = "tun-" PROJ,
				       .home_netns = "tun-" PROJ,
				       .mtu = 1420,
				       .public_key = &pub,
				       .listen_port = 51820};
	struct nwg_actual *a = nwg_actual_new();
	struct nwg_device *dev = nwg_device_new("wg-b0b0b0b0-00");
	const struct nwg_dspoke **sorted = calloc(h->n_spokes + 1, sizeof(*sorted));
	struct nwg_alink *l;

	if (nwg_key_public(&pub, priv) < 0)
		die("bad key");
	if (!a || !dev || !sorted || nwg_actual_add_record(a, nwg_hub_view_build(&spec)) < 0 ||
	    !(l = nwg_actual_add_link(a)))
		die("out of memory");
	dev->private_key = *priv;
	nwg_key_public(&dev->public_key, priv);
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_PUBLIC_KEY | NWG_DEV_HAS_LISTEN_PORT;
	dev->listen_port = 51820;
	for (size_t i = 0; i < h->n_spokes; i++)
		sorted[i] = &h->spokes[i];
	qsort(sorted, h->n_spokes, sizeof(*sorted), cmp_spoke);
	for (size_t i = 0; i < h->n_spokes; i++) {
		const struct nwg_dspoke *s = sorted[i];
		char buf[NWG_IPNET_STRLEN];
		struct nwg_peer *p = nwg_device_add_peer(dev, &s->public_key);

		if (!p || nwg_ipnet_format(&s->allowed[0], buf, sizeof(buf)) < 0 ||
		    nwg_peer_add_allowedip(p, buf) < 0)
			die("device");
	}
	free(sorted);
	snprintf(l->port_id, sizeof(l->port_id), "%s", HUB);
	snprintf(l->ifname, sizeof(l->ifname), "%s", "wg-b0b0b0b0-00");
	snprintf(l->netns, sizeof(l->netns), "%s", "tun-" PROJ);
	l->mtu = 1420;
	l->dev = dev;
	return a;
}

static void series(size_t n, int rounds)
{
	struct nwg_key *keys = calloc(n, sizeof(*keys)), priv, pub;
	double *tj = calloc(rounds, sizeof(double)), *tp = calloc(rounds, sizeof(double));
	double *tl = calloc(rounds, sizeof(double)), *tt = calloc(rounds, sizeof(double));
	double *tc = calloc(rounds, sizeof(double));
	struct nwg_acache cache = {0};
	const char *scope[] = {HUB};
	struct nwg_plan_opts o = {
	    .ns_prefix = "tun-", .underlay_mtu = 1500, .scope = scope, .n_scope = 1};
	struct nwg_desired *d0 = NULL;
	struct nwg_actual *a;
	char hubpub[NWG_KEY_B64_LEN + 1], *txt;
	size_t ops = 0;

	if (!keys || !tj || !tp || !tl || !tt || !tc ||
	    getrandom(keys, n * sizeof(*keys), 0) != (ssize_t)(n * sizeof(*keys)) ||
	    getrandom(priv.b, sizeof(priv.b), 0) != (ssize_t)sizeof(priv.b))
		die("setup");
	nwg_key_public(&pub, &priv);
	nwg_key_to_b64(hubpub, &pub);
	txt = answer(keys, n, n, hubpub);
	if (nwg_desired_parse_text(txt, strlen(txt), &d0, NULL) < 0 || d0->hubs[0].n_spokes != n)
		die("parse");
	free(txt);
	a = realized(d0, &priv);
	if (nwg_acache_fill(&cache, a, true) < 0 || cache.n != 1)
		die("cache");
	txt = answer(keys, n, n / 2, hubpub); /* one spoke moved */
	for (int r = 0; r < rounds; r++) {
		struct nwg_desired *d = NULL;
		struct nwg_actual *ca = NULL;
		struct nwg_plan *p = NULL;
		json_error_t jerr;
		double t0 = now_ms(), t1, t2, tm, t3;
		json_t *j = json_loadb(txt, strlen(txt), JSON_REJECT_DUPLICATES, &jerr);

		t1 = now_ms();
		if (!j || nwg_desired_parse(j, &d, NULL) < 0)
			die("parse");
		t2 = now_ms();
		if (nwg_acache_actual(&cache, scope, 1, &ca) != 1)
			die("cache miss");
		tm = now_ms();
		if (nwg_plan_build(d, ca, &o, &p) < 0 || p->n != 1)
			die("plan");
		t3 = now_ms();
		ops = p->acts[0].n_peer_ops;
		tj[r] = t1 - t0;
		tp[r] = t2 - t1;
		tc[r] = tm - t2;
		tl[r] = t3 - tm;
		tt[r] = t3 - t0;
		nwg_plan_free(p);
		nwg_desired_free(d);
		nwg_actual_free(ca);
		json_decref(j);
	}
	qsort(tj, rounds, sizeof(double), cmp_d);
	qsort(tp, rounds, sizeof(double), cmp_d);
	qsort(tc, rounds, sizeof(double), cmp_d);
	qsort(tl, rounds, sizeof(double), cmp_d);
	qsort(tt, rounds, sizeof(double), cmp_d);
	printf("plan N=%zu json_ms=%.2f parse_ms=%.2f cache_ms=%.2f plan_ms=%.2f total_ms=%.2f "
	       "ops=%zu\n",
	       n, tj[rounds / 2], tp[rounds / 2], tc[rounds / 2], tl[rounds / 2], tt[rounds / 2],
	       ops);
	fflush(stdout);
	free(txt);
	nwg_acache_clear(&cache);
	nwg_actual_free(a);
	nwg_desired_free(d0);
	free(keys);
	free(tj);
	free(tp);
	free(tc);
	free(tl);
	free(tt);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 0;

	if (argc < 3 || rounds < 1) {
		fprintf(stderr, "usage: bench-plan ROUNDS N...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++)
		series(strtoul(argv[i], NULL, 10), rounds);
	return 0;
}
