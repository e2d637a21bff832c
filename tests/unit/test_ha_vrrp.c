/* SPDX-License-Identifier: Apache-2.0 */
/* The agent's VRRP for HA hubs (doc/ha.md, "The agent runs the takeover"):
 * [wireguard_ha] options, the keepalived.conf it writes, keepalived's
 * notify FIFO lines, the ha_state reported with and without VRRP. */
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
#include "ha/vrrp.h"
#include "reconcile/desired_ha.h"

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

static void test_off_by_default(void **state)
{
	struct nwg_conf c;
	struct nwg_err err = {{0}};

	(void)state;
	assert_int_equal(load("", &c, &err), 0);
	assert_false(c.ha.on);
	nwg_conf_clear(&c);
	assert_int_equal(load("[wireguard_ha]\nvip = 198.51.100.100/24\n", &c, &err), 0);
	assert_false(c.ha.on); /* no interface: the agent runs no VRRP */
	nwg_conf_clear(&c);
}

static void test_values_and_endpoint(void **state)
{
	struct nwg_conf c;
	struct nwg_err err = {{0}};
	char ep[64];

	(void)state;
	assert_int_equal(load("[wireguard_ha]\nvrrp_interface = eth-h\nvip = 198.51.100.100/24\n"
			      "virtual_router_id = 61\npriority = 90\nadvert_interval_ms = 250\n"
			      "stream_peer = 10.252.0.1\npeer_host = node-2\n",
			      &c, &err),
			 0);
	assert_true(c.ha.on);
	assert_string_equal(c.ha.interface, "eth-h");
	assert_string_equal(c.ha.vip, "198.51.100.100/24");
	assert_int_equal(c.ha.vrid, 61);
	assert_int_equal(c.ha.priority, 90);
	assert_int_equal(c.ha.advert_ms, 250);
	assert_int_equal(c.ha.pace, 8);
	assert_string_equal(c.ha.stream_peer, "10.252.0.1");
	assert_string_equal(c.ha.peer_host, "node-2");
	assert_int_equal(c.ha.stream_port, 51900);
	assert_string_equal(c.ha.keepalived, "/usr/sbin/keepalived");
	assert_int_equal(nwg_conf_ha_endpoint(&c.ha, 53600, ep, sizeof(ep)), 0);
	assert_string_equal(ep, "198.51.100.100:53600");
	nwg_conf_clear(&c);
	assert_int_equal(
	    load("[wireguard_ha]\nvrrp_interface = eth-h\nvip = 2001:db8::64/64\n", &c, &err), 0);
	assert_int_equal(nwg_conf_ha_endpoint(&c.ha, 51820, ep, sizeof(ep)), 0);
	assert_string_equal(ep, "[2001:db8::64]:51820");
	nwg_conf_clear(&c);
}

static void refused(const char *extra, const char *why)
{
	struct nwg_conf c;
	struct nwg_err err = {{0}};

	assert_int_equal(load(extra, &c, &err), -EINVAL);
	if (!strstr(err.msg, why))
		fail_msg("'%s' not in '%s'", why, err.msg);
	nwg_conf_clear(&c);
}

static void test_refusals(void **state)
{
	(void)state;
	refused("[wireguard_ha]\nvrrp_interface = eth-h\n", "vip: required");
	refused("[wireguard_ha]\nvrrp_interface = eth-h\nvip = 198.51.100.100\n", "vip:");
	refused("[wireguard_ha]\nvrrp_interface = eth-h\nvip = 198.51.100.100/33\n", "vip:");
	refused("[wireguard_ha]\nvrrp_interface = eth-h\nvip = host/24\n", "vip:");
	refused("[wireguard_ha]\nvrrp_interface = eth-h\nvip = 10.0.0.1/024\n", "vip:");
	refused("[wireguard_ha]\nvrrp_interface = a/b\nvip = 10.0.0.1/24\n", "vrrp_interface");
	refused(
	    "[wireguard_ha]\nvrrp_interface = eth-h\nvip = 10.0.0.1/24\nvirtual_router_id = 0\n",
	    "virtual_router_id");
	refused("[wireguard_ha]\nvrrp_interface = eth-h\nvip = 10.0.0.1/24\npriority = 255\n",
		"priority");
	refused(
	    "[wireguard_ha]\nvrrp_interface = eth-h\nvip = 10.0.0.1/24\nadvert_interval_ms = 105\n",
	    "advert_interval_ms");
	refused("[wireguard_ha]\nvrrp_interface = eth-h\nvip = 10.0.0.1/24\nstream_peer = node2\n",
		"stream_peer");
	refused("[wireguard_ha]\nvrrp_interface = eth-h\nvip = 10.0.0.1/24\npeer_host = a/b\n",
		"peer_host");
	refused(
	    "[wireguard_ha]\nvrrp_interface = eth-h\nvip = 10.0.0.1/24\nkeepalived = keepalived\n",
	    "keepalived");
}

