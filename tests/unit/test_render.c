/* SPDX-License-Identifier: Apache-2.0 */
/* neutron-wireguard render: port JSON parsing and the exact config text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "port_peers.h"
#include "render_conf.h"
#include "spoke.h"

#define DEV_PRIV "cOayV+XC85Nsn2L1q+A9QDZsFqTq3zCGE7z11z/4xGc="
#define DEV_PUB	 "9ejVtg9DkMuhYmH026vjBvFxZc9rfEPXKRPsuvCeSkI="
#define HUB1_PUB "y6yRMaES4AD2wI0kPwaQzTyY9LMMBm64q9KX16ffzGw="
#define HUB2_PUB "Da/WK0UFrnVeKoPUp/YuRLzxrvwk3ejBNWiNHxzYnAs="
#define SPOKE_ID "8742d6d3-a7d1-4a4b-96f9-534699469498"
#define HUB1_ID	 "0b6e6a52-4c1f-4c43-9a43-3c9b1f7d2a01"
#define HUB2_ID	 "5d1c2b7e-8f0a-4b2d-9e6c-77a1d3e4f502"

#define FIXED_IPS                                                                                  \
	"\"fixed_ips\": [{\"subnet_id\": \"s4\", \"ip_address\": \"10.99.0.77\"},"                 \
	"{\"subnet_id\": \"s6\", \"ip_address\": \"fd00:99::370\"}]"
#define HUB1_PEER                                                                                  \
	"{\"port_id\": \"" HUB1_ID "\", \"public_key\": \"" HUB1_PUB "\", "                        \
	"\"endpoint\": \"192.0.2.1:51820\", \"allowed_ips\": [\"10.99.0.1/24\", "                  \
	"\"fd00:99::1/64\"], \"mtu\": 1400}"
#define PROFILE                                                                                    \
	"{\"wg_role\": \"spoke\", \"public_key\": \"" DEV_PUB "\", \"peers\": [\"" HUB1_ID "\"]}"

/* GET /v2.0/ports/<id> with the wireguard attribute. */
static const char api_body[] =
    "{\"port\": {\"id\": \"" SPOKE_ID "\", \"name\": \"dev\", "
    "\"device_owner\": \"\", " FIXED_IPS ", \"binding:profile\": " PROFILE ", "
    "\"binding:vif_details\": {}, \"wireguard\": {\"role\": \"spoke\", \"public_key\": "
    "\"" DEV_PUB "\", \"endpoint\": null, \"listen_port\": null, \"peers\": [" HUB1_PEER "]}}}";

/* `openstack port show -f json` (OSC 6): flat keys, no wireguard attribute. */
static const char osc_flat[] = "{\"id\": \"" SPOKE_ID "\", \"name\": \"dev\", " FIXED_IPS ", "
			       "\"binding_profile\": " PROFILE ", \"binding_vif_details\": "
			       "{\"peers\": [" HUB1_PEER "]}, \"binding_vif_type\": \"wireguard\"}";

/* API body of a bound spoke without the extension's attribute. */
static const char api_vif_only[] = "{\"port\": {\"id\": \"" SPOKE_ID "\", " FIXED_IPS ", "
				   "\"device_owner\": \"channel:wireguard:spoke\", "
				   "\"binding:profile\": {\"public_key\": \"" DEV_PUB "\", "
				   "\"peers\": [\"" HUB1_ID "\"]}, "
				   "\"binding:vif_details\": {\"peers\": [" HUB1_PEER "]}}}";

static const char expected_one_hub[] =
    "# WireGuard config of the device behind spoke port " SPOKE_ID "\n"
    "# Rendered by neutron-wireguard from Neutron's port data. Address holds host\n"
    "# addresses; the routes to the hubs' subnets come from AllowedIPs.\n"
    "[Interface]\n"
    "PrivateKey = " DEV_PRIV "\n"
    "Address = 10.99.0.77/32, fd00:99::370/128\n"
    "MTU = 1400\n"
    "\n"
    "[Peer]\n"
    "# hub port " HUB1_ID "\n"
    "PublicKey = " HUB1_PUB "\n"
    "Endpoint = 192.0.2.1:51820\n"
    "AllowedIPs = 10.99.0.0/24, fd00:99::/64\n"
    "PersistentKeepalive = 25\n";

