/* SPDX-License-Identifier: Apache-2.0 */
/* HA endpoint lists (format/parse, strict grammar) and the endpoint stream's
 * datagram (peer key, hub, sequence, tampering). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nwg/ha.h"

static const char K1[] = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
static const char K2[] = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";

static void test_roundtrip(void **state)
{
	const char in[] = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 198.51.100.7:40000\n"
			  "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw= [2001:db8::1]:51820\n";
	struct nwg_ha_ep *v = NULL;
	char *out = NULL;
	size_t n = 0, len = 0;
	struct nwg_key k;

	(void)state;
	assert_int_equal(nwg_ha_parse(in, strlen(in), &v, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(nwg_key_from_b64(&k, K2, strlen(K2)), 0);
	assert_true(nwg_key_equal(&v[1].pub, &k));
	assert_int_equal(v[1].ep.sa.sa_family, AF_INET6);
	assert_int_equal(ntohs(v[0].ep.sin.sin_port), 40000);
	assert_int_equal(nwg_ha_format(v, n, &out, &len), 0);
	assert_string_equal(out, in);
	assert_int_equal(len, strlen(in));
	free(out);
	free(v);
}

static void test_parse_rejects(void **state)
{
	static const char *bad[] = {
	    "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 198.51.100.7:40000", /* no newline */
	    "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=  198.51.100.7:1\n",  /* two spaces */
	    "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= host.example:1\n",   /* a name */
	    "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 198.51.100.7:0\n",   /* port 0 */
	    "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 198.51.100.7:65536\n",
	    "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dh= 198.51.100.7:1\n", /* not canonical */
	    "\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nwg_ha_ep *v = NULL;
		struct nwg_err err = {{0}};
		size_t n = 99;

		assert_int_equal(nwg_ha_parse(bad[i], strlen(bad[i]), &v, &n, &err), -EINVAL);
		assert_null(v);
		assert_non_null(strstr(err.msg, "endpoint list line"));
	}
	/* a key listed twice, not next to each other */
	{
		const char dup[] = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 198.51.100.7:1\n"
				   "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw= 198.51.100.9:1\n"
				   "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 198.51.100.8:1\n";
		struct nwg_ha_ep *v = NULL;
		struct nwg_err err = {{0}};
		size_t n = 0;

		assert_int_equal(nwg_ha_parse(dup, strlen(dup), &v, &n, &err), -EINVAL);
		assert_null(v);
		assert_non_null(strstr(err.msg, "listed twice"));
	}
	/* an embedded NUL */
	{
		const char nul[] = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 1.2.3.4:5\0\n";
		struct nwg_ha_ep *v = NULL;
		size_t n = 0;

		assert_int_equal(nwg_ha_parse(nul, sizeof(nul) - 1, &v, &n, NULL), -EINVAL);
	}
}

