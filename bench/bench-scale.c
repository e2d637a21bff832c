/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench-scale: one hub with N spokes realised by the agent's own sync pass
 * (userspace backend, --desired-file path: parse, actual read, plan, exec,
 * record), for each N given. Per N: the first realisation, an in-sync pass
 * answered in full (insync_full_ms, median of 3) and one answered
 * "unchanged" by get_hubs 1.2 (insync_ms, median of 3; the agent applied the
 * answer's digest), and one spoke moved / added / removed (targeted pass,
 * median of the three),
 * side by side with the baseline a naive agent pays for the same change:
 * re-applying the whole peer list (REPLACE_PEERS, N peers) in one set.
 * Run inside a scratch namespace (scale.sh does it); root only.
 * Usage: bench-scale WORKDIR TAG N...
 * Prints "scale N=<n> create_ms=.. insync_ms=.. insync_full_ms=.. change_ms=..
 * replace_ms=.. change_vs_replace=.. answer_bytes=.. unchanged_bytes=.. decode_ms=.."
 * (decode_ms: jansson's decode of the full answer's text, which the
 * unchanged answer also saves; the passes themselves get the JSON decoded).
 * Then one change (move, add, remove; median) including the decode of the
 * answer's text, answered in full (get_hubs 1.2, the baseline) and as a
 * delta on the answer the agent kept (1.3):
 * "delta N=<n> change_full_ms=.. change_delta_ms=.. delta_vs_full=..
 *  full_bytes=.. delta_bytes=.. kept_spokes=.. kept_bytes_per_spoke=.."
 * (the kept state: the parsed spokes the agent patches, agent/sync/sync_delta.c)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "agent.h"
#include "core/cmdline.h"
#include "core/setup.h"
#include "nwg/key.h"
#include "nwg/wg.h"
#include "reconcile/plan.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char hub_id[40], project[40];

static json_t *spoke(size_t i, const char *pub)
{
	char ip[32], id[48];

	snprintf(ip, sizeof(ip), "100.%zu.%zu.%zu/32", 64 + i / 65536, (i / 256) % 256, i % 256);
	snprintf(id, sizeof(id), "5b0e0000-0000-4000-8000-%012zx", i);
	return json_pack("{s:s, s:s, s:[s], s:n, s:n}", "port_id", id, "public_key", pub,
			 "allowed_ips", ip, "endpoint", "persistent_keepalive");
}

static void random_pub(char out[NWG_KEY_B64_LEN + 1])
{
	struct nwg_key k;

	if (getrandom(k.b, sizeof(k.b), 0) != (ssize_t)sizeof(k.b))
		exit(1);
	nwg_key_to_b64(out, &k);
}

static unsigned int version; /* the answer's digest: changes with the spokes */

static json_t *desired(json_t *spokes)
{
	char digest[32];

	if (!spokes)
		return json_pack("{s:s, s:[]}", "host", "bench", "hubs");
	snprintf(digest, sizeof(digest), "bench-v%u", ++version);
	return json_pack(
	    "{s:s, s:[{s:s, s:s, s:n, s:b, s:[s], s:i, s:b, s:n, s:n, s:n, s:s, s:O}]}", "host",
	    "bench", "hubs", "port_id", hub_id, "project_id", project, "network_id",
	    "admin_state_up", 1, "fixed_ips", "10.99.0.1/24", "mtu", 1450, "root_namespace", 0,
	    "public_key", "listen_port", "router_id", "digest", digest, "spokes", spokes);
}

/* What a 1.2 server answers for the hub whose answer the agent applied last. */
static json_t *unchanged(void)
{
	char digest[32];

	snprintf(digest, sizeof(digest), "bench-v%u", version);
	return json_pack("{s:s, s:[{s:s, s:s, s:b}]}", "host", "bench", "hubs", "port_id", hub_id,
			 "digest", digest, "unchanged", 1);
}

/* Size of an answer's text and the time jansson takes to decode it. */
static size_t answer_bytes(json_t *d, double *decode_ms)
{
	char *text = json_dumps(d, JSON_COMPACT);
	size_t n = text ? strlen(text) : 0;
	double t0 = now_ms();
	json_t *back = text ? json_loads(text, 0, NULL) : NULL;

	if (decode_ms)
		*decode_ms = now_ms() - t0;
	json_decref(back);
	json_decref(d);
	free(text);
	return n;
}

/* get_hubs 1.3: the hub's fields, the changed spokes (new ref), the removed
 * id, against the answer the agent applied last. */
static json_t *delta(json_t *changed, const char *removed)
{
	char digest[32], base[32];

	snprintf(base, sizeof(base), "bench-v%u", version);
	snprintf(digest, sizeof(digest), "bench-v%u", ++version);
	return json_pack("{s:s, s:[{s:s, s:s, s:n, s:b, s:[s], s:i, s:b, s:n, s:n, s:n, s:s, "
			 "s:s, s:o, s:[s*]}]}",
			 "host", "bench", "hubs", "port_id", hub_id, "project_id", project,
			 "network_id", "admin_state_up", 1, "fixed_ips", "10.99.0.1/24", "mtu",
			 1450, "root_namespace", 0, "public_key", "listen_port", "router_id",
			 "digest", digest, "base", base, "spokes", changed, "removed", removed);
}

