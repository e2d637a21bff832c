/* SPDX-License-Identifier: Apache-2.0 */
/* The HA endpoint stream beyond one datagram: cutting a snapshot's list into
 * chunks at line ends, and putting a snapshot back together on the receiver
 * (all of its chunks or nothing; never a mix of two snapshots). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/ha.h"

int nwg_ha_split(const char *text, size_t len, size_t room, size_t **ends, size_t *n)
{
	/* two neighbouring pieces together exceed room: at most 2 len / room + 1 */
	size_t *v, k = 0, start = 0, cap = 2 * (len / (room ? room : 1)) + 2;

	if ((!text && len) || !ends || !n || !room)
		return -EINVAL;
	if (len && text[len - 1] != '\n')
		return -EINVAL;
	v = malloc(cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	/* greedy: a piece takes whole lines while they fit in room */
	while (start < len || k == 0) {
		size_t end = start;

		while (end < len) {
			const char *nl = memchr(text + end, '\n', len - end);
			size_t next = (size_t)(nl - text) + 1;

			if (next - start > room)
				break;
			end = next;
		}
		if (end == start && start < len) {
			free(v);
			return -EMSGSIZE; /* one line longer than room */
		}
		if (k == cap || k >= NWG_HA_CHUNKS_MAX) {
			free(v);
			return -EMSGSIZE;
		}
		v[k++] = end;
		if (end == len)
			break;
		start = end;
	}
	*ends = v;
	*n = k;
	return 0;
}

void nwg_ha_asm_init(struct nwg_ha_asm *a)
{
	memset(a, 0, sizeof(*a));
}

/* Drops the partial snapshot (not `done`). */
static void asm_reset(struct nwg_ha_asm *a)
{
	for (uint32_t i = 0; a->piece && i < a->total; i++)
		free(a->piece[i]);
	free(a->piece);
	free(a->plen);
	a->piece = NULL;
	a->plen = NULL;
	a->seq = 0;
	a->total = a->have = 0;
}

void nwg_ha_asm_free(struct nwg_ha_asm *a)
{
	if (a)
		asm_reset(a);
}

static int asm_start(struct nwg_ha_asm *a, uint64_t seq, uint32_t total)
{
	asm_reset(a);
	a->piece = calloc(total, sizeof(*a->piece));
	a->plen = calloc(total, sizeof(*a->plen));
	if (!a->piece || !a->plen) {
		asm_reset(a);
		return -ENOMEM;
	}
	a->seq = seq;
	a->total = total;
	return 0;
}

/* The complete snapshot, in chunk order, into one NUL-terminated text. */
static int asm_join(struct nwg_ha_asm *a, char **out, size_t *outlen)
{
	size_t len = 0, off = 0;
	char *s;

	for (uint32_t i = 0; i < a->total; i++)
		len += a->plen[i];
	s = malloc(len + 1);
	if (!s)
		return -ENOMEM;
	for (uint32_t i = 0; i < a->total; i++) {
		memcpy(s + off, a->piece[i], a->plen[i]);
		off += a->plen[i];
	}
	s[len] = '\0';
	*out = s;
	*outlen = len;
	return 0;
}

int nwg_ha_asm_add(struct nwg_ha_asm *a, uint64_t seq, const struct nwg_ha_chunk *c, char *text,
		   size_t len, char **out, size_t *outlen)
{
	int r = 0;

	if (!a || !c || !out || !outlen || (!text && len) || !c->total ||
	    c->total > NWG_HA_CHUNKS_MAX || c->idx >= c->total)
		r = -EINVAL;
	else if (seq <= a->done || (a->seq && seq < a->seq))
		r = -ESTALE;
	else if (seq == a->seq && c->total != a->total)
		r = -EINVAL;
	else if (seq == a->seq && a->piece[c->idx])
		r = -EALREADY;
	else if (seq != a->seq)
		r = asm_start(a, seq, c->total); /* a newer snapshot: the partial one goes */
	if (r < 0) {
		free(text);
		return r;
	}
	a->piece[c->idx] = text ? text : strdup("");
	if (!a->piece[c->idx])
		return -ENOMEM;
	a->plen[c->idx] = len;
	if (++a->have < a->total)
		return 0;
	r = asm_join(a, out, outlen);
	if (r < 0)
		return r;
	a->done = seq;
	asm_reset(a);
	return 1;
}

uint64_t nwg_ha_asm_floor(const struct nwg_ha_asm *a, uint64_t now_us)
{
	const uint64_t age = (uint64_t)NWG_HA_MAX_AGE_S * 1000000U;
	uint64_t floor = now_us > age ? now_us - age : 0;

	return a && a->done > floor ? a->done : floor;
}

int nwg_ha_asm_open(struct nwg_ha_asm *a, const uint8_t *msg, size_t len, const char *hub,
		    uint64_t now_us, const struct nwg_key *own_priv, const struct nwg_key *peer_pub,
		    char **out, size_t *outlen, struct nwg_err *err)
{
	struct nwg_ha_chunk c;
	char *text = NULL;
	size_t tlen = 0;
	uint64_t seq = 0;
	int r;

	if (!a || !out || !outlen)
		return nwg_err_set(err, EINVAL, "stream: bad arguments");
	r = nwg_ha_msg_open(&text, &tlen, &seq, &c, msg, len, hub, nwg_ha_asm_floor(a, now_us),
			    own_priv, peer_pub, err);
	if (r < 0)
		return r;
	r = nwg_ha_asm_add(a, seq, &c, text, tlen, out, outlen);
	if (r < 0)
		nwg_err_set(err, -r, "stream: %s",
			    r == -EALREADY ? "a duplicate chunk"
			    : r == -ESTALE ? "a chunk of an older snapshot"
			    : r == -EINVAL ? "a chunk whose total differs from its snapshot's"
					   : "cannot keep the chunk");
	return r;
}
