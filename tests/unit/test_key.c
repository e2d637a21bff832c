/* SPDX-License-Identifier: Apache-2.0 */
/* Keys: RFC 7748 vectors, strict base64/hex, comparison, generation. */
#include <errno.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "nwg/key.h"

/* RFC 7748 §6.1 */
static const char alice_priv_hex[] =
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
static const char alice_pub_hex[] =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
static const char bob_priv_hex[] =
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
static const char bob_pub_hex[] =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
static const char shared_hex[] = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
/* The same keys in base64 (computed independently with Python). */
static const char alice_priv_b64[] = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
static const char alice_pub_b64[] = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
static const char bob_pub_b64[] = "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=";

static struct nwg_key hexkey(const char *hex)
{
	struct nwg_key k;

	assert_int_equal(nwg_key_from_hex(&k, hex, strlen(hex)), 0);
	return k;
}

static void assert_pub(const char *priv_hex, const char *pub_hex)
{
	struct nwg_key priv = hexkey(priv_hex), pub;
	char out[NWG_KEY_HEX_LEN + 1];

	assert_int_equal(nwg_key_public(&pub, &priv), 0);
	nwg_key_to_hex(out, &pub);
	assert_string_equal(out, pub_hex);
}

static void test_rfc7748_public(void **state)
{
	(void)state;
	assert_pub(alice_priv_hex, alice_pub_hex);
	assert_pub(bob_priv_hex, bob_pub_hex);
}

