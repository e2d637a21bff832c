/* SPDX-License-Identifier: Apache-2.0 */
/* reconcile/peers: sorted lookup of a device's peers by public key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "reconcile/peers.h"

static struct nwg_key key_of(unsigned i)
{
	struct nwg_key k = tkey(5);

	/* big-endian-ish and scrambled so that insertion order != key order */
	k.b[1] = (unsigned char)((i * 37u) >> 8);
	k.b[2] = (unsigned char)(i * 37u);
	return k;
}

static void test_sort_find(void **state)
{
	struct nwg_device *dev = nwg_device_new("wg-test");
	struct nwg_key absent = key_of(5000);

	(void)state;
	assert_null(nwg_peers_find(dev, &absent)); /* empty */
	for (unsigned i = 0; i < 1000; i++) {
		struct nwg_key k = key_of(i);
		struct nwg_peer *p = nwg_device_add_peer(dev, &k);

		assert_non_null(p);
		p->rx_bytes = i;
	}
	nwg_peers_sort(dev);
	for (size_t i = 1; i < dev->n_peers; i++)
		assert_true(memcmp(dev->peers[i - 1].public_key.b, dev->peers[i].public_key.b, 32) <
			    0);
	for (unsigned i = 0; i < 1000; i++) {
		struct nwg_key k = key_of(i);
		const struct nwg_peer *p = nwg_peers_find(dev, &k);

		assert_non_null(p);
		assert_int_equal(p->rx_bytes, i); /* the peer's own data moved with it */
	}
	assert_null(nwg_peers_find(dev, &absent));
	assert_null(nwg_peers_find(NULL, &absent));
	nwg_peers_sort(NULL);
	nwg_device_free(dev);
}

struct item {
	int tag;
	struct nwg_key key;
};

/* nwg_keys_sort orders by the whole key (keys that share their first 8
 * bytes included) and is stable: equal keys keep their input order. */
static void test_keys_sort(void **state)
{
	enum { N = 3000 };
	static struct item items[N];
	static const void *v[N];

	(void)state;
	for (int i = 0; i < N; i++) {
		items[i].tag = i;
		items[i].key = key_of((unsigned)(i % 1000)); /* each key 3 times */
		if (i % 7 == 0) /* a run sharing the first 8 bytes, told apart later */
			items[i].key.b[31] = (unsigned char)(255 - i % 200);
		v[i] = &items[i];
	}
	assert_int_equal(nwg_keys_sort(v, N, offsetof(struct item, key)), 0);
	for (int i = 1; i < N; i++) {
		const struct item *a = v[i - 1], *b = v[i];
		int c = memcmp(a->key.b, b->key.b, 32);

		assert_true(c <= 0);
		if (c == 0)
			assert_true(a->tag < b->tag); /* stable */
	}
	for (int i = 0; i < N; i++) /* a permutation: every item once */
		items[i].tag = -1 - items[i].tag;
	for (int i = 0; i < N; i++) {
		struct item *it = (struct item *)(uintptr_t)v[i];

		assert_true(it->tag < 0);
		it->tag = -1 - it->tag;
	}
	assert_int_equal(nwg_keys_sort(v, 1, offsetof(struct item, key)), 0);
	assert_int_equal(nwg_keys_sort(v, 0, offsetof(struct item, key)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_sort_find),
					   cmocka_unit_test(test_keys_sort)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
