/* SPDX-License-Identifier: Apache-2.0 */
/* The privsep message set: every type round-trips byte-exactly; anything
 * outside the grammar (names, counts, versions, lengths, types) is refused
 * on decode, and the executor's dispatch then runs no operation at all. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "addr.h"
#include "privsep/proc.h"
#include "privsep/proto.h"
#include "privsep/server.h"

#define PORT  "0b6a1f2e-1111-4222-8333-444455556666"
#define PROJ  "5f7c3a9d21e84b0c9d6e1f2a3b4c5d6e"
#define ROUTE "qrouter-9d2e6f50-aaaa-4bbb-8ccc-dddddddddddd"

static uint8_t buf[NWG_PS_MAX_MSG];

static void key_fill(struct nwg_key *k, uint8_t v)
{
	memset(k->b, v, sizeof(k->b));
}

static void add_cidr(struct nwg_allowedip *a, size_t *n, const char *s, bool host_ok)
{
	assert_int_equal(nwg_cidr_parse(&a[*n], s, host_ok), 0);
	(*n)++;
}

static void peer_fill(struct nwg_ps_peer *p, uint8_t op, uint8_t v)
{
	p->op = op;
	snprintf(p->port_id, sizeof(p->port_id), "spoke-%u", v);
	key_fill(&p->key, v);
	snprintf(p->endpoint, sizeof(p->endpoint), "%s", v & 1 ? "[fd00::7]:51820" : "");
	p->keepalive = 25;
	add_cidr(p->allowed, &p->n_allowed, "10.9.0.2/32", false);
	add_cidr(p->allowed, &p->n_allowed, "fd00:9::/64", false);
}

/* One valid message of each type. */
static void build(struct nwg_ps_msg *m, uint16_t type)
{
	assert_int_equal(nwg_ps_msg_init(m, type, 0x01020304u + type), 0);
	switch (type) {
	case NWG_PS_READ_ACTUAL:
	case NWG_PS_STATUS:
		strcpy(nwg_ps_ids_add(&m->u.ids), PORT);
		strcpy(nwg_ps_ids_add(&m->u.ids), "port-2");
		if (type == NWG_PS_READ_ACTUAL) {
			strcpy(nwg_ps_netns_add(&m->u.ids), "tun-" PROJ);
			strcpy(nwg_ps_netns_add(&m->u.ids), ROUTE);
		}
		break;
	case NWG_PS_ACTUAL: {
		struct nwg_ps_link *l = &m->u.link;

		l->part = NWG_PS_PART_LINK;
		strcpy(l->port_id, PORT);
		strcpy(l->ifname, "wg-0b6a1f2e-11");
		strcpy(l->netns, "tun-" PROJ);
		l->up = l->readable = l->key_matches_record = true;
		l->dev_flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_PUBLIC_KEY;
		l->mtu = 1420;
		l->listen_port = 51820;
		key_fill(&l->public_key, 0x42);
		add_cidr(l->addrs.a, &l->addrs.n, "10.9.0.1/24", true);
		for (uint8_t i = 1; i <= 3; i++) {
			struct nwg_ps_peer *p = nwg_ps_peer_add(&l->peers, &l->n_peers);

			peer_fill(p, NWG_PS_PEER_SEEN, i);
			p->port_id[0] = '\0'; /* a link's peers have no spoke port id */
			p->handshake_s = 1700000000u + i;
			p->rx_bytes = 1ULL << 40;
			p->tx_bytes = i;
		}
		break;
	}
	case NWG_PS_APPLY: {
		struct nwg_ps_apply *a = &m->u.apply;

		a->kind = NWG_PS_CREATE;
		a->key_src = NWG_PS_KEY_RECORD;
		strcpy(a->port_id, PORT);
		strcpy(a->project_id, PROJ);
		strcpy(a->ifname, "wg-0b6a1f2e-11");
		strcpy(a->netns, "tun-" PROJ);
		strcpy(a->home_netns, "tun-" PROJ);
		a->mtu = 1420;
		a->up = true;
		a->listen_port = 0;
		add_cidr(a->addrs.a, &a->addrs.n, "10.9.0.1/24", true);
		peer_fill(nwg_ps_peer_add(&a->peers, &a->n_peers), NWG_PS_PEER_ADD, 7);
		peer_fill(nwg_ps_peer_add(&a->peers, &a->n_peers), NWG_PS_PEER_REMOVE, 8);
		peer_fill(nwg_ps_peer_add(&a->peers, &a->n_peers), NWG_PS_PEER_SEEN, 9);
		a->flags = NWG_PS_APPLY_ADDRESSED;
		break;
	}
	case NWG_PS_RESULT:
		m->u.result.rc = -ENOENT;
		strcpy(m->u.result.error, "no such hub");
		key_fill(&m->u.result.public_key, 9);
		m->u.result.listen_port = 51821;
		strcpy(m->u.result.ifname, "wg-0b6a1f2e-11");
		strcpy(m->u.result.netns, ROUTE);
		m->u.result.up = true;
		m->u.result.count = 70000;
		m->u.result.partial = true;
		m->u.result.listed = 201;
		break;
	case NWG_PS_PLACE:
		strcpy(m->u.place.port_id, PORT);
		strcpy(m->u.place.netns, ROUTE);
		strcpy(m->u.place.ifname, "wg-0b6a1f2e-11");
		m->u.place.attach = true;
		m->u.place.mtu = 1400;
		add_cidr(m->u.place.addrs.a, &m->u.place.addrs.n, "fd00:9::1/64", true);
		break;
	case NWG_PS_QUARANTINE:
	case NWG_PS_UNQUARANTINE:
		strcpy(m->u.port_id, PORT);
		break;
	case NWG_PS_PURGE:
		m->u.max_age_s = 7 * 86400;
		break;
	case NWG_PS_NETNS_REMOVE:
		strcpy(m->u.netns, "tun-" PROJ);
		break;
	case NWG_PS_SEAL:
		strcpy(m->u.seal.port_id, PORT);
		key_fill(&m->u.seal.peer_pub, 11);
		break;
	case NWG_PS_HA: {
		struct nwg_ps_ha_ep *e;

		m->u.ha.op = 1; /* ACTIVATE */
		strcpy(m->u.ha.port_id, PORT);
		m->u.ha.pace = 8;
		assert_non_null(e = nwg_ps_ha_ep_add(&m->u.ha));
		key_fill(&e->key, 12);
		strcpy(e->endpoint, "198.51.100.7:40000");
		assert_non_null(e = nwg_ps_ha_ep_add(&m->u.ha));
		key_fill(&e->key, 13);
		strcpy(e->endpoint, "[2001:db8::9]:51820");
		break;
	}
	case NWG_PS_STREAM:
		m->u.stream.op = NWG_PS_STREAM_OPEN;
		strcpy(m->u.stream.port_id, PORT);
		key_fill(&m->u.stream.peer_pub, 15);
		m->u.stream.min_seq = 1700000000000000ULL;
		assert_non_null(m->u.stream.dgram = malloc(300));
		memset(m->u.stream.dgram, 0xa5, 300);
		m->u.stream.dgram_len = 300;
		break;
	case NWG_PS_VRRP:
		m->u.vrrp.op = NWG_PS_VRRP_START;
		break;
	case NWG_PS_OVN_PLUG:
		strcpy(m->u.ovn.port_id, PORT);
		strcpy(m->u.ovn.mac, "fa:16:3e:00:00:01");
		add_cidr(m->u.ovn.addrs.a, &m->u.ovn.addrs.n, "10.61.2.5/24", true);
		add_cidr(m->u.ovn.addrs.a, &m->u.ovn.addrs.n, "fd61:2::5/64", true);
		strcpy(m->u.ovn.gateways[0], "10.61.2.1");
		strcpy(m->u.ovn.gateways[1], "fd61:2::1");
		m->u.ovn.n_gateways = 2;
		m->u.ovn.mtu = 1442;
		m->u.ovn.up = m->u.ovn.ha = true;
		break;
	default:
		break;
	}
}

