"""Queries on the driver's tables and the few Neutron tables it reads.

Every function takes a SQLAlchemy session: callers run them inside the
transaction they already have (precommit, extend_port_dict) or open one
with neutron_lib.db.api.CONTEXT_READER/WRITER.
"""

import collections

from neutron.db import models_v2
from neutron.plugins.ml2 import models as ml2_models
from neutron_lib import constants as n_const
from oslo_serialization import jsonutils

from networking_wireguard import constants as c
from networking_wireguard.db import models

WgPort = models.WireGuardPort
WgPeer = models.WireGuardPeer
PortBinding = ml2_models.PortBinding


def get_row(session, port_id):
    return session.query(WgPort).filter(WgPort.port_id == port_id).first()


def get_rows(session, port_ids, role=None):
    if not port_ids:
        return {}
    query = session.query(WgPort).filter(WgPort.port_id.in_(list(port_ids)))
    if role:
        query = query.filter(WgPort.role == role)
    return {row.port_id: row for row in query}


def save_row(session, port_id, role, **fields):
    row = get_row(session, port_id)
    if row is None:
        row = WgPort(port_id=port_id, role=role)
        session.add(row)
    for key, value in fields.items():
        setattr(row, key, value)
    session.flush()
    return row


def set_peers(session, spoke_id, hub_ids):
    session.query(WgPeer).filter(WgPeer.spoke_port_id == spoke_id).delete(
        synchronize_session=False)
    for hub_id in sorted(set(hub_ids)):
        session.add(WgPeer(spoke_port_id=spoke_id, hub_port_id=hub_id))
    session.flush()


def delete_port(session, port_id):
    """Drop a port's row and its peer links (both directions)."""
    session.query(WgPeer).filter(
        (WgPeer.spoke_port_id == port_id) |
        (WgPeer.hub_port_id == port_id)).delete(synchronize_session=False)
    session.query(WgPort).filter(WgPort.port_id == port_id).delete(
        synchronize_session=False)


def hub_ids_of_spoke(session, spoke_id):
    query = session.query(WgPeer.hub_port_id).join(
        WgPort, WgPort.port_id == WgPeer.hub_port_id).filter(
        WgPeer.spoke_port_id == spoke_id, WgPort.role == c.ROLE_HUB)
    return sorted(r[0] for r in query)


def spoke_ids_of_hubs(session, hub_ids):
    result = collections.defaultdict(list)
    if not hub_ids:
        return result
    query = session.query(WgPeer.hub_port_id, WgPeer.spoke_port_id).filter(
        WgPeer.hub_port_id.in_(list(hub_ids)))
    for hub_id, spoke_id in query:
        result[hub_id].append(spoke_id)
    for spokes in result.values():
        spokes.sort()
    return result


def spokes_with_key(session, public_key, hub_ids, exclude):
    """(spoke_id, hub_id) of another spoke using public_key on one of
    hub_ids, or None."""
    if not hub_ids:
        return None
    return session.query(WgPort.port_id, WgPeer.hub_port_id).join(
        WgPeer, WgPeer.spoke_port_id == WgPort.port_id).filter(
        WgPort.role == c.ROLE_SPOKE, WgPort.public_key == public_key,
        WgPort.port_id != exclude,
        WgPeer.hub_port_id.in_(list(hub_ids))).first()


def ports(session, port_ids):
    if not port_ids:
        return {}
    query = session.query(models_v2.Port).filter(
        models_v2.Port.id.in_(list(port_ids)))
    return {p.id: p for p in query}


def bindings(session, port_ids):
    """{port_id: active PortBinding}."""
    if not port_ids:
        return {}
    query = session.query(PortBinding).filter(
        PortBinding.port_id.in_(list(port_ids)),
        PortBinding.status == n_const.ACTIVE)
    return {b.port_id: b for b in query}


def hosts(session, port_ids):
    return {pid: b.host for pid, b in bindings(session, port_ids).items()}


def profile_of(binding):
    if binding is None or not binding.profile:
        return {}
    try:
        profile = jsonutils.loads(binding.profile)
    except ValueError:
        return {}
    return profile if isinstance(profile, dict) else {}


def hub_ids_on_host(session, host):
    query = session.query(WgPort.port_id).join(
        PortBinding, PortBinding.port_id == WgPort.port_id).filter(
        WgPort.role == c.ROLE_HUB, PortBinding.host == host,
        PortBinding.status == n_const.ACTIVE)
    return sorted(r[0] for r in query)


def addresses(session, port_ids):
    """{port_id: [(ip_address, subnet_cidr), ...]} in a stable order."""
    result = collections.defaultdict(list)
    if not port_ids:
        return result
    query = session.query(models_v2.IPAllocation.port_id,
                          models_v2.IPAllocation.ip_address,
                          models_v2.Subnet.cidr).join(
        models_v2.Subnet,
        models_v2.Subnet.id == models_v2.IPAllocation.subnet_id).filter(
        models_v2.IPAllocation.port_id.in_(list(port_ids)))
    for port_id, ip, cidr in query:
        result[port_id].append((str(ip), str(cidr)))
    for addrs in result.values():
        addrs.sort(key=lambda a: (':' in a[0], a[0]))
    return result


def gateways(session, port_ids):
    """{port_id: [gateway_ip, ...]} of the subnets of the ports' fixed IPs
    (IPv4 first, no duplicates, subnets without a gateway skipped)."""
    result = collections.defaultdict(list)
    if not port_ids:
        return result
    query = session.query(models_v2.IPAllocation.port_id,
                          models_v2.Subnet.gateway_ip).join(
        models_v2.Subnet,
        models_v2.Subnet.id == models_v2.IPAllocation.subnet_id).filter(
        models_v2.IPAllocation.port_id.in_(list(port_ids)))
    for port_id, gw in query:
        if gw and str(gw) not in result[port_id]:
            result[port_id].append(str(gw))
    for gws in result.values():
        gws.sort(key=lambda g: (':' in g, g))
    return result


def network_mtus(session, network_ids):
    if not network_ids:
        return {}
    query = session.query(models_v2.Network.id, models_v2.Network.mtu).filter(
        models_v2.Network.id.in_(list(network_ids)))
    return dict(query)


def set_vif_details(session, port_id, vif_details):
    """Refresh the details of an active wireguard binding in place (the
    data is the driver's own: no rebind needed for a changed peer key)."""
    return session.query(PortBinding).filter(
        PortBinding.port_id == port_id,
        PortBinding.status == n_const.ACTIVE,
        PortBinding.vif_type == c.VIF_TYPE_WIREGUARD).update(
        {'vif_details': jsonutils.dumps(vif_details)},
        synchronize_session=False)


def mirror_profile_keys(session, port_id, values):
    """Write values ({key: value or None}) into the port's active binding
    profile in place. Used for what existing clients read from a hub's
    profile (public_key, endpoint): an API update would unbind and rebind
    the port, which costs a second per hub and blocks the RPC worker.
    Returns True when the stored profile changed."""
    binding = bindings(session, [port_id]).get(port_id)
    if binding is None:
        return False
    profile = profile_of(binding)
    want = dict(profile)
    for key, value in values.items():
        if value is None:
            want.pop(key, None)
        else:
            want[key] = value
    if want == profile:
        return False
    session.query(PortBinding).filter(
        PortBinding.port_id == port_id,
        PortBinding.status == n_const.ACTIVE).update(
        {'profile': jsonutils.dumps(want)}, synchronize_session=False)
    return True
