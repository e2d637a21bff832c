/* SPDX-License-Identifier: Apache-2.0 */
/* Prometheus text exposition of the hubs' peers ([wireguard] metrics_textfile,
 * node-exporter textfile collector style). */
#ifndef NWG_AGENT_METRICS_H
#define NWG_AGENT_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "nwg/err.h"

struct nwg_metric_peer {
	const char *interface, *public_key, *port_id, *hub_port_id, *project_id;
	int64_t handshake; /* unix seconds, 0 = never */
	uint64_t rx, tx;
};

struct nwg_metrics {
	const struct nwg_metric_peer *peers;
	size_t n_peers;
	size_t hubs;
	uint64_t sync_errors;
};

/* Pure: the exposition text (malloc'd), NULL when out of memory. */
char *nwg_metrics_format(const struct nwg_metrics *m);
/* Writes text to path atomically (a temporary file in the same directory,
 * mode 0644, then rename). */
int nwg_metrics_write(const char *path, const char *text, struct nwg_err *err);

#endif