static void test_render(void **state)
{
	struct nwg_conf_ha h = {.on = true,
				.interface = "eth-h",
				.vip = "198.51.100.100/24",
				.vrid = 61,
				.priority = 100,
				.advert_ms = 1250};
	char *text = NULL;

	(void)state;
	assert_int_equal(nwg_vrrp_render(&h, "/var/lib/nwg/vrrp/notify.fifo",
					 "/var/lib/nwg/vrrp/renew.sh", &text),
			 0);
	assert_non_null(strstr(text, "notify_fifo /var/lib/nwg/vrrp/notify.fifo\n"));
	assert_non_null(strstr(text, "vrrp_instance nwg_hubs {\n"));
	assert_non_null(strstr(text, "\tstate BACKUP\n\tnopreempt\n"));
	assert_non_null(strstr(text, "\tinterface eth-h\n"));
	assert_non_null(strstr(text, "\tvirtual_router_id 61\n\tpriority 100\n"));
	assert_non_null(strstr(text, "\tadvert_int 1.25\n\tversion 3\n"));
	assert_non_null(strstr(text, "\t\t198.51.100.100/24 dev eth-h\n"));
	assert_non_null(strstr(text, "vrrp_higher_prio_send_advert true"));
	assert_non_null(
	    strstr(text, "\tnotify_master_rx_lower_pri \"/var/lib/nwg/vrrp/renew.sh\"\n"));
	assert_null(strstr(text, "notify_master ")); /* states: the FIFO only */
	assert_non_null(strstr(text, "\tscript_user root\n"));
	free(text);
	h.advert_ms = 100;
	assert_int_equal(nwg_vrrp_render(&h, "/f", "/r", &text), 0);
	assert_non_null(strstr(text, "\tadvert_int 0.10\n"));
	free(text);
}

static void test_fifo_lines(void **state)
{
	(void)state;
	assert_int_equal(nwg_vrrp_parse_line("INSTANCE \"nwg_hubs\" MASTER 100"), NWG_VRRP_MASTER);
	assert_int_equal(nwg_vrrp_parse_line("INSTANCE \"nwg_hubs\" BACKUP 90"), NWG_VRRP_BACKUP);
	assert_int_equal(nwg_vrrp_parse_line("INSTANCE \"nwg_hubs\" FAULT 90"), NWG_VRRP_FAULT);
	assert_int_equal(nwg_vrrp_parse_line("INSTANCE \"nwg_hubs\" STOP 90"), NWG_VRRP_FAULT);
	assert_int_equal(nwg_vrrp_parse_line("INSTANCE \"other\" MASTER 100"), NWG_VRRP_UNKNOWN);
	assert_int_equal(nwg_vrrp_parse_line("GROUP \"nwg_hubs\" MASTER 100"), NWG_VRRP_UNKNOWN);
	assert_int_equal(nwg_vrrp_parse_line("INSTANCE \"nwg_hubs\" MASTERX 100"),
			 NWG_VRRP_UNKNOWN);
	assert_int_equal(nwg_vrrp_parse_line("INSTANCE \"nwg_hubs\""), NWG_VRRP_UNKNOWN);
	assert_int_equal(nwg_vrrp_parse_line(""), NWG_VRRP_UNKNOWN);
	assert_true(nwg_vrrp_is_renew("RENEW nwg_hubs"));
	assert_false(nwg_vrrp_is_renew("RENEW other"));
	assert_false(nwg_vrrp_is_renew("RENEW nwg_hubs x"));
	assert_int_equal(nwg_vrrp_parse_line("RENEW nwg_hubs"), NWG_VRRP_UNKNOWN);
	assert_string_equal(nwg_vrrp_state_name(NWG_VRRP_MASTER), "active");
	assert_string_equal(nwg_vrrp_state_name(NWG_VRRP_BACKUP), "standby");
	assert_string_equal(nwg_vrrp_state_name(NWG_VRRP_FAULT), "fault");
	assert_null(nwg_vrrp_state_name(NWG_VRRP_UNKNOWN));
}

static void test_report_state(void **state)
{
	struct nwg_dha ha = {.primary = true};

	(void)state;
	assert_null(nwg_ha_report_state(NULL, "active"));
	/* without VRRP: the default while Neutron has none */
	assert_string_equal(nwg_ha_report_state(&ha, NULL), "active");
	strcpy(ha.own_state, "active");
	assert_null(nwg_ha_report_state(&ha, NULL));
	/* with VRRP: its state whenever Neutron has another one */
	assert_null(nwg_ha_report_state(&ha, "active"));
	assert_string_equal(nwg_ha_report_state(&ha, "standby"), "standby");
	assert_string_equal(nwg_ha_report_state(&ha, "fault"), "fault");
	assert_string_equal(nwg_ha_report_state(&ha, ""), "standby"); /* not said yet */
	ha.own_state[0] = '\0';
	ha.primary = false;
	assert_string_equal(nwg_ha_report_state(&ha, "active"), "active");
	strcpy(ha.own_state, "standby");
	assert_null(nwg_ha_report_state(&ha, ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_off_by_default), cmocka_unit_test(test_values_and_endpoint),
	    cmocka_unit_test(test_refusals),	   cmocka_unit_test(test_render),
	    cmocka_unit_test(test_fifo_lines),	   cmocka_unit_test(test_report_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
