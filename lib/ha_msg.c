/* SPDX-License-Identifier: Apache-2.0 */
/* The HA endpoint stream's datagram: crypto_box between the two agents'
 * enrollment keys (authenticated both ways), a hub name, the snapshot's
 * sequence and the chunk's place in it. */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nwg/ha.h"

#define MAGIC	  "NWGHA2"
#define MAGIC_LEN 6
/* "NWGHA2 <hub> <seq> <idx>/<total>\n": 20 digits of seq, 5 of idx/total */
#define HDR_MAX	 (MAGIC_LEN + 1 + NWG_HA_HUB_MAX + 1 + 20 + 1 + 5 + 1 + 5 + 1)
#define OVERHEAD (MAGIC_LEN + crypto_box_NONCEBYTES + crypto_box_MACBYTES)

static bool hub_ok(const char *hub)
{
	size_t n = hub ? strlen(hub) : 0;

	if (!n || n > NWG_HA_HUB_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((hub[i] >= '0' && hub[i] <= '9') || (hub[i] >= 'a' && hub[i] <= 'z') ||
		      (hub[i] >= 'A' && hub[i] <= 'Z') || hub[i] == '-' || hub[i] == '_'))
			return false;
	return true;
}

static bool chunk_ok(const struct nwg_ha_chunk *c)
{
	return c && c->total >= 1 && c->total <= NWG_HA_CHUNKS_MAX && c->idx < c->total;
}

size_t nwg_ha_chunk_room(const char *hub, size_t dgram)
{
	if (!hub_ok(hub) || dgram < NWG_HA_DGRAM_MIN || dgram > NWG_HA_MSG_MAX)
		return 0;
	return dgram - OVERHEAD - HDR_MAX;
}

int nwg_ha_msg_seal(uint8_t *out, size_t cap, size_t *outlen, const char *hub, uint64_t seq,
		    const struct nwg_ha_chunk *c, const char *text, size_t len,
		    const struct nwg_key *own_priv, const struct nwg_key *peer_pub,
		    struct nwg_err *err)
{
	size_t plen, need;
	char *plain;
	int h, r = 0;

	if (!out || !outlen || !hub_ok(hub) || !chunk_ok(c) || (!text && len) || !own_priv ||
	    !peer_pub)
		return nwg_err_set(err, EINVAL,
				   "stream: bad arguments (hub: [A-Za-z0-9_-]{1,64}, "
				   "chunk idx < total <= %d)",
				   NWG_HA_CHUNKS_MAX);
	if (sodium_init() < 0)
		return nwg_err_set(err, EIO, "stream: libsodium init failed");
	if (len > NWG_HA_MSG_MAX)
		return nwg_err_set(err, EMSGSIZE, "stream: %zu bytes do not fit one datagram", len);
	plain = malloc(HDR_MAX + len + 1);
	if (!plain)
		return nwg_err_set(err, ENOMEM, "out of memory");
	h = snprintf(plain, HDR_MAX + 1, MAGIC " %s %" PRIu64 " %" PRIu32 "/%" PRIu32 "\n", hub,
		     seq, c->idx, c->total);
	if (len)
		memcpy(plain + h, text, len);
	plen = (size_t)h + len;
	need = OVERHEAD + plen;
	if (need > cap || need > NWG_HA_MSG_MAX) {
		r = nwg_err_set(err, EMSGSIZE, "stream: %zu bytes do not fit one datagram", need);
	} else {
		uint8_t *nonce = out + MAGIC_LEN;

		memcpy(out, MAGIC, MAGIC_LEN);
		randombytes_buf(nonce, crypto_box_NONCEBYTES);
		if (crypto_box_easy(nonce + crypto_box_NONCEBYTES, (const uint8_t *)plain, plen,
				    nonce, peer_pub->b, own_priv->b) != 0)
			r = nwg_err_set(err, EIO, "stream: crypto_box failed");
		else
			*outlen = need;
	}
	free(plain);
	return r;
}

