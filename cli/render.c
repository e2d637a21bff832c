/* SPDX-License-Identifier: Apache-2.0 */
/* `neutron-wireguard render`: a device's wg-quick config from its spoke port. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "render_conf.h"
#include "spoke.h"

struct render_args {
	const char *input;   /* file or "-" */
	const char *neutron; /* URL */
	const char *port;    /* id */
	const char *token;
	const char *key_file;
	const char *output; /* NULL = stdout */
	unsigned int mtu;
	int qr;
};

void nwgcli_render_usage(FILE *f)
{
	fputs("Usage: " NWGCLI_PROG " render [PORT_JSON_FILE|-] [--private-key-file FILE]\n"
	      "                         [--qr] [--mtu N]\n"
	      "       " NWGCLI_PROG " render --neutron URL --port ID [--token T] [...]\n"
	      "Prints the wg-quick config of the device behind a spoke port.\n"
	      "Input: the port as JSON (`GET /v2.0/ports/ID` or `openstack port show -f json`),\n"
	      "from a file, stdin, or fetched with --neutron/--port (token: --token or OS_TOKEN).\n"
	      "  --private-key-file F  the device's private key (mode 0600); else a placeholder\n"
	      "  --qr                  print the config as a terminal QR code\n"
	      "  --output FILE         write the config to FILE, created mode 0600 (it holds the\n"
	      "                        private key); an existing FILE must be ours, not a link\n"
	      "  --mtu N               cap the MTU (default: the hubs' advertised MTU, else 1420)\n"
	      "Exit: 0 ok, 1 the port cannot be rendered (message on stderr), 2 usage.\n",
	      f);
}

static int parse_mtu(const char *s, unsigned int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < NWGCLI_MTU_MIN || v > NWGCLI_MTU_MAX)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int usage_error(const char *msg)
{
	if (msg)
		fprintf(stderr, NWGCLI_PROG " render: %s\n", msg);
	nwgcli_render_usage(stderr);
	return NWGCLI_USAGE;
}

static int parse_args(struct render_args *a, int argc, char **argv)
{
	static const struct option opts[] = {{"neutron", required_argument, NULL, 'n'},
					     {"port", required_argument, NULL, 'p'},
					     {"token", required_argument, NULL, 't'},
					     {"private-key-file", required_argument, NULL, 'k'},
					     {"mtu", required_argument, NULL, 'm'},
					     {"qr", no_argument, NULL, 'q'},
					     {"output", required_argument, NULL, 'o'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			a->neutron = optarg;
			break;
		case 'p':
			a->port = optarg;
			break;
		case 't':
			a->token = optarg;
			break;
		case 'k':
			a->key_file = optarg;
			break;
		case 'q':
			a->qr = 1;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'm':
			if (parse_mtu(optarg, &a->mtu) < 0)
				return usage_error("--mtu must be a number 576..9000");
			break;
		case 'h':
			nwgcli_render_usage(stdout);
			return -1;
		default:
			return usage_error(NULL);
		}
	}
	if (optind < argc)
		a->input = argv[optind++];
	if (optind < argc)
		return usage_error("too many arguments");
	if (a->port && a->input)
		return usage_error("give either a JSON file or --port, not both");
	if (a->port && !a->neutron)
		a->neutron = getenv("OS_ENDPOINT");
	if (a->port && !a->neutron)
		return usage_error("--port needs --neutron URL (or OS_ENDPOINT)");
	if (a->neutron && !a->port)
		return usage_error("--neutron needs --port ID");
	if (!a->token)
		a->token = getenv("OS_TOKEN");
	return 0;
}

static int load_spoke(const struct render_args *a, struct nwgcli_spoke **s, struct nwg_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (a->port)
		ret = nwgcli_fetch_port(a->neutron, a->port, a->token, &buf, &len, err);
	else
		ret = nwgcli_read_input(a->input, &buf, &len, err);
	if (ret == 0)
		ret = nwgcli_spoke_parse(s, buf, len, err);
	free(buf);
	return ret;
}

