/* SPDX-License-Identifier: Apache-2.0 */
/* Agent options from ini files, and the command line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/ini.h"
#include "core/cmdline.h"

/* Loads text as an ini and the agent conf from it; returns nwg_conf_load's result. */
static int load(const char *text, struct nwg_conf *c, struct nwg_err *err)
{
	struct nwg_ini *ini = NULL;
	int r;

	assert_int_equal(nwg_ini_load_string(&ini, text, "agent.ini", err), 0);
	r = nwg_conf_load(c, ini, err);
	nwg_ini_free(ini);
	return r;
}

static void test_defaults(void **state)
{
	struct nwg_conf c;
	struct nwg_err err = {{0}};
	char host[256] = "";
	char ep[64];

	(void)state;
	assert_int_equal(load("[wireguard]\nWG_HUB_IP = 192.0.2.10\n", &c, &err), 0);
	gethostname(host, sizeof(host) - 1);
	assert_string_equal(c.host, host);
	assert_string_equal(c.wg_hub_ip, "192.0.2.10");
	assert_int_equal(c.report_interval, 30);
	assert_int_equal(c.resync_interval, 300);
	assert_int_equal(c.health_interval, 10);
	assert_int_equal(c.handshake_stale, 180);
	assert_null(c.metrics_textfile);
	assert_int_equal(c.port_range.first, 51820);
	assert_int_equal(c.port_range.last, 52820);
	assert_string_equal(c.port_range_str, "51820:52820");
	assert_int_equal(c.backend, NWG_BACKEND_AUTO);
	assert_string_equal(c.state_path, "/var/lib/neutron/wireguard");
	assert_string_equal(c.control_socket, "/run/neutron-wireguard/agent.sock");
	assert_int_equal(c.control_gid, -1); /* root only */
	assert_string_equal(c.ns_prefix, "tun-");
	assert_false(c.root_namespace);
	assert_false(c.hub_up_unrouted);
	assert_false(c.dry_run);
	assert_false(c.debug);
	assert_null(c.log_file);
	assert_int_equal(c.underlay_mtu, 1500);
	assert_true(!c.ignored_devices || !c.ignored_devices[0]);
	assert_int_equal(nwg_conf_endpoint(&c, 51820, ep, sizeof(ep)), 0);
	assert_string_equal(ep, "192.0.2.10:51820");
	assert_int_equal(nwg_conf_hub_mtu(&c, 0), 1420);
	assert_int_equal(nwg_conf_hub_mtu(&c, 1450), 1420);
	assert_int_equal(nwg_conf_hub_mtu(&c, 1380), 1380);
	nwg_conf_clear(&c);
}

static void test_every_option(void **state)
{
	struct nwg_conf c;
	struct nwg_err err = {{0}};
	char ep[64];

	(void)state;
	assert_int_equal(
	    load("[DEFAULT]\nhost = netnode-7\nlog_file = /tmp/x.log\ndebug = true\n"
		 "[AGENT]\nreport_interval = 5\n"
		 "[wireguard]\nwg_hub_ip = 2001:db8::10\nlisten_port_range = 40000:40010\n"
		 "backend = userspace\nstate_path = /tmp/st\nnamespace_prefix = wgp-\n"
		 "root_namespace = true\nhub_up_unrouted = True\nunderlay_mtu = 9000\n"
		 "ignored_devices = wg0, wg-keep\ndry_run = yes\n"
		 "control_socket = /tmp/a/agent.sock\nresync_interval = 0\n"
		 "health_interval = 2\nhandshake_stale = 8\nmetrics_textfile = /tmp/m.prom\n"
		 "wireguard_go = /usr/local/bin/wireguard-go\n",
		 &c, &err),
	    0);
	assert_string_equal(c.host, "netnode-7");
	assert_string_equal(c.log_file, "/tmp/x.log");
	assert_true(c.debug);
	assert_int_equal(c.report_interval, 5);
	assert_int_equal(c.port_range.first, 40000);
	assert_int_equal(c.port_range.last, 40010);
	assert_int_equal(c.backend, NWG_BACKEND_USERSPACE);
	assert_string_equal(c.state_path, "/tmp/st");
	assert_string_equal(c.ns_prefix, "wgp-");
	assert_true(c.root_namespace);
	assert_true(c.hub_up_unrouted);
	assert_true(c.dry_run);
	assert_int_equal(c.underlay_mtu, 9000);
	assert_string_equal(c.ignored_devices[0], "wg0");
	assert_string_equal(c.ignored_devices[1], "wg-keep");
	assert_null(c.ignored_devices[2]);
	assert_true(nwg_conf_ignored(c.ignored_devices, "wg-keep", NULL));
	assert_false(nwg_conf_ignored(c.ignored_devices, "wg1", "x"));
	assert_string_equal(c.control_socket, "/tmp/a/agent.sock");
	assert_int_equal(c.resync_interval, 0);
	assert_int_equal(c.health_interval, 2);
	assert_int_equal(c.handshake_stale, 8);
	assert_string_equal(c.metrics_textfile, "/tmp/m.prom");
	assert_string_equal(c.wireguard_go, "/usr/local/bin/wireguard-go");
	assert_int_equal(nwg_conf_endpoint(&c, 40001, ep, sizeof(ep)), 0);
	assert_string_equal(ep, "[2001:db8::10]:40001");
	nwg_conf_clear(&c);
}

