/* SPDX-License-Identifier: Apache-2.0 */
/* neutron-wireguard-agent: realizes Neutron WireGuard hub ports on this node. */
#include <stdio.h>
#include <unistd.h>

#include "core/cmdline.h"
#include "core/loop.h"
#include "core/setup.h"
#include "log/log.h"
#include "privsep/split.h"

#define NWG_VERSION "0.1.0"

int main(int argc, char **argv)
{
	struct nwg_cmdline cl;
	struct nwg_err err = {{0}};
	struct nwg_agent a;
	int rc, sigfd;

	if (nwg_cmdline_parse(&cl, argc, argv, &err) < 0) {
		fprintf(stderr, "neutron-wireguard-agent: %s\n%s", err.msg, nwg_cmdline_usage);
		return 2;
	}
	if (cl.help || cl.version) {
		fputs(cl.help ? nwg_cmdline_usage : "neutron-wireguard-agent " NWG_VERSION "\n",
		      stdout);
		return 0;
	}
	sigfd = nwg_loop_signals(); /* before any wireguard-go child exists */
	if (sigfd < 0) {
		perror("neutron-wireguard-agent: signalfd");
		return 1;
	}
	rc = nwg_agent_setup(&a, &cl);
	if (rc == 0 && a.conf.privsep)
		rc = nwg_split_run(&a, sigfd); /* returns in the executor and the engine */
	else if (rc == 0 && cl.desired_file)
		rc = nwg_agent_offline(&a);
	else if (rc == 0 && (rc = nwg_agent_listen(&a)) == 0)
		rc = nwg_loop_run(&a, sigfd) < 0 ? 1 : 0;
	if (rc != 2)
		log_info("stopped (exit %d)", rc);
	nwg_agent_teardown(&a);
	close(sigfd);
	return rc;
}