/* Two endpoint lines in the stream's grammar (a STREAM OPEN's chunk). */
#define CHUNK                                                                                      \
	"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE= 198.51.100.7:40000\n"                        \
	"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI= [2001:db8::9]:51820\n"

/* A RESULT that carries an opened chunk (the answer to STREAM OPEN). */
static void build_chunk(struct nwg_ps_msg *m)
{
	build(m, NWG_PS_RESULT);
	m->u.result.rc = 0;
	m->u.result.error[0] = '\0';
	m->u.result.seq = 1700000000000123ULL;
	m->u.result.chunk_idx = 2;
	m->u.result.chunk_total = 3;
	assert_non_null(m->u.result.text = strdup(CHUNK));
	m->u.result.text_len = strlen(CHUNK);
}

/* m (built as a RESULT by the mutation table) rebuilt as a chunk. */
static void build_chunk_into(struct nwg_ps_msg *m)
{
	nwg_ps_msg_clear(m);
	build_chunk(m);
}

/* An APPLY that creates an HA secondary from a sealed envelope. */
static void build_sealed(struct nwg_ps_msg *m)
{
	build(m, NWG_PS_APPLY);
	m->u.apply.key_src = NWG_PS_KEY_SEALED;
	memset(m->u.apply.sealed, 'A', NWG_SEALED_B64_LEN);
	m->u.apply.sealed[7] = '+';
	m->u.apply.sealed[8] = '/';
	m->u.apply.sealed[NWG_SEALED_B64_LEN] = '\0';
}

static int encode(const struct nwg_ps_msg *m)
{
	struct nwg_err err = {{0}};
	int n = nwg_ps_encode(m, buf, sizeof(buf), &err);

	if (n < 0)
		fail_msg("encode %s: %s", nwg_ps_type_name(m->type), err.msg);
	return n;
}

static void test_roundtrip_every_type(void **state)
{
	(void)state;
	for (uint16_t t = NWG_PS_HELLO; t < NWG_PS_TYPE_END; t++) {
		struct nwg_ps_msg a, b;
		struct nwg_err err = {{0}};
		static uint8_t again[NWG_PS_MAX_MSG];
		int n, n2;

		if (nwg_ps_msg_init(&a, t, 0) < 0) { /* a number not (yet) in use */
			assert_string_equal(nwg_ps_type_name(t), "unknown");
			continue;
		}
		build(&a, t);
		n = encode(&a);
		assert_true(n >= NWG_PS_HDR_LEN);
		if (nwg_ps_decode(buf, (size_t)n, &b, &err) != 0)
			fail_msg("decode %s: %s", nwg_ps_type_name(t), err.msg);
		assert_int_equal(b.type, t);
		assert_int_equal(b.seq, a.seq);
		/* byte-exact: the decoded message encodes to the same datagram */
		n2 = nwg_ps_encode(&b, again, sizeof(again), &err);
		assert_int_equal(n2, n);
		assert_memory_equal(again, buf, (size_t)n);
		if (t == NWG_PS_ACTUAL) {
			assert_int_equal(b.u.link.n_peers, 3);
			assert_int_equal(b.u.link.peers[2].handshake_s, 1700000003u);
			assert_string_equal(b.u.link.peers[0].endpoint, "[fd00::7]:51820");
			assert_int_equal(b.u.link.peers[0].n_allowed, 2);
			assert_int_equal(b.u.link.peers[0].rx_bytes, 1ULL << 40);
			assert_int_equal(b.u.link.part, NWG_PS_PART_LINK);
			assert_int_equal(b.u.link.dev_flags,
					 NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_PUBLIC_KEY);
		}
		if (t == NWG_PS_READ_ACTUAL) {
			assert_int_equal(b.u.ids.n_netns, 2);
			assert_string_equal(b.u.ids.netns[1], ROUTE);
		}
		if (t == NWG_PS_APPLY) {
			assert_int_equal(b.u.apply.n_peers, 3);
			assert_int_equal(b.u.apply.peers[2].op, NWG_PS_PEER_SEEN);
			assert_string_equal(b.u.apply.peers[2].port_id, "spoke-9");
			assert_int_equal(b.u.apply.flags, NWG_PS_APPLY_ADDRESSED);
		}
		if (t == NWG_PS_STREAM) {
			assert_int_equal(b.u.stream.op, NWG_PS_STREAM_OPEN);
			assert_int_equal(b.u.stream.dgram_len, 300);
			assert_memory_equal(b.u.stream.dgram, a.u.stream.dgram, 300);
			assert_int_equal(b.u.stream.min_seq, 1700000000000000ULL);
		}
		if (t == NWG_PS_VRRP)
			assert_int_equal(b.u.vrrp.op, NWG_PS_VRRP_START);
		if (t == NWG_PS_OVN_PLUG) {
			assert_string_equal(b.u.ovn.mac, "fa:16:3e:00:00:01");
			assert_int_equal(b.u.ovn.addrs.n, 2);
			assert_int_equal(b.u.ovn.n_gateways, 2);
			assert_string_equal(b.u.ovn.gateways[1], "fd61:2::1");
			assert_true(b.u.ovn.up && b.u.ovn.ha);
		}
		if (t == NWG_PS_RESULT) {
			assert_int_equal(b.u.result.rc, -ENOENT);
			assert_string_equal(b.u.result.netns, ROUTE);
			assert_int_equal(b.u.result.count, 70000);
			assert_true(b.u.result.partial);
		}
		nwg_ps_msg_clear(&a);
		nwg_ps_msg_clear(&b);
	}
}

/* Each mutation makes a valid message invalid: encode refuses to send it,
 * and the same bytes forced onto the wire are refused by decode. */
struct mutation {
	uint16_t type;
	const char *what;
	void (*mutate)(struct nwg_ps_msg *m);
};