/* A bad configuration: the error names the section and the option. */
static void expect_bad(const char *text, const char *needle)
{
	struct nwg_conf c;
	struct nwg_err err = {{0}};

	if (load(text, &c, &err) != -EINVAL)
		fail_msg("accepted: %s", text);
	if (!strstr(err.msg, needle))
		fail_msg("'%s' does not name '%s'", err.msg, needle);
	nwg_conf_clear(&c);
}

#define HUB_IP "[wireguard]\nWG_HUB_IP = 192.0.2.1\n"

static void test_bad_values(void **state)
{
	(void)state;
	expect_bad("[DEFAULT]\nhost = x\n", "[wireguard] WG_HUB_IP");
	expect_bad("[wireguard]\nWG_HUB_IP =\n", "[wireguard] WG_HUB_IP");
	expect_bad("[wireguard]\nWG_HUB_IP = 192.0.2.300\n", "[wireguard] WG_HUB_IP");
	expect_bad("[wireguard]\nWG_HUB_IP = node.example.org\n", "is not an IP address");
	expect_bad(HUB_IP "listen_port_range = 52000:51000\n", "[wireguard] listen_port_range");
	expect_bad(HUB_IP "listen_port_range = many\n", "[wireguard] listen_port_range");
	expect_bad(HUB_IP "backend = ebpf\n", "[wireguard] backend");
	expect_bad(HUB_IP "state_path = relative/dir\n", "[wireguard] state_path");
	expect_bad(HUB_IP "namespace_prefix = a/b\n", "[wireguard] namespace_prefix");
	expect_bad(HUB_IP "root_namespace = perhaps\n", "root_namespace");
	expect_bad(HUB_IP "underlay_mtu = 500\n", "underlay_mtu");
	expect_bad(HUB_IP "underlay_mtu = 1500x\n", "underlay_mtu");
	expect_bad(HUB_IP "resync_interval = -1\n", "resync_interval");
	expect_bad(HUB_IP "health_interval = 0\n", "health_interval");
	expect_bad(HUB_IP "handshake_stale = never\n", "handshake_stale");
	expect_bad(HUB_IP "metrics_textfile = m.prom\n", "[wireguard] metrics_textfile");
	expect_bad(HUB_IP "[AGENT]\nreport_interval = often\n", "report_interval");
	expect_bad(HUB_IP "control_socket = run/agent.sock\n", "[wireguard] control_socket");
	expect_bad(HUB_IP "control_socket_group = nwg-no-such-group\n",
		   "[wireguard] control_socket_group");
	expect_bad(HUB_IP "[DEFAULT]\nhost = a b\n", "[DEFAULT] host");
	expect_bad(HUB_IP "control_socket_group = 0\ncontrol_l3_groups = nwg-no-such-group\n",
		   "[wireguard] control_l3_groups: no group nwg-no-such-group");
	expect_bad(HUB_IP "control_status_groups = 0\n", "need control_socket_group");
	expect_bad(HUB_IP "control_socket_group = 0\ncontrol_status_groups = "
			  "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n",
		   "at most 16 groups");
}

