/* SPDX-License-Identifier: Apache-2.0 */
/* Spoke health: the pure state diff and the table of reported states. */
#include "health/health.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool fresh(int64_t hs, int64_t now, int stale)
{
	return hs > 0 && now - hs < stale;
}

/* true for the first observation of a port id; *up = fresh on any hub. */
static bool first_of(const struct nwg_health_obs *obs, size_t n, size_t i, int64_t now, int stale,
		     bool *up)
{
	*up = false;
	for (size_t j = 0; j < n; j++) {
		if (strcmp(obs[j].port_id, obs[i].port_id) != 0)
			continue;
		if (j < i)
			return false;
		*up |= fresh(obs[j].handshake, now, stale);
	}
	return true;
}

int nwg_health_diff(const struct nwg_health *prev, const struct nwg_health_obs *obs, size_t n,
		    int64_t now, int stale, struct nwg_health_changes *out)
{
	memset(out, 0, sizeof(*out));
	if (n == 0)
		return 0;
	out->up = calloc(n, sizeof(*out->up));
	out->down = calloc(n, sizeof(*out->down));
	if (!out->up || !out->down) {
		nwg_health_changes_free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		enum nwg_health_state was;
		bool up;

		if (!obs[i].port_id || !first_of(obs, n, i, now, stale, &up))
			continue;
		was = nwg_health_get(prev, obs[i].port_id);
		if (up && was != NWG_HEALTH_UP)
			out->up[out->n_up++] = obs[i].port_id;
		else if (!up && was != NWG_HEALTH_DOWN)
			out->down[out->n_down++] = obs[i].port_id;
	}
	return 0;
}

void nwg_health_changes_free(struct nwg_health_changes *c)
{
	free(c->up);
	free(c->down);
	memset(c, 0, sizeof(*c));
}

enum nwg_health_state nwg_health_get(const struct nwg_health *h, const char *port_id)
{
	for (size_t i = 0; h && i < h->n; i++) {
		if (strcmp(h->v[i].port_id, port_id) == 0)
			return h->v[i].state;
	}
	return NWG_HEALTH_UNKNOWN;
}

int nwg_health_set(struct nwg_health *h, const char *port_id, enum nwg_health_state st)
{
	struct nwg_health_ent *v;

	for (size_t i = 0; i < h->n; i++) {
		if (strcmp(h->v[i].port_id, port_id) == 0) {
			h->v[i].state = st;
			return 0;
		}
	}
	v = realloc(h->v, (h->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	h->v = v;
	if (!(v[h->n].port_id = strdup(port_id)))
		return -ENOMEM;
	v[h->n++].state = st;
	return 0;
}

void nwg_health_forget(struct nwg_health *h, const char *port_id)
{
	for (size_t i = 0; i < h->n; i++) {
		if (strcmp(h->v[i].port_id, port_id) == 0) {
			free(h->v[i].port_id);
			h->v[i] = h->v[--h->n];
			return;
		}
	}
}

static bool observed(const struct nwg_health_obs *obs, size_t n, const char *port_id)
{
	for (size_t i = 0; i < n; i++) {
		if (obs[i].port_id && strcmp(obs[i].port_id, port_id) == 0)
			return true;
	}
	return false;
}

void nwg_health_prune(struct nwg_health *h, const struct nwg_health_obs *obs, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < h->n; i++) {
		if (observed(obs, n, h->v[i].port_id))
			h->v[k++] = h->v[i];
		else
			free(h->v[i].port_id);
	}
	h->n = k;
}

void nwg_health_clear(struct nwg_health *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i].port_id);
	free(h->v);
	h->v = NULL;
	h->n = 0;
}