static void m_id_slash(struct nwg_ps_msg *m)
{
	strcpy(m->u.ids.ids[1], "../../etc");
}
static void m_id_empty(struct nwg_ps_msg *m)
{
	m->u.ids.ids[0][0] = '\0';
}
static void m_ifname_slash(struct nwg_ps_msg *m)
{
	strcpy(m->u.apply.ifname, "wg/x");
}
static void m_netns_dotdot(struct nwg_ps_msg *m)
{
	strcpy(m->u.apply.netns, "..");
}
static void m_kind(struct nwg_ps_msg *m)
{
	m->u.apply.kind = 7;
}
static void m_fix(struct nwg_ps_msg *m)
{
	m->u.apply.fix = 1U << 20;
}
static void m_mtu(struct nwg_ps_msg *m)
{
	m->u.apply.mtu = 20;
}
static void m_peer_zero_key(struct nwg_ps_msg *m)
{
	memset(m->u.apply.peers[0].key.b, 0, NWG_KEY_LEN);
}
static void m_peer_endpoint(struct nwg_ps_msg *m)
{
	strcpy(m->u.apply.peers[0].endpoint, "evil.example:53");
}
static void m_peer_op(struct nwg_ps_msg *m)
{
	m->u.apply.peers[0].op = NWG_PS_PEER_SEEN + 1;
}
static void m_peer_port_id(struct nwg_ps_msg *m)
{
	strcpy(m->u.apply.peers[0].port_id, "../x");
}
static void m_link_peer_port_id(struct nwg_ps_msg *m) /* a link's peers have none */
{
	strcpy(m->u.link.peers[1].port_id, "spoke-1");
}
static void m_record_peer_port_id(struct nwg_ps_msg *m)
{
	m->u.link.part = NWG_PS_PART_RECORD;
	m->u.link.readable = m->u.link.key_matches_record = false;
	m->u.link.dev_flags = 0;
	for (size_t i = 0; i < m->u.link.n_peers; i++)
		m->u.link.peers[i].handshake_s = m->u.link.peers[i].rx_bytes =
		    m->u.link.peers[i].tx_bytes = 0;
	strcpy(m->u.link.peers[1].port_id, "a b");
}
static void m_record_counters(struct nwg_ps_msg *m) /* a record has no handshake */
{
	m_record_peer_port_id(m);
	strcpy(m->u.link.peers[1].port_id, "spoke-1");
	m->u.link.peers[2].handshake_s = 5;
}
static void m_part(struct nwg_ps_msg *m)
{
	m->u.link.part = NWG_PS_PART_CORRUPT + 1;
}
static void m_corrupt_fields(struct nwg_ps_msg *m) /* a corrupt file: its id only */
{
	m->u.link.part = NWG_PS_PART_CORRUPT;
}
static void m_unreadable_key(struct nwg_ps_msg *m) /* no device data without a device */
{
	m->u.link.readable = false;
}
static void m_keyless_match(struct nwg_ps_msg *m) /* the record's key needs a key */
{
	m->u.link.dev_flags = NWG_DEV_HAS_PUBLIC_KEY;
}
static void m_dev_flags(struct nwg_ps_msg *m)
{
	m->u.link.dev_flags = 8;
}
static void m_link_project(struct nwg_ps_msg *m)
{
	strcpy(m->u.link.home_netns, "tun-" PROJ);
}
static void m_read_netns(struct nwg_ps_msg *m)
{
	strcpy(m->u.ids.netns[0], "../x");
}
static void m_status_netns(struct nwg_ps_msg *m)
{
	strcpy(nwg_ps_netns_add(&m->u.ids), "tun-" PROJ);
}
static void m_apply_flags(struct nwg_ps_msg *m)
{
	m->u.apply.flags = 16;
}
static void m_ovn_id(struct nwg_ps_msg *m)
{
	strcpy(m->u.ovn.port_id, "../x");
}
static void m_ovn_mac_upper(struct nwg_ps_msg *m)
{
	strcpy(m->u.ovn.mac, "FA:16:3E:00:00:01");
}
static void m_ovn_mac_multicast(struct nwg_ps_msg *m)
{
	strcpy(m->u.ovn.mac, "01:00:5e:00:00:01");
}
static void m_ovn_mac_empty(struct nwg_ps_msg *m)
{
	m->u.ovn.mac[0] = '\0';
}
static void m_ovn_gw_name(struct nwg_ps_msg *m)
{
	strcpy(m->u.ovn.gateways[1], "gw.example");
}
static void m_ovn_gw_cidr(struct nwg_ps_msg *m)
{
	strcpy(m->u.ovn.gateways[0], "10.61.2.1/24");
}
static void m_ovn_gw_count(struct nwg_ps_msg *m)
{
	m->u.ovn.n_gateways = NWG_PS_MAX_GW + 1;
}
static void m_ovn_mtu(struct nwg_ps_msg *m)
{
	m->u.ovn.mtu = 20;
}
static void m_delta_create(struct nwg_ps_msg *m) /* DELTA: an UPDATE only */
{
	m->u.apply.flags = NWG_PS_APPLY_DELTA;
	m->u.apply.fix = 1U << 8;
}
static void m_delta_no_record(struct nwg_ps_msg *m)
{
	m->u.apply.kind = NWG_PS_UPDATE;
	m->u.apply.flags = NWG_PS_APPLY_DELTA;
	m->u.apply.fix = 1U << 2; /* peers, no record */
}
static void m_delta_seen(struct nwg_ps_msg *m) /* DELTA carries operations only */
{
	m->u.apply.kind = NWG_PS_UPDATE;
	m->u.apply.flags = NWG_PS_APPLY_DELTA;
	m->u.apply.fix = (1U << 2) | (1U << 8);
	m->u.apply.peers[1].op = NWG_PS_PEER_SEEN;
}
static void m_more_delete(struct nwg_ps_msg *m)
{
	m->u.apply.kind = NWG_PS_DELETE;
	m->u.apply.flags = NWG_PS_APPLY_MORE;
}
static void m_standby_delete(struct nwg_ps_msg *m)
{
	m->u.apply.kind = NWG_PS_DELETE;
	m->u.apply.flags = NWG_PS_APPLY_STANDBY;
}
static void m_link_peer_op(struct nwg_ps_msg *m)
{
	m->u.link.peers[0].op = NWG_PS_PEER_ADD;
}
static void m_result_rc(struct nwg_ps_msg *m)
{
	m->u.result.rc = 5;
}
static void m_result_text(struct nwg_ps_msg *m)
{
	strcpy(m->u.result.error, "line\nforged: ok");
}
static void m_place_ifname(struct nwg_ps_msg *m)
{
	m->u.place.ifname[0] = '\0';
}
static void m_quarantine_id(struct nwg_ps_msg *m)
{
	strcpy(m->u.port_id, ".hidden");
}
static void m_purge_zero(struct nwg_ps_msg *m)
{
	m->u.max_age_s = 0;
}
static void m_hello_zero(struct nwg_ps_msg *m)
{
	m->u.version = 0;
}
static void m_sealed_without_src(struct nwg_ps_msg *m)
{
	strcpy(m->u.apply.sealed, "AAAA");
}
static void m_key_src(struct nwg_ps_msg *m)
{
	m->u.apply.key_src = NWG_PS_KEY_SEALED + 1;
}
static void m_netns_state(struct nwg_ps_msg *m)
{
	m->u.result.netns_state = NWG_PS_NETNS_KEPT + 1;
}
static void m_netns_empty(struct nwg_ps_msg *m)
{
	m->u.netns[0] = '\0';
}
static void m_netns_slash(struct nwg_ps_msg *m)
{
	strcpy(m->u.netns, "tun-../x");
}

static void m_seal_zero_key(struct nwg_ps_msg *m)
{
	memset(&m->u.seal.peer_pub, 0, sizeof(m->u.seal.peer_pub));
}
static void m_seal_id(struct nwg_ps_msg *m)
{
	strcpy(m->u.seal.port_id, "../x");
}
static void m_result_sealed(struct nwg_ps_msg *m) /* not an envelope */
{
	strcpy(m->u.result.sealed, "not-an-envelope");
}

static void m_stream_op(struct nwg_ps_msg *m)
{
	m->u.stream.op = 3;
}
static void m_stream_op0(struct nwg_ps_msg *m)
{
	m->u.stream.op = 0;
}
static void m_stream_id(struct nwg_ps_msg *m)
{
	strcpy(m->u.stream.port_id, "../x");
}
static void m_stream_zero_key(struct nwg_ps_msg *m)
{
	key_fill(&m->u.stream.peer_pub, 0);
}
static void m_stream_seal_dgram(struct nwg_ps_msg *m) /* SEAL: the executor reads the device */
{
	m->u.stream.op = NWG_PS_STREAM_SEAL;
	m->u.stream.min_seq = 0;
}
static void m_stream_seal_floor(struct nwg_ps_msg *m)
{
	m->u.stream.op = NWG_PS_STREAM_SEAL;
	free(m->u.stream.dgram);
	m->u.stream.dgram = NULL;
	m->u.stream.dgram_len = 0;
}
static void m_stream_open_empty(struct nwg_ps_msg *m)
{
	free(m->u.stream.dgram);
	m->u.stream.dgram = NULL;
	m->u.stream.dgram_len = 0;
}
static void m_stream_dgram_big(struct nwg_ps_msg *m)
{
	uint8_t *d = realloc(m->u.stream.dgram, NWG_PS_DGRAM_MAX + 1);

	assert_non_null(d);
	memset(d, 1, NWG_PS_DGRAM_MAX + 1);
	m->u.stream.dgram = d;
	m->u.stream.dgram_len = NWG_PS_DGRAM_MAX + 1;
}
static void m_vrrp_op0(struct nwg_ps_msg *m)
{
	m->u.vrrp.op = 0;
}
static void m_vrrp_op5(struct nwg_ps_msg *m)
{
	m->u.vrrp.op = NWG_PS_VRRP_RELEASE_VIP + 1;
}
static void m_chunk_idx(struct nwg_ps_msg *m) /* idx < total */
{
	build_chunk_into(m);
	m->u.result.chunk_idx = 3;
}
static void m_chunk_total(struct nwg_ps_msg *m)
{
	build_chunk_into(m);
	m->u.result.chunk_idx = 0;
	m->u.result.chunk_total = NWG_PS_CHUNKS_MAX + 1;
}
static void m_chunk_no_seq(struct nwg_ps_msg *m)
{
	build_chunk_into(m);
	m->u.result.seq = 0;
}
static void m_chunk_text_alone(struct nwg_ps_msg *m) /* text without its place */
{
	build_chunk_into(m);
	m->u.result.seq = m->u.result.chunk_idx = m->u.result.chunk_total = 0;
}
static void m_chunk_host(struct nwg_ps_msg *m) /* a host name: never an endpoint */
{
	build_chunk_into(m);
	memcpy(strchr(m->u.result.text, ' ') + 1, "evil.example:4", 14);
}
static void m_chunk_no_newline(struct nwg_ps_msg *m)
{
	build_chunk_into(m);
	m->u.result.text[m->u.result.text_len - 1] = ' ';
}
static void m_chunk_nul(struct nwg_ps_msg *m) /* what text_len says is not the string */
{
	build_chunk_into(m);
	m->u.result.text[5] = '\0';
}
static void m_chunk_private(struct nwg_ps_msg *m) /* anything else: refused */
{
	build_chunk_into(m);
	memcpy(m->u.result.text, "PrivateKey = ", 13);
}

