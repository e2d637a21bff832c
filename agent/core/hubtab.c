/* SPDX-License-Identifier: Apache-2.0 */
#include "core/hubtab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t nwg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct nwg_hubstate *nwg_hubtab_get(struct nwg_hubtab *t, const char *port_id, bool create)
{
	struct nwg_hubstate *v;

	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].port_id, port_id) == 0)
			return &t->v[i];
	}
	if (!create)
		return NULL;
	v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	t->v = v;
	memset(&v[t->n], 0, sizeof(*v));
	snprintf(v[t->n].port_id, sizeof(v[t->n].port_id), "%s", port_id);
	v[t->n].reported_up = -1;
	return &v[t->n++];
}

void nwg_hubtab_remove(struct nwg_hubtab *t, const char *port_id)
{
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].port_id, port_id) == 0) {
			t->v[i] = t->v[t->n - 1];
			t->n--;
			return;
		}
	}
}

void nwg_hubtab_ok(struct nwg_hubstate *s)
{
	s->synced = true;
	s->ok = true;
	s->error[0] = '\0';
	s->fails = 0;
	s->retry_at_ms = 0;
}

void nwg_hubtab_fail(struct nwg_hubstate *s, int64_t now_ms, const char *error)
{
	int64_t delay = NWG_RETRY_MIN_MS;

	for (unsigned int i = 0; i < s->fails && delay < NWG_RETRY_MAX_MS; i++)
		delay *= 2;
	if (delay > NWG_RETRY_MAX_MS)
		delay = NWG_RETRY_MAX_MS;
	s->synced = true;
	s->ok = false;
	s->digest[0] = '\0';
	snprintf(s->error, sizeof(s->error), "%s", error ? error : "failed");
	s->fails++;
	s->retry_at_ms = now_ms + delay;
}

int64_t nwg_hubtab_next_retry(const struct nwg_hubtab *t)
{
	int64_t next = -1;

	for (size_t i = 0; i < t->n; i++) {
		int64_t at = t->v[i].retry_at_ms;

		if (at && (next < 0 || at < next))
			next = at;
	}
	return next;
}

char **nwg_hubtab_take_due(struct nwg_hubtab *t, int64_t now_ms)
{
	char **ids = calloc(t->n + 1, sizeof(*ids));
	size_t k = 0;

	if (!ids)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		if (!t->v[i].retry_at_ms || t->v[i].retry_at_ms > now_ms)
			continue;
		ids[k] = strdup(t->v[i].port_id);
		if (!ids[k])
			break;
		t->v[i].retry_at_ms = 0;
		k++;
	}
	return ids;
}

void nwg_hubtab_clear(struct nwg_hubtab *t)
{
	free(t->v);
	t->v = NULL;
	t->n = 0;
}