static int load_key(const struct render_args *a, const struct nwgcli_spoke *s,
		    char key[NWG_KEY_B64_LEN + 1], struct nwg_err *err)
{
	int ret;

	if (!a->key_file)
		return 0;
	if ((ret = nwgcli_privkey_read(a->key_file, key, err)))
		return ret;
	if (s->public_key[0] && nwgcli_privkey_matches(key, s->public_key) < 0) {
		nwg_wipe(key, NWG_KEY_B64_LEN + 1);
		return nwg_err_set(err, EKEYREJECTED,
				   "%s does not belong to spoke port %s: its public key is not the "
				   "port's public_key (re-keyed device? update the port first)",
				   a->key_file, s->port_id);
	}
	return 0;
}

/* Renders to a private buffer (wiped after), for the QR code. */
static int print_qr(const struct nwgcli_spoke *s, const struct nwgcli_render_opts *o,
		    struct nwg_err *err)
{
	enum { CAP = 1 << 16 };
	char *buf = calloc(1, CAP);
	FILE *f = buf ? fmemopen(buf, CAP - 1, "w") : NULL;
	int ret;

	if (!f) {
		free(buf);
		return nwg_err_set(err, ENOMEM, "out of memory");
	}
	setvbuf(f, NULL, _IONBF, 0);
	ret = nwgcli_render_conf(f, s, o);
	fclose(f);
	ret = ret < 0 ? nwg_err_set(err, EFBIG, "config too large")
		      : nwgcli_qr_print(stdout, buf, err);
	nwg_wipe(buf, CAP);
	free(buf);
	return ret;
}

/* The config holds the device's private key: never through the caller's
 * umask, never through a symlink, never into someone else's file. */
static int write_output(const char *path, const struct nwgcli_spoke *s,
			const struct nwgcli_render_opts *o, struct nwg_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	struct stat st;
	FILE *f;
	int ret = 0;

	if (fd < 0)
		return nwg_err_set(err, errno, "%s: %s", path,
				   errno == ELOOP ? "is a symbolic link" : strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1 || fchmod(fd, 0600) < 0 || ftruncate(fd, 0) < 0) {
		close(fd);
		return nwg_err_set(err, EPERM,
				   "%s: refused: not a regular file of ours with one link", path);
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return nwg_err_set(err, errno, "%s: %s", path, strerror(errno));
	}
	if (nwgcli_render_conf(f, s, o) < 0 || fflush(f) != 0)
		ret = nwg_err_set(err, EIO, "%s: write error", path);
	if (fclose(f) != 0 && ret == 0)
		ret = nwg_err_set(err, EIO, "%s: write error", path);
	return ret;
}

static int render(const struct render_args *a, struct nwg_err *err)
{
	char key[NWG_KEY_B64_LEN + 1] = "";
	struct nwgcli_render_opts o = {.mtu = a->mtu};
	struct nwgcli_spoke *s = NULL;
	int ret = load_spoke(a, &s, err);

	if (ret == 0)
		ret = load_key(a, s, key, err);
	if (ret == 0) {
		o.private_key = key[0] ? key : NULL;
		if (a->qr)
			ret = print_qr(s, &o, err);
		else if (a->output)
			ret = write_output(a->output, s, &o, err);
		else if (nwgcli_render_conf(stdout, s, &o) < 0)
			ret = nwg_err_set(err, EIO, "write error on stdout");
	}
	nwg_wipe(key, sizeof(key));
	nwgcli_spoke_free(s);
	return ret;
}

int nwgcli_cmd_render(int argc, char **argv)
{
	struct render_args a = {0};
	struct nwg_err err = {""};
	int ret = parse_args(&a, argc, argv);

	if (ret)
		return ret < 0 ? NWGCLI_OK : ret;
	if (render(&a, &err) < 0) {
		fprintf(stderr, NWGCLI_PROG " render: %s\n", err.msg[0] ? err.msg : "failed");
		return NWGCLI_FAIL;
	}
	return NWGCLI_OK;
}