static void m_ha_op(struct nwg_ps_msg *m)
{
	m->u.ha.op = 4;
}
static void m_ha_op0(struct nwg_ps_msg *m)
{
	m->u.ha.op = 0;
}
static void m_ha_id(struct nwg_ps_msg *m)
{
	strcpy(m->u.ha.port_id, "../x");
}
static void m_ha_pace0(struct nwg_ps_msg *m)
{
	m->u.ha.pace = 0;
}
static void m_ha_pace_big(struct nwg_ps_msg *m)
{
	m->u.ha.pace = NWG_PS_HA_PACE_MAX + 1;
}
static void m_ha_deactivate_eps(struct nwg_ps_msg *m) /* endpoints on a DEACTIVATE */
{
	m->u.ha.op = 2;
	m->u.ha.pace = 0;
}
static void m_ha_deactivate_paced(struct nwg_ps_msg *m)
{
	free(m->u.ha.eps);
	m->u.ha.eps = NULL;
	m->u.ha.n_eps = 0;
	m->u.ha.op = 2;
}
static void m_ha_renew_eps(struct nwg_ps_msg *m)
{
	m->u.ha.op = 3;
}
static void m_ha_ep_zero_key(struct nwg_ps_msg *m)
{
	memset(&m->u.ha.eps[1].key, 0, sizeof(m->u.ha.eps[1].key));
}
static void m_ha_ep_name(struct nwg_ps_msg *m) /* a host name: never resolved */
{
	strcpy(m->u.ha.eps[0].endpoint, "evil.example:51820");
}
static void m_ha_ep_noport(struct nwg_ps_msg *m)
{
	strcpy(m->u.ha.eps[0].endpoint, "198.51.100.7");
}

static const struct mutation mutations[] = {
    {NWG_PS_HA, "op 4", m_ha_op},
    {NWG_PS_HA, "op 0", m_ha_op0},
    {NWG_PS_HA, "port id ../x", m_ha_id},
    {NWG_PS_HA, "ACTIVATE without pace", m_ha_pace0},
    {NWG_PS_HA, "pace past the bound", m_ha_pace_big},
    {NWG_PS_HA, "DEACTIVATE with endpoints", m_ha_deactivate_eps},
    {NWG_PS_HA, "DEACTIVATE paced", m_ha_deactivate_paced},
    {NWG_PS_HA, "RENEW with endpoints", m_ha_renew_eps},
    {NWG_PS_HA, "endpoint with a zero key", m_ha_ep_zero_key},
    {NWG_PS_HA, "endpoint as a host name", m_ha_ep_name},
    {NWG_PS_HA, "endpoint without port", m_ha_ep_noport},
    {NWG_PS_STREAM, "op 3", m_stream_op},
    {NWG_PS_STREAM, "op 0", m_stream_op0},
    {NWG_PS_STREAM, "port id ../x", m_stream_id},
    {NWG_PS_STREAM, "zero peer key", m_stream_zero_key},
    {NWG_PS_STREAM, "SEAL with a datagram", m_stream_seal_dgram},
    {NWG_PS_STREAM, "SEAL with a floor", m_stream_seal_floor},
    {NWG_PS_STREAM, "OPEN without a datagram", m_stream_open_empty},
    {NWG_PS_STREAM, "datagram past the bound", m_stream_dgram_big},
    {NWG_PS_VRRP, "op 0", m_vrrp_op0},
    {NWG_PS_VRRP, "op 5", m_vrrp_op5},
    {NWG_PS_RESULT, "chunk index at its total", m_chunk_idx},
    {NWG_PS_RESULT, "chunk total past the bound", m_chunk_total},
    {NWG_PS_RESULT, "chunk without a seq", m_chunk_no_seq},
    {NWG_PS_RESULT, "chunk text without its place", m_chunk_text_alone},
    {NWG_PS_RESULT, "chunk with a host name", m_chunk_host},
    {NWG_PS_RESULT, "chunk without a final newline", m_chunk_no_newline},
    {NWG_PS_RESULT, "chunk with a NUL inside", m_chunk_nul},
    {NWG_PS_RESULT, "chunk that is not endpoint lines", m_chunk_private},
    {NWG_PS_OVN_PLUG, "port id ../x", m_ovn_id},
    {NWG_PS_OVN_PLUG, "MAC in upper case", m_ovn_mac_upper},
    {NWG_PS_OVN_PLUG, "multicast MAC", m_ovn_mac_multicast},
    {NWG_PS_OVN_PLUG, "no MAC", m_ovn_mac_empty},
    {NWG_PS_OVN_PLUG, "gateway as a host name", m_ovn_gw_name},
    {NWG_PS_OVN_PLUG, "gateway with a prefix", m_ovn_gw_cidr},
    {NWG_PS_OVN_PLUG, "gateways past the bound", m_ovn_gw_count},
    {NWG_PS_OVN_PLUG, "mtu 20", m_ovn_mtu},
    {NWG_PS_SEAL, "zero peer public key", m_seal_zero_key},
    {NWG_PS_SEAL, "port id ../x", m_seal_id},
    {NWG_PS_RESULT, "sealed that is no envelope", m_result_sealed},
    {NWG_PS_READ_ACTUAL, "id with /", m_id_slash},
    {NWG_PS_STATUS, "empty id", m_id_empty},
    {NWG_PS_APPLY, "ifname with /", m_ifname_slash},
    {NWG_PS_APPLY, "netns ..", m_netns_dotdot},
    {NWG_PS_APPLY, "kind", m_kind},
    {NWG_PS_APPLY, "fix flags", m_fix},
    {NWG_PS_APPLY, "mtu", m_mtu},
    {NWG_PS_APPLY, "zero peer key", m_peer_zero_key},
    {NWG_PS_APPLY, "host name endpoint", m_peer_endpoint},
    {NWG_PS_APPLY, "unknown peer op", m_peer_op},
    {NWG_PS_APPLY, "peer port_id with /", m_peer_port_id},
    {NWG_PS_ACTUAL, "a link's peer with a port_id", m_link_peer_port_id},
    {NWG_PS_ACTUAL, "record peer port_id with a space", m_record_peer_port_id},
    {NWG_PS_ACTUAL, "record peer with a handshake", m_record_counters},
    {NWG_PS_ACTUAL, "unknown part", m_part},
    {NWG_PS_ACTUAL, "corrupt part with fields", m_corrupt_fields},
    {NWG_PS_ACTUAL, "unreadable link with device data", m_unreadable_key},
    {NWG_PS_ACTUAL, "key_matches_record without a key", m_keyless_match},
    {NWG_PS_ACTUAL, "unknown device flag", m_dev_flags},
    {NWG_PS_ACTUAL, "link part with a home", m_link_project},
    {NWG_PS_READ_ACTUAL, "namespace ..", m_read_netns},
    {NWG_PS_STATUS, "STATUS with namespaces", m_status_netns},
    {NWG_PS_APPLY, "unknown apply flag", m_apply_flags},
    {NWG_PS_APPLY, "DELTA on a create", m_delta_create},
    {NWG_PS_APPLY, "DELTA without a record rewrite", m_delta_no_record},
    {NWG_PS_APPLY, "DELTA with a SEEN peer", m_delta_seen},
    {NWG_PS_APPLY, "MORE on a delete", m_more_delete},
    {NWG_PS_APPLY, "STANDBY on a delete", m_standby_delete},
    {NWG_PS_ACTUAL, "peer op ADD", m_link_peer_op},
    {NWG_PS_RESULT, "positive rc", m_result_rc},
    {NWG_PS_RESULT, "newline in error", m_result_text},
    {NWG_PS_PLACE, "empty ifname", m_place_ifname},
    {NWG_PS_QUARANTINE, "dot id", m_quarantine_id},
    {NWG_PS_PURGE, "zero age", m_purge_zero},
    {NWG_PS_HELLO, "zero version", m_hello_zero},
    {NWG_PS_APPLY, "envelope without key source SEALED", m_sealed_without_src},
    {NWG_PS_APPLY, "unknown key source", m_key_src},
    {NWG_PS_RESULT, "unknown namespace state", m_netns_state},
    {NWG_PS_NETNS_REMOVE, "root namespace", m_netns_empty},
    {NWG_PS_NETNS_REMOVE, "name with /", m_netns_slash},
};

