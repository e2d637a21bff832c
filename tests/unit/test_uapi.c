/* SPDX-License-Identifier: Apache-2.0 */
/* UAPI protocol: set serialisation (golden strings) and reply parsing. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nwg/secmem.h"
#include "wg_backend.h"

#define HEX_SEQ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HEX_11	"1111111111111111111111111111111111111111111111111111111111111111"
#define HEX_22	"2222222222222222222222222222222222222222222222222222222222222222"
#define HEX_33	"3333333333333333333333333333333333333333333333333333333333333333"

/* The hub's reply captured in doc notes section 3 (keys as captured). */
static const char captured_hub[] =
    "private_key=605a77c600cded5c5051e79beff17a818e347cde4cbfbc66ff3a38c7adcc9d63\n"
    "listen_port=51820\n"
    "public_key=31e602639770f8d56fea392b1e0fcf9e8ae33c62caacb522165b850886d83416\n"
    "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
    "protocol_version=1\n"
    "endpoint=192.0.2.2:41647\n"
    "last_handshake_time_sec=1795544319\n"
    "last_handshake_time_nsec=322173401\n"
    "tx_bytes=1788\n"
    "rx_bytes=2356\n"
    "persistent_keepalive_interval=0\n"
    "allowed_ip=10.99.0.2/32\n"
    "errno=0\n"
    "\n";

static void fill_key(struct nwg_key *k, uint8_t v)
{
	memset(k->b, v, sizeof(k->b));
}

static char *format(const struct nwg_device *dev, size_t *len)
{
	char *s = NULL;

	assert_int_equal(nwg_uapi_format_set(dev, &s, len), 0);
	assert_non_null(s);
	assert_int_equal(strlen(s), *len);
	return s;
}

static void set_device_fields(void **state)
{
	struct nwg_device *dev = nwg_device_new("wg0");
	size_t len;
	char *s;

	(void)state;
	assert_non_null(dev);
	for (int i = 0; i < NWG_KEY_LEN; i++)
		dev->private_key.b[i] = (uint8_t)i;
	dev->listen_port = 51820;
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY | NWG_DEV_HAS_LISTEN_PORT | NWG_DEV_REPLACE_PEERS;
	s = format(dev, &len);
	assert_string_equal(s, "set=1\nprivate_key=" HEX_SEQ "\nlisten_port=51820\n"
			       "replace_peers=true\n\n");
	nwg_secmem_free(s);
	dev->flags = NWG_DEV_HAS_LISTEN_PORT;
	dev->listen_port = 0;
	s = format(dev, &len);
	assert_string_equal(s, "set=1\nlisten_port=0\n\n");
	nwg_secmem_free(s);
	dev->flags = 0;
	s = format(dev, &len);
	assert_string_equal(s, "set=1\n\n");
	nwg_secmem_free(s);
	nwg_device_free(dev);
}

static struct nwg_device *peers_device(void)
{
	struct nwg_device *dev = nwg_device_new("wg0");
	struct nwg_key k;
	struct nwg_peer *p;

	assert_non_null(dev);
	fill_key(&k, 0x11);
	p = nwg_device_add_peer(dev, &k);
	assert_non_null(p);
	p->flags = NWG_PEER_REMOVE | NWG_PEER_HAS_KEEPALIVE; /* remove wins */
	fill_key(&k, 0x22);
	p = nwg_device_add_peer(dev, &k);
	assert_non_null(p);
	p->flags = NWG_PEER_UPDATE_ONLY | NWG_PEER_HAS_ENDPOINT | NWG_PEER_HAS_KEEPALIVE |
		   NWG_PEER_REPLACE_ALLOWEDIPS;
	assert_int_equal(nwg_endpoint_parse(&p->endpoint, "192.0.2.2:41647"), 0);
	p->persistent_keepalive = 25;
	assert_int_equal(nwg_peer_add_allowedip(p, "10.99.0.2/32"), 0);
	assert_int_equal(nwg_peer_add_allowedip(p, "fd00::2/128"), 0);
	fill_key(&k, 0x33);
	p = nwg_device_add_peer(dev, &k);
	assert_non_null(p);
	p->flags = NWG_PEER_HAS_ENDPOINT;
	assert_int_equal(nwg_endpoint_parse(&p->endpoint, "[fd00::1]:51820"), 0);
	assert_int_equal(nwg_peer_add_allowedip(p, "0.0.0.0/0"), 0);
	return dev;
}