static void test_snapshot_skips_no_endpoint(void **state)
{
	struct nwg_device *dev = nwg_device_new("hw0");
	struct nwg_ha_ep *v = NULL;
	struct nwg_key k1, k2;
	struct nwg_peer *p;
	size_t n = 0;

	(void)state;
	assert_int_equal(nwg_key_from_b64(&k1, K1, strlen(K1)), 0);
	assert_int_equal(nwg_key_from_b64(&k2, K2, strlen(K2)), 0);
	assert_non_null(nwg_device_add_peer(dev, &k1));
	p = nwg_device_add_peer(dev, &k2);
	assert_int_equal(nwg_endpoint_parse(&p->endpoint, "192.0.2.1:7"), 0);
	assert_int_equal(nwg_ha_snapshot(dev, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_true(nwg_key_equal(&v[0].pub, &k2));
	free(v);
	nwg_device_free(dev);
}

struct pair {
	struct nwg_key priv, pub;
};

static struct pair mkpair(void)
{
	struct pair p;

	assert_int_equal(nwg_key_generate(&p.priv), 0);
	assert_int_equal(nwg_key_public(&p.pub, &p.priv), 0);
	return p;
}

static void test_msg(void **state)
{
	struct pair a = mkpair(), b = mkpair(), c = mkpair();
	uint8_t m[NWG_HA_MSG_MAX];
	const char body[] = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 198.51.100.7:4\n";
	const struct nwg_ha_chunk one = {0, 1}, third = {2, 3};
	struct nwg_ha_chunk got = {9, 9};
	char *text = NULL;
	size_t ml = 0, len = 0;
	uint64_t seq = 0;

	(void)state;
	assert_int_equal(nwg_ha_msg_seal(m, sizeof(m), &ml, "hub-1", 42, &third, body, strlen(body),
					 &a.priv, &b.pub, NULL),
			 0);
	/* b opens what a sent */
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, &got, m, ml, "hub-1", 41, &b.priv, &a.pub, NULL), 0);
	assert_int_equal(seq, 42);
	assert_int_equal(got.idx, 2);
	assert_int_equal(got.total, 3);
	assert_string_equal(text, body);
	assert_int_equal(len, strlen(body));
	free(text);
	text = NULL;
	/* replay / old sequence */
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, &got, m, ml, "hub-1", 42, &b.priv, &a.pub, NULL),
	    -ESTALE);
	/* another hub */
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, &got, m, ml, "hub-2", 0, &b.priv, &a.pub, NULL),
	    -EXDEV);
	/* a third node claiming to be a */
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, &got, m, ml, "hub-1", 0, &b.priv, &c.pub, NULL),
	    -EBADMSG);
	/* tampered */
	m[ml - 1] ^= 1;
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, &got, m, ml, "hub-1", 0, &b.priv, &a.pub, NULL),
	    -EBADMSG);
	/* truncated, not ours */
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, &got, m, 10, "hub-1", 0, &b.priv, &a.pub, NULL),
	    -EINVAL);
	assert_null(text);
	/* bad hub name, bad chunk fields, too large */
	assert_int_equal(nwg_ha_msg_seal(m, sizeof(m), &ml, "hub 1", 1, &one, body, strlen(body),
					 &a.priv, &b.pub, NULL),
			 -EINVAL);
	{
		const struct nwg_ha_chunk bad[] = {{1, 1}, {0, 0}, {0, NWG_HA_CHUNKS_MAX + 1}};

		for (size_t i = 0; i < 3; i++)
			assert_int_equal(nwg_ha_msg_seal(m, sizeof(m), &ml, "hub-1", 1, &bad[i],
							 body, strlen(body), &a.priv, &b.pub, NULL),
					 -EINVAL);
	}
	assert_int_equal(nwg_ha_msg_seal(m, 64, &ml, "hub-1", 1, &one, body, strlen(body), &a.priv,
					 &b.pub, NULL),
			 -EMSGSIZE);
}

/* A hub of n peers: its list (distinct keys, v4 and v6 endpoints). */
static char *big_list(size_t n, size_t *len)
{
	struct nwg_ha_ep *v = calloc(n, sizeof(*v));
	char *text = NULL, ep[64];

	assert_non_null(v);
	for (size_t i = 0; i < n; i++) {
		memset(&v[i].pub, 0x5a, sizeof(v[i].pub));
		memcpy(v[i].pub.b, &i, sizeof(i));
		if (i % 3)
			snprintf(ep, sizeof(ep), "10.%zu.%zu.%zu:%zu", i >> 16 & 255, i >> 8 & 255,
				 i & 255, 1024 + i % 60000);
		else
			snprintf(ep, sizeof(ep), "[2001:db8::%zx]:%zu", i, 1024 + i % 60000);
		assert_int_equal(nwg_endpoint_parse(&v[i].ep, ep), 0);
	}
	assert_int_equal(nwg_ha_format(v, n, &text, len), 0);
	free(v);
	return text;
}

/* A snapshot cut into datagrams of the default size, as sealed by a. */
struct stream_fx {
	struct pair a, b;
	char *text;
	size_t len, n, *mlen;
	uint8_t **m;
};

/* pairs: NULL = new node keys; later != 0: every endpoint's port changed
 * (the same hub a moment later) */
