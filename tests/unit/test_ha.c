/* SPDX-License-Identifier: Apache-2.0 */
/* HA endpoint lists (format/parse, strict grammar) and the endpoint stream's
 * datagram (peer key, hub, sequence, tampering). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
	char *text = NULL;
	size_t ml = 0, len = 0;
	uint64_t seq = 0;

	(void)state;
	assert_int_equal(nwg_ha_msg_seal(m, sizeof(m), &ml, "hub-1", 42, body, strlen(body),
					 &a.priv, &b.pub, NULL),
			 0);
	/* b opens what a sent */
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, m, ml, "hub-1", 41, &b.priv, &a.pub, NULL), 0);
	assert_int_equal(seq, 42);
	assert_string_equal(text, body);
	assert_int_equal(len, strlen(body));
	free(text);
	text = NULL;
	/* replay / old sequence */
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, m, ml, "hub-1", 42, &b.priv, &a.pub, NULL), -ESTALE);
	/* another hub */
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, m, ml, "hub-2", 0, &b.priv, &a.pub, NULL), -EXDEV);
	/* a third node claiming to be a */
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, m, ml, "hub-1", 0, &b.priv, &c.pub, NULL), -EBADMSG);
	/* tampered */
	m[ml - 1] ^= 1;
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, m, ml, "hub-1", 0, &b.priv, &a.pub, NULL), -EBADMSG);
	/* truncated, not ours */
	assert_int_equal(
	    nwg_ha_msg_open(&text, &len, &seq, m, 10, "hub-1", 0, &b.priv, &a.pub, NULL), -EINVAL);
	assert_null(text);
	/* bad hub name, too large */
	assert_int_equal(nwg_ha_msg_seal(m, sizeof(m), &ml, "hub 1", 1, body, strlen(body), &a.priv,
					 &b.pub, NULL),
			 -EINVAL);
	assert_int_equal(
	    nwg_ha_msg_seal(m, 64, &ml, "hub-1", 1, body, strlen(body), &a.priv, &b.pub, NULL),
	    -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_snapshot_skips_no_endpoint),
	    cmocka_unit_test(test_msg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
