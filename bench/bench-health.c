/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-health: one health pass of the agent over N spokes (each on two
 * hubs, so 2N observations) in steady state (everything already reported):
 * prune + diff, as agent/health/health_run.c runs them every health_interval on
 * the loop. Side by side with the baseline, the same pass done pairwise
 * (each observation compared with every other and with every table entry,
 * what the table did before it was sorted). No root, no network.
 * Usage: bench-health N...
 * Prints "health N=<n> pass_ms=.. pairwise_ms=.. ratio=.."
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "health/health.h"

#define NOW   1700000000
#define STALE 180

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The baseline: the pairwise pass (prune, first-of, lookups by scan). */
static size_t pairwise(char **tab, const int *st, size_t nt, const struct nwg_health_obs *obs,
		       size_t n)
{
	size_t kept = 0, changes = 0;

	for (size_t i = 0; i < nt; i++) {
		for (size_t j = 0; j < n; j++) {
			if (strcmp(obs[j].port_id, tab[i]) == 0) {
				kept++;
				break;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		bool first = true, up = false;
		int was = 0;

		for (size_t j = 0; j < n && first; j++) {
			if (strcmp(obs[j].port_id, obs[i].port_id))
				continue;
			first = j >= i;
			up |= obs[j].handshake > 0 && NOW - obs[j].handshake < STALE;
		}
		for (size_t k = 0; first && k < nt; k++) {
			if (strcmp(tab[k], obs[i].port_id) == 0) {
				was = st[k];
				break;
			}
		}
		changes += first && was != (up ? NWG_HEALTH_UP : NWG_HEALTH_DOWN);
	}
	return kept + changes;
}

static void series(size_t n)
{
	struct nwg_health_obs *obs = calloc(2 * n, sizeof(*obs));
	char **tab = calloc(n, sizeof(*tab));
	int *st = calloc(n, sizeof(*st));
	struct nwg_health h = {0};
	struct nwg_health_changes c;
	double t0, pass, base;
	size_t sink;

	if (!obs || !tab || !st)
		exit(1);
	for (size_t i = 0; i < n; i++) {
		tab[i] = malloc(64);
		snprintf(tab[i], 64, "5b0e%04zx-0000-4000-8000-%012zx", (i * 7919) % 65536, i);
		st[i] = i % 3 ? NWG_HEALTH_UP : NWG_HEALTH_DOWN;
		nwg_health_set(&h, tab[i], (enum nwg_health_state)st[i]);
	}
	for (size_t i = 0; i < 2 * n; i++) { /* hub A then hub B; fresh where UP */
		size_t s = i % n;

		obs[i].port_id = tab[s];
		obs[i].handshake = (i < n && st[s] == NWG_HEALTH_UP) ? NOW - 10 : 0;
	}
	t0 = now_ms();
	nwg_health_prune(&h, obs, 2 * n);
	if (nwg_health_diff(&h, obs, 2 * n, NOW, STALE, &c) < 0)
		exit(1);
	pass = now_ms() - t0;
	if (c.n_up || c.n_down) {
		fprintf(stderr, "bench-health: steady state expected, %zu changes\n",
			c.n_up + c.n_down);
		exit(1);
	}
	nwg_health_changes_free(&c);
	t0 = now_ms();
	sink = pairwise(tab, st, n, obs, 2 * n);
	base = now_ms() - t0;
	if (sink != n) {
		fprintf(stderr, "bench-health: baseline disagrees (%zu)\n", sink);
		exit(1);
	}
	printf("health N=%zu pass_ms=%.2f pairwise_ms=%.1f ratio=%.4f\n", n, pass, base,
	       base > 0 ? pass / base : 0);
	fflush(stdout);
	nwg_health_clear(&h);
	for (size_t i = 0; i < n; i++)
		free(tab[i]);
	free(tab);
	free(st);
	free(obs);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-health N...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		series((size_t)strtoul(argv[i], NULL, 10));
	return 0;
}