static void test_mutations_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		const struct mutation *mu = &mutations[i];
		struct nwg_ps_msg m;
		struct nwg_err err = {{0}};

		build(&m, mu->type);
		mu->mutate(&m);
		if (nwg_ps_encode(&m, buf, sizeof(buf), &err) != -EINVAL)
			fail_msg("%s: encode accepted %s", nwg_ps_type_name(mu->type), mu->what);
		assert_non_null(strstr(err.msg, "outside the grammar"));
		if (nwg_ps_check(&m, NULL) != -EINVAL)
			fail_msg("%s: check accepted %s", nwg_ps_type_name(mu->type), mu->what);
		nwg_ps_msg_clear(&m);
	}
}

/* The sealed envelope travels as ciphertext of one exact shape: padded
 * base64 of NWG_SEALED_B64_LEN characters, only with key source SEALED,
 * only on a CREATE. */
static void test_sealed_apply(void **state)
{
	static const char *const bad[] = {"short", "bad char", "padding", "update"};
	struct nwg_ps_msg a, b;
	struct nwg_err err = {{0}};
	int n;

	(void)state;
	build_sealed(&a);
	n = encode(&a);
	if (nwg_ps_decode(buf, (size_t)n, &b, &err) != 0)
		fail_msg("decode: %s", err.msg);
	assert_int_equal(b.u.apply.key_src, NWG_PS_KEY_SEALED);
	assert_string_equal(b.u.apply.sealed, a.u.apply.sealed);
	nwg_ps_msg_clear(&b);
	nwg_ps_msg_clear(&a);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build_sealed(&a);
		if (i == 0)
			a.u.apply.sealed[NWG_SEALED_B64_LEN - 1] = '\0';
		else if (i == 1)
			a.u.apply.sealed[3] = '\n';
		else if (i == 2) /* 132 bytes: base64 without padding */
			a.u.apply.sealed[NWG_SEALED_B64_LEN - 1] = '=';
		else
			a.u.apply.kind = NWG_PS_UPDATE;
		if (nwg_ps_encode(&a, buf, sizeof(buf), &err) != -EINVAL)
			fail_msg("sealed envelope accepted: %s", bad[i]);
		assert_non_null(strstr(err.msg, "sealed key"));
		nwg_ps_msg_clear(&a);
	}
}

/* ---- the wire: the decoder refuses what no encoder would produce ---- */

/* Finds the first occurrence of a string field (u8 length + bytes) in buf. */
static uint8_t *find_str(uint8_t *b, int n, const char *s)
{
	size_t l = strlen(s);

	for (int i = NWG_PS_HDR_LEN; i + 1 + (int)l <= n; i++)
		if (b[i] == l && memcmp(b + i + 1, s, l) == 0)
			return b + i;
	return NULL;
}

static int decode_rc(int n)
{
	struct nwg_ps_msg m;
	struct nwg_err err = {{0}};
	int rc = nwg_ps_decode(buf, (size_t)n, &m, &err);

	nwg_ps_msg_clear(&m);
	return rc;
}

static void test_wire_refused(void **state)
{
	struct nwg_ps_msg m;
	uint8_t *p;
	int n;

	(void)state;
	build(&m, NWG_PS_APPLY);
	n = encode(&m);
	assert_int_equal(decode_rc(n), 0);

	/* another version */
	buf[1] = NWG_PS_VERSION + 1;
	assert_int_equal(decode_rc(n), -EPROTO);
	buf[1] = NWG_PS_VERSION;
	/* unknown type, and a reply type's number past the end */
	buf[3] = 0;
	assert_int_equal(decode_rc(n), -EBADMSG);
	buf[3] = NWG_PS_TYPE_END;
	assert_int_equal(decode_rc(n), -EBADMSG);
	buf[3] = NWG_PS_APPLY;
	/* truncated (the length field then disagrees), and trailing bytes */
	assert_int_equal(decode_rc(n - 1), -EBADMSG);
	assert_int_equal(decode_rc(5), -EBADMSG);
	buf[11]++;
	buf[n] = 0;
	assert_int_equal(decode_rc(n + 1), -EBADMSG);
	buf[11]--;
	assert_int_equal(decode_rc(n), 0);
	/* a name with a '/' in it, at the same length */
	p = find_str(buf, n, "tun-" PROJ);
	assert_non_null(p);
	p[5] = '/';
	assert_int_equal(decode_rc(n), -EINVAL);
	p[5] = PROJ[0];
	/* a NUL inside a string */
	p[3] = '\0';
	assert_int_equal(decode_rc(n), -EBADMSG);
	p[3] = 'n';
	/* an allowed IP with host bits */
	p = find_str(buf, n, "10.9.0.2/32");
	assert_non_null(p);
	memcpy(p + 1, "10.9.0.2/30", 11);
	assert_int_equal(decode_rc(n), -EINVAL);
	memcpy(p + 1, "10.9.0.2/32", 11);
	assert_int_equal(decode_rc(n), 0);
	nwg_ps_msg_clear(&m);
}

/* OVN_PLUG's fields forced onto the wire outside the grammar: refused on
 * decode, as the encoder refuses them (the executor re-checks them too:
 * test_privsep_ovn.c). */
static void test_ovn_wire_refused(void **state)
{
	struct nwg_ps_msg m;
	uint8_t *p;
	int n;

	(void)state;
	build(&m, NWG_PS_OVN_PLUG);
	n = encode(&m);
	assert_int_equal(decode_rc(n), 0);
	/* a MAC in upper case, a multicast one */
	p = find_str(buf, n, "fa:16:3e:00:00:01");
	assert_non_null(p);
	p[1] = 'F';
	assert_int_equal(decode_rc(n), -EINVAL);
	p[1] = 'f';
	p[2] = 'b';
	assert_int_equal(decode_rc(n), -EINVAL);
	p[2] = 'a';
	/* a gateway that is not an address */
	p = find_str(buf, n, "fd61:2::1");
	assert_non_null(p);
	p[1] = 'g';
	assert_int_equal(decode_rc(n), -EINVAL);
	p[1] = 'f';
	assert_int_equal(decode_rc(n), 0);
	/* a gateway count past the bound: refused before any is read */
	p = find_str(buf, n, "fd61:2::5/64");
	assert_non_null(p);
	p += 1 + strlen("fd61:2::5/64");
	assert_int_equal(p[0] << 8 | p[1], 2);
	p[1] = NWG_PS_MAX_GW + 1;
	assert_int_equal(decode_rc(n), -EBADMSG);
	nwg_ps_msg_clear(&m);
}

