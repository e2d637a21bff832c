/* SPDX-License-Identifier: Apache-2.0 */
/* [wireguard_ovn] options: defaults, accepted values, clear errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/ini.h"

static int load(const char *extra, struct nwg_conf *c, struct nwg_err *err)
{
	struct nwg_ini *ini = NULL;
	char text[1024];
	int r;

	snprintf(text, sizeof(text), "[wireguard]\nWG_HUB_IP = 192.0.2.10\n%s", extra);
	assert_int_equal(nwg_ini_load_string(&ini, text, "agent.ini", err), 0);
	r = nwg_conf_load(c, ini, err);
	nwg_ini_free(ini);
	return r;
}

static void test_defaults_off(void **state)
{
	struct nwg_conf c;
	struct nwg_err err = {{0}};

	(void)state;
	assert_int_equal(load("", &c, &err), 0);
	assert_null(c.ovn_bridge);
	assert_string_equal(c.ovsdb_connection, "unix:/var/run/openvswitch/db.sock");
	assert_string_equal(c.ovs_vsctl, "/usr/bin/ovs-vsctl");
	nwg_conf_clear(&c);
}

static void test_values(void **state)
{
	struct nwg_conf c;
	struct nwg_err err = {{0}};

	(void)state;
	assert_int_equal(load("[wireguard_ovn]\nintegration_bridge = br-int\n"
			      "ovsdb_connection = tcp:127.0.0.1:6640\novs_vsctl = /opt/ovs-vsctl\n",
			      &c, &err),
			 0);
	assert_string_equal(c.ovn_bridge, "br-int");
	assert_string_equal(c.ovsdb_connection, "tcp:127.0.0.1:6640");
	assert_string_equal(c.ovs_vsctl, "/opt/ovs-vsctl");
	nwg_conf_clear(&c);
	assert_int_equal(load("[wireguard_ovn]\nintegration_bridge =\n", &c, &err), 0);
	assert_null(c.ovn_bridge); /* empty = off */
	nwg_conf_clear(&c);
}

static void expect_bad(const char *extra, const char *option)
{
	struct nwg_conf c;
	struct nwg_err err = {{0}};

	assert_int_equal(load(extra, &c, &err), -EINVAL);
	assert_non_null(strstr(err.msg, option));
	nwg_conf_clear(&c);
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_bad("[wireguard_ovn]\nintegration_bridge = a-very-long-bridge-name\n",
		   "[wireguard_ovn] integration_bridge");
	expect_bad("[wireguard_ovn]\nintegration_bridge = br/int\n",
		   "[wireguard_ovn] integration_bridge");
	expect_bad("[wireguard_ovn]\novsdb_connection = /run/db.sock\n",
		   "[wireguard_ovn] ovsdb_connection");
	expect_bad("[wireguard_ovn]\novsdb_connection = unix:\n",
		   "[wireguard_ovn] ovsdb_connection");
	expect_bad("[wireguard_ovn]\novsdb_connection = tcp:1.2.3.4:6640 --x\n",
		   "[wireguard_ovn] ovsdb_connection");
	expect_bad("[wireguard_ovn]\novs_vsctl = ovs-vsctl\n", "[wireguard_ovn] ovs_vsctl");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_off),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_bad_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
