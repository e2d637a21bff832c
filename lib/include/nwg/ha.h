/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HA hub takeover (doc/ha.md). A standby hub holds the same key, listen port
 * and peers as the active one but no peer endpoints. The active node streams
 * its peers' current endpoints (public data: public key + address:port) to
 * the standby; on takeover the standby sets them together with a short
 * persistent keepalive, which makes WireGuard initiate a handshake to every
 * device at once. Nothing here logs; errors are negative errno + err.
 */
#ifndef NWG_HA_H
#define NWG_HA_H

#include <stddef.h>
#include <stdint.h>

#include "nwg/err.h"
#include "nwg/key.h"
#include "nwg/wg.h"

/* One peer's last known endpoint. */
struct nwg_ha_ep {
	struct nwg_key pub;
	union nwg_endpoint ep;
};

/* Endpoint list text: one "<base64 public key> <endpoint>\n" per peer,
 * endpoints in nwg_endpoint_parse's grammar. At most NWG_HA_MAX_EPS. */
#define NWG_HA_MAX_EPS 100000

/* netns: where the link lives (NULL = root; userspace ignores it). */
/* The peers of dev that have an endpoint, the most recently handshaken
 * first (never-handshaken last, by key); *out owned by the caller (free). */
int nwg_ha_snapshot(const struct nwg_device *dev, struct nwg_ha_ep **out, size_t *n);
/* Formats v into a malloc'd NUL-terminated text (*text, caller frees). */
int nwg_ha_format(const struct nwg_ha_ep *v, size_t n, char **text, size_t *len);
/* Parses the text strictly (no blank lines, one space, a newline after each
 * line, no duplicate keys); -EINVAL with the line number in err. */
int nwg_ha_parse(const char *text, size_t len, struct nwg_ha_ep **out, size_t *n,
		 struct nwg_err *err);

struct nwg_ha_activate_opts {
	uint16_t keepalive; /* short keepalive while taking over (s, 1..65535) */
	unsigned pace;	    /* at most `pace` peers per millisecond (>= 1) */
};

/*
 * Takes over: for every peer of the device that is in eps, in the order of
 * eps (a snapshot's: the most recently active devices first), sets its
 * endpoint and the short keepalive (update only: a key unknown to the device
 * is skipped, never added), `pace` peers per set request, one request per
 * millisecond. Returns how many peers were set.
 */
int nwg_ha_activate(struct nwg_backend *b, const char *ifname, const char *netns,
		    const struct nwg_ha_ep *eps, size_t n, const struct nwg_ha_activate_opts *o,
		    struct nwg_err *err);
/* Sets every peer's persistent keepalive to `keepalive` (the configured one). */
int nwg_ha_restore_keepalive(struct nwg_backend *b, const char *ifname, const char *netns,
			     uint16_t keepalive, struct nwg_err *err);
/* Back to silent: the peers are replaced by themselves without endpoints
 * (same keys and allowed IPs, keepalive `keepalive`); sessions are dropped. */
int nwg_ha_deactivate(struct nwg_backend *b, const char *ifname, const char *netns,
		      uint16_t keepalive, struct nwg_err *err);
/* How many of the device's peers have a handshake newer than `since`. */
int nwg_ha_handshaken(struct nwg_backend *b, const char *ifname, const char *netns,
		      const struct timespec *since, struct nwg_err *err);

/*
 * The endpoint stream between the two agents of a hub group (doc/ha.md):
 * every period the active node's endpoint list (one snapshot) is cut at line
 * ends into chunks, each sent as one UDP datagram authenticated and
 * encrypted with crypto_box (X25519 + XSalsa20-Poly1305) between the
 * sender's enrollment private key and the receiver's enrollment public key.
 * Plain text inside: "NWGHA2 <hub> <seq> <idx>/<total>\n" then the chunk's
 * lines. All chunks of one snapshot carry the same seq. A receiver accepts
 * only its peer's key, its hub name and a seq above the last snapshot it
 * completed; it applies a snapshot only once it holds all of its chunks.
 */
#define NWG_HA_MSG_MAX	  65000 /* largest datagram accepted */
#define NWG_HA_DGRAM_DEF  1472	/* default datagram budget: one 1500-byte frame */
#define NWG_HA_DGRAM_MIN  512	/* smallest budget (room for the header and a line) */
#define NWG_HA_HUB_MAX	  64
#define NWG_HA_CHUNKS_MAX 16384 /* chunks per snapshot */

struct nwg_ha_chunk {
	uint32_t idx, total; /* idx < total <= NWG_HA_CHUNKS_MAX */
};

int nwg_ha_msg_seal(uint8_t *out, size_t cap, size_t *outlen, const char *hub, uint64_t seq,
		    const struct nwg_ha_chunk *c, const char *text, size_t len,
		    const struct nwg_key *own_priv, const struct nwg_key *peer_pub,
		    struct nwg_err *err);
