# SPDX-License-Identifier: Apache-2.0
"""Neutron calls of the panel (public Neutron API only, as the user).

A hub or a device is an ordinary Neutron port: hubs carry binding:profile
{"wg_role": "hub"} and a binding host, devices (spokes) {"wg_role":
"spoke", "public_key", "peers": [hub]}; the read-only ``wireguard``
attribute (our ML2 extension driver) gives role, keys, endpoints, peers.
"""

from openstack_dashboard.api import neutron

from networking_wireguard.client import config

ROLE_HUB = 'hub'
ROLE_SPOKE = 'spoke'
MAX_NAME = 255


class Refused(ValueError):
    """Bad input: the message says what to do."""


def _client(request):
    return neutron.neutronclient(request)


def _role(port):
    wg = port.get('wireguard') or {}
    return wg.get('role')


def _ports(request, **filters):
    return _client(request).list_ports(**filters).get('ports', [])


def list_hubs(request):
    return [p for p in _ports(request) if _role(p) == ROLE_HUB]


def list_devices(request):
    return [p for p in _ports(request) if _role(p) == ROLE_SPOKE]


def get_port(request, port_id):
    return _client(request).show_port(port_id)['port']


def hub_realized(hub):
    wg = hub.get('wireguard') or {}
    return bool(wg.get('public_key') and wg.get('endpoint'))


def _find_hub(request, hub_id):
    for h in list_hubs(request):
        if h['id'] == hub_id:
            return h
    raise Refused('hub %s is not a WireGuard hub of this project: pick one '
                  'from the list (an admin creates hubs)' % hub_id)


def _name(name):
    if not isinstance(name, str) or not name.strip() or \
            len(name) > MAX_NAME or any(ord(c) < 0x20 for c in name):
        raise Refused('give the device a name (1..%d printable characters)'
                      % MAX_NAME)
    return name.strip()


def _keepalive(v):
    if v in (None, ''):
        return None
    try:
        n = int(v)
    except (TypeError, ValueError):
        n = -1
    if not 0 <= n <= 65535:
        raise Refused('keepalive must be a number of seconds 0..65535 '
                      '(25 suits devices behind NAT)')
    return n


def create_device(request, name, hub_id, public_key, keepalive=None,
                  bind_host=False):
    """Creates the spoke port; returns (port, config with placeholder).

    The port is deleted again if its config cannot be rendered, so nothing
    is left half-created.
    """
    name = _name(name)
    if not config.is_key(public_key):
        raise Refused('the public key is not a WireGuard key (44 characters '
                      'of base64 for 32 bytes)')
    ka = _keepalive(keepalive)
    hub = _find_hub(request, hub_id)
    if not hub_realized(hub):
        raise Refused('hub %s is not realized yet (no public key/endpoint): '
                      'is the WireGuard agent running on its host? Try again '
                      'in a minute' % (hub.get('name') or hub_id))
    profile = {'wg_role': ROLE_SPOKE, 'public_key': public_key,
               'peers': [hub['id']]}
    if ka is not None:
        profile['persistent_keepalive'] = ka
    body = {'port': {'name': name, 'network_id': hub['network_id'],
                     'binding:profile': profile}}
    if bind_host and hub.get('binding:host_id'):
        # bound to the hub's host, the agent reports the device's health
        # (port status); binding:host_id is admin-only in Neutron's policy
        body['port']['binding:host_id'] = hub['binding:host_id']
    port = _client(request).create_port(body)['port']
    try:
        text = config.render(get_port(request, port['id']))
    except Exception:
        _client(request).delete_port(port['id'])
        raise
    return port, text


def device_config(request, port_id):
    port = get_port(request, port_id)
    if _role(port) != ROLE_SPOKE:
        raise Refused('port %s is not a WireGuard device' % port_id)
    return config.render(port)


def delete_device(request, port_id):
    port = get_port(request, port_id)
    if _role(port) != ROLE_SPOKE:
        raise Refused('port %s is not a WireGuard device: not deleted'
                      % port_id)
    _client(request).delete_port(port_id)


def create_hub(request, name, network_id, host):
    """Admins only (binding:host_id is admin-only in Neutron's policy)."""
    name = _name(name)
    if not isinstance(host, str) or not host.strip() or len(host) > 255:
        raise Refused('give the host of a node that runs '
                      'neutron-wireguard-agent')
    net = _client(request).show_network(network_id)['network']
    body = {'port': {'name': name, 'network_id': net['id'],
                     'project_id': net['project_id'],
                     'binding:host_id': host.strip(),
                     'binding:profile': {'wg_role': ROLE_HUB}}}
    return _client(request).create_port(body)['port']
