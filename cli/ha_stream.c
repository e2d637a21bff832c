/* SPDX-License-Identifier: Apache-2.0 */
/* `neutron-wireguard ha stream`: the endpoint stream between the two nodes of
 * a hub group. Every interval it reads the local hub; when it has endpoints
 * (this node is active) it sends them to the peer node as one snapshot cut
 * into datagrams of at most --dgram-bytes, each sealed with crypto_box
 * (nwg/ha.h); whatever it receives from the peer is checked (key, hub,
 * sequence), put back together (a snapshot is used only once all of its
 * chunks arrived), checked again (list grammar) and kept in the cache file
 * that `ha activate --from` reads. Runs until SIGTERM/SIGINT. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ha_cli.h"
#include "nwg/ha.h"
#include "nwg/seal.h"

struct stream {
	const char *ifname, *hub, *keyfile, *cache;
	union nwg_endpoint bind, to;
	struct nwg_key priv, pub, peer;
	long interval_ms;
	size_t dgram;
	struct nwg_ha_asm asm_;
	int fd;
	struct nwg_backend *b;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int parse(int argc, char **argv, struct stream *s)
{
	static const struct option opts[] = {{"hub", required_argument, NULL, 'h'},
					     {"key", required_argument, NULL, 'k'},
					     {"peer-key", required_argument, NULL, 'p'},
					     {"bind", required_argument, NULL, 'b'},
					     {"to", required_argument, NULL, 't'},
					     {"cache", required_argument, NULL, 'c'},
					     {"interval-ms", required_argument, NULL, 'i'},
					     {"dgram-bytes", required_argument, NULL, 'd'},
					     {NULL, 0, NULL, 0}};
	bool peer = false;
	uint16_t v;
	int c;

	s->interval_ms = 300;
	s->dgram = NWG_HA_DGRAM_DEF;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h')
			s->hub = optarg;
		else if (c == 'k')
			s->keyfile = optarg;
		else if (c == 'c')
			s->cache = optarg;
		else if (c == 'p' && nwg_key_from_b64(&s->peer, optarg, strlen(optarg)) == 0)
			peer = true;
		else if (c == 'b' && nwg_endpoint_parse(&s->bind, optarg) == 0)
			continue;
		else if (c == 't' && nwg_endpoint_parse(&s->to, optarg) == 0)
			continue;
		else if (c == 'i' && nwgcli_ha_u16(optarg, 10, &v) == 0)
			s->interval_ms = v;
		else if (c == 'd' && nwgcli_ha_u16(optarg, NWG_HA_DGRAM_MIN, &v) == 0 &&
			 v <= NWG_HA_MSG_MAX)
			s->dgram = v;
		else
			return -EINVAL;
	}
	if (optind != argc - 1 || !s->hub || !s->keyfile || !s->cache || !peer ||
	    !s->bind.sa.sa_family || s->bind.sa.sa_family != s->to.sa.sa_family)
		return -EINVAL;
	s->ifname = argv[optind];
	return 0;
}

static socklen_t salen(const union nwg_endpoint *e)
{
	return e->sa.sa_family == AF_INET6 ? sizeof(e->sin6) : sizeof(e->sin);
}

/* a blocking socket: a burst of chunks waits for room, not lost */
static int emit(void *ctx, const uint8_t *msg, size_t len)
{
	const struct stream *s = ctx;

	if (sendto(s->fd, msg, len, 0, &s->to.sa, salen(&s->to)) < 0 && errno != ENETUNREACH &&
	    errno != EHOSTUNREACH && errno != ECONNREFUSED)
		return -errno;
	return 0;
}

/* Sends this node's endpoints when it has any. */
static void send_endpoints(struct stream *s)
{
	struct nwg_device *dev = NULL;
	struct nwg_ha_ep *v = NULL;
	struct nwg_err err = {{0}};
	char *text = NULL;
	size_t n = 0, len = 0;
	int r = nwg_wg_get(s->b, s->ifname, NULL, &dev, &err);

	if (r >= 0)
		r = nwg_ha_snapshot(dev, &v, &n);
	if (r >= 0 && n)
		r = nwg_ha_format(v, n, &text, &len);
	if (r >= 0 && n)
		r = nwg_ha_seal_text(s->hub, nwg_ha_seq_now(), text, len, s->dgram, &s->priv,
				     &s->peer, emit, s, &err);
	if (r < 0 && r != -ENODEV && r != -ENOENT)
		fprintf(stderr, NWGCLI_PROG " ha stream: %s\n",
			err.msg[0] ? err.msg : strerror(-r));
	free(text);
	free(v);
	nwg_device_free(dev);
}