static void fx_make(struct stream_fx *f, size_t peers, uint64_t seq, const struct stream_fx *pairs,
		    int later)
{
	size_t *ends = NULL, start = 0, room = nwg_ha_chunk_room("hub-1", NWG_HA_DGRAM_DEF);

	f->a = pairs ? pairs->a : mkpair();
	f->b = pairs ? pairs->b : mkpair();
	f->text = big_list(peers, &f->len);
	for (char *p = f->text; later && (p = strchr(p, '\n')); p++)
		p[-1] = p[-1] == '9' ? '8' : '9';
	assert_true(room > 1000);
	assert_int_equal(nwg_ha_split(f->text, f->len, room, &ends, &f->n), 0);
	f->m = calloc(f->n, sizeof(*f->m));
	f->mlen = calloc(f->n, sizeof(*f->mlen));
	for (size_t i = 0; i < f->n; i++) {
		struct nwg_ha_chunk c = {(uint32_t)i, (uint32_t)f->n};

		assert_true(ends[i] - start <= room);
		f->m[i] = malloc(NWG_HA_DGRAM_DEF);
		assert_int_equal(nwg_ha_msg_seal(f->m[i], NWG_HA_DGRAM_DEF, &f->mlen[i], "hub-1",
						 seq, &c, f->text + start, ends[i] - start,
						 &f->a.priv, &f->b.pub, NULL),
				 0);
		assert_true(f->mlen[i] <= NWG_HA_DGRAM_DEF);
		start = ends[i];
	}
	assert_int_equal(start, f->len);
	free(ends);
}

static void fx_free(struct stream_fx *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->m[i]);
	free(f->m);
	free(f->mlen);
	free(f->text);
}

/* Receives datagram i of f into a: the asm result (1 = snapshot complete). */
static int fx_recv(struct stream_fx *f, struct nwg_ha_asm *a, size_t i, char **out, size_t *olen)
{
	struct nwg_ha_chunk c;
	char *text = NULL;
	size_t len = 0;
	uint64_t seq = 0;
	int r = nwg_ha_msg_open(&text, &len, &seq, &c, f->m[i], f->mlen[i], "hub-1", a->done,
				&f->b.priv, &f->a.pub, NULL);

	return r < 0 ? r : nwg_ha_asm_add(a, seq, &c, text, len, out, olen);
}

/* In order, then in reverse order: the whole list comes out, once. */
static void stream_roundtrip(size_t peers)
{
	struct stream_fx f;
	struct nwg_ha_asm a;
	char *out = NULL;
	size_t olen = 0, n = 0;
	struct nwg_ha_ep *v = NULL;

	fx_make(&f, peers, 1000, NULL, 0);
	assert_true(f.n > peers / 40); /* really several datagrams */
	nwg_ha_asm_init(&a);
	for (size_t i = f.n; i-- > 0;) /* reordered: last chunk first */
		assert_int_equal(fx_recv(&f, &a, i, &out, &olen), i ? 0 : 1);
	assert_int_equal(olen, f.len);
	assert_memory_equal(out, f.text, f.len);
	assert_int_equal(nwg_ha_parse(out, olen, &v, &n, NULL), 0);
	assert_int_equal(n, peers);
	free(v);
	free(out);
	/* the same snapshot again (a replay of any chunk): refused */
	assert_int_equal(fx_recv(&f, &a, 0, &out, &olen), -ESTALE);
	assert_int_equal(fx_recv(&f, &a, f.n - 1, &out, &olen), -ESTALE);
	nwg_ha_asm_free(&a);
	fx_free(&f);
}

static void test_stream_2000(void **state)
{
	(void)state;
	stream_roundtrip(2000);
}

static void test_stream_10000(void **state)
{
	(void)state;
	stream_roundtrip(10000);
}

/* A lost chunk: that snapshot is never applied; the next complete one is.
 * A duplicate is ignored; a chunk of the older snapshot after a newer one
 * started is refused and the two are never mixed. */