/* STREAM OPEN's answer carries the chunk byte-exactly; a datagram or a
 * chunk whose length field is past the bound is refused before it is read. */
static void test_stream_chunk(void **state)
{
	struct nwg_ps_msg m, b;
	struct nwg_err err = {{0}};
	size_t at;
	int n;

	(void)state;
	build_chunk(&m);
	n = encode(&m);
	assert_int_equal(nwg_ps_decode(buf, (size_t)n, &b, &err), 0);
	assert_int_equal(b.u.result.seq, 1700000000000123ULL);
	assert_int_equal(b.u.result.chunk_idx, 2);
	assert_int_equal(b.u.result.chunk_total, 3);
	assert_int_equal(b.u.result.text_len, strlen(CHUNK));
	assert_string_equal(b.u.result.text, CHUNK);
	nwg_ps_msg_clear(&b);
	/* the text's u32 length, just before the text, past the bound */
	at = (size_t)n - strlen(CHUNK) - 4;
	buf[at] = 0;
	buf[at + 1] = (NWG_PS_DGRAM_MAX + 1) >> 16;
	buf[at + 2] = ((NWG_PS_DGRAM_MAX + 1) >> 8) & 0xff;
	buf[at + 3] = (NWG_PS_DGRAM_MAX + 1) & 0xff;
	assert_int_equal(decode_rc(n), -EBADMSG);
	nwg_ps_msg_clear(&m);
	/* an empty chunk (an empty snapshot): no text, still in place */
	build_chunk(&m);
	free(m.u.result.text);
	m.u.result.text = NULL;
	m.u.result.text_len = 0;
	n = encode(&m);
	assert_int_equal(decode_rc(n), 0);
	nwg_ps_msg_clear(&m);
	/* OPEN: the datagram's length field past the bound */
	build(&m, NWG_PS_STREAM);
	n = encode(&m);
	at = (size_t)n - 300 - 4;
	buf[at + 1] = (NWG_PS_DGRAM_MAX + 1) >> 16;
	buf[at + 2] = ((NWG_PS_DGRAM_MAX + 1) >> 8) & 0xff;
	buf[at + 3] = (NWG_PS_DGRAM_MAX + 1) & 0xff;
	assert_int_equal(decode_rc(n), -EBADMSG);
	nwg_ps_msg_clear(&m);
	/* a full OPEN (the largest datagram) fits one message */
	build(&m, NWG_PS_STREAM);
	free(m.u.stream.dgram);
	assert_non_null(m.u.stream.dgram = calloc(1, NWG_PS_DGRAM_MAX));
	m.u.stream.dgram_len = NWG_PS_DGRAM_MAX;
	n = encode(&m);
	assert_int_equal(decode_rc(n), 0);
	nwg_ps_msg_clear(&m);
}

static void test_counts_bounded(void **state)
{
	struct nwg_ps_msg m;
	struct nwg_ps_ids ids = {0};
	struct nwg_ps_peer *peers = NULL;
	size_t n = 0;
	int len;

	(void)state;
	for (int i = 0; i < NWG_PS_MAX_IDS; i++)
		assert_non_null(nwg_ps_ids_add(&ids));
	assert_null(nwg_ps_ids_add(&ids));
	free(ids.ids);
	for (int i = 0; i < NWG_PS_MAX_PEERS; i++)
		assert_non_null(nwg_ps_peer_add(&peers, &n));
	assert_null(nwg_ps_peer_add(&peers, &n));
	free(peers);

	/* a STATUS whose count says 257 ids: refused before any is read */
	build(&m, NWG_PS_STATUS);
	len = encode(&m);
	buf[NWG_PS_HDR_LEN] = (NWG_PS_MAX_IDS + 1) >> 8;
	buf[NWG_PS_HDR_LEN + 1] = (NWG_PS_MAX_IDS + 1) & 0xff;
	assert_int_equal(decode_rc(len), -EBADMSG);
	nwg_ps_msg_clear(&m);

	/* a full APPLY (every bound at its maximum) still fits one datagram */
	build(&m, NWG_PS_APPLY);
	while (m.u.apply.n_peers < NWG_PS_MAX_PEERS) {
		struct nwg_ps_peer *p = nwg_ps_peer_add(&m.u.apply.peers, &m.u.apply.n_peers);

		peer_fill(p, NWG_PS_PEER_UPDATE, 3);
		memset(p->port_id, 'p', NWG_ID_MAX);
		p->port_id[NWG_ID_MAX] = '\0';
		p->n_allowed = NWG_PS_MAX_ALLOWED;
		for (size_t i = 0; i < NWG_PS_MAX_ALLOWED; i++)
			assert_int_equal(
			    nwg_cidr_parse(&p->allowed[i],
					   "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", false),
			    0);
	}
	len = encode(&m);
	assert_true(len > 0 && len <= NWG_PS_MAX_MSG);
	assert_int_equal(decode_rc(len), 0);
	nwg_ps_msg_clear(&m);

	/* a full HA ACTIVATE (longest endpoints) fits one datagram; one more
	 * endpoint cannot be added, and a count past the bound is refused */
	build(&m, NWG_PS_HA);
	while (m.u.ha.n_eps < NWG_PS_MAX_HA_EPS) {
		struct nwg_ps_ha_ep *e = nwg_ps_ha_ep_add(&m.u.ha);

		key_fill(&e->key, 14);
		strcpy(e->endpoint, "[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535");
	}
	assert_null(nwg_ps_ha_ep_add(&m.u.ha));
	len = encode(&m);
	assert_true(len > 0 && len <= NWG_PS_MAX_MSG);
	assert_int_equal(decode_rc(len), 0);
	buf[NWG_PS_HDR_LEN + 1 + 1 + strlen(PORT) + 4] = (NWG_PS_MAX_HA_EPS + 1) >> 8;
	buf[NWG_PS_HDR_LEN + 1 + 1 + strlen(PORT) + 4 + 1] = (NWG_PS_MAX_HA_EPS + 1) & 0xff;
	assert_int_equal(decode_rc(len), -EBADMSG);
	nwg_ps_msg_clear(&m);
}

/* ---- the executor's dispatch ---- */

struct calls {
	int read, apply, place, repo, netns, seal, ha, stream, vrrp, ovn_plug, ovn_sweep;
	int emitted;
	struct nwg_ps_msg last;
};

static int op_read(void *ctx, uint16_t type, const struct nwg_ps_ids *ids, nwg_ps_emit_fn emit,
		   void *ectx, uint32_t seq, struct nwg_ps_result *out, struct nwg_err *err)
{
	struct calls *c = ctx;
	struct nwg_ps_msg m;
	int rc;

	(void)type;
	(void)out;
	(void)err;
	c->read++;
	build(&m, NWG_PS_ACTUAL);
	m.seq = seq;
	strcpy(m.u.link.port_id, ids->n ? ids->ids[0] : PORT);
	rc = emit(ectx, &m);
	nwg_ps_msg_clear(&m);
	return rc;
}

static int op_apply(void *ctx, const struct nwg_ps_apply *a, struct nwg_ps_result *out,
		    struct nwg_err *err)
{
	(void)err;
	((struct calls *)ctx)->apply++;
	snprintf(out->ifname, sizeof(out->ifname), "%s", a->ifname);
	key_fill(&out->public_key, 0x33);
	return 0;
}

static int op_place(void *ctx, const struct nwg_ps_place *p, struct nwg_ps_result *out,
		    struct nwg_err *err)
{
	(void)p;
	(void)out;
	(void)err;
	((struct calls *)ctx)->place++;
	return 0;
}