static struct nwgcli_spoke *parse_ok(const char *json)
{
	struct nwgcli_spoke *s = NULL;
	struct nwg_err err = {""};
	int ret = nwgcli_spoke_parse(&s, json, strlen(json), &err);

	if (ret)
		fprintf(stderr, "unexpected error: %s\n", err.msg);
	assert_int_equal(ret, 0);
	assert_non_null(s);
	return s;
}

static char *render_str(const char *json, const struct nwgcli_render_opts *o)
{
	struct nwgcli_spoke *s = parse_ok(json);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(nwgcli_render_conf(f, s, o), 0);
	fclose(f);
	nwgcli_spoke_free(s);
	return buf;
}

static void assert_render(const char *json, const struct nwgcli_render_opts *o, const char *want)
{
	char *got = render_str(json, o);

	if (strcmp(got, want))
		fprintf(stderr, "--- got:\n%s--- want:\n%s", got, want);
	assert_string_equal(got, want);
	free(got);
}

/* Parse must fail with ret and a message containing needle. */
static void assert_fails(const char *json, int ret, const char *needle)
{
	struct nwgcli_spoke *s = (struct nwgcli_spoke *)0x1;
	struct nwg_err err = {""};

	assert_int_equal(nwgcli_spoke_parse(&s, json, strlen(json), &err), ret);
	assert_null(s);
	if (!strstr(err.msg, needle))
		fprintf(stderr, "message '%s' lacks '%s'\n", err.msg, needle);
	assert_non_null(strstr(err.msg, needle));
}

static const struct nwgcli_render_opts with_key = {.private_key = DEV_PRIV};

static void test_api_body(void **state)
{
	(void)state;
	assert_render(api_body, &with_key, expected_one_hub);
}

static void test_osc_flat(void **state)
{
	(void)state;
	assert_render(osc_flat, &with_key, expected_one_hub);
}

static void test_vif_details_fallback(void **state)
{
	(void)state;
	assert_render(api_vif_only, &with_key, expected_one_hub);
}

static void test_osc_string_forms(void **state)
{
	static const char json[] =
	    "{\"id\": \"" SPOKE_ID "\", \"fixed_ips\": \"ip_address='10.99.0.77', "
	    "subnet_id='s4'\\nip_address='fd00:99::370', subnet_id='s6'\", "
	    "\"binding_profile\": \"{\\\"wg_role\\\": \\\"spoke\\\"}\", "
	    "\"binding_vif_details\": {\"peers\": [" HUB1_PEER "]}}";

	(void)state;
	assert_render(json, &with_key, expected_one_hub);
}

static void test_placeholder(void **state)
{
	char *got = render_str(api_body, NULL);

	(void)state;
	assert_non_null(strstr(got, "\n# PLACEHOLDER: put the device's own private key here"));
	assert_non_null(strstr(got, "\nPrivateKey = " NWGCLI_KEY_PLACEHOLDER "\n"));
	assert_null(strstr(got, DEV_PRIV));
	free(got);
}

static void test_ipv6_only(void **state)
{
	static const char json[] =
	    "{\"port\": {\"id\": \"" SPOKE_ID "\", \"fixed_ips\": [{\"ip_address\": "
	    "\"2001:db8:99::5\"}], \"wireguard\": {\"role\": \"spoke\", \"peers\": [{\"port_id\": "
	    "\"" HUB1_ID "\", \"public_key\": \"" HUB1_PUB "\", \"endpoint\": "
	    "\"[2001:db8::1]:51821\", \"allowed_ips\": [\"2001:db8:99::1/64\"]}]}}}";
	static const char want[] =
	    "# WireGuard config of the device behind spoke port " SPOKE_ID "\n"
	    "# Rendered by neutron-wireguard from Neutron's port data. Address holds host\n"
	    "# addresses; the routes to the hubs' subnets come from AllowedIPs.\n"
	    "[Interface]\n"
	    "PrivateKey = " DEV_PRIV "\n"
	    "Address = 2001:db8:99::5/128\n"
	    "MTU = 1420\n"
	    "\n"
	    "[Peer]\n"
	    "# hub port " HUB1_ID "\n"
	    "PublicKey = " HUB1_PUB "\n"
	    "Endpoint = [2001:db8::1]:51821\n"
	    "AllowedIPs = 2001:db8:99::/64\n"
	    "PersistentKeepalive = 25\n";

	(void)state;
	assert_render(json, &with_key, want);
}