/* control_status_groups / control_l3_groups: names or numbers, commas and
 * spaces between them; unset = none (control_socket_group decides alone). */
static void test_ctl_groups(void **state)
{
	struct nwg_conf c;
	struct nwg_err err = {{0}};

	(void)state;
	assert_int_equal(load(HUB_IP, &c, &err), 0);
	assert_int_equal(c.n_control_status_gids, 0);
	assert_int_equal(c.n_control_l3_gids, 0);
	nwg_conf_clear(&c);
	assert_int_equal(load(HUB_IP "control_socket_group = 0\n"
				     "control_status_groups = root, 65533\n"
				     "control_l3_groups = 65534\n",
			      &c, &err),
			 0);
	assert_int_equal(c.n_control_status_gids, 2);
	assert_int_equal(c.control_status_gids[0], 0);
	assert_int_equal(c.control_status_gids[1], 65533);
	assert_int_equal(c.n_control_l3_gids, 1);
	assert_int_equal(c.control_l3_gids[0], 65534);
	nwg_conf_clear(&c);
}

static void write_file(char *path, const char *text)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_files(void **state)
{
	char a[] = "/tmp/nwg-agent-conf-a.XXXXXX", b[] = "/tmp/nwg-agent-conf-b.XXXXXX";
	const char *paths[] = {a, b}, *missing[] = {"/nonexistent/neutron.conf"};
	struct nwg_ini *ini = NULL;
	struct nwg_err err = {{0}};
	struct nwg_conf c;

	(void)state;
	/* neutron.conf then wireguard_agent.ini: the later file wins */
	write_file(a, "[DEFAULT]\nhost = from-a\n[wireguard]\nWG_HUB_IP = 192.0.2.1\n");
	write_file(b, "[wireguard]\nWG_HUB_IP = 192.0.2.2\n");
	assert_int_equal(nwg_ini_load(&ini, paths, 2, &err), 0);
	assert_int_equal(nwg_conf_load(&c, ini, &err), 0);
	assert_string_equal(c.host, "from-a");
	assert_string_equal(c.wg_hub_ip, "192.0.2.2");
	nwg_conf_clear(&c);
	nwg_ini_free(ini);
	/* a syntax error names the file and the line */
	unlink(b);
	strcpy(b, "/tmp/nwg-agent-conf-b.XXXXXX");
	write_file(b, "[wireguard]\nthis is not ini\n");
	assert_true(nwg_ini_load(&ini, paths, 2, &err) < 0);
	assert_non_null(strstr(err.msg, b));
	assert_true(nwg_ini_load(&ini, missing, 1, &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent/neutron.conf"));
	unlink(a);
	unlink(b);
}

static void test_cmdline(void **state)
{
	char *argv1[] = {"agent",
			 "--config-file",
			 "/etc/neutron/neutron.conf",
			 "--config-file=/etc/w.ini",
			 "--debug",
			 "--desired-file",
			 "d.json",
			 NULL};
	char *bad1[] = {"agent", "--config-file", NULL};
	char *bad2[] = {"agent", "--frobnicate", NULL};
	char *bad3[] = {"agent", "--config-file=", NULL};
	struct nwg_err err = {{0}};
	struct nwg_cmdline cl;

	(void)state;
	assert_int_equal(nwg_cmdline_parse(&cl, 7, argv1, &err), 0);
	assert_int_equal(cl.n_config_files, 2);
	assert_string_equal(cl.config_files[0], "/etc/neutron/neutron.conf");
	assert_string_equal(cl.config_files[1], "/etc/w.ini");
	assert_true(cl.debug);
	assert_string_equal(cl.desired_file, "d.json");
	assert_int_equal(nwg_cmdline_parse(&cl, 2, bad1, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--config-file"));
	assert_int_equal(nwg_cmdline_parse(&cl, 2, bad2, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--frobnicate"));
	assert_int_equal(nwg_cmdline_parse(&cl, 2, bad3, &err), -EINVAL);
}

/* privsep on by default, user neutron; with privsep the user must exist
 * and not be root. */
static void test_privsep(void **state)
{
	const char *hub = "[wireguard]\nWG_HUB_IP = 192.0.2.10\n";
	struct nwg_err err = {{0}};
	struct nwg_conf c;
	char text[512];

	(void)state;
	snprintf(text, sizeof(text), "%suser = nobody\n", hub);
	assert_int_equal(load(text, &c, &err), 0);
	assert_true(c.privsep); /* on unless turned off */
	nwg_conf_clear(&c);
	snprintf(text, sizeof(text), "%sprivsep = false\n", hub);
	assert_int_equal(load(text, &c, &err), 0);
	assert_false(c.privsep);
	assert_string_equal(c.user, "neutron");
	assert_true(c.seccomp); /* the engine's allow-list: on unless turned off */
	nwg_conf_clear(&c);
	snprintf(text, sizeof(text), "%sseccomp = false\n", hub);
	assert_int_equal(load(text, &c, &err), 0);
	assert_false(c.seccomp);
	nwg_conf_clear(&c);
	snprintf(text, sizeof(text), "%sseccomp = sometimes\n", hub);
	assert_int_equal(load(text, &c, &err), -EINVAL);
	nwg_conf_clear(&c);
	/* an unknown user does not matter while the split is off, and stops
	 * the agent when the split is on by default */
	snprintf(text, sizeof(text), "%sprivsep = false\nuser = nwg-no-such-user\n", hub);
	assert_int_equal(load(text, &c, &err), 0);
	nwg_conf_clear(&c);
	snprintf(text, sizeof(text), "%suser = nwg-no-such-user\n", hub);
	assert_int_equal(load(text, &c, &err), -EINVAL);
	nwg_conf_clear(&c);
	snprintf(text, sizeof(text), "%sprivsep = true\nuser = nwg-no-such-user\n", hub);
	assert_int_equal(load(text, &c, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "[wireguard] user: no user nwg-no-such-user"));
	nwg_conf_clear(&c);
	snprintf(text, sizeof(text), "%sprivsep = true\nuser = root\n", hub);
	assert_int_equal(load(text, &c, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "uid 0"));
	nwg_conf_clear(&c);
	snprintf(text, sizeof(text), "%sprivsep = true\nuser = ../x\n", hub);
	assert_int_equal(load(text, &c, &err), -EINVAL);
	nwg_conf_clear(&c);
	snprintf(text, sizeof(text), "%sprivsep = maybe\n", hub);
	assert_int_equal(load(text, &c, &err), -EINVAL);
	nwg_conf_clear(&c);
	snprintf(text, sizeof(text), "%sprivsep = true\nuser = nobody\n", hub);
	assert_int_equal(load(text, &c, &err), 0);
	assert_true(c.privsep);
	assert_string_equal(c.user, "nobody");
	assert_int_not_equal(c.user_uid, 0);
	nwg_conf_clear(&c);
	/* an HA node runs split (keepalived and the stream in the executor) */
	snprintf(text, sizeof(text),
		 "%sprivsep = true\nuser = nobody\n[wireguard_ha]\nvrrp_interface = eth-h\n"
		 "vip = 198.51.100.100/24\n",
		 hub);
	assert_int_equal(load(text, &c, &err), 0);
	assert_true(c.privsep && c.ha.on);
	nwg_conf_clear(&c);
	/* [wireguard_ha] peer_enrollment_key: SEAL's pinned recipient */
	assert_int_equal(load(hub, &c, &err), 0);
	assert_false(c.ha_pin_set);
	nwg_conf_clear(&c);
	snprintf(text, sizeof(text),
		 "%s[wireguard_ha]\npeer_enrollment_key = "
		 "hGL7PweY+f4sOfOCO7Qc0+/+cLtcgXNb5GoUMTXFhFQ=\n",
		 hub);
	assert_int_equal(load(text, &c, &err), 0);
	assert_true(c.ha_pin_set);
	assert_false(nwg_key_is_zero(&c.ha_pin));
	nwg_conf_clear(&c);
	snprintf(text, sizeof(text), "%s[wireguard_ha]\npeer_enrollment_key = not-a-key\n", hub);
	assert_int_equal(load(text, &c, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "[wireguard_ha] peer_enrollment_key"));
	nwg_conf_clear(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),   cmocka_unit_test(test_every_option),
	    cmocka_unit_test(test_bad_values), cmocka_unit_test(test_files),
	    cmocka_unit_test(test_ctl_groups), cmocka_unit_test(test_cmdline),
	    cmocka_unit_test(test_privsep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