static void test_stream_lost_replayed(void **state)
{
	struct stream_fx s1, s2;
	struct nwg_ha_asm a;
	char *out = NULL;
	size_t olen = 0;

	(void)state;
	fx_make(&s1, 2000, 1000, NULL, 0);
	fx_make(&s2, 2000, 2000, &s1, 1);
	assert_true(strcmp(s1.text, s2.text) != 0);
	nwg_ha_asm_init(&a);
	/* s1 with chunk 3 lost, chunk 1 twice */
	for (size_t i = 0; i < s1.n; i++)
		if (i != 3)
			assert_int_equal(fx_recv(&s1, &a, i, &out, &olen), 0);
	assert_int_equal(fx_recv(&s1, &a, 1, &out, &olen), -EALREADY);
	assert_null(out);
	/* s2 starts: s1's partial snapshot is dropped */
	assert_int_equal(fx_recv(&s2, &a, 0, &out, &olen), 0);
	/* s1's lost chunk arrives late: refused, not mixed into s2 */
	assert_int_equal(fx_recv(&s1, &a, 3, &out, &olen), -ESTALE);
	for (size_t i = 1; i + 1 < s2.n; i++)
		assert_int_equal(fx_recv(&s2, &a, i, &out, &olen), 0);
	assert_int_equal(fx_recv(&s2, &a, s2.n - 1, &out, &olen), 1);
	assert_int_equal(olen, s2.len);
	assert_memory_equal(out, s2.text, s2.len); /* all of s2, nothing of s1 */
	free(out);
	assert_int_equal(a.done, 2000);
	nwg_ha_asm_free(&a);
	fx_free(&s1);
	fx_free(&s2);
}

/* A forged chunk (another key, or bytes changed) never opens; a chunk that
 * claims another total than its snapshot's is refused. */
static void test_stream_forged(void **state)
{
	struct stream_fx f;
	struct pair evil = mkpair();
	struct nwg_ha_asm a;
	uint8_t m[NWG_HA_DGRAM_DEF];
	const struct nwg_ha_chunk odd = {1, 7};
	const char line[] = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 192.0.2.66:6666\n";
	char *out = NULL, *text = NULL;
	size_t olen = 0, ml = 0, len = 0;
	struct nwg_ha_chunk c;
	uint64_t seq = 0;

	(void)state;
	fx_make(&f, 2000, 1000, NULL, 0);
	nwg_ha_asm_init(&a);
	assert_int_equal(fx_recv(&f, &a, 0, &out, &olen), 0);
	/* a third node's chunk for the same snapshot */
	assert_int_equal(nwg_ha_msg_seal(m, sizeof(m), &ml, "hub-1", 1000, &odd, line, strlen(line),
					 &evil.priv, &f.b.pub, NULL),
			 0);
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, &c, m, ml, "hub-1", 0, &f.b.priv, &f.a.pub, NULL),
	    -EBADMSG);
	/* one of ours, altered in the header */
	f.m[1][6 + 24 + 16 + 3] ^= 0x20;
	assert_int_equal(fx_recv(&f, &a, 1, &out, &olen), -EBADMSG);
	/* a wrong total within the snapshot (only the peer could make it) */
	assert_int_equal(nwg_ha_msg_seal(m, sizeof(m), &ml, "hub-1", 1000, &odd, line, strlen(line),
					 &f.a.priv, &f.b.pub, NULL),
			 0);
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, &c, m, ml, "hub-1", 0, &f.b.priv, &f.a.pub, NULL),
	    0);
	assert_int_equal(nwg_ha_asm_add(&a, seq, &c, text, len, &out, &olen), -EINVAL);
	assert_int_equal(a.have, 1);
	assert_null(out);
	nwg_ha_asm_free(&a);
	fx_free(&f);
}

/* nwg_ha_seal_text's datagrams, kept in order (a sender's emit). */
struct sink {
	uint8_t *m[256];
	size_t mlen[256], n, fail_at; /* fail_at: 1-based datagram refused (0: none) */
};

static int sink_emit(void *ctx, const uint8_t *msg, size_t len)
{
	struct sink *k = ctx;

	if (k->n + 1 == k->fail_at)
		return -ENOBUFS;
	assert_true(k->n < 256);
	k->m[k->n] = malloc(len);
	memcpy(k->m[k->n], msg, len);
	k->mlen[k->n++] = len;
	return 0;
}

static void sink_free(struct sink *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->m[i]);
	k->n = 0;
}

/* The one send path (seal a text into datagrams) and the one receive path
 * (open into the assembler above the replay floor), as the agent and the
 * CLI use them: the whole list comes out once, in any order. */
