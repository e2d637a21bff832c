/* SPDX-License-Identifier: Apache-2.0 */
/* transport_url parsing and nwg_msg_opts_from_ini. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/ini.h"
#include "conf/msg_opts.h"
#include "msg/msg.h"

static void parse_ok(struct nwg_msg_opts *o, const char *url)
{
	struct nwg_err err = {{0}};

	memset(o, 0, sizeof(*o));
	assert_int_equal(nwg_msg_parse_transport_url(o, url, &err), 0);
}

static void test_single(void **state)
{
	struct nwg_msg_opts o;

	(void)state;
	parse_ok(&o, "rabbit://openstack:s3cret@rabbit.example:5673/");
	assert_int_equal(o.n_hosts, 1);
	assert_string_equal(o.hosts[0].host, "rabbit.example");
	assert_int_equal(o.hosts[0].port, 5673);
	assert_string_equal(o.hosts[0].user, "openstack");
	assert_string_equal(o.hosts[0].password, "s3cret");
	assert_string_equal(o.vhost, "/");
	assert_false(o.ssl);
	nwg_msg_opts_clear(&o);
	assert_null(o.hosts);

	parse_ok(&o, "rabbit://localhost");
	assert_string_equal(o.hosts[0].host, "localhost");
	assert_int_equal(o.hosts[0].port, 5672);
	assert_string_equal(o.hosts[0].user, "guest");
	assert_string_equal(o.hosts[0].password, "guest");
	assert_string_equal(o.vhost, "/");
	nwg_msg_opts_clear(&o);
}

static void test_multi_and_vhost(void **state)
{
	struct nwg_msg_opts o;

	(void)state;
	parse_ok(&o, "rabbit://u1:p1@h1:5672,u2:p2@h2:5673,h3/neutron?ssl=1&foo=bar");
	assert_int_equal(o.n_hosts, 3);
	assert_string_equal(o.hosts[0].host, "h1");
	assert_string_equal(o.hosts[1].user, "u2");
	assert_string_equal(o.hosts[1].password, "p2");
	assert_int_equal(o.hosts[1].port, 5673);
	assert_string_equal(o.hosts[2].host, "h3");
	assert_int_equal(o.hosts[2].port, 5672);
	assert_string_equal(o.hosts[2].user, "u2"); /* inherited like oslo */
	assert_string_equal(o.hosts[2].password, "p2");
	assert_string_equal(o.vhost, "neutron");
	assert_true(o.ssl);
	nwg_msg_opts_clear(&o);

	parse_ok(&o, "rabbit://h//");
	assert_string_equal(o.vhost, "/");
	nwg_msg_opts_clear(&o);
	parse_ok(&o, "rabbit://h/%2Fprod");
	assert_string_equal(o.vhost, "/prod");
	nwg_msg_opts_clear(&o);
	parse_ok(&o, "RABBIT://h?ssl=0");
	assert_false(o.ssl);
	assert_string_equal(o.vhost, "/");
	nwg_msg_opts_clear(&o);
}

static void test_percent_and_ipv6(void **state)
{
	struct nwg_msg_opts o;

	(void)state;
	parse_ok(&o, "rabbit://us%40er:p%3Aw%2F%25d@[::1]:5671,[fd00::2]/v%20h");
	assert_string_equal(o.hosts[0].user, "us@er");
	assert_string_equal(o.hosts[0].password, "p:w/%d");
	assert_string_equal(o.hosts[0].host, "::1");
	assert_int_equal(o.hosts[0].port, 5671);
	assert_string_equal(o.hosts[1].host, "fd00::2");
	assert_int_equal(o.hosts[1].port, 5672);
	assert_string_equal(o.vhost, "v h");
	nwg_msg_opts_clear(&o);
	/* '@' inside the password without escaping: the last '@' separates */
	parse_ok(&o, "rabbit://u:p@ss@h");
	assert_string_equal(o.hosts[0].password, "p@ss");
	assert_string_equal(o.hosts[0].host, "h");
	nwg_msg_opts_clear(&o);
}

static void expect_bad(const char *url, const char *why)
{
	struct nwg_msg_opts o;
	struct nwg_err err = {{0}};

	memset(&o, 0, sizeof(o));
	assert_int_equal(nwg_msg_parse_transport_url(&o, url, &err), -EINVAL);
	assert_non_null(strstr(err.msg, why));
	assert_null(o.hosts);
	assert_null(o.vhost);
	/* never the password in the message */
	assert_null(strstr(err.msg, "s3cret"));
}