#define TWO_HUBS(peer2)                                                                            \
	"{\"port\": {\"id\": \"" SPOKE_ID                                                          \
	"\", \"fixed_ips\": [{\"ip_address\": \"10.99.0.77\"}], "                                  \
	"\"binding:profile\": {\"wg_role\": \"spoke\", \"persistent_keepalive\": 15, "             \
	"\"peers\": [\"" HUB1_ID "\", \"" HUB2_ID "\"]}, \"wireguard\": {\"peers\": ["             \
	"{\"port_id\": \"" HUB1_ID "\", \"public_key\": \"" HUB1_PUB "\", \"endpoint\": "          \
	"\"192.0.2.1:51820\", \"allowed_ips\": [\"10.99.0.1/24\"], \"mtu\": 1420}, " peer2 "]}}}"

static void test_multiple_hubs(void **state)
{
	static const char json[] = TWO_HUBS(
	    "{\"port_id\": \"" HUB2_ID "\", \"public_key\": \"" HUB2_PUB "\", \"endpoint\": "
	    "\"hub2.example.org:51900\", \"allowed_ips\": [\"10.98.0.1/24\"], \"mtu\": 1380, "
	    "\"routes\": [\"10.0.5.0/24\"]}");
	static const char want_tail[] = "MTU = 1380\n"
					"\n"
					"[Peer]\n"
					"# hub port " HUB1_ID "\n"
					"PublicKey = " HUB1_PUB "\n"
					"Endpoint = 192.0.2.1:51820\n"
					"AllowedIPs = 10.99.0.0/24\n"
					"PersistentKeepalive = 15\n"
					"\n"
					"[Peer]\n"
					"# hub port " HUB2_ID "\n"
					"PublicKey = " HUB2_PUB "\n"
					"Endpoint = hub2.example.org:51900\n"
					"AllowedIPs = 10.98.0.0/24, 10.0.5.0/24\n"
					"PersistentKeepalive = 15\n";
	char *got = render_str(json, &with_key);

	(void)state;
	assert_non_null(strstr(got, "Address = 10.99.0.77/32\n"));
	assert_string_equal(strstr(got, "MTU = "), want_tail);
	free(got);
}

static void test_standby_hub_same_subnet(void **state)
{
	static const char json[] = TWO_HUBS(
	    "{\"port_id\": \"" HUB2_ID "\", \"public_key\": \"" HUB2_PUB "\", \"endpoint\": "
	    "\"192.0.2.2:51820\", \"allowed_ips\": [\"10.99.0.2/24\"]}");
	char *got = render_str(json, &with_key);

	(void)state;
	assert_non_null(strstr(got, "PublicKey = " HUB2_PUB "\nEndpoint = 192.0.2.2:51820\n"
				    "# No AllowedIPs: its prefixes already go to a hub above "
				    "(standby hub).\nPersistentKeepalive = 15\n"));
	assert_non_null(strstr(got, "MTU = 1420\n"));
	free(got);
}

static void test_keepalive_profile(void **state)
{
	static const char off[] =
	    "{\"id\": \"" SPOKE_ID "\", " FIXED_IPS ", \"binding_profile\": {\"wg_role\": "
	    "\"spoke\", \"persistent_keepalive\": 0}, \"binding_vif_details\": {\"peers\": "
	    "[" HUB1_PEER "]}}";
	char *got = render_str(off, &with_key);
	struct nwgcli_spoke *s = parse_ok(osc_flat);

	(void)state;
	assert_null(strstr(got, "PersistentKeepalive"));
	assert_int_equal(s->keepalive, 25);
	nwgcli_spoke_free(s);
	free(got);
}

static void test_mtu_choice(void **state)
{
	struct nwgcli_spoke *s = parse_ok(api_body);

	(void)state;
	assert_int_equal(nwgcli_render_mtu(s, 0), 1400);
	assert_int_equal(nwgcli_render_mtu(s, 1300), 1300);
	assert_int_equal(nwgcli_render_mtu(s, 1500), 1400);
	s->hubs[0].mtu = 0;
	assert_int_equal(nwgcli_render_mtu(s, 0), 1420);
	assert_int_equal(nwgcli_render_mtu(s, 1280), 1280);
	nwgcli_spoke_free(s);
}

