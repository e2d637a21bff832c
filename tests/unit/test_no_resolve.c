/* SPDX-License-Identifier: Apache-2.0 */
/* The agent never resolves a name: a spoke endpoint that is not an IP literal
 * (which the parser already refuses) is left unset by the executor instead of
 * going to a resolver ("localhost" would resolve from /etc/hosts at once; a
 * tenant's name through a resolver that never answers would stall the loop). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agent_testlib.h"
#include "reconcile/exec.h"

static void set_peer_endpoint(const char *endpoint, sa_family_t want)
{
	struct nwg_dspoke s = {.port_id = SPOKE_1};
	struct nwg_peer_op op = {.op = NWG_POP_ADD, .spoke = &s};
	struct nwg_action act = {.kind = NWG_ACT_UPDATE, .port_id = HUB_A};
	struct nwg_device *dev = NULL;

	s.public_key = tkey(1);
	op.key = s.public_key;
	snprintf(s.endpoint, sizeof(s.endpoint), "%s", endpoint);
	act.peer_ops = &op;
	act.n_peer_ops = 1;
	assert_int_equal(nwg_exec_peer_device(&act, "wg-aaaaaaaa-00", &dev, NULL), 0);
	assert_non_null(dev);
	assert_int_equal(dev->n_peers, 1);
	if (dev->peers[0].endpoint.sa.sa_family != want)
		fail_msg("%s: family %d, want %d", endpoint, dev->peers[0].endpoint.sa.sa_family,
			 want);
	nwg_device_free(dev);
}

static void test_names_never_resolved(void **state)
{
	(void)state;
	set_peer_endpoint("192.0.2.7:51820", AF_INET);
	set_peer_endpoint("[fd00::7]:51820", AF_INET6);
	set_peer_endpoint("localhost:51820", AF_UNSPEC);
	set_peer_endpoint("never-answers.invalid:51820", AF_UNSPEC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_never_resolved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
