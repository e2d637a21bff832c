/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The privilege-separation message set (doc/security.md "Privilege
 * separation"): a fixed, versioned binary protocol between the engine (no
 * capabilities, no keys) and the executor (the only holder of private keys).
 * One datagram per message (AF_UNIX SOCK_SEQPACKET). Pure: no I/O.
 *
 * Header (big-endian): u16 version, u16 type, u32 seq, u32 body length.
 * Body: fixed-size integers, strings as u8 length + bytes (no NUL), keys as
 * 32 raw bytes, arrays as u16 count + items, every count bounded below.
 * Encoding and decoding run the same field checks (proto_check.c), built on
 * the grammar of lib/ (ids, interface and namespace names, CIDRs,
 * endpoints): what one side refuses to send, the other refuses to read.
 * Private keys have no field: no message can carry one.
 */
#ifndef NWG_AGENT_PRIVSEP_PROTO_H
#define NWG_AGENT_PRIVSEP_PROTO_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nwg/err.h"
#include "nwg/key.h"
#include "nwg/netns.h"
#include "nwg/repo.h"
#include "nwg/seal.h"
#include "nwg/wg.h"

#define NWG_PS_VERSION	   4 /* 2: ACTUAL in parts; 3: HA; 4: STREAM, VRRP, OVN_PLUG/SWEEP */
#define NWG_PS_HDR_LEN	   12
#define NWG_PS_MAX_MSG	   (160 * 1024) /* below AF_UNIX's default send buffer */
#define NWG_PS_MAX_IDS	   256		/* port ids in one READ_ACTUAL / STATUS */
#define NWG_PS_MAX_NETNS   1024		/* extra namespaces in one READ_ACTUAL */
#define NWG_PS_MAX_ADDRS   32		/* addresses of one link */
#define NWG_PS_MAX_PEERS   128		/* peers in one ACTUAL chunk / APPLY */
#define NWG_PS_MAX_ALLOWED 16		/* allowed IPs of one peer */
#define NWG_PS_ERROR_MAX   200		/* RESULT error text (printable ASCII) */
#define NWG_PS_CIDR_MAX	   49		/* "ffff:...:ffff/128" */
#define NWG_PS_EP_MAX	   63		/* "[v6]:port" */
#define NWG_PS_MAX_HA_EPS  1024		/* streamed endpoints in one HA ACTIVATE */
#define NWG_PS_HA_PACE_MAX 100000	/* peers per millisecond */
#define NWG_PS_DGRAM_MAX   65000	/* STREAM: one endpoint-stream datagram (NWG_HA_MSG_MAX) */
#define NWG_PS_CHUNKS_MAX  16384	/* STREAM: chunks of one snapshot (NWG_HA_CHUNKS_MAX) */
#define NWG_PS_MAX_GW	   4		/* OVN_PLUG: subnet gateways (desired.h NWG_MAX_GATEWAYS) */
#define NWG_PS_MAC_MAX	   17		/* "fa:16:3e:00:00:01" */
#define NWG_PS_IP_MAX	   45		/* an address, IPv4 or IPv6 (INET6_ADDRSTRLEN - 1) */

enum nwg_ps_type {
	NWG_PS_HELLO = 1,    /* both ways: u16 version */
	NWG_PS_READ_ACTUAL,  /* ids (0 = every hub), namespaces -> ACTUAL parts */
	NWG_PS_ACTUAL,	     /* one part of a hub (or one chunk of its peers), last flag */
	NWG_PS_APPLY,	     /* one planned action -> RESULT */
	NWG_PS_RESULT,	     /* the one answer to every other request */
	NWG_PS_PLACE,	     /* attach/detach a hub link -> RESULT */
	NWG_PS_QUARANTINE,   /* port id -> RESULT */
	NWG_PS_UNQUARANTINE, /* port id -> RESULT */
	NWG_PS_PURGE,	     /* max age (s) -> RESULT */
	NWG_PS_STATUS,	     /* ids -> ACTUAL chunks (live peers) */
	NWG_PS_SHUTDOWN,     /* -> RESULT, then the executor exits */
	NWG_PS_NETNS_REMOVE, /* project namespace -> RESULT (netns_state) */
	/* 13: reserved (psa) */
	NWG_PS_SEAL = 14,     /* port id + HA peer's enrollment public key -> RESULT (sealed) */
	NWG_PS_STREAM = 15,   /* HA endpoint stream: SEAL (send) / OPEN one datagram -> RESULT */
	NWG_PS_HA = 16,	      /* an HA hub's ACTIVATE/DEACTIVATE/RENEW -> RESULT (count, ifname) */
	NWG_PS_VRRP = 17,     /* keepalived: START/REAP/STOP/RELEASE_VIP -> RESULT (+ the FIFO) */
	NWG_PS_OVN_PLUG = 18, /* a hub's OVN port (attach/ovn.h) -> RESULT (where, what changed) */
	NWG_PS_OVN_SWEEP, /* no body: our OVN ports of hubs without a record -> RESULT (count) */
	NWG_PS_TYPE_END,
};