static void set_peers(void **state)
{
	struct nwg_device *dev = peers_device();
	size_t len;
	char *s;

	(void)state;
	s = format(dev, &len);
	assert_string_equal(s, "set=1\n"
			       "public_key=" HEX_11 "\nremove=true\n"
			       "public_key=" HEX_22 "\nupdate_only=true\n"
			       "endpoint=192.0.2.2:41647\npersistent_keepalive_interval=25\n"
			       "replace_allowed_ips=true\nallowed_ip=10.99.0.2/32\n"
			       "allowed_ip=fd00::2/128\n"
			       "public_key=" HEX_33 "\nendpoint=[fd00::1]:51820\n"
			       "allowed_ip=0.0.0.0/0\n"
			       "\n");
	nwg_secmem_free(s);
	nwg_device_free(dev);
}

static void set_rejects_bad_models(void **state)
{
	struct nwg_device *dev = peers_device();
	char *s = (char *)"untouched";
	size_t len = 7;

	(void)state;
	assert_int_equal(nwg_uapi_format_set(NULL, &s, &len), -EINVAL);
	assert_int_equal(nwg_uapi_format_set(dev, NULL, &len), -EINVAL);
	dev->peers[2].endpoint.sa.sa_family = AF_UNSPEC; /* HAS_ENDPOINT, no address */
	assert_int_equal(nwg_uapi_format_set(dev, &s, &len), -EINVAL);
	assert_null(s);
	assert_int_equal(len, 0);
	dev->peers[2].flags = 0;
	dev->peers[1].allowedips[0].cidr = 33;
	assert_int_equal(nwg_uapi_format_set(dev, &s, &len), -EINVAL);
	dev->peers[1].allowedips[0].cidr = 32;
	dev->peers[1].allowedips[1].family = AF_UNIX;
	assert_int_equal(nwg_uapi_format_set(dev, &s, &len), -EINVAL);
	nwg_device_free(dev);
}

static void get_captured(void **state)
{
	struct nwg_device *dev = NULL;
	struct nwg_err err = {{0}};
	struct nwg_key k;
	char ep[64], aip[64];

	(void)state;
	assert_int_equal(nwg_uapi_parse_get(captured_hub, strlen(captured_hub), &dev, &err), 0);
	assert_non_null(dev);
	assert_true(dev->flags & NWG_DEV_HAS_PRIVATE_KEY);
	assert_true(dev->flags & NWG_DEV_HAS_PUBLIC_KEY);
	assert_true(dev->flags & NWG_DEV_HAS_LISTEN_PORT);
	assert_int_equal(dev->listen_port, 51820);
	assert_int_equal(
	    nwg_key_from_hex(&k, "605a77c600cded5c5051e79beff17a818e347cde4cbfbc66ff3a38c7adcc9d63",
			     64),
	    0);
	assert_true(nwg_key_equal(&k, &dev->private_key));
	/* the hub's public key from `wg show` in the notes */
	assert_int_equal(nwg_key_from_b64(&k, "KzZUz4w1N6Vf5UPFSzHoEcMzVSpgMgQUJfdTN2Nkbx0=", 44),
			 0);
	assert_true(nwg_key_equal(&k, &dev->public_key));
	assert_int_equal(dev->n_peers, 1);
	assert_int_equal(
	    nwg_key_from_hex(&k, "31e602639770f8d56fea392b1e0fcf9e8ae33c62caacb522165b850886d83416",
			     64),
	    0);
	assert_true(nwg_key_equal(&k, &dev->peers[0].public_key));
	assert_int_equal(dev->peers[0].last_handshake.tv_sec, 1795544319);
	assert_int_equal(dev->peers[0].last_handshake.tv_nsec, 322173401);
	assert_int_equal(dev->peers[0].tx_bytes, 1788);
	assert_int_equal(dev->peers[0].rx_bytes, 2356);
	assert_int_equal(dev->peers[0].persistent_keepalive, 0);
	assert_true(dev->peers[0].flags & NWG_PEER_HAS_ENDPOINT);
	assert_true(nwg_endpoint_format(&dev->peers[0].endpoint, ep, sizeof(ep)) > 0);
	assert_string_equal(ep, "192.0.2.2:41647");
	assert_int_equal(dev->peers[0].n_allowedips, 1);
	assert_true(nwg_allowedip_format(&dev->peers[0].allowedips[0], aip, sizeof(aip)) > 0);
	assert_string_equal(aip, "10.99.0.2/32");
	nwg_device_free(dev);
}