static void test_not_a_spoke(void **state)
{
	(void)state;
	assert_fails(
	    "{\"port\": {\"id\": \"h1\", \"device_owner\": \"channel:wireguard:hub\", " FIXED_IPS
	    "}}",
	    -EINVAL, "port h1 is a WireGuard hub, not a spoke");
	assert_fails("{\"port\": {\"id\": \"h1\", \"wireguard\": {\"role\": \"hub\"}}}", -EINVAL,
		     "is a WireGuard hub");
	assert_fails("{\"port\": {\"id\": \"vm1\", \"device_owner\": \"compute:nova\"}}", -EINVAL,
		     "port vm1 is not a WireGuard port");
	assert_fails("{\"id\": \"x\", \"binding_profile\": {\"wg_role\": \"relay\"}}", -EINVAL,
		     "unknown WireGuard role");
}

static void test_unrealized_hub(void **state)
{
	static const char no_key[] =
	    "{\"port\": {\"id\": \"" SPOKE_ID "\", " FIXED_IPS ", \"wireguard\": {\"role\": "
	    "\"spoke\", \"peers\": [{\"port_id\": \"" HUB1_ID "\", \"public_key\": null, "
	    "\"endpoint\": null, \"allowed_ips\": [\"10.99.0.1/24\"]}]}}}";
	static const char no_details[] =
	    "{\"port\": {\"id\": \"" SPOKE_ID "\", " FIXED_IPS ", \"binding:profile\": "
	    "{\"wg_role\": \"spoke\", \"peers\": [\"" HUB1_ID "\"]}, \"binding:vif_details\": {}}}";
	static const char no_key_osc[] =
	    "{\"id\": \"" SPOKE_ID "\", " FIXED_IPS ", \"binding_profile\": {\"wg_role\": "
	    "\"spoke\", \"peers\": [\"" HUB1_ID "\"]}, \"binding_vif_details\": {\"peers\": []}, "
	    "\"wireguard\": {\"peers\": []}}";
	static const char one_of_two[] =
	    "{\"port\": {\"id\": \"" SPOKE_ID "\", " FIXED_IPS ", \"binding:profile\": "
	    "{\"wg_role\": \"spoke\", \"peers\": [\"" HUB1_ID "\", \"" HUB2_ID "\"]}, "
	    "\"wireguard\": {\"peers\": [" HUB1_PEER "]}}}";

	(void)state;
	assert_fails(no_key, -ENOENT, "hub " HUB1_ID " is not realized yet (no public_key)");
	assert_fails(no_details, -ENOENT, "this input has no peer data");
	assert_fails(no_key_osc, -ENOENT, "not realized yet");
	assert_fails(one_of_two, -ENOENT, "hub " HUB2_ID " is not realized yet");
}