struct nwg_ps_ids {
	char (*ids)[NWG_ID_MAX + 1]; /* owned */
	size_t n;
	/* READ_ACTUAL only (STATUS: none): namespaces to look for links in
	 * besides the root and those of the records (the engine's desired homes
	 * and routers); each a project home or qrouter-<uuid> (policy) */
	char (*netns)[NWG_NETNS_NAME_MAX + 1]; /* owned */
	size_t n_netns;
};

/* ACTUAL peer fields: the peer has more allowed IPs than one message holds
 * (the first NWG_PS_MAX_ALLOWED are sent; the engine reads the hub's state
 * as incomplete). */
#define NWG_PS_PEER_TRUNCATED 1U

enum nwg_ps_peer_op { NWG_PS_PEER_ADD, NWG_PS_PEER_UPDATE, NWG_PS_PEER_REMOVE, NWG_PS_PEER_SEEN };

struct nwg_ps_peer {
	uint8_t op;		      /* enum nwg_ps_peer_op; SEEN in ACTUAL */
	uint8_t fields;		      /* NWG_POPF_* of an UPDATE */
	char port_id[NWG_ID_MAX + 1]; /* the spoke's port id ("" = not known) */
	struct nwg_key key;
	char endpoint[NWG_PS_EP_MAX + 1]; /* "" = none; numeric (nwg_endpoint_parse) */
	uint16_t keepalive;
	uint64_t handshake_s;	     /* ACTUAL (link): last handshake (0 = never) */
	uint64_t rx_bytes, tx_bytes; /* ACTUAL (link) */
	struct nwg_allowedip allowed[NWG_PS_MAX_ALLOWED];
	size_t n_allowed;
};

struct nwg_ps_addrs {
	struct nwg_allowedip a[NWG_PS_MAX_ADDRS]; /* interface addresses (host bits allowed) */
	size_t n;
};

/* ACTUAL: one part of a hub's actual state, public data only, in the shape
 * of reconcile/actual.h. The answer to a READ_ACTUAL is every RECORD part
 * (struct nwg_hub_view: the record's fields, its public key, its peers with
 * their spoke port ids), then every LINK part (struct nwg_alink: the link
 * found by its alias and, when the device answered, its public key, flags,
 * listen port and peers), then every CORRUPT part (a record file that could
 * not be read: port id only), then a RESULT (partial: a namespace could not
 * be listed). A part with more peers than one message holds is sent in
 * chunks (same part and port id, last = false on all but the final one). */
enum nwg_ps_part { NWG_PS_PART_RECORD, NWG_PS_PART_LINK, NWG_PS_PART_CORRUPT };
#define NWG_PS_DEV_FLAGS 7U /* NWG_DEV_HAS_PRIVATE_KEY | HAS_PUBLIC_KEY | HAS_LISTEN_PORT */

struct nwg_ps_link {
	uint8_t part; /* enum nwg_ps_part */
	char port_id[NWG_ID_MAX + 1];
	char project_id[NWG_ID_MAX + 1]; /* RECORD */
	char ifname[IFNAMSIZ];
	char netns[NWG_NETNS_NAME_MAX + 1];	 /* "" = root */
	char home_netns[NWG_NETNS_NAME_MAX + 1]; /* RECORD */
	bool up, last;
	/* LINK: the device answered (dev_flags, public_key, listen_port and
	 * peers are its); key_matches_record: it holds the key of the hub's
	 * record (the engine checks it against the two public keys) */
	bool readable, key_matches_record;
	uint8_t dev_flags; /* LINK: NWG_DEV_* within NWG_PS_DEV_FLAGS */
	uint32_t mtu;
	uint16_t listen_port;
	struct nwg_key public_key;
	struct nwg_ps_addrs addrs;
	struct nwg_ps_peer *peers; /* owned */
	size_t n_peers;
};