/* §6.1 shared secret and §5.2 scalar multiplication, through libsodium. */
static void test_rfc7748_scalarmult(void **state)
{
	struct nwg_key a = hexkey(alice_priv_hex), b = hexkey(bob_priv_hex);
	struct nwg_key apub = hexkey(alice_pub_hex), bpub = hexkey(bob_pub_hex);
	struct nwg_key k1, k2, want = hexkey(shared_hex);
	struct nwg_key n =
	    hexkey("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
	struct nwg_key u =
	    hexkey("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
	struct nwg_key r =
	    hexkey("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
	struct nwg_key q;

	(void)state;
	assert_int_equal(crypto_scalarmult_curve25519(k1.b, a.b, bpub.b), 0);
	assert_int_equal(crypto_scalarmult_curve25519(k2.b, b.b, apub.b), 0);
	assert_memory_equal(k1.b, want.b, NWG_KEY_LEN);
	assert_memory_equal(k2.b, want.b, NWG_KEY_LEN);
	assert_int_equal(crypto_scalarmult_curve25519(q.b, n.b, u.b), 0);
	assert_memory_equal(q.b, r.b, NWG_KEY_LEN);
}

/* From the userspace notes: `wg pubkey` of an unclamped all-ones key. */
static void test_unclamped_public(void **state)
{
	const char *priv = "//////////////////////////////////////////8=";
	struct nwg_key k, pub;
	char out[NWG_KEY_B64_LEN + 1];

	(void)state;
	assert_int_equal(nwg_key_from_b64(&k, priv, strlen(priv)), 0);
	assert_int_equal(nwg_key_public(&pub, &k), 0);
	nwg_key_to_b64(out, &pub);
	assert_string_equal(out, "hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI=");
}

static void test_b64_good(void **state)
{
	struct nwg_key k, want = hexkey(alice_priv_hex);
	char out[NWG_KEY_B64_LEN + 1];

	(void)state;
	assert_int_equal(nwg_key_from_b64(&k, alice_priv_b64, 44), 0);
	assert_memory_equal(k.b, want.b, NWG_KEY_LEN);
	nwg_key_to_b64(out, &k);
	assert_string_equal(out, alice_priv_b64);
	assert_int_equal(nwg_key_from_b64(&k, alice_pub_b64, 44), 0);
	nwg_key_to_b64(out, &k);
	assert_string_equal(out, alice_pub_b64);
	assert_int_equal(nwg_key_from_b64(&k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 44),
			 0);
	assert_true(nwg_key_is_zero(&k));
	/* Not NUL-terminated: only len bytes are read. */
	assert_int_equal(
	    nwg_key_from_b64(&k, "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=XYZ", 44), 0);
	nwg_key_to_b64(out, &k);
	assert_string_equal(out, bob_pub_b64);
}

static void expect_b64_bad(const char *s, size_t len)
{
	struct nwg_key k, p;

	memset(&k, 0xa5, sizeof(k));
	memset(&p, 0xa5, sizeof(p));
	assert_int_equal(nwg_key_from_b64(&k, s, len), -EINVAL);
	assert_int_equal(nwg_pubkey_from_b64(&p, s, len), -EINVAL); /* the same grammar */
	/* The output is untouched on failure. */
	for (size_t i = 0; i < NWG_KEY_LEN; i++) {
		assert_int_equal(k.b[i], 0xa5);
		assert_int_equal(p.b[i], 0xa5);
	}
}

static void test_b64_bad(void **state)
{
	char buf[64];

	(void)state;
	expect_b64_bad(alice_priv_b64, 43);				     /* short */
	expect_b64_bad("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo==", 45); /* extra = */
	expect_b64_bad("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCoA", 44);  /* no = */
	expect_b64_bad("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC==", 44);  /* two = */
	expect_b64_bad("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCp=", 44);  /* low bit set */
	expect_b64_bad("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCr=", 44);  /* low bits set */
	expect_b64_bad("//////////////////////////////////////////9=", 44);  /* non-canonical */
	expect_b64_bad("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo", 43);   /* unpadded */
	expect_b64_bad("dwdtCnMYpX08FsFyUbJmRd9ML4frwJk-sXf7pR25LCo=", 44);  /* url alphabet */
	expect_b64_bad("dwdtCnMYpX08FsFyUbJmRd9ML4frwJk_sXf7pR25LCo=", 44);
	expect_b64_bad("dwdtCnMYpX08FsFyUbJmRd9ML4frwJk sXf7pR25LCo=", 44); /* space */
	expect_b64_bad(" dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=", 45);
	expect_b64_bad("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n", 45);
	expect_b64_bad("dwdtCnMYpX08F=FyUbJmRd9ML4frwJkqsXf7pR25LCo=", 44); /* = inside */
	expect_b64_bad("", 0);
	memcpy(buf, alice_priv_b64, 45);
	buf[10] = '\0';
	expect_b64_bad(buf, 44); /* embedded NUL */
	buf[10] = (char)0xc3;
	expect_b64_bad(buf, 44); /* high byte */
	assert_int_equal(nwg_key_from_b64(NULL, alice_priv_b64, 44), -EINVAL);
	assert_int_equal(nwg_key_from_b64((struct nwg_key *)buf, NULL, 44), -EINVAL);
	assert_int_equal(nwg_pubkey_from_b64(NULL, alice_pub_b64, 44), -EINVAL);
	assert_int_equal(nwg_pubkey_from_b64((struct nwg_key *)buf, NULL, 44), -EINVAL);
}

/* The table decoder of public keys agrees with the constant-time one on
 * every key and on every one-symbol change of a key (each of the 256 byte
 * values in each of the 44 positions): same verdict, same key. */
static void test_pubkey_b64_same(void **state)
{
	char b64[NWG_KEY_B64_LEN + 1];
	struct nwg_key k, a, b;

	(void)state;
	for (int n = 0; n < 64; n++) {
		for (int i = 0; i < NWG_KEY_LEN; i++)
			k.b[i] = (uint8_t)(n * 131 + i * 29 + (n ^ i));
		nwg_key_to_b64(b64, &k);
		assert_int_equal(nwg_pubkey_from_b64(&b, b64, 44), 0);
		assert_memory_equal(b.b, k.b, NWG_KEY_LEN);
		for (int pos = 0; pos < NWG_KEY_B64_LEN; pos += n % 4 ? 11 : 1) {
			char mut[NWG_KEY_B64_LEN + 1];

			for (int c = 0; c < 256; c++) {
				int ra, rb;

				memcpy(mut, b64, sizeof(mut));
				mut[pos] = (char)c;
				memset(&a, 0, sizeof(a));
				memset(&b, 0, sizeof(b));
				ra = nwg_key_from_b64(&a, mut, 44);
				rb = nwg_pubkey_from_b64(&b, mut, 44);
				assert_int_equal(ra, rb);
				assert_memory_equal(a.b, b.b, NWG_KEY_LEN);
			}
		}
	}
}

static void test_hex(void **state)
{
	struct nwg_key k, b;
	char out[NWG_KEY_HEX_LEN + 1];
	const char *upper = "77076D0A7318A57D3C16C17251B26645DF4C2F87EBC0992AB177FBA51DB92C2A";

	(void)state;
	assert_int_equal(nwg_key_from_hex(&k, upper, 64), 0);
	nwg_key_to_hex(out, &k);
	assert_string_equal(out, alice_priv_hex);
	assert_int_equal(nwg_key_from_b64(&b, alice_priv_b64, 44), 0);
	assert_true(nwg_key_equal(&k, &b));
	assert_int_equal(nwg_key_from_hex(&k, alice_priv_hex, 63), -EINVAL);
	assert_int_equal(nwg_key_from_hex(&k, "0", 1), -EINVAL);
	memcpy(out, alice_priv_hex, 65);
	out[5] = 'g';
	assert_int_equal(nwg_key_from_hex(&k, out, 64), -EINVAL);
	out[5] = ' ';
	assert_int_equal(nwg_key_from_hex(&k, out, 64), -EINVAL);
	out[5] = '\0';
	assert_int_equal(nwg_key_from_hex(&k, out, 64), -EINVAL);
	out[5] = ':'; /* just past '9' */
	assert_int_equal(nwg_key_from_hex(&k, out, 64), -EINVAL);
	out[5] = '@'; /* just before 'A' */
	assert_int_equal(nwg_key_from_hex(&k, out, 64), -EINVAL);
	out[5] = 'G';
	assert_int_equal(nwg_key_from_hex(&k, out, 64), -EINVAL);
}

static void test_equal_zero_wipe(void **state)
{
	struct nwg_key a = hexkey(alice_priv_hex), b = a, z;

	(void)state;
	memset(&z, 0, sizeof(z));
	assert_true(nwg_key_equal(&a, &b));
	b.b[31] ^= 1;
	assert_false(nwg_key_equal(&a, &b));
	b = a;
	b.b[0] ^= 0x80;
	assert_false(nwg_key_equal(&a, &b));
	assert_false(nwg_key_is_zero(&a));
	assert_true(nwg_key_is_zero(&z));
	z.b[17] = 1;
	assert_false(nwg_key_is_zero(&z));
	nwg_key_wipe(&a);
	assert_true(nwg_key_is_zero(&a));
	nwg_wipe(&b, 16);
	assert_true(sodium_is_zero(b.b, 16));
	assert_false(sodium_is_zero(b.b + 16, 16));
	assert_false(nwg_key_equal(NULL, &b));
}

static void test_generate(void **state)
{
	struct nwg_key a, b, pa, pb;

	(void)state;
	assert_int_equal(nwg_key_generate(&a), 0);
	assert_int_equal(nwg_key_generate(&b), 0);
	assert_false(nwg_key_equal(&a, &b));
	assert_false(nwg_key_is_zero(&a));
	for (int i = 0; i < 2; i++) {
		const struct nwg_key *k = i ? &b : &a;

		assert_int_equal(k->b[0] & 7, 0);
		assert_int_equal(k->b[31] & 0x80, 0);
		assert_int_equal(k->b[31] & 0x40, 0x40);
	}
	assert_int_equal(nwg_key_public(&pa, &a), 0);
	assert_int_equal(nwg_key_public(&pb, &b), 0);
	assert_false(nwg_key_equal(&pa, &pb));
	assert_int_equal(nwg_key_generate(NULL), -EINVAL);
	assert_int_equal(nwg_key_public(NULL, &a), -EINVAL);
}

/* Every key survives b64 and hex round trips (covers all symbol values). */
static void test_round_trip_many(void **state)
{
	char b64[NWG_KEY_B64_LEN + 1], hex[NWG_KEY_HEX_LEN + 1];
	struct nwg_key k, back;

	(void)state;
	for (int n = 0; n < 256; n++) {
		for (int i = 0; i < NWG_KEY_LEN; i++)
			k.b[i] = (uint8_t)(n * 31 + i * 7);
		nwg_key_to_b64(b64, &k);
		assert_int_equal(strlen(b64), 44);
		assert_int_equal(nwg_key_from_b64(&back, b64, 44), 0);
		assert_memory_equal(back.b, k.b, NWG_KEY_LEN);
		assert_string_equal(b64, sodium_bin2base64(hex, sizeof(hex), k.b, NWG_KEY_LEN,
							   sodium_base64_VARIANT_ORIGINAL));
		nwg_key_to_hex(hex, &k);
		assert_int_equal(nwg_key_from_hex(&back, hex, 64), 0);
		assert_memory_equal(back.b, k.b, NWG_KEY_LEN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc7748_public),   cmocka_unit_test(test_rfc7748_scalarmult),
	    cmocka_unit_test(test_unclamped_public), cmocka_unit_test(test_b64_good),
	    cmocka_unit_test(test_b64_bad),	     cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_equal_zero_wipe),  cmocka_unit_test(test_generate),
	    cmocka_unit_test(test_round_trip_many),  cmocka_unit_test(test_pubkey_b64_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
