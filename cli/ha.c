/* SPDX-License-Identifier: Apache-2.0 */
/* `neutron-wireguard ha ...`: the node-side steps of an HA hub (doc/ha.md):
 * endpoints, activate, deactivate (keepalived's notify script calls these),
 * stream (the endpoint stream between the two nodes), enroll-pub. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ha_cli.h"
#include "nwg/ha.h"
#include "nwg/seal.h"

void nwgcli_ha_usage(FILE *f)
{
	fputs(
	    "Usage: " NWGCLI_PROG " ha <step> IFNAME [options]   (root)\n"
	    "  endpoints IFNAME              print the hub's peers' current endpoints\n"
	    "  activate IFNAME --from FILE   take over: set the endpoints listed in FILE and\n"
	    "      [--keepalive S] (1)       a short keepalive (handshakes start at once),\n"
	    "      [--pace N] (8)            N peers per millisecond, then wait up to\n"
	    "      [--settle-ms MS] (3000)   MS for the handshakes and restore the\n"
	    "      [--restore S] (0)         configured keepalive S\n"
	    "      [--renew]                 drop every session first (a split brain healed\n"
	    "                                and this node won); without --from: the hub's\n"
	    "                                own current endpoints\n"
	    "  deactivate IFNAME [--keepalive S]  back to silent: no endpoints, no sessions\n"
	    "  stream IFNAME --hub ID --key FILE --peer-key PUB --bind A:P --to A:P --cache FILE\n"
	    "      [--interval-ms MS] (300)  send this node's endpoints to the peer node while\n"
	    "      [--dgram-bytes N] (1472)  they are non-empty (in datagrams of at most N\n"
	    "                                bytes), keep the peer's in FILE\n"
	    "  enroll-pub FILE               print the enrollment public key (creates FILE)\n"
	    "Exit: 0 ok, 1 failed (message on stderr), 2 usage.\n",
	    f);
}

int nwgcli_ha_backend(struct nwg_backend **b, struct nwg_err *err)
{
	struct nwg_backend_opts o = {.kind = NWG_BACKEND_AUTO};
	const char *dir = getenv("NWG_UAPI_DIR");

	if (dir && *dir)
		o.uapi_dir = dir;
	return nwg_backend_open(b, &o, err);
}

int nwgcli_ha_u16(const char *s, unsigned min, uint16_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > 65535)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int cmd_endpoints(int argc, char **argv)
{
	struct nwg_backend *b = NULL;
	struct nwg_device *dev = NULL;
	struct nwg_ha_ep *v = NULL;
	struct nwg_err err = {{0}};
	char *text = NULL;
	size_t n = 0;
	int r;

	if (argc != 2)
		return NWGCLI_USAGE;
	r = nwgcli_ha_backend(&b, &err);
	if (r >= 0)
		r = nwg_wg_get(b, argv[1], NULL, &dev, &err);
	if (r >= 0)
		r = nwg_ha_snapshot(dev, &v, &n);
	if (r >= 0)
		r = nwg_ha_format(v, n, &text, NULL);
	if (r >= 0)
		fputs(text, stdout);
	else
		fprintf(stderr, NWGCLI_PROG " ha endpoints: %s\n",
			err.msg[0] ? err.msg : strerror(-r));
	free(text);
	free(v);
	nwg_device_free(dev);
	nwg_backend_close(b);
	return r < 0 ? NWGCLI_FAIL : NWGCLI_OK;
}

static int cmd_deactivate(int argc, char **argv)
{
	static const struct option opts[] = {{"keepalive", required_argument, NULL, 'k'},
					     {NULL, 0, NULL, 0}};
	struct nwg_backend *b = NULL;
	struct nwg_err err = {{0}};
	uint16_t ka = 0;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (c != 'k' || nwgcli_ha_u16(optarg, 0, &ka) < 0)
			return NWGCLI_USAGE;
	if (optind != argc - 1)
		return NWGCLI_USAGE;
	r = nwgcli_ha_backend(&b, &err);
	if (r >= 0)
		r = nwg_ha_deactivate(b, argv[optind], NULL, ka, &err);
	nwg_backend_close(b);
	if (r < 0) {
		fprintf(stderr, NWGCLI_PROG " ha deactivate: %s\n",
			err.msg[0] ? err.msg : strerror(-r));
		return NWGCLI_FAIL;
	}
	printf("%s: standby (no endpoints)\n", argv[optind]);
	return NWGCLI_OK;
}

static int cmd_enroll_pub(int argc, char **argv)
{
	struct nwg_key priv, pub;
	char b64[NWG_KEY_B64_LEN + 1];
	int r;

	if (argc != 2)
		return NWGCLI_USAGE;
	r = nwg_enroll_load_or_create(argv[1], &priv, &pub);
	nwg_key_wipe(&priv);
	if (r < 0) {
		fprintf(stderr, NWGCLI_PROG " ha enroll-pub: %s: %s\n", argv[1], strerror(-r));
		return NWGCLI_FAIL;
	}
	nwg_key_to_b64(b64, &pub);
	puts(b64);
	return NWGCLI_OK;
}

int nwgcli_cmd_ha(int argc, char **argv)
{
	const char *step = argc > 1 ? argv[1] : "";
	int r = NWGCLI_USAGE;

	if (strcmp(step, "endpoints") == 0)
		r = cmd_endpoints(argc - 1, argv + 1);
	else if (strcmp(step, "activate") == 0)
		r = nwgcli_ha_activate(argc - 1, argv + 1);
	else if (strcmp(step, "deactivate") == 0)
		r = cmd_deactivate(argc - 1, argv + 1);
	else if (strcmp(step, "stream") == 0)
		r = nwgcli_ha_stream(argc - 1, argv + 1);
	else if (strcmp(step, "seal") == 0)
		r = nwgcli_ha_seal(argc - 1, argv + 1);
	else if (strcmp(step, "unseal") == 0)
		r = nwgcli_ha_unseal(argc - 1, argv + 1);
	else if (strcmp(step, "enroll-pub") == 0)
		r = cmd_enroll_pub(argc - 1, argv + 1);
	else if (strcmp(step, "--help") == 0 || strcmp(step, "-h") == 0) {
		nwgcli_ha_usage(stdout);
		return NWGCLI_OK;
	}
	if (r == NWGCLI_USAGE)
		nwgcli_ha_usage(stderr);
	return r;
}