enum nwg_ps_kind { NWG_PS_DELETE, NWG_PS_CREATE, NWG_PS_UPDATE };
/* APPLY flags. ADDRESSED: the hub's addresses go on the link. DELTA: the
 * record follows by journaling the peer operations (the engine found
 * record + operations = the desired record); without it, a record rewrite
 * takes the whole desired peer set: the operations plus a SEEN peer for
 * every desired spoke the link already has right. MORE: more peers of the
 * same action follow in further APPLYs (the executor acknowledges each
 * chunk with an empty RESULT and runs the action on the last one).
 * STANDBY: an HA secondary's copy (peers without endpoint and keepalive,
 * the listen port the primary's, reserved, never allocated). */
enum {
	NWG_PS_APPLY_ADDRESSED = 1U,
	NWG_PS_APPLY_DELTA = 2U,
	NWG_PS_APPLY_MORE = 4U,
	NWG_PS_APPLY_STANDBY = 8U,
};
#define NWG_PS_APPLY_FLAGS     15U
#define NWG_PS_MAX_APPLY_PEERS 65536 /* peers of one action over all its chunks */
/* SEALED: an HA secondary's key, sealed by the primary to this node's
 * enrollment key (lib/seal.c); only the executor can open it. */
enum nwg_ps_key_src { NWG_PS_KEY_NEW, NWG_PS_KEY_RECORD, NWG_PS_KEY_LINK, NWG_PS_KEY_SEALED };

struct nwg_ps_apply {
	uint8_t kind;	 /* enum nwg_ps_kind */
	uint8_t key_src; /* enum nwg_ps_key_src */
	uint8_t flags;	 /* NWG_PS_APPLY_* */
	char port_id[NWG_ID_MAX + 1];
	char project_id[NWG_ID_MAX + 1];
	char ifname[IFNAMSIZ];
	char netns[NWG_NETNS_NAME_MAX + 1];	 /* target, "" = root */
	char home_netns[NWG_NETNS_NAME_MAX + 1]; /* "" = root hub */
	uint32_t fix;				 /* NWG_FIX_* of an UPDATE */
	uint32_t mtu;
	bool up;
	uint16_t listen_port; /* 0 = allocate */
	/* KEY_SEALED only: the envelope, NWG_SEALED_B64_LEN base64 characters
	 * (nwg_sealed_valid; ciphertext: the engine never sees the key) */
	char sealed[NWG_SEALED_B64_LEN + 1];
	struct nwg_ps_addrs addrs;
	struct nwg_ps_peer *peers; /* owned: operations (ADD/UPDATE/REMOVE), SEEN */
	size_t n_peers;
};

/* RESULT of NETNS_REMOVE (the values of reconcile/exec.h's NWG_NETNS_*). */
enum { NWG_PS_NETNS_ABSENT = 0, NWG_PS_NETNS_REMOVED = 1, NWG_PS_NETNS_KEPT = 2 };

struct nwg_ps_result {
	int32_t rc; /* 0 or a negative errno */
	char error[NWG_PS_ERROR_MAX + 1];
	struct nwg_key public_key; /* APPLY: the hub's (all zero otherwise) */
	uint16_t listen_port;
	char ifname[IFNAMSIZ]; /* APPLY/PLACE: where the link is now ("" = none) */
	char netns[NWG_NETNS_NAME_MAX + 1];
	bool up;
	bool changed;	     /* PLACE */
	uint8_t netns_state; /* NETNS_REMOVE: NWG_PS_NETNS_* (KEPT: why in error) */
	uint32_t count;	     /* (UN)QUARANTINE: records moved (0/1); PURGE: removed */
	bool partial;	     /* READ_ACTUAL: a namespace could not be listed */
	uint32_t listed;     /* HA: endpoints known (streamed + the record's); count: set */
	/* SEAL: the hub's key sealed to the given public key (nwg_sealed_valid;
	 * ciphertext only), "" otherwise */
	char sealed[NWG_SEALED_B64_LEN + 1];
	/* STREAM OPEN: the opened chunk (all zero otherwise): its snapshot's
	 * seq, chunk_idx < chunk_total <= NWG_PS_CHUNKS_MAX, and its lines
	 * (text: owned, NUL-terminated, text_len <= NWG_PS_DGRAM_MAX bytes in
	 * nwg_ha_parse's grammar: "<key> <numeric endpoint>\n" per line) */
	uint64_t seq;
	uint32_t chunk_idx, chunk_total;
	char *text;
	size_t text_len;
	/* not on the wire: a descriptor that travels with this RESULT as
	 * SCM_RIGHTS (VRRP START: the notify FIFO's read end); fd_set false =
	 * none. The engine takes it only as the answer to a VRRP START. */
	bool fd_set;
	int fd;
};