static void test_seal_text_asm_open(void **state)
{
	struct pair a = mkpair(), b = mkpair(), c = mkpair();
	const uint64_t now = 1700000000000000ULL;
	struct nwg_err err = {{0}};
	struct sink k = {0};
	struct nwg_ha_asm as;
	size_t len = 0, olen = 0;
	char *text = big_list(2000, &len), *out = NULL;
	int n;

	(void)state;
	n = nwg_ha_seal_text("hub-1", now, text, len, NWG_HA_DGRAM_DEF, &a.priv, &b.pub, sink_emit,
			     &k, &err);
	assert_true(n > 50);
	assert_int_equal((size_t)n, k.n);
	for (size_t i = 0; i < k.n; i++)
		assert_true(k.mlen[i] <= NWG_HA_DGRAM_DEF);
	nwg_ha_asm_init(&as);
	/* another hub's, another node's: not this assembler's business */
	assert_int_equal(nwg_ha_asm_open(&as, k.m[0], k.mlen[0], "hub-2", now, &b.priv, &a.pub,
					 &out, &olen, NULL),
			 -EXDEV);
	assert_int_equal(nwg_ha_asm_open(&as, k.m[0], k.mlen[0], "hub-1", now, &b.priv, &c.pub,
					 &out, &olen, &err),
			 -EBADMSG);
	for (size_t i = k.n; i-- > 1;)
		assert_int_equal(nwg_ha_asm_open(&as, k.m[i], k.mlen[i], "hub-1", now, &b.priv,
						 &a.pub, &out, &olen, NULL),
				 0);
	assert_int_equal(nwg_ha_asm_open(&as, k.m[1], k.mlen[1], "hub-1", now, &b.priv, &a.pub,
					 &out, &olen, &err),
			 -EALREADY);
	assert_non_null(strstr(err.msg, "duplicate"));
	assert_int_equal(nwg_ha_asm_open(&as, k.m[0], k.mlen[0], "hub-1", now, &b.priv, &a.pub,
					 &out, &olen, NULL),
			 1);
	assert_int_equal(olen, len);
	assert_memory_equal(out, text, len);
	free(out);
	/* completed: every chunk of it is now a replay */
	assert_int_equal(as.done, now);
	assert_int_equal(nwg_ha_asm_floor(&as, now), now);
	assert_int_equal(nwg_ha_asm_open(&as, k.m[3], k.mlen[3], "hub-1", now + 1, &b.priv, &a.pub,
					 &out, &olen, NULL),
			 -ESTALE);
	nwg_ha_asm_free(&as);
	sink_free(&k);
	/* emit refuses the second datagram: the snapshot stops there */
	k.fail_at = 2;
	assert_int_equal(nwg_ha_seal_text("hub-1", now, text, len, NWG_HA_DGRAM_DEF, &a.priv,
					  &b.pub, sink_emit, &k, &err),
			 -ENOBUFS);
	assert_int_equal(k.n, 1);
	sink_free(&k);
	assert_int_equal(nwg_ha_seal_text("hub-1", now, "no newline", 10, NWG_HA_DGRAM_DEF, &a.priv,
					  &b.pub, sink_emit, &k, NULL),
			 -EINVAL);
	assert_int_equal(nwg_ha_seal_text("bad hub", now, text, len, NWG_HA_DGRAM_DEF, &a.priv,
					  &b.pub, sink_emit, &k, NULL),
			 -EINVAL);
	assert_int_equal(k.n, 0);
	free(text);
}

/* The replay floor: the last completed snapshot, and never older than
 * NWG_HA_MAX_AGE_S before the receiver's clock. */
