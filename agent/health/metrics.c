/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus text format: exact layout, label escaping, atomic file write. */
#include "health/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void label(FILE *f, const char *name, const char *v, const char *sep)
{
	fprintf(f, "%s=\"", name);
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fprintf(f, "\"%s", sep);
}

static void labels(FILE *f, const struct nwg_metric_peer *p)
{
	fputc('{', f);
	label(f, "interface", p->interface, ",");
	label(f, "public_key", p->public_key, ",");
	label(f, "port_id", p->port_id, ",");
	label(f, "hub_port_id", p->hub_port_id, ",");
	label(f, "project_id", p->project_id, "}");
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void per_peer(FILE *f, const struct nwg_metrics *m, int which)
{
	for (size_t i = 0; i < m->n_peers; i++) {
		const struct nwg_metric_peer *p = &m->peers[i];

		fputs(which == 0   ? "wireguard_latest_handshake_seconds"
		      : which == 1 ? "wireguard_received_bytes_total"
				   : "wireguard_sent_bytes_total",
		      f);
		labels(f, p);
		if (which == 0)
			fprintf(f, " %" PRId64 "\n", p->handshake);
		else
			fprintf(f, " %" PRIu64 "\n", which == 1 ? p->rx : p->tx);
	}
}

char *nwg_metrics_format(const struct nwg_metrics *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	head(f, "wireguard_latest_handshake_seconds", "gauge",
	     "UNIX time of the latest handshake with the peer (0 = never).");
	per_peer(f, m, 0);
	head(f, "wireguard_received_bytes_total", "counter", "Bytes received from the peer.");
	per_peer(f, m, 1);
	head(f, "wireguard_sent_bytes_total", "counter", "Bytes sent to the peer.");
	per_peer(f, m, 2);
	head(f, "neutron_wireguard_hubs", "gauge", "Hubs held by this agent.");
	fprintf(f, "neutron_wireguard_hubs %zu\n", m->hubs);
	head(f, "neutron_wireguard_sync_errors_total", "counter",
	     "Hub sync failures since the agent started.");
	fprintf(f, "neutron_wireguard_sync_errors_total %" PRIu64 "\n", m->sync_errors);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int nwg_metrics_write(const char *path, const char *text, struct nwg_err *err)
{
	char tmp[4096];
	size_t len = strlen(text);
	int fd, e = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		return nwg_err_set(err, ENAMETOOLONG, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return nwg_err_set(err, errno, "%s: %s", tmp, strerror(errno));
	for (size_t off = 0; off < len && !e;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno != EINTR)
			e = errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) < 0)
		e = errno;
	if (e) {
		unlink(tmp);
		return nwg_err_set(err, e, "%s: %s", path, strerror(e));
	}
	return 0;
}