static int write_cache(const char *path, const char *text, size_t len)
{
	char tmp[4096];
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		r = -EIO;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

/* A complete snapshot from the peer: validated, then cached. */
static void apply(struct stream *s, const char *text, size_t len)
{
	struct nwg_ha_ep *v = NULL;
	struct nwg_err err = {{0}};
	size_t n = 0;
	int r = nwg_ha_parse(text, len, &v, &n, &err);

	if (r >= 0)
		r = write_cache(s->cache, text, len);
	if (r < 0)
		fprintf(stderr, NWGCLI_PROG " ha stream: dropped a snapshot: %s\n",
			err.msg[0] ? err.msg : strerror(-r));
	free(v);
}

/* One datagram from the peer: opened, then added to its snapshot. Returns
 * false when there was nothing to read. */
static bool receive(struct stream *s)
{
	static uint8_t msg[NWG_HA_MSG_MAX + 1];
	struct nwg_err err = {{0}};
	char *all = NULL;
	size_t alen = 0;
	ssize_t got = recv(s->fd, msg, sizeof(msg), MSG_DONTWAIT);
	int r;

	if (got <= 0)
		return false;
	r = nwg_ha_asm_open(&s->asm_, msg, (size_t)got, s->hub, nwg_ha_seq_now(), &s->priv,
			    &s->peer, &all, &alen, &err);
	if (r == 1)
		apply(s, all, alen);
	else if (r < 0 && r != -EALREADY)
		fprintf(stderr, NWGCLI_PROG " ha stream: dropped a datagram: %s\n",
			err.msg[0] ? err.msg : strerror(-r));
	free(all);
	return true;
}

static long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static int run(struct stream *s)
{
	struct timespec last = {0};

	while (!stop) {
		struct pollfd p = {.fd = s->fd, .events = POLLIN};
		long wait = s->interval_ms - ms_since(&last);

		if (wait <= 0) {
			send_endpoints(s);
			clock_gettime(CLOCK_MONOTONIC, &last);
			continue;
		}
		/* drain what is queued (a snapshot is many datagrams), a bounded
		 * number at a time so the send period is kept */
		if (poll(&p, 1, (int)wait) > 0)
			for (int i = 0; i < 4096 && receive(s); i++)
				;
	}
	return NWGCLI_OK;
}

int nwgcli_ha_stream(int argc, char **argv)
{
	struct stream s = {.fd = -1};
	int buf = 4 << 20;
	struct nwg_err err = {{0}};
	struct sigaction sa = {.sa_handler = on_signal};
	int r, ret = NWGCLI_FAIL;

	if (parse(argc, argv, &s) < 0)
		return NWGCLI_USAGE;
	r = nwg_enroll_load_or_create(s.keyfile, &s.priv, &s.pub);
	if (r < 0) {
		fprintf(stderr, NWGCLI_PROG " ha stream: %s: %s\n", s.keyfile, strerror(-r));
		return NWGCLI_FAIL;
	}
	nwg_ha_asm_init(&s.asm_);
	s.fd = socket(s.bind.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* room for a few whole snapshots of a large hub (root: above rmem_max) */
	if (s.fd >= 0 && setsockopt(s.fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (s.fd < 0 || bind(s.fd, &s.bind.sa, salen(&s.bind)) < 0)
		fprintf(stderr, NWGCLI_PROG " ha stream: bind: %s\n", strerror(errno));
	else if (nwgcli_ha_backend(&s.b, &err) < 0)
		fprintf(stderr, NWGCLI_PROG " ha stream: %s\n", err.msg);
	else {
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		ret = run(&s);
	}
	nwg_backend_close(s.b);
	nwg_ha_asm_free(&s.asm_);
	if (s.fd >= 0)
		close(s.fd);
	nwg_key_wipe(&s.priv);
	return ret;
}
