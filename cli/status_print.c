/* SPDX-License-Identifier: Apache-2.0 */
/* `neutron-wireguard status`: the text layout of a checked status result. */
#include <inttypes.h>
#include <string.h>

#include "status_fmt.h"

static const char *str(const json_t *o, const char *k, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : dflt;
}

static json_int_t num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void print_peer(FILE *f, const json_t *p, time_t now)
{
	char age[40], rx[24], tx[24];

	nwgcli_fmt_age(age, sizeof(age), (int64_t)num(p, "latest_handshake"), now);
	nwgcli_fmt_bytes(rx, sizeof(rx), (uint64_t)num(p, "rx_bytes"));
	nwgcli_fmt_bytes(tx, sizeof(tx), (uint64_t)num(p, "tx_bytes"));
	fprintf(f, "    spoke %s\n", str(p, "port_id", "?"));
	fprintf(f, "      endpoint:  %s\n", str(p, "endpoint", "(none)"));
	fprintf(f, "      handshake: %s\n", age);
	fprintf(f, "      transfer:  %s received, %s sent\n", rx, tx);
}

static void print_hub(FILE *f, const json_t *h, time_t now)
{
	const json_t *peers = json_object_get(h, "peers");
	const json_t *lp = json_object_get(h, "listen_port");
	const json_t *running = json_object_get(h, "running");
	size_t i;

	fprintf(f, "hub %s\n", str(h, "port_id", "?"));
	fprintf(f, "  project:     %s\n", str(h, "project_id", "?"));
	fprintf(f, "  namespace:   %s\n", str(h, "namespace", "(root)"));
	fprintf(f, "  interface:   %s\n", str(h, "interface", "(none)"));
	if (json_is_integer(lp))
		fprintf(f, "  listen port: %" JSON_INTEGER_FORMAT "\n", json_integer_value(lp));
	else
		fputs("  listen port: (none)\n", f);
	fprintf(f, "  public key:  %s\n", str(h, "public_key", "(none)"));
	fprintf(f, "  state:       %s%s\n", json_is_true(json_object_get(h, "up")) ? "up" : "down",
		json_is_false(running) ? " (device missing)" : "");
	if (strcmp(str(h, "last_sync", "?"), "ok") == 0)
		fputs("  last sync:   ok\n", f);
	else
		fprintf(f, "  last sync:   %s: %s\n", str(h, "last_sync", "?"),
			str(h, "error", "(no message)"));
	fprintf(f, "  peers:       %zu\n", json_array_size(peers));
	for (i = 0; i < json_array_size(peers); i++)
		print_peer(f, json_array_get(peers, i), now);
}

int nwgcli_status_print(FILE *f, const json_t *res, time_t now, struct nwg_err *err)
{
	const json_t *hubs = json_object_get(res, "hubs");
	const json_t *conn = json_object_get(res, "connected");
	size_t i;
	int r = nwgcli_status_check(res, err);

	if (r < 0)
		return r;
	fprintf(f, "agent on %s, backend %s%s\n", str(res, "host", "?"), str(res, "backend", "?"),
		json_is_boolean(conn) ? (json_is_true(conn) ? ", connected to RabbitMQ"
							    : ", NOT connected to RabbitMQ")
				      : "");
	fprintf(f, "hubs: %zu\n", json_array_size(hubs));
	for (i = 0; i < json_array_size(hubs); i++) {
		fputc('\n', f);
		print_hub(f, json_array_get(hubs, i), now);
	}
	return 0;
}