static int op_repo(void *ctx, uint16_t type, const char *port_id, uint32_t age,
		   struct nwg_ps_result *out, struct nwg_err *err)
{
	(void)out;
	(void)type;
	(void)port_id;
	(void)age;
	((struct calls *)ctx)->repo++;
	return nwg_err_set(err, ENOENT, "no record\nINFO forged");
}

static int op_netns(void *ctx, const char *netns, struct nwg_ps_result *out, struct nwg_err *err)
{
	(void)netns;
	(void)err;
	((struct calls *)ctx)->netns++;
	out->netns_state = NWG_PS_NETNS_KEPT;
	strcpy(out->error, "a process\tstill runs");
	return 0;
}

/* SEAL: an envelope in the grammar (what lib/seal.c makes) */
static int op_seal(void *ctx, const struct nwg_ps_seal *s, struct nwg_ps_result *out,
		   struct nwg_err *err)
{
	(void)s;
	(void)err;
	((struct calls *)ctx)->seal++;
	memset(out->sealed, 'A', NWG_SEALED_B64_LEN);
	out->sealed[NWG_SEALED_B64_LEN] = '\0';
	return 0;
}

/* HA: the endpoints set and the hub's link come back */
static int op_ha(void *ctx, const struct nwg_ps_ha *h, struct nwg_ps_result *out,
		 struct nwg_err *err)
{
	(void)err;
	((struct calls *)ctx)->ha++;
	out->count = (uint32_t)h->n_eps;
	out->listed = 7;
	strcpy(out->ifname, "wg-0b6a1f2e-11");
	return 0;
}

/* STREAM OPEN: a chunk comes back (its text freed by the dispatch) */
static int op_stream(void *ctx, const struct nwg_ps_stream *s, struct nwg_ps_result *out,
		     struct nwg_err *err)
{
	(void)s;
	(void)err;
	((struct calls *)ctx)->stream++;
	out->seq = 77;
	out->chunk_idx = 0;
	out->chunk_total = 1;
	out->text = strdup(CHUNK);
	out->text_len = out->text ? strlen(CHUNK) : 0;
	return out->text ? 0 : -ENOMEM;
}

/* VRRP: keepalived's pid */
static int op_vrrp(void *ctx, const struct nwg_ps_vrrp *v, struct nwg_ps_result *out,
		   struct nwg_err *err)
{
	(void)v;
	(void)err;
	((struct calls *)ctx)->vrrp++;
	out->count = 4242;
	return 0;
}

/* OVN_PLUG: the hub's link (the executor's record) comes back; OVN_SWEEP:
 * the ports removed */
static int op_ovn_plug(void *ctx, const struct nwg_ps_ovn *o, struct nwg_ps_result *out,
		       struct nwg_err *err)
{
	(void)err;
	((struct calls *)ctx)->ovn_plug++;
	strcpy(out->ifname, "wg-0b6a1f2e-11");
	strcpy(out->netns, "tun-" PROJ);
	out->changed = out->up = o->up;
	out->count = 3;
	return 0;
}

static int op_ovn_sweep(void *ctx, struct nwg_ps_result *out, struct nwg_err *err)
{
	(void)err;
	((struct calls *)ctx)->ovn_sweep++;
	out->count = 2;
	return 0;
}

static const struct nwg_ps_ops ops = {op_read,	op_apply,    op_place,	  op_repo,
				      op_netns, op_seal,     op_ha,	  op_stream,
				      op_vrrp,	op_ovn_plug, op_ovn_sweep};
static const struct nwg_ps_policy pol = {.ns_prefix = "tun-"};

/* The sink encodes and decodes again: what the engine would read. */
static int sink(void *ectx, const struct nwg_ps_msg *m)
{
	struct calls *c = ectx;
	static uint8_t out[NWG_PS_MAX_MSG];
	int n = nwg_ps_encode(m, out, sizeof(out), NULL);

	if (n < 0)
		return n;
	c->emitted++;
	nwg_ps_msg_clear(&c->last);
	return nwg_ps_decode(out, (size_t)n, &c->last, NULL);
}

static int serve(struct calls *c, int n)
{
	return nwg_ps_serve(&pol, &ops, c, buf, (size_t)n, sink, c);
}

static void test_serve_runs_valid_requests(void **state)
{
	struct calls c = {0};
	struct nwg_ps_msg m;

	(void)state;
	for (uint16_t t = NWG_PS_HELLO; t < NWG_PS_TYPE_END; t++) {
		if (t == NWG_PS_ACTUAL || t == NWG_PS_RESULT || nwg_ps_msg_init(&m, t, 0) < 0)
			continue;
		build(&m, t);
		assert_int_equal(serve(&c, encode(&m)),
				 t == NWG_PS_SHUTDOWN ? NWG_PS_SERVE_STOP : NWG_PS_SERVE_MORE);
		assert_int_equal(c.last.type, NWG_PS_RESULT);
		assert_int_equal(c.last.seq, m.seq);
		nwg_ps_msg_clear(&m);
	}
	assert_int_equal(c.read, 2);
	assert_int_equal(c.apply, 1);
	assert_int_equal(c.place, 1);
	assert_int_equal(c.repo, 3);
	assert_int_equal(c.netns, 1);
	assert_int_equal(c.seal, 1);
	assert_int_equal(c.ha, 1);
	assert_int_equal(c.stream, 1);
	assert_int_equal(c.vrrp, 1);
	assert_int_equal(c.ovn_plug, 1);
	assert_int_equal(c.ovn_sweep, 1);
	/* OVN_SWEEP (the last type): the count comes back */
	assert_int_equal(c.last.u.result.rc, 0);
	assert_int_equal(c.last.u.result.count, 2);
	/* OVN_PLUG: the link, what changed, the routes removed */
	build(&m, NWG_PS_OVN_PLUG);
	serve(&c, encode(&m));
	nwg_ps_msg_clear(&m);
	assert_int_equal(c.ovn_plug, 2);
	assert_string_equal(c.last.u.result.netns, "tun-" PROJ);
	assert_string_equal(c.last.u.result.ifname, "wg-0b6a1f2e-11");
	assert_true(c.last.u.result.changed && c.last.u.result.up);
	assert_int_equal(c.last.u.result.count, 3);
	/* VRRP: keepalived's pid comes back */
	build(&m, NWG_PS_VRRP);
	serve(&c, encode(&m));
	nwg_ps_msg_clear(&m);
	assert_int_equal(c.vrrp, 2);
	assert_int_equal(c.last.u.result.rc, 0);
	assert_int_equal(c.last.u.result.count, 4242);
	/* HA: the count and the link come back */
	build(&m, NWG_PS_HA);
	serve(&c, encode(&m));
	nwg_ps_msg_clear(&m);
	assert_int_equal(c.ha, 2);
	assert_int_equal(c.last.u.result.rc, 0);
	assert_int_equal(c.last.u.result.count, 2);
	assert_int_equal(c.last.u.result.listed, 7);
	assert_string_equal(c.last.u.result.ifname, "wg-0b6a1f2e-11");
	/* STREAM OPEN: the chunk comes back as the engine reads it */
	build(&m, NWG_PS_STREAM);
	serve(&c, encode(&m));
	nwg_ps_msg_clear(&m);
	assert_int_equal(c.last.u.result.rc, 0);
	assert_int_equal(c.last.u.result.seq, 77);
	assert_int_equal(c.last.u.result.chunk_total, 1);
	assert_string_equal(c.last.u.result.text, CHUNK);
	/* SEAL: the envelope comes back */
	build(&m, NWG_PS_SEAL);
	serve(&c, encode(&m));
	nwg_ps_msg_clear(&m);
	assert_int_equal(c.seal, 2);
	assert_int_equal(strlen(c.last.u.result.sealed), NWG_SEALED_B64_LEN);
	/* READ_ACTUAL and STATUS: one ACTUAL each, then the RESULT */
	assert_int_equal(c.emitted, 16 + 2 + 5);
	/* a kept namespace: rc 0, the state, the reason as one printable line */
	build(&m, NWG_PS_NETNS_REMOVE);
	serve(&c, encode(&m));
	nwg_ps_msg_clear(&m);
	assert_int_equal(c.last.u.result.rc, 0);
	assert_int_equal(c.last.u.result.netns_state, NWG_PS_NETNS_KEPT);
	assert_string_equal(c.last.u.result.error, "a process?still runs");
	/* an operation's error text reaches the engine as one printable line */
	build(&m, NWG_PS_QUARANTINE);
	serve(&c, encode(&m));
	assert_int_equal(c.last.u.result.rc, -ENOENT);
	assert_string_equal(c.last.u.result.error, "no record?INFO forged");
	nwg_ps_msg_clear(&m);
	nwg_ps_msg_clear(&c.last);
}

