"""The data the driver publishes, built from the database.

Shapes are those of doc/contracts.md: get_hubs (agent), binding:vif_details
(hub and spoke) and the read-only ``wireguard`` port attribute.
"""

import ipaddress

from neutron_lib.api.definitions import portbindings
from neutron_lib import constants as n_const

from networking_wireguard import constants as c
from networking_wireguard.db import api as db
from networking_wireguard import hub_delta
from networking_wireguard import hub_digest
from networking_wireguard.l3 import server as l3_server
from networking_wireguard import validation


def _host_prefix(ip):
    return '%s/%d' % (ip, 128 if ':' in ip else 32)


def _iface_address(ip, cidr):
    return '%s/%d' % (ip, ipaddress.ip_network(cidr, strict=False).prefixlen)


def _unique(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def hub_peers(session, hub_ids):
    """What a spoke's device needs about each of its hubs."""
    rows = db.get_rows(session, hub_ids, role=c.ROLE_HUB)
    addrs = db.addresses(session, list(rows))
    peers = []
    for hub_id in sorted(rows):
        peer = {'port_id': hub_id,
                'public_key': rows[hub_id].public_key,
                'endpoint': rows[hub_id].endpoint,
                'allowed_ips': _unique(
                    [cidr for _ip, cidr in addrs[hub_id]] +
                    l3_server.router_subnet_cidrs(session, hub_id))}
        if rows[hub_id].mtu:
            peer['mtu'] = rows[hub_id].mtu      # the hub's, once realized
        peers.append(peer)
    return peers


def spokes_of_hub(session, hub_id, network_id, keepalive=True):
    """Spokes that peer with hub_id: admin-up, valid key, same network."""
    spoke_ids = db.spoke_ids_of_hubs(session, [hub_id]).get(hub_id, [])
    rows = db.get_rows(session, spoke_ids, role=c.ROLE_SPOKE)
    ports = db.ports(session, list(rows))
    addrs = db.addresses(session, list(rows))
    result = []
    for spoke_id in sorted(rows):
        row, port = rows[spoke_id], ports.get(spoke_id)
        if (port is None or not port.admin_state_up or
                port.network_id != network_id or
                not validation.is_public_key(row.public_key)):
            continue
        entry = {'port_id': spoke_id,
                 'public_key': row.public_key,
                 'endpoint': validation.dialable_endpoint(row.endpoint),
                 'allowed_ips': [_host_prefix(ip)
                                 for ip, _cidr in addrs[spoke_id]]}
        if keepalive:
            entry['persistent_keepalive'] = row.persistent_keepalive
        result.append(entry)
    return result


def hub_vif_details(row):
    details = {portbindings.CAP_PORT_FILTER: False,
               portbindings.VIF_DETAILS_CONNECTIVITY:
                   portbindings.CONNECTIVITY_L3}
    for key in c.HUB_DETAILS:
        details[key] = getattr(row, key) if row is not None else None
    return details


def spoke_vif_details(session, spoke_id):
    return {portbindings.CAP_PORT_FILTER: False,
            portbindings.VIF_DETAILS_CONNECTIVITY:
                portbindings.CONNECTIVITY_L3,
            c.SPOKE_DETAILS_PEERS: hub_peers(
                session, db.hub_ids_of_spoke(session, spoke_id))}


def wireguard_attr(session, row, network_id=None):
    """The read-only ``wireguard`` attribute of a port with a row."""
    if row is None:
        return None
    if row.role == c.ROLE_HUB:
        peers = spokes_of_hub(session, row.port_id, network_id,
                              keepalive=False)
    else:
        peers = hub_peers(session, db.hub_ids_of_spoke(session, row.port_id))
    attr = {'role': row.role,
            'public_key': row.public_key,
            'endpoint': row.endpoint,
            'listen_port': row.listen_port,
            'peers': peers}
    if row.role == c.ROLE_HUB:
        ha = db.ha_rows(session, [row.port_id]).get(row.port_id)
        if ha:
            attr['ha'] = ha_attr(ha, row.host)
    if row.role != c.ROLE_HUB:
        # Device configs need it; binding:profile is admin-only to read.
        attr['persistent_keepalive'] = row.persistent_keepalive
    return attr


def get_hubs(session, host, port_ids=None):
    """doc/contracts.md get_hubs: hubs bound to host with their spokes
    (and the HA hubs that name host, doc/ha.md)."""
    hub_ids = _hub_ids(session, host, port_ids)
    return {'host': host, 'hubs': _hubs(session, hub_ids, host)}


def _hub_ids(session, host, port_ids):
    hub_ids = sorted(set(db.hub_ids_on_host(session, host)) |
                     set(db.ha_hub_ids_on_host(session, host)))
    if port_ids is not None:
        wanted = set(port_ids)
        hub_ids = [h for h in hub_ids if h in wanted]
    return hub_ids


PAGE_CHUNK = 32


def get_hubs_page(session, host, port_ids, after, max_spokes, digests=None,
                  deltas=None, delta_min=hub_delta.DELTA_MIN_SPOKES):
    """doc/contracts.md get_hubs 1.1: one page of whole hubs.

    Hubs in port_id order after `after`, until max_spokes spokes; `next` is
    the cursor of the following page or None. 1.2 (digests not None): each
    hub carries its digest, a hub whose digest the caller named comes back
    unchanged, without spokes (hub_digest.answer). 1.3 (deltas not None):
    a hub named in deltas may come back as its changed spokes only
    (hub_delta.answer).
    """
    hub_ids = [h for h in _hub_ids(session, host, port_ids)
               if after is None or h > after]
    hubs, spokes = [], 0
    for start in range(0, len(hub_ids), PAGE_CHUNK):
        for hub in _hubs(session, hub_ids[start:start + PAGE_CHUNK], host):
            if deltas is not None:
                hub = hub_delta.answer(hub, digests, deltas,
                                       delta_min=delta_min)
            elif digests is not None:
                hub = hub_digest.answer(hub, digests)
            if hubs and spokes + len(hub.get('spokes', ())) > max_spokes:
                return {'host': host, 'hubs': hubs,
                        'next': hubs[-1]['port_id']}
            hubs.append(hub)
            spokes += len(hub.get('spokes', ()))
    return {'host': host, 'hubs': hubs, 'next': None}


def _hubs(session, hub_ids, host=None):
    rows = db.get_rows(session, hub_ids)
    ha = db.ha_rows(session, hub_ids)
    ports = db.ports(session, hub_ids)
    bindings = db.bindings(session, hub_ids)
    addrs = db.addresses(session, hub_ids)
    gws = db.gateways(session, hub_ids)
    mtus = db.network_mtus(session, {p.network_id for p in ports.values()})
    hubs = []
    for hub_id in hub_ids:
        port = ports.get(hub_id)
        if port is None:
            continue
        profile = db.profile_of(bindings.get(hub_id))
        router_id = None
        if (port.device_owner in n_const.ROUTER_INTERFACE_OWNERS and
                port.device_id):
            router_id = port.device_id
        hubs.append({
            'port_id': hub_id,
            'project_id': port.project_id,
            'network_id': port.network_id,
            'admin_state_up': bool(port.admin_state_up),
            'fixed_ips': [_iface_address(ip, cidr)
                          for ip, cidr in addrs[hub_id]],
            'mtu': mtus.get(port.network_id),
            'mac_address': port.mac_address,
            'gateways': gws.get(hub_id, []),
            'root_namespace': profile.get(c.PROFILE_ROOT_NAMESPACE) is True,
            'public_key': rows[hub_id].public_key,
            'listen_port': rows[hub_id].listen_port,
            'router_id': router_id,
            'spokes': spokes_of_hub(session, hub_id, port.network_id),
        })
        if hub_id in ha:
            hubs[-1]['ha'] = ha_section(session, rows[hub_id], ha[hub_id],
                                        bindings.get(hub_id), host)
    return hubs


def ha_section(session, row, ha_rows, binding, host):
    """doc/contracts.md get_hubs `ha`: what host's agent needs to build
    its copy of an HA hub. The primary is the bound host: it makes the
    key and the listen port; the secondary gets them from the primary's
    report (the key only as the envelope sealed to its enrollment key)."""
    hosts = sorted(ha_rows)
    primary = binding.host if binding is not None else None
    peer = [h for h in hosts if h != host]
    peer = peer[0] if len(peer) == 1 else None
    own = ha_rows.get(host)
    section = {
        'hosts': hosts,
        'role': (c.HA_ROLE_PRIMARY if host == primary
                 else c.HA_ROLE_SECONDARY),
        'primary': primary,
        'peer_host': peer,
        'peer_enroll_pub': db.enroll_pubs(session, [peer]).get(peer)
        if peer else None,
        'listen_port': row.listen_port,
        'states': {h: ha_rows[h].state for h in hosts},
    }
    if section['role'] == c.HA_ROLE_SECONDARY:
        section['envelope'] = own.envelope if own is not None else None
    else:   # the primary seals (again) while this is false
        section['peer_sealed'] = bool(peer and ha_rows[peer].envelope)
    return section


def ha_attr(ha_rows, primary):
    """The ``ha`` part of an HA hub's ``wireguard`` attribute."""
    hosts = sorted(ha_rows)
    active = [h for h in hosts if ha_rows[h].state == 'active']
    return {'hosts': hosts, 'primary': primary,
            'active': active[0] if len(active) == 1 else None,
            'states': {h: ha_rows[h].state for h in hosts}}