/* SEAL (HA primary, doc/ha.md): the executor seals the hub's private key
 * (from its record) to the secondary's enrollment public key, bound to the
 * port id (lib/seal.c nwg_seal_hub_key); only the envelope comes back. */
struct nwg_ps_seal {
	char port_id[NWG_ID_MAX + 1];
	struct nwg_key peer_pub; /* not all zero */
};

/* HA (doc/ha.md): one HA hub follows this node's VRRP state. The executor
 * finds the link and Neutron's endpoints in its own record of the hub; the
 * engine gives the op and, for ACTIVATE, the endpoints the active node
 * streamed (numeric, most recently active first; at most NWG_PS_MAX_HA_EPS).
 * RESULT: count = endpoints set, ifname = the hub's link. */
struct nwg_ps_ha_ep {
	struct nwg_key key;		  /* not all zero */
	char endpoint[NWG_PS_EP_MAX + 1]; /* numeric (nwg_endpoint_parse) */
};
struct nwg_ps_ha {
	uint8_t op; /* hostops.h enum nwg_ha_op: 1 ACTIVATE, 2 DEACTIVATE, 3 RENEW */
	char port_id[NWG_ID_MAX + 1];
	uint32_t pace;		  /* ACTIVATE/RENEW: 1..NWG_PS_HA_PACE_MAX; DEACTIVATE: 0 */
	struct nwg_ps_ha_ep *eps; /* owned; ACTIVATE only */
	size_t n_eps;
};

/* OVN_PLUG (doc/ovn.md): one hub's port on the OVN integration bridge. The
 * executor finds the hub's link (namespace, name) and the routes through it
 * (its peers' allowed IPs) in its own record of the hub, and the bridge, the
 * OVS database and ovs-vsctl in its own configuration; the engine gives only
 * what Neutron says of the port (MAC, fixed IPs, its subnets' gateways, MTU)
 * and the port's state. RESULT: ifname/netns = the hub's link ("" = not
 * plugged here: no record, a root hub, or a hub in a router's namespace);
 * changed = the OVS port was (re)created; up = the port was set up or down;
 * count = routes of spokes that left, removed. */
struct nwg_ps_ovn {
	char port_id[NWG_ID_MAX + 1];
	char mac[NWG_PS_MAC_MAX + 1]; /* unicast, lower-case hex (nwg_mac_valid) */
	struct nwg_ps_addrs addrs;    /* fixed IPs (host address + prefix) */
	char gateways[NWG_PS_MAX_GW][NWG_PS_IP_MAX + 1]; /* numeric addresses */
	size_t n_gateways;
	uint32_t mtu; /* 0 = leave */
	bool up;      /* the port up (an HA hub's: on the active node only) */
	bool ha;      /* HA hub: proxy ARP and address announcements on the port */
};

/* STREAM (doc/ha.md "The endpoint stream with the split"): the node's
 * enrollment private key never leaves the executor. SEAL: the executor reads
 * the hub's device (its record's link), seals the snapshot between its
 * enrollment key and peer_pub and sends the datagrams itself to its own
 * [wireguard_ha] stream_peer; RESULT: count = datagrams sent, listed =
 * endpoints. OPEN: one datagram the engine received on the stream port
 * (1..NWG_PS_DGRAM_MAX bytes), opened as the hub's from peer_pub with a seq
 * above min_seq; RESULT: the chunk (seq, chunk_idx/total, text). */
enum { NWG_PS_STREAM_SEAL = 1, NWG_PS_STREAM_OPEN = 2 };
struct nwg_ps_stream {
	uint8_t op;
	char port_id[NWG_ID_MAX + 1];
	struct nwg_key peer_pub; /* not all zero */
	uint64_t min_seq;	 /* OPEN; SEAL: 0 */
	uint8_t *dgram;		 /* owned; OPEN only */
	size_t dgram_len;
};