static void test_asm_floor(void **state)
{
	const uint64_t t = 1700000000000000ULL, age = NWG_HA_MAX_AGE_S * 1000000ULL;
	struct pair a = mkpair(), b = mkpair();
	const char one[] = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= 198.51.100.7:40000\n";
	struct sink k = {0};
	struct nwg_ha_asm as;
	char *out = NULL;
	size_t olen = 0;

	(void)state;
	nwg_ha_asm_init(&as);
	assert_int_equal(nwg_ha_asm_floor(&as, t), t - age);
	assert_int_equal(nwg_ha_asm_floor(&as, 5), 0);
	assert_int_equal(nwg_ha_seal_text("hub-1", t, one, strlen(one), NWG_HA_DGRAM_DEF, &a.priv,
					  &b.pub, sink_emit, &k, NULL),
			 1);
	/* received more than NWG_HA_MAX_AGE_S after it was sealed: refused */
	assert_int_equal(nwg_ha_asm_open(&as, k.m[0], k.mlen[0], "hub-1", t + age + 1, &b.priv,
					 &a.pub, &out, &olen, NULL),
			 -ESTALE);
	assert_int_equal(nwg_ha_asm_open(&as, k.m[0], k.mlen[0], "hub-1", t + age - 1, &b.priv,
					 &a.pub, &out, &olen, NULL),
			 1);
	assert_string_equal(out, one);
	free(out);
	assert_int_equal(nwg_ha_asm_floor(&as, t), t);
	assert_int_equal(nwg_ha_asm_floor(&as, t + 2 * age), t + age);
	assert_int_equal(nwg_ha_asm_open(NULL, k.m[0], k.mlen[0], "hub-1", t, &b.priv, &a.pub, &out,
					 &olen, NULL),
			 -EINVAL);
	nwg_ha_asm_free(&as);
	sink_free(&k);
}

static void test_split(void **state)
{
	const char t[] = "aaaa\nbb\ncccccc\nd\n";
	size_t *e = NULL, n = 0;

	(void)state;
	assert_int_equal(nwg_ha_split(t, strlen(t), 8, &e, &n), 0);
	assert_int_equal(n, 3); /* "aaaa\nbb\n" "cccccc\n" "d\n" */
	assert_int_equal(e[0], 8);
	assert_int_equal(e[1], 15);
	assert_int_equal(e[2], 17);
	free(e);
	assert_int_equal(nwg_ha_split(t, strlen(t), 6, &e, &n), -EMSGSIZE); /* "cccccc\n" */
	assert_int_equal(nwg_ha_split("ab", 2, 8, &e, &n), -EINVAL);
	assert_int_equal(nwg_ha_split("", 0, 8, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0], 0);
	free(e);
	assert_int_equal(nwg_ha_chunk_room("hub-1", 100), 0);
	assert_int_equal(nwg_ha_chunk_room("bad hub", NWG_HA_DGRAM_DEF), 0);
}

/* The snapshot lists the most recently handshaken peers first (the standby
 * takes over in that order); never-handshaken last, by key. */
static void test_snapshot_recent_first(void **state)
{
	struct nwg_device *dev = nwg_device_new("hw0");
	const time_t when[] = {100, 0, 300, 200, 0};
	struct nwg_ha_ep *v = NULL;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		struct nwg_key k;
		struct nwg_peer *p;

		memset(&k, (int)(0x10 * (i + 1)), sizeof(k));
		p = nwg_device_add_peer(dev, &k);
		assert_non_null(p);
		assert_int_equal(nwg_endpoint_parse(&p->endpoint, "192.0.2.1:7"), 0);
		p->endpoint.sin.sin_port = htons((uint16_t)(1000 + i));
		p->last_handshake.tv_sec = when[i];
	}
	assert_int_equal(nwg_ha_snapshot(dev, &v, &n), 0);
	assert_int_equal(n, 5);
	/* 300 (#2), 200 (#3), 100 (#0), then never: #1 (key 0x20) before #4 (0x50) */
	assert_int_equal(ntohs(v[0].ep.sin.sin_port), 1002);
	assert_int_equal(ntohs(v[1].ep.sin.sin_port), 1003);
	assert_int_equal(ntohs(v[2].ep.sin.sin_port), 1000);
	assert_int_equal(ntohs(v[3].ep.sin.sin_port), 1001);
	assert_int_equal(ntohs(v[4].ep.sin.sin_port), 1004);
	free(v);
	nwg_device_free(dev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_snapshot_skips_no_endpoint),
	    cmocka_unit_test(test_snapshot_recent_first),
	    cmocka_unit_test(test_msg),
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_stream_2000),
	    cmocka_unit_test(test_stream_10000),
	    cmocka_unit_test(test_stream_lost_replayed),
	    cmocka_unit_test(test_stream_forged),
	    cmocka_unit_test(test_seal_text_asm_open),
	    cmocka_unit_test(test_asm_floor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
