"""Queries on the driver's tables and the few Neutron tables it reads.

Every function takes a SQLAlchemy session: callers run them inside the
transaction they already have (precommit, extend_port_dict) or open one
with neutron_lib.db.api.CONTEXT_READER/WRITER.
"""

import collections

from neutron.db.models import agent as agent_model
from neutron.db import models_v2
from neutron.plugins.ml2 import models as ml2_models
from neutron_lib import constants as n_const
from oslo_serialization import jsonutils
from sqlalchemy.orm import util as orm_util

from networking_wireguard import constants as c
from networking_wireguard.db import models
from networking_wireguard import validation

WgPort = models.WireGuardPort
WgPeer = models.WireGuardPeer
WgHa = models.WireGuardHaHost
PortBinding = ml2_models.PortBinding


def get_row(session, port_id):
    return session.query(WgPort).filter(WgPort.port_id == port_id).first()


def row_of_port(session, port_db):
    """The row of a Port model object, from its eagerly loaded
    relationship (no query); by query for anything else (a dict)."""
    if isinstance(port_db, models_v2.Port):
        return port_db.wireguard_port
    return get_row(session, port_db['id'])


def _expire_port(session, port_id):
    """Make a Port already in this session re-read its row on next use
    (the relationship is read-only: writes here do not update it)."""
    port = session.identity_map.get(
        orm_util.identity_key(models_v2.Port, port_id))
    if port is not None:
        session.expire(port, ['wireguard_port'])


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
        _expire_port(session, port_id)
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
    """Drop a port's row and its peer links (both directions), in the
    transaction that deletes the port itself (delete_port_precommit).

    No ORM delete of the row: it would bump the revision of a port that
    is going away, and that flush loads the whole Port (a dozen eager
    relationships): ~85% of the driver's time in a port delete."""
    session.query(WgPeer).filter(
        (WgPeer.spoke_port_id == port_id) |
        (WgPeer.hub_port_id == port_id)).delete(synchronize_session=False)
    session.query(WgHa).filter(WgHa.port_id == port_id).delete(
        synchronize_session=False)
    row = session.identity_map.get(orm_util.identity_key(WgPort, port_id))
    if row is not None:
        session.expunge(row)
    # a table (Core) delete: Neutron refuses ORM bulk deletes of models
    # that revise another resource, and the ORM delete is what we avoid
    session.execute(WgPort.__table__.delete().where(
        WgPort.__table__.c.port_id == port_id))
    _expire_port(session, port_id)


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


# What the driver reads of a Neutron port. A column query: the Port model
# loads a dozen relationships eagerly (fixed IPs, bindings, security groups,
# QoS, tags...), which cost ~50 ms a port in a bulk create of spokes.
_PORT_COLUMNS = (models_v2.Port.id, models_v2.Port.project_id,
                 models_v2.Port.network_id, models_v2.Port.admin_state_up,
                 models_v2.Port.device_id, models_v2.Port.device_owner,
                 models_v2.Port.mac_address)


def ports(session, port_ids):
    """{port_id: row} with the attributes of _PORT_COLUMNS only."""
    if not port_ids:
        return {}
    query = session.query(*_PORT_COLUMNS).filter(
        models_v2.Port.id.in_(list(port_ids)))
    return {p.id: p for p in query}


def fixed_ips(session, port_id):
    """[(subnet_id, ip_address), ...] of one port."""
    return session.query(models_v2.IPAllocation.subnet_id,
                         models_v2.IPAllocation.ip_address).filter(
        models_v2.IPAllocation.port_id == port_id).all()


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


# ------------------------------------------------------------ HA hubs
def ha_rows(session, port_ids):
    """{port_id: {host: WireGuardHaHost}} of the HA hubs among port_ids."""
    result = collections.defaultdict(dict)
    if not port_ids:
        return result
    query = session.query(WgHa).filter(WgHa.port_id.in_(list(port_ids)))
    for row in query:
        result[row.port_id][row.host] = row
    return result


def set_ha_hosts(session, port_id, hosts):
    """Make the hub's HA host rows those of hosts (None or []: not HA).
    A host that stays keeps its state and envelope."""
    hosts = set(hosts or ())
    have = ha_rows(session, [port_id]).get(port_id, {})
    for host, row in have.items():
        if host not in hosts:
            session.delete(row)
    for host in sorted(hosts - set(have)):
        session.add(WgHa(port_id=port_id, host=host))
    session.flush()


def ha_active_to_fault(session, host):
    """A host that can no longer report (its agent is dead): the HA hubs it
    last said it was active for are set to fault. Returns their port ids."""
    rows = session.query(WgHa).filter(WgHa.host == host,
                                      WgHa.state == 'active').all()
    for row in rows:
        row.state = 'fault'
    session.flush()
    return sorted(row.port_id for row in rows)


def ha_hub_ids_on_host(session, host):
    """HA hubs that name host in their host list (either role)."""
    query = session.query(WgHa.port_id).join(
        WgPort, WgPort.port_id == WgHa.port_id).filter(
        WgHa.host == host, WgPort.role == c.ROLE_HUB)
    return sorted(r[0] for r in query)


def enroll_pubs(session, hosts):
    """{host: enrollment public key} the hosts' WireGuard agents publish
    in their configurations (only well-formed keys)."""
    hosts = [h for h in hosts if h]
    if not hosts:
        return {}
    query = session.query(agent_model.Agent.host,
                          agent_model.Agent.configurations).filter(
        agent_model.Agent.agent_type == c.AGENT_TYPE,
        agent_model.Agent.host.in_(hosts))
    result = {}
    for host, text in query:
        try:
            conf = jsonutils.loads(text or '{}')
        except ValueError:
            continue
        pub = conf.get(c.AGENT_ENROLL_PUB) if isinstance(conf, dict) \
            else None
        if validation.is_public_key(pub):
            result[host] = pub
    return result