static double pass(struct nwg_agent *a, json_t *d, bool full);

/* A targeted pass on the answer's text: decode included (ms); its size. */
static double decode_pass(struct nwg_agent *a, json_t *answer, size_t *bytes)
{
	char *text = json_dumps(answer, JSON_COMPACT);
	double t0 = now_ms(), t;
	json_t *d;

	json_decref(answer);
	if (!text || !(d = json_loads(text, 0, NULL))) {
		fprintf(stderr, "bench-scale: cannot encode/decode the answer\n");
		exit(1);
	}
	t = now_ms() - t0;
	*bytes = strlen(text);
	free(text);
	return t + pass(a, d, false);
}

/* One pass (full, or targeted at the hub); its wall time in ms. */
static double pass(struct nwg_agent *a, json_t *d, bool full)
{
	char **ids = full ? NULL : calloc(2, sizeof(*ids));
	double t0;
	int r;

	json_decref(a->offline);
	a->offline = d;
	if (ids)
		ids[0] = strdup(hub_id);
	t0 = now_ms();
	r = nwg_sync(a, full, ids, full ? 0 : 1);
	t0 = now_ms() - t0;
	if (r < 0 || (a->hubs.n && !a->hubs.v[0].ok)) {
		fprintf(stderr, "bench-scale: pass failed (%d)\n", r);
		exit(1);
	}
	return t0;
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* The baseline: the whole peer list of the hub set again in one request. */
static double replace_all(struct nwg_agent *a, json_t *spokes)
{
	struct nwg_device *dev;
	struct nwg_err err = {{0}};
	char ifname[IFNAMSIZ], ns[64];
	double t0;

	nwg_hub_ifname(hub_id, ifname);
	snprintf(ns, sizeof(ns), "tun-%s", project);
	dev = nwg_device_new(ifname);
	dev->flags = NWG_DEV_REPLACE_PEERS;
	t0 = now_ms();
	for (size_t i = 0; i < json_array_size(spokes); i++) {
		const json_t *s = json_array_get(spokes, i);
		struct nwg_key k;
		struct nwg_peer *p;

		const char *b64 = json_string_value(json_object_get(s, "public_key"));

		nwg_key_from_b64(&k, b64, strlen(b64));
		p = nwg_device_add_peer(dev, &k);
		p->flags = NWG_PEER_REPLACE_ALLOWEDIPS;
		nwg_peer_add_allowedip(
		    p, json_string_value(json_array_get(json_object_get(s, "allowed_ips"), 0)));
	}
	if (nwg_wg_set(a->backend, ifname, ns, dev, &err) < 0) {
		fprintf(stderr, "bench-scale: replace: %s\n", err.msg);
		exit(1);
	}
	t0 = now_ms() - t0;
	nwg_device_free(dev);
	return t0;
}

/* One change, decode included: in full (1.2) vs as a delta (1.3). */
static void delta_series(struct nwg_agent *a, json_t *spokes, size_t n)
{
	char pub[NWG_KEY_B64_LEN + 1];
	double full[3], dl[3];
	size_t full_b = 0, delta_b = 0, merged = a->dcache.n_merged, kept;
	json_t *s;

	json_array_set_new(json_object_get(json_array_get(spokes, n / 3), "allowed_ips"), 0,
			   json_string("100.127.255.2/32"));
	full[0] = decode_pass(a, desired(spokes), &full_b);
	random_pub(pub);
	json_array_append_new(spokes, spoke(n + 2, pub));
	full[1] = decode_pass(a, desired(spokes), &full_b);
	json_array_remove(spokes, 0);
	full[2] = decode_pass(a, desired(spokes), &full_b);
	s = json_array_get(spokes, n / 4); /* move */
	json_array_set_new(json_object_get(s, "allowed_ips"), 0, json_string("100.127.255.3/32"));
	dl[0] = decode_pass(a, delta(json_pack("[O]", s), NULL), &delta_b);
	random_pub(pub); /* add */
	json_array_append_new(spokes, spoke(n + 3, pub));
	dl[1] = decode_pass(
	    a, delta(json_pack("[O]", json_array_get(spokes, json_array_size(spokes) - 1)), NULL),
	    &delta_b);
	s = json_array_get(spokes, 0); /* remove */
	dl[2] = decode_pass(
	    a, delta(json_array(), json_string_value(json_object_get(s, "port_id"))), &delta_b);
	json_array_remove(spokes, 0);
	if (a->dcache.n_merged != merged + 3) {
		fprintf(stderr, "bench-scale: the deltas were not applied as deltas\n");
		exit(1);
	}
	qsort(full, 3, sizeof(double), cmp_d);
	qsort(dl, 3, sizeof(double), cmp_d);
	kept = a->dcache.n_spokes;
	printf("delta N=%zu change_full_ms=%.1f change_delta_ms=%.1f delta_vs_full=%.3f "
	       "full_bytes=%zu delta_bytes=%zu kept_spokes=%zu kept_bytes_per_spoke=%zu\n",
	       n, full[1], dl[1], full[1] > 0 ? dl[1] / full[1] : 0, full_b, delta_b, kept,
	       kept ? nwg_delta_bytes(&a->dcache) / kept : 0);
}

static void series(struct nwg_agent *a, size_t n)
{
	json_t *spokes = json_array();
	char pub[NWG_KEY_B64_LEN + 1];
	double create, insync[3], insync_full[3], change[3], replace, decode_ms = 0;
	size_t full_b, unch_b;

	for (size_t i = 0; i < n; i++) {
		random_pub(pub);
		json_array_append_new(spokes, spoke(i, pub));
	}
	create = pass(a, desired(spokes), true);
	for (int i = 0; i < 3; i++) /* answered in full (as a 1.1 server does) */
		insync_full[i] = pass(a, desired(spokes), true);
	version--; /* the same answer: the same digest */
	full_b = answer_bytes(desired(spokes), &decode_ms);
	unch_b = answer_bytes(unchanged(), NULL);
	for (int i = 0; i < 3; i++) /* answered unchanged (1.2) */
		insync[i] = pass(a, unchanged(), true);
	/* move spoke n/2 */
	json_array_set_new(json_object_get(json_array_get(spokes, n / 2), "allowed_ips"), 0,
			   json_string("100.127.255.1/32"));
	change[0] = pass(a, desired(spokes), false);
	random_pub(pub); /* add one */
	json_array_append_new(spokes, spoke(n + 1, pub));
	change[1] = pass(a, desired(spokes), false);
	json_array_remove(spokes, 0); /* remove one */
	change[2] = pass(a, desired(spokes), false);
	delta_series(a, spokes, n);
	replace = replace_all(a, spokes);
	pass(a, desired(spokes), true); /* back in sync after the baseline */
	qsort(insync, 3, sizeof(double), cmp_d);
	qsort(insync_full, 3, sizeof(double), cmp_d);
	qsort(change, 3, sizeof(double), cmp_d);
	printf("scale N=%zu create_ms=%.1f insync_ms=%.1f insync_full_ms=%.1f change_ms=%.1f "
	       "replace_ms=%.1f change_vs_replace=%.3f answer_bytes=%zu unchanged_bytes=%zu "
	       "decode_ms=%.1f\n",
	       n, create, insync[1], insync_full[1], change[1], replace,
	       replace > 0 ? change[1] / replace : 0, full_b, unch_b, decode_ms);
	fflush(stdout);
	pass(a, desired(NULL), true); /* the hub is deleted */
	json_decref(spokes);
}

int main(int argc, char **argv)
{
	char ini[512], dfile[512],
	    *args[] = {"bench-scale", "--config-file", ini, "--desired-file", dfile, NULL};
	struct nwg_cmdline cl;
	struct nwg_err err = {{0}};
	struct nwg_agent a;
	FILE *f;

	if (argc < 4) {
		fprintf(stderr, "usage: bench-scale WORKDIR TAG N...\n");
		return 2;
	}
	snprintf(hub_id, sizeof(hub_id), "5ca1e%03d-0000-4000-8000-000000000001",
		 atoi(argv[2]) % 1000);
	snprintf(project, sizeof(project), "nwgscale%s", argv[2]);
	snprintf(ini, sizeof(ini), "%s/agent.ini", argv[1]);
	snprintf(dfile, sizeof(dfile), "%s/desired.json", argv[1]);
	if (!(f = fopen(ini, "w")))
		return 1;
	fprintf(f,
		"[DEFAULT]\nhost = bench-scale\n[wireguard]\nWG_HUB_IP = 192.0.2.1\n"
		"backend = userspace\nstate_path = %s/state\nlisten_port_range = 53400:53499\n"
		"control_socket = %s/agent.sock\n"
		"mass_delete_percent = 0\n" /* each series ends by deleting its hub */
		"delta_min_spokes = 1\n",   /* get_hubs 1.3: every answer kept */
		argv[1], argv[1]);
	fclose(f);
	if (!(f = fopen(dfile, "w")))
		return 1;
	fputs("{\"host\": \"bench\", \"hubs\": []}\n", f);
	fclose(f);
	if (nwg_cmdline_parse(&cl, 5, args, &err) < 0 || nwg_agent_setup(&a, &cl) != 0) {
		fprintf(stderr, "bench-scale: setup failed %s\n", err.msg);
		return 1;
	}
	for (int i = 3; i < argc; i++)
		series(&a, (size_t)strtoul(argv[i], NULL, 10));
	nwg_agent_teardown(&a);
	return 0;
}
