/* SPDX-License-Identifier: Apache-2.0 */
/* neutron-wireguard: operator CLI. Dispatches subcommands like wg(8). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *desc;
} cmds[] = {
    {"render", nwgcli_cmd_render, "print a device's wg-quick config from its spoke port"},
    {"status", nwgcli_cmd_status, "show the local agent's hubs, spokes and handshakes"},
    {"ha", nwgcli_cmd_ha, "HA hub steps: endpoints, activate, deactivate, stream"},
    {"help", cmd_help, "show this help, or a subcommand's (help render)"},
    {"version", cmd_version, "print the version"},
};

static void usage(FILE *f)
{
	fputs("Usage: " NWGCLI_PROG " <command> [<args>]\n\nCommands:\n", f);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-9s %s\n", cmds[i].name, cmds[i].desc);
	fputs("\n`" NWGCLI_PROG " <command> --help` shows a command's options.\n", f);
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "render") == 0) {
		nwgcli_render_usage(stdout);
		return NWGCLI_OK;
	}
	if (argc > 1 && strcmp(argv[1], "status") == 0) {
		nwgcli_status_usage(stdout);
		return NWGCLI_OK;
	}
	usage(stdout);
	return NWGCLI_OK;
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	puts(NWGCLI_PROG " " NWGCLI_VERSION);
	return NWGCLI_OK;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return NWGCLI_USAGE;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		return cmd_help(argc - 1, argv + 1);
	if (strcmp(cmd, "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, NWGCLI_PROG ": unknown command '%s'\n", cmd);
	usage(stderr);
	return NWGCLI_USAGE;
}
