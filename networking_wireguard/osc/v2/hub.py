# SPDX-License-Identifier: Apache-2.0
"""openstack wireguard hub create|list|show"""

from osc_lib.command import command

from networking_wireguard.osc.v2 import api as wgapi


def hub_columns(port, devices=None):
    wg = port.get('wireguard') or {}
    realized = bool(wg.get('public_key') and wg.get('endpoint'))
    cols = ('id', 'name', 'network_id', 'project_id', 'host', 'status',
            'realized', 'public_key', 'endpoint', 'listen_port', 'addresses',
            'devices')
    peers = wg.get('peers') or []
    if devices is None:
        devices = ', '.join(p.get('port_id', '') for p in peers)
    vals = (port['id'], port.get('name') or '', port.get('network_id'),
            port.get('project_id') or port.get('tenant_id'),
            port.get('binding:host_id') or '(hidden by policy or unbound)',
            port.get('status'),
            'yes' if realized else 'no: waiting for the WireGuard agent on '
                                   'the hub\'s host',
            wg.get('public_key') or '', wg.get('endpoint') or '',
            wg.get('listen_port') or '',
            ', '.join(ip['ip_address'] for ip in port.get('fixed_ips', [])),
            devices)
    ha = wg.get('ha')
    if ha:  # a highly available hub (doc/ha.md): its two nodes
        cols += ('ha_hosts', 'ha_active')
        vals += (', '.join(ha.get('hosts') or []),
                 ha.get('active') or '(none reported)')
    return cols, vals


class CreateHub(command.ShowOne):
    """Create a WireGuard hub: a port on NETWORK realized on node HOST."""

    def get_parser(self, prog_name):
        p = super(CreateHub, self).get_parser(prog_name)
        p.add_argument('name', metavar='NAME')
        p.add_argument('--network', required=True, metavar='NETWORK',
                       help='network (name or ID) the devices join')
        p.add_argument('--host', required=True, metavar='NODE',
                       help='network node that runs neutron-wireguard-agent')
        p.add_argument('--router', metavar='ROUTER',
                       help='attach the hub to this router (name or ID)')
        p.add_argument('--fixed-ip', metavar='IP',
                       help='the hub\'s address on the network (default: '
                            'Neutron allocates one)')
        p.add_argument('--root-namespace', action='store_true',
                       help='realize the hub in the node\'s root namespace '
                            '(one project per node; admin)')
        return p

    def take_action(self, a):
        c = self.app.client_manager.wireguard
        what = 'creating hub %s' % a.name
        net = c.find('network', a.network, what)
        if net is None:
            raise wgapi.ApiError('%s: no network %r in your project'
                                 % (what, a.network))
        router = None
        if a.router:
            router = c.find('router', a.router, what)
            if router is None:
                raise wgapi.ApiError('%s: no router %r' % (what, a.router))
        profile = {'wg_role': 'hub'}
        if a.root_namespace:
            profile['root_namespace'] = True
        # The hub belongs to the network's project (an admin creates hubs
        # for projects; their devices must be in the same project).
        body = {'name': a.name, 'network_id': net['id'],
                'project_id': net['project_id'],
                'binding:host_id': a.host, 'binding:profile': profile}
        if a.fixed_ip:
            body['fixed_ips'] = [{'ip_address': a.fixed_ip}]
        port = c.create_port(body, what)
        if router:
            try:
                c.call('PUT',
                       '/routers/%s/add_router_interface' % router['id'],
                       {'port_id': port['id']},
                       what='attaching hub %s to router %s'
                            % (port['id'], router['id']))
            except wgapi.ApiError:
                # Nothing half-created: the hub goes away again.
                c.delete_port(port['id'], 'removing hub %s' % port['id'])
                raise
            port = c.get_port(port['id'])
        return hub_columns(port)


class ListHub(command.Lister):
    """List the WireGuard hubs you can see."""

    def get_parser(self, prog_name):
        p = super(ListHub, self).get_parser(prog_name)
        p.add_argument('--network', metavar='NETWORK')
        return p

    def take_action(self, a):
        c = self.app.client_manager.wireguard
        filters = {}
        if a.network:
            net = c.find('network', a.network, 'listing hubs')
            if net is None:
                raise wgapi.ApiError('no network %r' % a.network)
            filters['network_id'] = net['id']
        rows = []
        for p in c.ports(**filters):
            if wgapi.role(p) != wgapi.HUB:
                continue
            wg = p.get('wireguard') or {}
            rows.append((p['id'], p.get('name') or '', p['network_id'],
                         p.get('status'), wg.get('endpoint') or '',
                         wg.get('public_key') or '(not realized)',
                         len(wg.get('peers') or [])))
        return (('ID', 'Name', 'Network', 'Status', 'Endpoint', 'Public Key',
                 'Devices'), sorted(rows, key=lambda r: (r[1], r[0])))


class ShowHub(command.ShowOne):
    """Show a WireGuard hub: realized key, endpoint and its devices."""

    def get_parser(self, prog_name):
        p = super(ShowHub, self).get_parser(prog_name)
        p.add_argument('hub', metavar='HUB', help='name or ID')
        return p

    def take_action(self, a):
        c = self.app.client_manager.wireguard
        port = wgapi.find_wg_port(c, a.hub, wgapi.HUB, 'showing hub')
        lines = []
        for peer in (port.get('wireguard') or {}).get('peers') or []:
            lines.append('%s %s %s' % (peer.get('port_id'),
                                       ','.join(peer.get('allowed_ips', [])),
                                       peer.get('public_key')))
        return hub_columns(port, '\n'.join(lines))
