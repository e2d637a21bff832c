/* SPDX-License-Identifier: Apache-2.0 */
/* Command line of neutron-wireguard-agent (oslo style). */
#ifndef NWG_AGENT_CMDLINE_H
#define NWG_AGENT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "nwg/err.h"

#define NWG_MAX_CONFIG_FILES 32

struct nwg_cmdline {
	const char *config_files[NWG_MAX_CONFIG_FILES];
	size_t n_config_files;
	bool debug;
	bool help;
	bool version;
	const char *desired_file; /* offline: reconcile once against it and exit */
};

/* --config-file F (repeatable, also --config-file=F), --debug/-d,
 * --desired-file F, --help/-h, --version. -EINVAL with a message. */
int nwg_cmdline_parse(struct nwg_cmdline *c, int argc, char *const *argv, struct nwg_err *err);
extern const char nwg_cmdline_usage[];

#endif