/* A request outside the grammar or the naming policy: refused, answered,
 * and no operation runs. */
static void expect_refused(struct nwg_ps_msg *m, int want_rc, const char *why)
{
	struct calls c = {0};
	struct nwg_err err = {{0}};
	int n, rc;

	n = nwg_ps_encode(m, buf, sizeof(buf), &err);
	if (n < 0)
		fail_msg("%s: test message not encodable: %s", why, err.msg);
	rc = serve(&c, n);
	if (c.read || c.apply || c.place || c.repo || c.netns || c.seal || c.ha || c.stream ||
	    c.vrrp || c.ovn_plug || c.ovn_sweep)
		fail_msg("%s: an operation ran", why);
	assert_int_equal(c.last.type, NWG_PS_RESULT);
	if (c.last.u.result.rc != want_rc)
		fail_msg("%s: rc %d, want %d (%s)", why, c.last.u.result.rc, want_rc,
			 c.last.u.result.error);
	assert_true(rc == NWG_PS_SERVE_MORE || rc == -EPROTO || rc == -EBADMSG);
	nwg_ps_msg_clear(&c.last);
}

static void test_serve_refuses_policy(void **state)
{
	struct nwg_ps_msg m;

	(void)state;
	build(&m, NWG_PS_APPLY);
	strcpy(m.u.apply.netns, "tun-otherproject");
	expect_refused(&m, -EPERM, "APPLY into another project's namespace");
	strcpy(m.u.apply.netns, "tun-" PROJ);
	strcpy(m.u.apply.ifname, "eth0");
	expect_refused(&m, -EPERM, "CREATE under a foreign name");
	strcpy(m.u.apply.ifname, "wg-0b6a1f2e-11");
	strcpy(m.u.apply.home_netns, "qrouter-9d2e6f50-aaaa-4bbb-8ccc-dddddddddddd");
	strcpy(m.u.apply.netns, m.u.apply.home_netns);
	expect_refused(&m, -EPERM, "home in a router namespace");
	strcpy(m.u.apply.home_netns, "tun-" PROJ);
	strcpy(m.u.apply.netns, "qrouter-NOT-A-UUID");
	expect_refused(&m, -EPERM, "router namespace without a uuid");
	strcpy(m.u.apply.netns, "sshd-ns");
	m.u.apply.kind = NWG_PS_DELETE;
	expect_refused(&m, -EPERM, "DELETE in a foreign namespace");
	nwg_ps_msg_clear(&m);

	build(&m, NWG_PS_PLACE);
	strcpy(m.u.place.netns, "tun-" PROJ);
	expect_refused(&m, -EPERM, "attach into a non-router namespace");
	m.u.place.attach = false;
	strcpy(m.u.place.netns, ROUTE);
	expect_refused(&m, -EPERM, "detach into a router namespace");
	strcpy(m.u.place.netns, "other-ns");
	expect_refused(&m, -EPERM, "detach into a foreign namespace");
	nwg_ps_msg_clear(&m);

	build(&m, NWG_PS_NETNS_REMOVE);
	strcpy(m.u.netns, ROUTE);
	expect_refused(&m, -EPERM, "remove a router's namespace");
	strcpy(m.u.netns, "sshd-ns");
	expect_refused(&m, -EPERM, "remove a foreign namespace");
	strcpy(m.u.netns, "tun-");
	expect_refused(&m, -EPERM, "remove the bare prefix");
	strcpy(m.u.netns, "tun-.hidden");
	expect_refused(&m, -EPERM, "remove a prefix with a non-id");
	nwg_ps_msg_clear(&m);

	build(&m, NWG_PS_READ_ACTUAL);
	strcpy(m.u.ids.netns[1], "sshd-ns");
	expect_refused(&m, -EPERM, "read links in a foreign namespace");
	nwg_ps_msg_clear(&m);
}

static void test_serve_refuses_wire(void **state)
{
	struct calls c = {0};
	struct nwg_ps_msg m;
	uint8_t *p;
	int n;

	(void)state;
	/* a grammar error in the bytes: EINVAL answered, nothing run */
	build(&m, NWG_PS_QUARANTINE);
	n = encode(&m);
	p = find_str(buf, n, PORT);
	p[1] = '/';
	assert_int_equal(serve(&c, n), NWG_PS_SERVE_MORE);
	assert_int_equal(c.last.u.result.rc, -EINVAL);
	assert_int_equal(c.repo, 0);
	nwg_ps_msg_clear(&m);
	/* another version: answered, then the executor must stop */
	build(&m, NWG_PS_SHUTDOWN);
	n = encode(&m);
	buf[1] = 9;
	assert_int_equal(serve(&c, n), -EPROTO);
	assert_int_equal(c.last.u.result.rc, -EPROTO);
	nwg_ps_msg_clear(&m);
	/* HELLO with another version inside this version's header */
	build(&m, NWG_PS_HELLO);
	m.u.version = NWG_PS_VERSION + 1;
	assert_int_equal(serve(&c, encode(&m)), -EPROTO);
	nwg_ps_msg_clear(&m);
	/* a reply type sent as a request */
	build(&m, NWG_PS_RESULT);
	assert_int_equal(serve(&c, encode(&m)), -EBADMSG);
	assert_int_equal(c.last.u.result.rc, -EBADMSG);
	nwg_ps_msg_clear(&m);
	/* garbage */
	memset(buf, 0xff, 40);
	assert_true(serve(&c, 40) < 0);
	assert_int_equal(c.read + c.apply + c.place + c.repo + c.netns, 0);
	nwg_ps_msg_clear(&c.last);
}

/* The engine's call on a reply that does not decode: -EPROTO, with or
 * without an error holder (it once formatted the holder it did not have). */
static void test_call_unreadable_reply(void **state)
{
	struct nwg_err err = {{0}};

	(void)state;
	for (int with_err = 0; with_err < 2; with_err++) {
		struct nwg_ps_client c = {0};
		struct nwg_ps_result res;
		struct nwg_ps_msg m;
		int sv[2];

		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
		memset(buf, 0xff, 40);
		assert_int_equal(write(sv[1], buf, 40), 40);
		c.fd = sv[0];
		nwg_ps_msg_init(&m, NWG_PS_HELLO, 0);
		assert_int_equal(nwg_ps_call(&c, &m, NULL, NULL, &res, with_err ? &err : NULL),
				 -EPROTO);
		nwg_ps_msg_clear(&m);
		close(sv[0]);
		close(sv[1]);
	}
	assert_non_null(strstr(err.msg, "unreadable reply"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_every_type),
	    cmocka_unit_test(test_mutations_refused),
	    cmocka_unit_test(test_sealed_apply),
	    cmocka_unit_test(test_stream_chunk),
	    cmocka_unit_test(test_wire_refused),
	    cmocka_unit_test(test_ovn_wire_refused),
	    cmocka_unit_test(test_counts_bounded),
	    cmocka_unit_test(test_serve_runs_valid_requests),
	    cmocka_unit_test(test_serve_refuses_policy),
	    cmocka_unit_test(test_serve_refuses_wire),
	    cmocka_unit_test(test_call_unreadable_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