static void get_fresh_and_multi(void **state)
{
	static const char fresh[] = "listen_port=54889\nerrno=0\n\n";
	static const char multi[] = "private_key=" HEX_SEQ "\nlisten_port=1\nfwmark=7\n"
				    "public_key=" HEX_11 "\nfuture_key=whatever\n"
				    "endpoint=[fd00::1]:51820\n"
				    "allowed_ip=10.0.0.0/8\nallowed_ip=fd00::/64\n"
				    "public_key=" HEX_22 "\nlast_handshake_time_sec=0\n"
				    "last_handshake_time_nsec=0\ntx_bytes=18446744073709551615\n"
				    "persistent_keepalive_interval=65535\n"
				    "public_key=" HEX_33 "\nerrno=0\n\n";
	struct nwg_device *dev = NULL;

	(void)state;
	assert_int_equal(nwg_uapi_parse_get(fresh, strlen(fresh), &dev, NULL), 0);
	assert_int_equal(dev->flags, NWG_DEV_HAS_LISTEN_PORT);
	assert_int_equal(dev->listen_port, 54889);
	assert_int_equal(dev->n_peers, 0);
	nwg_device_free(dev);

	assert_int_equal(nwg_uapi_parse_get(multi, strlen(multi), &dev, NULL), 0);
	assert_int_equal(dev->n_peers, 3);
	assert_int_equal(dev->peers[0].n_allowedips, 2);
	assert_int_equal(dev->peers[0].endpoint.sa.sa_family, AF_INET6);
	assert_int_equal(ntohs(dev->peers[0].endpoint.sin6.sin6_port), 51820);
	assert_int_equal(dev->peers[1].tx_bytes, UINT64_MAX);
	assert_int_equal(dev->peers[1].persistent_keepalive, 65535);
	assert_true(dev->peers[1].flags & NWG_PEER_HAS_KEEPALIVE);
	assert_false(dev->peers[1].flags & NWG_PEER_HAS_ENDPOINT);
	assert_int_equal(dev->peers[2].n_allowedips, 0);
	nwg_device_free(dev);
}

static void error_replies(void **state)
{
	struct nwg_device *dev = (struct nwg_device *)1;
	struct nwg_err err = {{0}};

	(void)state;
	assert_int_equal(nwg_uapi_parse_get("errno=-22\n\n", 11, &dev, &err), -EINVAL);
	assert_null(dev);
	assert_non_null(strstr(err.msg, "-22"));
	assert_int_equal(nwg_uapi_parse_get("errno=-98\n\n", 11, &dev, NULL), -EADDRINUSE);
	assert_int_equal(nwg_uapi_parse_errno("errno=0\n\n", 9), 0);
	assert_int_equal(nwg_uapi_parse_errno("errno=-22\n\n", 11), -EINVAL);
	assert_int_equal(nwg_uapi_parse_errno("errno=-98\n\n", 11), -EADDRINUSE);
	assert_int_equal(nwg_uapi_parse_errno("note=x\nerrno=-1\n\n", 17), -EPERM);
	assert_int_equal(nwg_uapi_parse_errno(NULL, 0), -EBADMSG);
}

