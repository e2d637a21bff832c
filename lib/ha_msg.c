/* SPDX-License-Identifier: Apache-2.0 */
/* The HA endpoint stream's datagram: crypto_box between the two agents'
 * enrollment keys (authenticated both ways), a hub name and a sequence. */
#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nwg/ha.h"

#define MAGIC	  "NWGHA1"
#define MAGIC_LEN 6
#define HDR_MAX	  (MAGIC_LEN + 1 + NWG_HA_HUB_MAX + 1 + 20 + 1)

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

int nwg_ha_msg_seal(uint8_t *out, size_t cap, size_t *outlen, const char *hub, uint64_t seq,
		    const char *text, size_t len, const struct nwg_key *own_priv,
		    const struct nwg_key *peer_pub, struct nwg_err *err)
{
	size_t plen, need;
	char *plain;
	int h, r = 0;

	if (!out || !outlen || !hub_ok(hub) || (!text && len) || !own_priv || !peer_pub)
		return nwg_err_set(err, EINVAL, "stream: bad arguments (hub: [A-Za-z0-9_-]{1,64})");
	if (sodium_init() < 0)
		return nwg_err_set(err, EIO, "stream: libsodium init failed");
	plen = HDR_MAX + len;
	need = MAGIC_LEN + crypto_box_NONCEBYTES + crypto_box_MACBYTES + plen;
	plain = malloc(plen + 1);
	if (!plain)
		return nwg_err_set(err, ENOMEM, "out of memory");
	h = snprintf(plain, HDR_MAX + 1, MAGIC " %s %" PRIu64 "\n", hub, seq);
	memcpy(plain + h, text, len);
	plen = (size_t)h + len;
	need = MAGIC_LEN + crypto_box_NONCEBYTES + crypto_box_MACBYTES + plen;
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

/* "NWGHA1 <hub> <seq>\n" at the start of plain: seq and the header length. */
static int header(const char *plain, size_t plen, const char *hub, uint64_t *seq, size_t *hlen)
{
	const char *nl = memchr(plain, '\n', plen < HDR_MAX ? plen : HDR_MAX);
	size_t hl = strlen(hub);
	const char *p = plain + MAGIC_LEN + 2 + hl;
	char *end;

	if (!nl || (size_t)(nl - plain) < MAGIC_LEN + 3 + hl ||
	    memcmp(plain, MAGIC " ", MAGIC_LEN + 1) != 0)
		return -EINVAL;
	if (memcmp(plain + MAGIC_LEN + 1, hub, hl) != 0 || plain[MAGIC_LEN + 1 + hl] != ' ')
		return -EXDEV;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	*seq = strtoull(p, &end, 10);
	if (errno || end != nl)
		return -EINVAL;
	*hlen = (size_t)(nl - plain) + 1;
	return 0;
}

int nwg_ha_msg_open(char **text, size_t *len, uint64_t *seq, const uint8_t *msg, size_t msglen,
		    const char *hub, uint64_t min_seq, const struct nwg_key *own_priv,
		    const struct nwg_key *peer_pub, struct nwg_err *err)
{
	const size_t over = MAGIC_LEN + crypto_box_NONCEBYTES + crypto_box_MACBYTES;
	size_t plen, hlen = 0;
	char *plain;
	int r;

	if (!text || !len || !seq || !msg || !hub_ok(hub) || !own_priv || !peer_pub)
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
	r = header(plain, plen, hub, seq, &hlen);
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