static void test_no_peers(void **state)
{
	(void)state;
	assert_fails("{\"port\": {\"id\": \"s1\", " FIXED_IPS
		     ", \"binding:profile\": {\"wg_role\": "
		     "\"spoke\", \"public_key\": \"" DEV_PUB "\"}}}",
		     -EINVAL, "spoke port s1 has no peers");
	assert_fails("{\"port\": {\"id\": \"s1\", \"binding:profile\": {\"wg_role\": \"spoke\"}}}",
		     -EINVAL, "spoke port s1 has no fixed IPs");
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "{",
	    "[]",
	    "null",
	    "\"port\"",
	    "{\"port\": 5}",
	    "{\"port\": {}}",
	    "{\"port\": {\"id\": 7}}",
	    "{\"port\": {\"id\": \"a/b\"}}",
	    "{\"id\": \"s\", \"wireguard\": [], " FIXED_IPS "}",
	    "{\"id\": \"s\", \"wireguard\": {\"role\": 1}}",
	    "{\"id\": \"s\", \"binding_profile\": 5, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"binding_profile\": \"not json\"}",
	    "{\"id\": \"s\", \"binding_profile\": {\"wg_role\": \"spoke\"}, \"fixed_ips\": 3}",
	    "{\"id\": \"s\", \"binding_profile\": {\"wg_role\": \"spoke\"}, \"fixed_ips\": "
	    "[{\"ip_address\": \"10.1.2.300\"}]}",
	    "{\"id\": \"s\", \"binding_profile\": {\"wg_role\": \"spoke\"}, \"fixed_ips\": [7]}",
	    "{\"id\": \"s\", \"binding_profile\": {\"wg_role\": \"spoke\", \"public_key\": "
	    "\"abc\"}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"binding_profile\": {\"wg_role\": \"spoke\", "
	    "\"persistent_keepalive\": \"25\"}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"binding_profile\": {\"wg_role\": \"spoke\", "
	    "\"persistent_keepalive\": 70000}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"binding_profile\": {\"wg_role\": \"spoke\", \"peers\": "
	    "\"h\"}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"binding_profile\": {\"wg_role\": \"spoke\", \"peers\": "
	    "[1]}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"wireguard\": {\"role\": \"spoke\", \"peers\": {}}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"wireguard\": {\"role\": \"spoke\", \"peers\": [5]}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"wireguard\": {\"role\": \"spoke\", \"peers\": [{\"port_id\": "
	    "\"h\", \"public_key\": \"" HUB1_PUB "x\", \"endpoint\": \"1.2.3.4:5\", "
	    "\"allowed_ips\": [\"10.0.0.0/8\"]}]}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"wireguard\": {\"role\": \"spoke\", \"peers\": [{\"port_id\": "
	    "\"h\", \"public_key\": \"" HUB1_PUB "\", \"endpoint\": \"1.2.3.4:51820\\nPostUp = "
	    "rm -rf /\", \"allowed_ips\": [\"10.0.0.0/8\"]}]}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"wireguard\": {\"role\": \"spoke\", \"peers\": [{\"port_id\": "
	    "\"h\", \"public_key\": \"" HUB1_PUB "\", \"endpoint\": \"1.2.3.4:0\", "
	    "\"allowed_ips\": [\"10.0.0.0/8\"]}]}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"wireguard\": {\"role\": \"spoke\", \"peers\": [{\"port_id\": "
	    "\"h\", \"public_key\": \"" HUB1_PUB "\", \"endpoint\": \"1.2.3.4:51820\", "
	    "\"allowed_ips\": []}]}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"wireguard\": {\"role\": \"spoke\", \"peers\": [{\"port_id\": "
	    "\"h\", \"public_key\": \"" HUB1_PUB "\", \"endpoint\": \"1.2.3.4:51820\", "
	    "\"allowed_ips\": [\"10.0.0.0/33\"]}]}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"wireguard\": {\"role\": \"spoke\", \"peers\": [{\"port_id\": "
	    "\"h\", \"public_key\": \"" HUB1_PUB "\", \"endpoint\": \"1.2.3.4:51820\", "
	    "\"allowed_ips\": [\"10.0.0.0/8\"], \"mtu\": \"1400\"}]}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"wireguard\": {\"role\": \"spoke\", \"peers\": [{\"port_id\": "
	    "\"h\", \"public_key\": \"" HUB1_PUB "\", \"endpoint\": \"1.2.3.4:51820\", "
	    "\"allowed_ips\": [\"10.0.0.0/8\"], \"routes\": [\"x\"]}]}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"wireguard\": {\"role\": \"spoke\", \"peers\": [" HUB1_PEER
	    ", " HUB1_PEER "]}, " FIXED_IPS "}",
	    "{\"id\": \"s\", \"id\": \"t\"}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nwgcli_spoke *s = NULL;
		struct nwg_err err = {""};
		int ret = nwgcli_spoke_parse(&s, bad[i], strlen(bad[i]), &err);

		if (ret != -EINVAL)
			fprintf(stderr, "case %zu: ret %d (%s)\n", i, ret, err.msg);
		assert_int_equal(ret, -EINVAL);
		assert_null(s);
		assert_true(strlen(err.msg) > 0);
	}
}

