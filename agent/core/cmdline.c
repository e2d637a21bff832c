/* SPDX-License-Identifier: Apache-2.0 */
#include "core/cmdline.h"

#include <errno.h>
#include <string.h>

const char nwg_cmdline_usage[] =
    "usage: neutron-wireguard-agent [--config-file FILE]... [--debug]\n"
    "                               [--desired-file FILE] [--help] [--version]\n"
    "  --config-file FILE   ini file (repeatable; later files win), e.g. neutron.conf\n"
    "                       and wireguard_agent.ini\n"
    "  --debug, -d          debug logging\n"
    "  --desired-file FILE  offline: reconcile once against FILE (get_hubs JSON) and\n"
    "                       exit, without RabbitMQ\n";

/* "--name VALUE" or "--name=VALUE": 1 if matched (value set), 0 if not, <0 error. */
static int opt_value(const char *name, int argc, char *const *argv, int *i, const char **val,
		     struct nwg_err *err)
{
	const char *arg = argv[*i];
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0)
		return 0;
	if (arg[n] == '=') {
		*val = arg + n + 1;
	} else if (arg[n] == '\0') {
		if (*i + 1 >= argc)
			return nwg_err_set(err, EINVAL, "%s needs a value", name);
		*val = argv[++*i];
	} else {
		return 0;
	}
	if (!**val)
		return nwg_err_set(err, EINVAL, "%s needs a non-empty value", name);
	return 1;
}

static int one(struct nwg_cmdline *c, int argc, char *const *argv, int *i, struct nwg_err *err)
{
	const char *arg = argv[*i], *val = NULL;
	int r;

	if (strcmp(arg, "--debug") == 0 || strcmp(arg, "-d") == 0)
		c->debug = true;
	else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
		c->help = true;
	else if (strcmp(arg, "--version") == 0)
		c->version = true;
	else if ((r = opt_value("--config-file", argc, argv, i, &val, err)) != 0) {
		if (r < 0)
			return r;
		if (c->n_config_files == NWG_MAX_CONFIG_FILES)
			return nwg_err_set(err, EINVAL, "too many --config-file options");
		c->config_files[c->n_config_files++] = val;
	} else if ((r = opt_value("--desired-file", argc, argv, i, &val, err)) != 0) {
		if (r < 0)
			return r;
		c->desired_file = val;
	} else {
		return nwg_err_set(err, EINVAL, "unknown argument '%.64s'", arg);
	}
	return 0;
}

int nwg_cmdline_parse(struct nwg_cmdline *c, int argc, char *const *argv, struct nwg_err *err)
{
	memset(c, 0, sizeof(*c));
	for (int i = 1; i < argc; i++) {
		int r = one(c, argc, argv, &i, err);

		if (r < 0)
			return r;
	}
	return 0;
}
