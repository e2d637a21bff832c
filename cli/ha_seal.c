/* SPDX-License-Identifier: Apache-2.0 */
/* `neutron-wireguard ha seal|unseal`: the hub key reaches the other node of
 * the group sealed to that node's enrollment key (lib/seal.c); the sealed
 * text is the only thing that leaves a node. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ha_cli.h"
#include "nwg/seal.h"

struct seal_args {
	const char *port_id, *key, *to, *out;
};

static int parse(int argc, char **argv, struct seal_args *a)
{
	static const struct option opts[] = {{"port-id", required_argument, NULL, 'p'},
					     {"key", required_argument, NULL, 'k'},
					     {"to", required_argument, NULL, 't'},
					     {"out", required_argument, NULL, 'o'},
					     {NULL, 0, NULL, 0}};
	int c;

	*a = (struct seal_args){0};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'p')
			a->port_id = optarg;
		else if (c == 'k')
			a->key = optarg;
		else if (c == 't')
			a->to = optarg;
		else if (c == 'o')
			a->out = optarg;
		else
			return -EINVAL;
	}
	return optind == argc && a->port_id && a->key ? 0 : -EINVAL;
}

/* seal --port-id ID --key HUB_KEY_FILE --to ENROLL_PUB: prints the envelope. */
int nwgcli_ha_seal(int argc, char **argv)
{
	struct seal_args a;
	struct nwg_err err = {{0}};
	char b64[NWG_KEY_B64_LEN + 1], sealed[NWG_SEALED_B64_LEN + 1];
	struct nwg_key hub, to;
	int r;

	if (parse(argc, argv, &a) < 0 || !a.to || a.out)
		return NWGCLI_USAGE;
	if (nwg_key_from_b64(&to, a.to, strlen(a.to)) < 0) {
		fprintf(stderr, NWGCLI_PROG " ha seal: --to: not a base64 public key\n");
		return NWGCLI_USAGE;
	}
	r = nwgcli_privkey_read(a.key, b64, &err);
	if (r == 0)
		r = nwg_key_from_b64(&hub, b64, NWG_KEY_B64_LEN);
	nwg_wipe(b64, sizeof(b64));
	if (r == 0)
		r = nwg_seal_hub_key(sealed, &hub, a.port_id, &to);
	nwg_key_wipe(&hub);
	if (r < 0) {
		fprintf(stderr, NWGCLI_PROG " ha seal: %s\n", err.msg[0] ? err.msg : strerror(-r));
		return NWGCLI_FAIL;
	}
	puts(sealed);
	return NWGCLI_OK;
}

static int write_key(const char *path, const struct nwg_key *k)
{
	char line[NWG_KEY_B64_LEN + 2];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600), r = 0;

	if (fd < 0)
		return -errno;
	nwg_key_to_b64(line, k);
	line[NWG_KEY_B64_LEN] = '\n';
	if (write(fd, line, sizeof(line) - 1) != (ssize_t)sizeof(line) - 1 || fsync(fd) < 0)
		r = -EIO;
	nwg_wipe(line, sizeof(line));
	close(fd);
	if (r)
		unlink(path);
	return r;
}

/* unseal --port-id ID --key ENROLL_KEY_FILE --out HUB_KEY_FILE < envelope */
int nwgcli_ha_unseal(int argc, char **argv)
{
	struct seal_args a;
	struct nwg_err err = {{0}};
	struct nwg_key priv, pub, hub;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (parse(argc, argv, &a) < 0 || !a.out || a.to)
		return NWGCLI_USAGE;
	r = nwgcli_read_input("-", &text, &len, &err);
	while (r >= 0 && len && (text[len - 1] == '\n'))
		len--;
	if (r >= 0)
		r = nwg_enroll_load_or_create(a.key, &priv, &pub);
	if (r >= 0) {
		r = nwg_unseal_hub_key(&hub, text, len, a.port_id, &pub, &priv);
		nwg_key_wipe(&priv);
	}
	if (r >= 0) {
		r = write_key(a.out, &hub);
		nwg_key_wipe(&hub);
	}
	free(text);
	if (r < 0) {
		fprintf(stderr, NWGCLI_PROG " ha unseal: %s\n",
			err.msg[0]	? err.msg
			: r == -ENOKEY	? "not sealed to this node's enrollment key (or altered)"
			: r == -EBADMSG ? "sealed for another hub (port id)"
					: strerror(-r));
		return NWGCLI_FAIL;
	}
	return NWGCLI_OK;
}