/* VRRP (doc/ha.md): the node's keepalived is the executor's child, run from
 * the executor's own [wireguard_ha] options (read before the fork: the
 * engine names the op only). START: configuration written (0600), FIFO
 * made, keepalived spawned; RESULT: count = its pid, and the notify FIFO's
 * read end (SCM_RIGHTS). REAP: changed = it exited, count = its wait
 * status. STOP: SIGTERM (the VIP released), SIGKILL after 2 s. RELEASE_VIP:
 * the VIP taken off the VRRP interface; changed = it was there. */
enum {
	NWG_PS_VRRP_START = 1,
	NWG_PS_VRRP_REAP,
	NWG_PS_VRRP_STOP,
	NWG_PS_VRRP_RELEASE_VIP,
};
struct nwg_ps_vrrp {
	uint8_t op;
};

struct nwg_ps_place {
	char port_id[NWG_ID_MAX + 1];
	char netns[NWG_NETNS_NAME_MAX + 1]; /* qrouter-<uuid>, or the home ("" = root) */
	char ifname[IFNAMSIZ];
	bool attach;
	uint32_t mtu; /* 0 = leave */
	struct nwg_ps_addrs addrs;
};

struct nwg_ps_msg {
	uint16_t type;
	uint32_t seq;
	union {
		uint16_t version;		    /* HELLO */
		struct nwg_ps_ids ids;		    /* READ_ACTUAL, STATUS */
		struct nwg_ps_link link;	    /* ACTUAL (one part) */
		struct nwg_ps_apply apply;	    /* APPLY */
		struct nwg_ps_result result;	    /* RESULT */
		struct nwg_ps_place place;	    /* PLACE */
		char port_id[NWG_ID_MAX + 1];	    /* (UN)QUARANTINE */
		uint32_t max_age_s;		    /* PURGE */
		char netns[NWG_NETNS_NAME_MAX + 1]; /* NETNS_REMOVE */
		struct nwg_ps_seal seal;	    /* SEAL */
		struct nwg_ps_ha ha;		    /* HA */
		struct nwg_ps_stream stream;	    /* STREAM */
		struct nwg_ps_vrrp vrrp;	    /* VRRP */
		struct nwg_ps_ovn ovn;		    /* OVN_PLUG */
	} u;
};

/* A zeroed message of this type (0, or -EINVAL for an unknown type). */
int nwg_ps_msg_init(struct nwg_ps_msg *m, uint16_t type, uint32_t seq);
/* Frees the arrays (NULL-safe) and zeroes the message. */
void nwg_ps_msg_clear(struct nwg_ps_msg *m);
/* Appends n items (zeroed) to an id list / a peer array of m; NULL (ENOMEM,
 * or past the bound) otherwise. */
char *nwg_ps_ids_add(struct nwg_ps_ids *ids);
char *nwg_ps_netns_add(struct nwg_ps_ids *ids);
struct nwg_ps_peer *nwg_ps_peer_add(struct nwg_ps_peer **peers, size_t *n);
struct nwg_ps_ha_ep *nwg_ps_ha_ep_add(struct nwg_ps_ha *ha);

/* Checks every field of m (proto_check.c); -EINVAL naming the field. */
int nwg_ps_check(const struct nwg_ps_msg *m, struct nwg_err *err);
/* Checks m, then writes it into buf (cap >= NWG_PS_MAX_MSG is always enough);
 * returns the length or a negative errno (-EINVAL, -EMSGSIZE). */
int nwg_ps_encode(const struct nwg_ps_msg *m, uint8_t *buf, size_t cap, struct nwg_err *err);
/* Reads one datagram into m (initialized here; clear it afterwards, also on
 * failure): -EPROTO for another version, -EBADMSG for a malformed message
 * (truncated, trailing bytes, counts past their bound), -EINVAL for a field
 * outside the grammar. */
int nwg_ps_decode(const uint8_t *buf, size_t len, struct nwg_ps_msg *m, struct nwg_err *err);
/* Header only: version and type, without the body (for a reply's seq). */
int nwg_ps_peek(const uint8_t *buf, size_t len, uint16_t *type, uint32_t *seq);

const char *nwg_ps_type_name(uint16_t type);

#endif
