/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Serialises a hub record as `wg setconf` input (doc/repository-format.md):
 *
 *   [Interface]
 *   #@ port_id = <hub port id>        agent fields: "#@ key = value" comments
 *   #@ project_id = <project id>
 *   #@ ifname = wg-6f1c2a4e-9b
 *   #@ netns = tun-<project>          omitted when "" (root namespace)
 *   #@ home_netns = tun-<project>     omitted when ""
 *   #@ mtu = 1420                     omitted when 0
 *   #@ up = true
 *   #@ address = 10.99.0.1/24         one line per address, in order
 *   PrivateKey = <base64>
 *   ListenPort = 51820
 *
 *   [Peer]                            one per spoke, in order
 *   #@ spoke = <spoke port id>
 *   PublicKey = <base64>
 *   AllowedIPs = 10.99.0.5/32, fd00:99::5/128   omitted when none
 *   Endpoint = 198.51.100.7:51820               omitted when ""
 *   PersistentKeepalive = 25                    omitted when 0
 *
 *   #@ end                            last line: a truncated file is detected
 */
#include <errno.h>
#include <stdlib.h>

#include "repo_check.h"
#include "repo_journal.h"
#include "sbuf.h"

static void format_hub(struct nwg_sbuf *sb, const struct nwg_hub_record *rec)
{
	char b64[NWG_KEY_B64_LEN + 1];

	nwg_sbuf_puts(sb, "# neutron-wireguard hub, managed by neutron-wireguard-agent.\n"
			  "# Valid `wg setconf` input; \"#@\" lines are the agent's own fields.\n"
			  "[Interface]\n");
	nwg_sbuf_printf(sb, "#@ port_id = %s\n", rec->port_id);
	nwg_sbuf_printf(sb, "#@ project_id = %s\n", rec->project_id);
	nwg_sbuf_printf(sb, "#@ ifname = %s\n", rec->ifname);
	if (rec->netns[0])
		nwg_sbuf_printf(sb, "#@ netns = %s\n", rec->netns);
	if (rec->home_netns[0])
		nwg_sbuf_printf(sb, "#@ home_netns = %s\n", rec->home_netns);
	if (rec->mtu)
		nwg_sbuf_printf(sb, "#@ mtu = %u\n", rec->mtu);
	nwg_sbuf_printf(sb, "#@ up = %s\n", rec->up ? "true" : "false");
	for (size_t i = 0; rec->addresses && rec->addresses[i]; i++)
		nwg_sbuf_printf(sb, "#@ address = %s\n", rec->addresses[i]);
	nwg_key_to_b64(b64, &rec->private_key);
	nwg_sbuf_printf(sb, "PrivateKey = %s\n", b64);
	nwg_wipe(b64, sizeof(b64));
	nwg_sbuf_printf(sb, "ListenPort = %u\n", (unsigned int)rec->listen_port);
}

void nwg_repo_format_peer(struct nwg_sbuf *sb, const struct nwg_repo_peer *p)
{
	char b64[NWG_KEY_B64_LEN + 1];

	nwg_key_to_b64(b64, &p->public_key);
	nwg_sbuf_printf(sb, "\n[Peer]\n#@ spoke = %s\nPublicKey = %s\n", p->port_id, b64);
	for (size_t i = 0; p->allowed_ips && p->allowed_ips[i]; i++)
		nwg_sbuf_printf(sb, "%s%s", i ? ", " : "AllowedIPs = ", p->allowed_ips[i]);
	if (p->allowed_ips && p->allowed_ips[0])
		nwg_sbuf_puts(sb, "\n");
	if (p->endpoint[0])
		nwg_sbuf_printf(sb, "Endpoint = %s\n", p->endpoint);
	if (p->persistent_keepalive)
		nwg_sbuf_printf(sb, "PersistentKeepalive = %u\n",
				(unsigned int)p->persistent_keepalive);
}

int nwg_repo_format(const struct nwg_hub_record *rec, char **out, size_t *len)
{
	struct nwg_sbuf sb = {0};
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ret = nwg_hub_record_check(rec, NULL);
	if (ret < 0)
		return ret;
	format_hub(&sb, rec);
	for (size_t i = 0; i < rec->n_peers; i++)
		nwg_repo_format_peer(&sb, &rec->peers[i]);
	nwg_sbuf_puts(&sb, "\n#@ end\n");
	if (sb.err) {
		ret = sb.err;
		nwg_sbuf_wipe(&sb);
		return ret;
	}
	*out = sb.p;
	if (len)
		*len = sb.len;
	return 0;
}