static void test_bad(void **state)
{
	(void)state;
	expect_bad("amqp://h", "scheme");
	expect_bad("kombu://h", "scheme");
	expect_bad("h:5672", "scheme");
	expect_bad("rabbit://", "empty host");
	expect_bad("rabbit:///vhost", "empty host");
	expect_bad("rabbit://u:s3cret@", "empty host");
	expect_bad("rabbit://u:s3cret@:5672", "empty host");
	expect_bad("rabbit://h1,,h2", "empty host");
	expect_bad("rabbit://h:0", "port");
	expect_bad("rabbit://h:65536", "port");
	expect_bad("rabbit://h:56x2", "port");
	expect_bad("rabbit://h:", "port");
	expect_bad("rabbit://[::1", "'['");
	expect_bad("rabbit://[::1]x", "']'");
	expect_bad("rabbit://u:s3cret%zz@h", "password");
	expect_bad("rabbit://u:s3cret%4@h", "password");
	expect_bad("rabbit://h/%00", "vhost");
	expect_bad("rabbit://h%2F/", "host");
	assert_int_equal(nwg_msg_parse_transport_url(NULL, "rabbit://h", NULL), -EINVAL);
}

static void test_from_ini(void **state)
{
	struct nwg_msg_opts o;
	struct nwg_err err = {{0}};
	struct nwg_ini *ini;
	char hn[256];

	(void)state;
	assert_int_equal(
	    nwg_ini_load_string(&ini,
				"[DEFAULT]\ntransport_url = rabbit://a:b@r1:5672,a:b@r2:5672/\n"
				"rpc_response_timeout = 30\n"
				"[oslo_messaging_rabbit]\namqp_durable_queues = true\n"
				"heartbeat_timeout_threshold = 0\nssl = True\n"
				"ssl_ca_file = /etc/ca.pem\nrabbit_transient_queues_ttl = 60\n",
				"n.conf", &err),
	    0);
	assert_int_equal(nwg_msg_opts_from_ini(&o, ini, &err), 0);
	assert_int_equal(o.n_hosts, 2);
	assert_string_equal(o.control_exchange, "neutron");
	gethostname(hn, sizeof(hn));
	assert_string_equal(o.host, hn);
	assert_true(o.amqp_durable_queues);
	assert_false(o.amqp_auto_delete);
	assert_int_equal(o.heartbeat_timeout_s, 0);
	assert_int_equal(o.rpc_response_timeout_s, 30);
	assert_int_equal(o.transient_queues_ttl_s, 60);
	assert_true(o.ssl);
	assert_string_equal(o.ssl_ca_file, "/etc/ca.pem");
	assert_null(o.ssl_cert_file);
	nwg_msg_opts_clear(&o);
	nwg_ini_free(ini);

	assert_int_equal(nwg_ini_load_string(&ini,
					     "[DEFAULT]\ntransport_url = rabbit://h\nhost = net-1\n"
					     "control_exchange = other\n",
					     "n.conf", &err),
			 0);
	assert_int_equal(nwg_msg_opts_from_ini(&o, ini, &err), 0);
	assert_string_equal(o.host, "net-1");
	assert_string_equal(o.control_exchange, "other");
	assert_int_equal(o.heartbeat_timeout_s, 60);
	assert_int_equal(o.rpc_response_timeout_s, 60);
	assert_int_equal(o.transient_queues_ttl_s, 1800);
	nwg_msg_opts_clear(&o);
	nwg_ini_free(ini);
}

static void ini_bad(const char *text, const char *why)
{
	struct nwg_msg_opts o;
	struct nwg_err err = {{0}};
	struct nwg_ini *ini;

	assert_int_equal(nwg_ini_load_string(&ini, text, "n.conf", &err), 0);
	assert_int_equal(nwg_msg_opts_from_ini(&o, ini, &err), -EINVAL);
	assert_non_null(strstr(err.msg, why));
	assert_null(o.hosts);
	nwg_ini_free(ini);
}

static void test_from_ini_bad(void **state)
{
	(void)state;
	ini_bad("[DEFAULT]\nhost = x\n", "[DEFAULT] transport_url");
	ini_bad("[DEFAULT]\ntransport_url = amqp://h\n", "[DEFAULT] transport_url");
	ini_bad("[DEFAULT]\ntransport_url = rabbit://h\n[oslo_messaging_rabbit]\nssl = maybe\n",
		"[oslo_messaging_rabbit] ssl");
	ini_bad("[DEFAULT]\ntransport_url = rabbit://h\nrpc_response_timeout = 0\n",
		"[DEFAULT] rpc_response_timeout");
	ini_bad("[DEFAULT]\ntransport_url = rabbit://h\n[oslo_messaging_rabbit]\n"
		"heartbeat_timeout_threshold = -1\n",
		"heartbeat_timeout_threshold");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_single),	     cmocka_unit_test(test_multi_and_vhost),
	    cmocka_unit_test(test_percent_and_ipv6), cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_from_ini),	     cmocka_unit_test(test_from_ini_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