static void test_endpoint_ok(void **state)
{
	(void)state;
	assert_int_equal(nwgcli_endpoint_ok("192.0.2.1:51820"), 0);
	assert_int_equal(nwgcli_endpoint_ok("[fd00::1]:1"), 0);
	assert_int_equal(nwgcli_endpoint_ok("vpn.example.org:65535"), 0);
	assert_int_equal(nwgcli_endpoint_ok("192.0.2.1"), -EINVAL);
	assert_int_equal(nwgcli_endpoint_ok("192.0.2.1:65536"), -EINVAL);
	assert_int_equal(nwgcli_endpoint_ok("a b:1"), -EINVAL);
	assert_int_equal(nwgcli_endpoint_ok(":51820"), -EINVAL);
	assert_int_equal(nwgcli_endpoint_ok("-x:51820"), -EINVAL);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_private_key_file(void **state)
{
	char path[] = "/tmp/nwg-test-key-XXXXXX";
	char key[NWG_KEY_B64_LEN + 1];
	struct nwg_err err = {""};
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, DEV_PRIV "\n", 0600);
	assert_int_equal(nwgcli_privkey_read(path, key, &err), 0);
	assert_string_equal(key, DEV_PRIV);
	assert_int_equal(nwgcli_privkey_matches(key, DEV_PUB), 0);
	assert_int_equal(nwgcli_privkey_matches(key, HUB1_PUB), -EKEYREJECTED);
	write_file(path, DEV_PRIV "\n", 0640);
	assert_int_equal(nwgcli_privkey_read(path, key, &err), -EPERM);
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_null(strstr(err.msg, DEV_PRIV));
	write_file(path, DEV_PRIV " \n", 0600);
	assert_int_equal(nwgcli_privkey_read(path, key, &err), -EINVAL);
	assert_null(strstr(err.msg, DEV_PRIV));
	write_file(path, DEV_PRIV "\n" DEV_PRIV "\n", 0600);
	assert_int_equal(nwgcli_privkey_read(path, key, &err), -EINVAL);
	assert_int_equal(nwgcli_privkey_read("/nonexistent/key", key, &err), -ENOENT);
	unlink(path);
}

/* render --output FILE: created 0600 whatever the umask, holds the config;
 * a symlink or someone else's file is refused and left alone. */
static void test_output_file(void **state)
{
	char dir[] = "/tmp/nwg-test-out-XXXXXX", in[128], out[128], victim[128], key[128];
	char *argv[] = {"render", in, "--private-key-file", key, "--output", out, NULL};
	struct stat st;
	mode_t old = umask(0);
	FILE *f;
	char buf[4096] = {0};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(in, sizeof(in), "%s/port.json", dir);
	snprintf(out, sizeof(out), "%s/dev.conf", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(key, sizeof(key), "%s/dev.key", dir);
	write_file(in, api_body, 0644);
	write_file(key, DEV_PRIV "\n", 0600);
	assert_int_equal(nwgcli_cmd_render(6, argv), NWGCLI_OK);
	umask(old);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	f = fopen(out, "r");
	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	assert_non_null(strstr(buf, "PrivateKey = " DEV_PRIV));
	/* an existing wider file is tightened and rewritten */
	assert_int_equal(chmod(out, 0644), 0);
	assert_int_equal(nwgcli_cmd_render(6, argv), NWGCLI_OK);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a symlink is refused, its target untouched */
	assert_int_equal(unlink(out), 0);
	write_file(victim, "", 0644);
	assert_int_equal(symlink(victim, out), 0);
	assert_int_equal(nwgcli_cmd_render(6, argv), NWGCLI_FAIL);
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 0);
	unlink(out);
	unlink(victim);
	unlink(in);
	unlink(key);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_api_body),
	    cmocka_unit_test(test_osc_flat),
	    cmocka_unit_test(test_vif_details_fallback),
	    cmocka_unit_test(test_osc_string_forms),
	    cmocka_unit_test(test_placeholder),
	    cmocka_unit_test(test_ipv6_only),
	    cmocka_unit_test(test_multiple_hubs),
	    cmocka_unit_test(test_standby_hub_same_subnet),
	    cmocka_unit_test(test_keepalive_profile),
	    cmocka_unit_test(test_mtu_choice),
	    cmocka_unit_test(test_not_a_spoke),
	    cmocka_unit_test(test_unrealized_hub),
	    cmocka_unit_test(test_no_peers),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_endpoint_ok),
	    cmocka_unit_test(test_private_key_file),
	    cmocka_unit_test(test_output_file),
	};

	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
