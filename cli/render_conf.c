/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "cidr.h"
#include "render_conf.h"

unsigned int nwgcli_render_mtu(const struct nwgcli_spoke *s, unsigned int opt_mtu)
{
	unsigned int mtu = 0;

	for (size_t i = 0; i < s->n_hubs; i++)
		if (s->hubs[i].mtu && (!mtu || s->hubs[i].mtu < mtu))
			mtu = s->hubs[i].mtu;
	if (opt_mtu && (!mtu || opt_mtu < mtu))
		mtu = opt_mtu;
	return mtu ? mtu : NWGCLI_MTU_DEF;
}

static void put_prefix(FILE *f, const struct nwg_allowedip *a, int *first)
{
	char buf[INET6_ADDRSTRLEN + 8];

	if (nwg_allowedip_format(a, buf, sizeof(buf)) < 0)
		return;
	fprintf(f, "%s%s", *first ? "" : ", ", buf);
	*first = 0;
}

static void put_interface(FILE *f, const struct nwgcli_spoke *s, const struct nwgcli_render_opts *o)
{
	int first = 1;

	fprintf(f, "# WireGuard config of the device behind spoke port %s\n", s->port_id);
	fputs("# Rendered by neutron-wireguard from Neutron's port data. Address holds host\n"
	      "# addresses; the routes to the hubs' subnets come from AllowedIPs.\n",
	      f);
	fputs("[Interface]\n", f);
	if (o && o->private_key) {
		fprintf(f, "PrivateKey = %s\n", o->private_key);
	} else {
		fputs("# PLACEHOLDER: put the device's own private key here (it never goes to\n"
		      "# Neutron), or render with --private-key-file FILE.\n",
		      f);
		fputs("PrivateKey = " NWGCLI_KEY_PLACEHOLDER "\n", f);
	}
	fputs("Address = ", f);
	for (size_t i = 0; i < s->n_addrs; i++)
		put_prefix(f, &s->addrs[i], &first);
	fprintf(f, "\nMTU = %u\n", nwgcli_render_mtu(s, o ? o->mtu : 0));
}

static int taken_before(const struct nwgcli_spoke *s, size_t hub, const struct nwg_allowedip *a)
{
	for (size_t i = 0; i < hub; i++)
		for (size_t j = 0; j < s->hubs[i].n_cidrs; j++)
			if (nwgcli_prefix_equal(&s->hubs[i].cidrs[j], a))
				return 1;
	return 0;
}

static void put_peer(FILE *f, const struct nwgcli_spoke *s, size_t i)
{
	const struct nwgcli_hub *h = &s->hubs[i];
	int first = 1;

	fprintf(f, "\n[Peer]\n# hub port %s\n", h->port_id);
	fprintf(f, "PublicKey = %s\nEndpoint = %s\n", h->public_key, h->endpoint);
	for (size_t j = 0; j < h->n_cidrs; j++) {
		if (taken_before(s, i, &h->cidrs[j]))
			continue;
		fputs(first ? "AllowedIPs = " : "", f);
		put_prefix(f, &h->cidrs[j], &first);
	}
	if (first)
		fputs("# No AllowedIPs: its prefixes already go to a hub above (standby hub).\n",
		      f);
	else
		fputc('\n', f);
	if (s->keepalive)
		fprintf(f, "PersistentKeepalive = %u\n", s->keepalive);
}

int nwgcli_render_conf(FILE *f, const struct nwgcli_spoke *s, const struct nwgcli_render_opts *o)
{
	if (!f || !s || s->n_hubs == 0 || s->n_addrs == 0)
		return -EINVAL;
	put_interface(f, s, o);
	for (size_t i = 0; i < s->n_hubs; i++)
		put_peer(f, s, i);
	return fflush(f) || ferror(f) ? -EIO : 0;
}