/* Opens a datagram; *text (malloc'd, NUL-terminated) is the chunk's lines.
 * -EBADMSG: not from the peer or altered; -EINVAL: malformed; -ESTALE: seq
 * not above min_seq; -EXDEV: another hub. */
int nwg_ha_msg_open(char **text, size_t *len, uint64_t *seq, struct nwg_ha_chunk *c,
		    const uint8_t *msg, size_t msglen, const char *hub, uint64_t min_seq,
		    const struct nwg_key *own_priv, const struct nwg_key *peer_pub,
		    struct nwg_err *err);

/* A snapshot's seq: microseconds of wall-clock time (a restarted sender
 * stays ahead of what the receiver completed before). */
uint64_t nwg_ha_seq_now(void);
/* Called once per sealed datagram, in chunk order; a negative return stops
 * the snapshot and is returned by nwg_ha_seal_text. */
typedef int (*nwg_ha_emit_fn)(void *ctx, const uint8_t *msg, size_t len);
/* One snapshot (a list ending with a newline, or empty) cut at line ends
 * into chunks of datagrams of at most `dgram` bytes, each sealed under the
 * same seq and handed to emit. Returns the number of datagrams, or a
 * negative errno (split, seal, or emit's). */
int nwg_ha_seal_text(const char *hub, uint64_t seq, const char *text, size_t len, size_t dgram,
		     const struct nwg_key *own_priv, const struct nwg_key *peer_pub,
		     nwg_ha_emit_fn emit, void *ctx, struct nwg_err *err);

/* The most list bytes one chunk of `hub` may carry in a datagram of `dgram`
 * bytes (NWG_HA_DGRAM_MIN..NWG_HA_MSG_MAX); 0 when the arguments are bad. */
size_t nwg_ha_chunk_room(const char *hub, size_t dgram);
/* Cuts a list at line ends into pieces of at most `room` bytes: *ends
 * (malloc'd) holds each piece's end offset, *n >= 1 (an empty list is one
 * empty piece). -EMSGSIZE: a line longer than room, or more than
 * NWG_HA_CHUNKS_MAX pieces; -EINVAL: the text does not end with a newline. */
int nwg_ha_split(const char *text, size_t len, size_t room, size_t **ends, size_t *n);

/*
 * Reassembly on the receiver. Chunks of one snapshot may come in any order;
 * a duplicate is ignored; a chunk of a newer snapshot drops the partial
 * older one (never mixed); a chunk of an older snapshot than the one being
 * assembled, or of one already completed, is refused. A snapshot with a
 * lost chunk is never applied: the last complete one stays in use until the
 * next complete snapshot (one period later).
 */
struct nwg_ha_asm {
	uint64_t seq;  /* snapshot being assembled (0: none) */
	uint64_t done; /* last snapshot completed */
	uint32_t total, have;
	char **piece;
	size_t *plen;
};
void nwg_ha_asm_init(struct nwg_ha_asm *a);
void nwg_ha_asm_free(struct nwg_ha_asm *a);
/* Adds one opened chunk; takes text (freed here in every case). Returns 1
 * with *out (malloc'd, NUL-terminated: the whole list) when it completed the
 * snapshot, 0 when chunks are still missing; -EALREADY a duplicate, -ESTALE
 * an old snapshot, -EINVAL a chunk whose total differs from its snapshot's,
 * -ENOMEM. */
int nwg_ha_asm_add(struct nwg_ha_asm *a, uint64_t seq, const struct nwg_ha_chunk *c, char *text,
		   size_t len, char **out, size_t *outlen);

/* Sequence numbers are the sender's wall clock: one older than this before
 * the receiver's clock is refused (a datagram replayed after the receiver
 * restarted, too). */
#define NWG_HA_MAX_AGE_S 30
/* The replay floor at now_us (nwg_ha_seq_now()'s scale): a datagram's seq
 * must be above the last snapshot completed and above now - NWG_HA_MAX_AGE_S. */
uint64_t nwg_ha_asm_floor(const struct nwg_ha_asm *a, uint64_t now_us);
/* One received datagram for `hub` (sealed by peer_pub to own_priv): opened
 * (nwg_ha_msg_open) above the replay floor at now_us, then added to its
 * snapshot (nwg_ha_asm_add). Returns 1 with *out (malloc'd, NUL-terminated)
 * when it completed the snapshot, 0 when chunks are still missing; negative
 * errno as nwg_ha_msg_open (-EBADMSG, -EXDEV, -ESTALE, -EINVAL) and
 * nwg_ha_asm_add (-EALREADY, -ESTALE, -EINVAL, -ENOMEM), err filled. */
int nwg_ha_asm_open(struct nwg_ha_asm *a, const uint8_t *msg, size_t len, const char *hub,
		    uint64_t now_us, const struct nwg_key *own_priv, const struct nwg_key *peer_pub,
		    char **out, size_t *outlen, struct nwg_err *err);

#endif