/* A canonical decimal (no sign, no leading zero) ending at `stop`: *v, *end. */
static int decimal(const char *p, const char *lim, char stop, uint64_t max, uint64_t *v,
		   const char **end)
{
	uint64_t x = 0;
	const char *q = p;

	for (; q < lim && *q >= '0' && *q <= '9'; q++) {
		if (x > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		x = x * 10 + (uint64_t)(*q - '0');
	}
	if (q == p || q >= lim || *q != stop || (*p == '0' && q - p > 1) || x > max)
		return -EINVAL;
	*v = x;
	*end = q + 1;
	return 0;
}

/* "NWGHA2 <hub> <seq> <idx>/<total>\n" at the start of plain: seq, chunk and
 * the header length. */
static int header(const char *plain, size_t plen, const char *hub, uint64_t *seq,
		  struct nwg_ha_chunk *c, size_t *hlen)
{
	const char *nl = memchr(plain, '\n', plen < HDR_MAX ? plen : HDR_MAX);
	size_t hl = strlen(hub);
	const char *p = plain + MAGIC_LEN + 2 + hl;
	uint64_t idx, total;

	if (!nl || (size_t)(nl - plain) < MAGIC_LEN + 3 + hl ||
	    memcmp(plain, MAGIC " ", MAGIC_LEN + 1) != 0)
		return -EINVAL;
	if (memcmp(plain + MAGIC_LEN + 1, hub, hl) != 0 || plain[MAGIC_LEN + 1 + hl] != ' ')
		return -EXDEV;
	if (decimal(p, nl, ' ', UINT64_MAX, seq, &p) < 0 ||
	    decimal(p, nl, '/', NWG_HA_CHUNKS_MAX - 1, &idx, &p) < 0 ||
	    decimal(p, nl + 1, '\n', NWG_HA_CHUNKS_MAX, &total, &p) < 0 || idx >= total)
		return -EINVAL;
	c->idx = (uint32_t)idx;
	c->total = (uint32_t)total;
	*hlen = (size_t)(nl - plain) + 1;
	return 0;
}

int nwg_ha_msg_open(char **text, size_t *len, uint64_t *seq, struct nwg_ha_chunk *c,
		    const uint8_t *msg, size_t msglen, const char *hub, uint64_t min_seq,
		    const struct nwg_key *own_priv, const struct nwg_key *peer_pub,
		    struct nwg_err *err)
{
	const size_t over = OVERHEAD;
	size_t plen, hlen = 0;
	char *plain;
	int r;

	if (!text || !len || !seq || !c || !msg || !hub_ok(hub) || !own_priv || !peer_pub)
		return nwg_err_set(err, EINVAL, "stream: bad arguments");
	if (sodium_init() < 0)
		return nwg_err_set(err, EIO, "stream: libsodium init failed");
	if (msglen <= over || msglen > NWG_HA_MSG_MAX || memcmp(msg, MAGIC, MAGIC_LEN) != 0)
		return nwg_err_set(err, EINVAL, "stream: not an endpoint datagram");
	plen = msglen - over;
	plain = malloc(plen + 1);
	if (!plain)
		return nwg_err_set(err, ENOMEM, "out of memory");
	if (crypto_box_open_easy((uint8_t *)plain, msg + MAGIC_LEN + crypto_box_NONCEBYTES,
				 msglen - MAGIC_LEN - crypto_box_NONCEBYTES, msg + MAGIC_LEN,
				 peer_pub->b, own_priv->b) != 0) {
		free(plain);
		return nwg_err_set(err, EBADMSG, "stream: not from the peer node, or altered");
	}
	plain[plen] = '\0';
	r = header(plain, plen, hub, seq, c, &hlen);
	if (r == 0 && *seq <= min_seq)
		r = -ESTALE;
	if (r < 0) {
		free(plain);
		return nwg_err_set(err, -r, "stream: %s",
				   r == -EXDEV	  ? "for another hub"
				   : r == -ESTALE ? "replayed or old sequence number"
						  : "malformed header");
	}
	memmove(plain, plain + hlen, plen - hlen + 1);
	*text = plain;
	*len = plen - hlen;
	return 0;
}

uint64_t nwg_ha_seq_now(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (uint64_t)now.tv_sec * 1000000U + (uint64_t)now.tv_nsec / 1000;
}

int nwg_ha_seal_text(const char *hub, uint64_t seq, const char *text, size_t len, size_t dgram,
		     const struct nwg_key *own_priv, const struct nwg_key *peer_pub,
		     nwg_ha_emit_fn emit, void *ctx, struct nwg_err *err)
{
	size_t room = nwg_ha_chunk_room(hub, dgram), *ends = NULL, n = 0, mlen = 0, start = 0;
	uint8_t *msg;
	int r;

	if (!room || !emit || !own_priv || !peer_pub || (!text && len))
		return nwg_err_set(err, EINVAL, "stream: bad arguments");
	r = nwg_ha_split(text, len, room, &ends, &n);
	if (r < 0)
		return nwg_err_set(err, -r, "stream: cannot cut %zu bytes into chunks", len);
	msg = malloc(dgram); /* one datagram, reused for every chunk */
	if (!msg) {
		free(ends);
		return nwg_err_set(err, ENOMEM, "out of memory");
	}
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct nwg_ha_chunk c = {.idx = (uint32_t)i, .total = (uint32_t)n};

		r = nwg_ha_msg_seal(msg, dgram, &mlen, hub, seq, &c, text + start, ends[i] - start,
				    own_priv, peer_pub, err);
		start = ends[i];
		if (r >= 0 && (r = emit(ctx, msg, mlen)) < 0)
			nwg_err_set(err, -r, "stream: datagram %zu of %zu not sent: %s", i + 1, n,
				    strerror(-r));
	}
	free(msg);
	free(ends);
	return r < 0 ? r : (int)n;
}