static const char *const bad_replies[] = {
    "",
    "\n",
    "errno=0\n",	      /* no final blank line */
    "errno=0",		      /* truncated */
    "listen_port=1\n\n",      /* missing errno */
    "errno=0\n\nerrno=0\n\n", /* trailing data */
    "errno=0\n\n\n",	      /* extra blank */
    "errno=0\r\n\r\n",	      /* CRLF */
    "errno=+0\n\n",
    "errno=-0\n\n",
    "errno=1\n\n",
    "errno=-4096\n\n",
    "errno=x\n\n",
    "errno=\n\n",
    "errno=--1\n\n",
    "errno=-22 \n\n",
    "listen_port=65536\nerrno=0\n\n",
    "listen_port=1x\nerrno=0\n\n",
    "listen_port=-1\nerrno=0\n\n",
    "listen_port=01\nerrno=0\n\n",
    "listen_port=\nerrno=0\n\n",
    "listen_port = 1\nerrno=0\n\n",
    "Listen_port=1\nerrno=0\n\n",
    "=1\nerrno=0\n\n",
    "listen_port\nerrno=0\n\n",
    "fwmark=4294967296\nerrno=0\n\n",
    "private_key=" HEX_SEQ "0\nerrno=0\n\n",
    "private_key=zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\nerrno=0\n\n",
    "public_key=" HEX_11 "\nlisten_port=1\nerrno=0\n\n", /* device key in a peer */
    "public_key=" HEX_11 "\ntx_bytes=18446744073709551616\nerrno=0\n\n",
    "public_key=" HEX_11 "\nlast_handshake_time_nsec=1000000000\nerrno=0\n\n",
    "public_key=" HEX_11 "\nlast_handshake_time_sec=9223372036854775808\nerrno=0\n\n",
    "public_key=" HEX_11 "\nallowed_ip=10.99.1.300/32\nerrno=0\n\n",
    "public_key=" HEX_11 "\nallowed_ip=10.0.0.0\nerrno=0\n\n",
    "public_key=" HEX_11 "\nendpoint=192.0.2.2\nerrno=0\n\n",
    "public_key=" HEX_11 "\nendpoint=192.0.2.2:99999\nerrno=0\n\n",
    "public_key=" HEX_11 "\npreshared_key=00\nerrno=0\n\n",
    "public_key=\nerrno=0\n\n",
};

static void malformed_rejected(void **state)
{
	struct nwg_device *dev = NULL;
	struct nwg_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_replies) / sizeof(bad_replies[0]); i++) {
		const char *s = bad_replies[i];

		err.msg[0] = '\0';
		if (nwg_uapi_parse_get(s, strlen(s), &dev, &err) != -EBADMSG)
			fail_msg("accepted bad reply #%zu: %s", i, s);
		assert_null(dev);
		assert_true(strlen(err.msg) > 0);
	}
	assert_int_equal(nwg_uapi_parse_get("errno=0\n\n", 9, NULL, NULL), -EINVAL);
	assert_int_equal(nwg_uapi_parse_get(NULL, 0, &dev, NULL), -EBADMSG);
}

static void embedded_nul_and_overlong(void **state)
{
	static const char nul[] = "listen_port=1\0\nerrno=0\n\n";
	size_t n = 2000;
	char *big = malloc(n + 32);
	struct nwg_device *dev = NULL;

	(void)state;
	assert_int_equal(nwg_uapi_parse_get(nul, sizeof(nul) - 1, &dev, NULL), -EBADMSG);
	assert_non_null(big);
	memcpy(big, "future_key=", 11);
	memset(big + 11, 'a', n);
	memcpy(big + 11 + n, "\nerrno=0\n\n", 10);
	assert_int_equal(nwg_uapi_parse_get(big, 21 + n, &dev, NULL), -EBADMSG);
	assert_int_equal(nwg_uapi_parse_errno(big, 21 + n), -EBADMSG);
	/* at the limit the same shape is fine (unknown key skipped) */
	memset(big + 11, 'a', 1000);
	memcpy(big + 11 + 1000, "\nerrno=0\n\n", 10);
	assert_int_equal(nwg_uapi_parse_get(big, 1021, &dev, NULL), 0);
	nwg_device_free(dev);
	free(big);
}

static void every_truncation_rejected(void **state)
{
	size_t n = strlen(captured_hub);
	struct nwg_device *dev = NULL;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		char *copy = malloc(i ? i : 1); /* exact size: ASan catches overreads */

		assert_non_null(copy);
		memcpy(copy, captured_hub, i);
		assert_int_equal(nwg_uapi_parse_get(copy, i, &dev, NULL), -EBADMSG);
		assert_null(dev);
		assert_int_equal(nwg_uapi_parse_errno(copy, i), -EBADMSG);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(set_device_fields),
	    cmocka_unit_test(set_peers),
	    cmocka_unit_test(set_rejects_bad_models),
	    cmocka_unit_test(get_captured),
	    cmocka_unit_test(get_fresh_and_multi),
	    cmocka_unit_test(error_replies),
	    cmocka_unit_test(malformed_rejected),
	    cmocka_unit_test(embedded_nul_and_overlong),
	    cmocka_unit_test(every_truncation_rejected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
