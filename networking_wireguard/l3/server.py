"""neutron-server side of hubs on routers.

* ``subscribe()``: a ROUTER_INTERFACE BEFORE_CREATE callback that refuses
  (409) a hub on an HA or distributed router -- one WireGuard link cannot be
  an interface of several router namespaces -- and a hub whose router is
  already hosted by the L3 agent of another node (the hub's key never moves
  between nodes; non-HA L3 rewrites a router port's host to its L3 agent's).
  An HA hub (binding:profile.wireguard_ha) is refused on every router
  for now (409, doc/ha.md).
  Called from the mechanism driver's initialize().
* ``router_subnet_cidrs()``: the subnets of the hub's router(s) other than
  the hub's own, which a device reaches through the hub (rendered into
  AllowedIPs by ``neutron-wireguard render``): the router the hub is an
  interface of, or (ML2/OVN) the routers with an extra route via the hub.
"""
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import events
from neutron_lib.callbacks import registry
from neutron_lib.callbacks import resources
from neutron_lib import constants as n_const
from neutron_lib import exceptions as n_exc
from neutron_lib.plugins import constants as plugin_constants
from neutron_lib.plugins import directory
from oslo_log import log as logging

LOG = logging.getLogger(__name__)

VIF_TYPE_WIREGUARD = 'wireguard'


class HubRouterConflict(n_exc.Conflict):
    message = '%(reason)s'


def _is_hub(context, port):
    if port.get(portbindings.VIF_TYPE) == VIF_TYPE_WIREGUARD:
        return True
    try:
        from networking_wireguard.db import api as db
        row = db.get_row(context.session, port['id'])
        return row is not None and row.role == 'hub'
    except Exception:  # the driver's table is not there: not a hub we know
        return False


def _is_ha_hub(port):
    """An HA hub (doc/ha.md): binding:profile.wireguard_ha is set."""
    profile = port.get(portbindings.PROFILE) or {}
    return isinstance(profile, dict) and bool(profile.get('wireguard_ha'))


def _refuse_ha_hub(port_id, router_id):
    raise HubRouterConflict(reason=(
        'port %s is a highly available WireGuard hub; on the L3-agent '
        'backends it cannot be an interface of router %s yet (the router '
        'lives on one node, the hub on two): attach a non-HA hub, or keep '
        'the HA hub on its network and route to it (doc/ha.md)'
        % (port_id, router_id)))


def _router_kind(router_db):
    extra = getattr(router_db, 'extra_attributes', None)
    if extra is None:
        return None
    if getattr(extra, 'distributed', False):
        return 'distributed'
    if getattr(extra, 'ha', False):
        return 'HA'
    return None


def _hosting_hosts(context, router_id):
    plugin = directory.get_plugin(plugin_constants.L3)
    try:
        agents = plugin.list_l3_agents_hosting_router(
            context.elevated(), router_id).get('agents', [])
    except Exception:  # no scheduler / no agents extension
        return set()
    return {a['host'] for a in agents}


def check_hub_interface(resource, event, trigger, payload=None):
    port = (payload.metadata or {}).get('port') or {}
    context = payload.context
    if not port or not _is_hub(context, port):
        return
    if _is_ha_hub(port):
        _refuse_ha_hub(port['id'], payload.resource_id)
    router_db = payload.latest_state
    kind = _router_kind(router_db)
    if kind:
        raise HubRouterConflict(reason=(
            'port %s is a WireGuard hub; it can only be an interface of a '
            'legacy router (not HA, not distributed): router %s is %s'
            % (port['id'], payload.resource_id, kind)))
    host = port.get(portbindings.HOST_ID)
    hosts = _hosting_hosts(context, payload.resource_id)
    if host and hosts and host not in hosts:
        raise HubRouterConflict(reason=(
            'WireGuard hub %s lives on host %s but router %s is hosted by '
            'the L3 agent of %s; a hub cannot move between nodes: use a '
            'router hosted on %s' % (port['id'], host, payload.resource_id,
                                     ', '.join(sorted(hosts)), host)))
    LOG.info("WireGuard hub %s becomes an interface of router %s",
             port['id'], payload.resource_id)


# device_owner of the router port of an HA / distributed router.
_REFUSED_OWNERS = {
    n_const.DEVICE_OWNER_HA_REPLICATED_INT: 'HA',
    n_const.DEVICE_OWNER_DVR_INTERFACE: 'distributed',
}


def check_hub_owner(resource, event, trigger, payload=None):
    """PORT BEFORE_UPDATE: refuse before `router add port` changes the hub.

    add_router_interface first rewrites the port's device_owner/device_id,
    then publishes ROUTER_INTERFACE BEFORE_CREATE; for distributed routers
    Neutron cannot undo that rewrite when the callback refuses (it runs in a
    transaction), so HA/DVR are refused here, before anything changed.
    """
    original, attrs = payload.states[0], payload.states[-1] or {}
    if (attrs.get('device_owner') in n_const.ROUTER_INTERFACE_OWNERS and
            original and _is_ha_hub(original)):
        _refuse_ha_hub(original['id'], attrs.get('device_id'))
    kind = _REFUSED_OWNERS.get(attrs.get('device_owner'))
    if not kind or not original or not _is_hub(payload.context, original):
        return
    raise HubRouterConflict(reason=(
        'port %s is a WireGuard hub; it can only be an interface of a '
        'legacy router (not HA, not distributed): router %s is %s'
        % (original['id'], attrs.get('device_id'), kind)))


def subscribe():
    registry.subscribe(check_hub_owner, resources.PORT, events.BEFORE_UPDATE)
    registry.subscribe(check_hub_interface, resources.ROUTER_INTERFACE,
                       events.BEFORE_CREATE)


def router_subnet_cidrs(session, hub_port_id):
    """CIDRs a device reaches through the hub, besides the hub's own
    subnets: the other interface subnets of the routers that route through
    the hub -- the router the hub is an interface of (router add port), and
    every router with an extra route whose nexthop is one of the hub's
    addresses (ML2/OVN, doc/ovn.md: router add subnet + a route to the
    devices' prefix via the hub)."""
    from neutron.db.models import l3 as l3_models
    from neutron.db import models_v2

    from networking_wireguard.db import api as db
    port = db.ports(session, [hub_port_id]).get(hub_port_id)
    if port is None:
        return []
    fixed = db.fixed_ips(session, hub_port_id)
    own = {subnet_id for subnet_id, _ip in fixed}
    if port.device_id and port.device_owner in n_const.ROUTER_INTERFACE_OWNERS:
        routers = {port.device_id}
    else:
        routers = _routers_via(session, l3_models, models_v2,
                               [ip for _subnet_id, ip in fixed], own)
    if not routers:
        return []
    rows = (session.query(models_v2.Subnet.id, models_v2.Subnet.cidr)
            .join(models_v2.IPAllocation,
                  models_v2.IPAllocation.subnet_id == models_v2.Subnet.id)
            .join(l3_models.RouterPort,
                  l3_models.RouterPort.port_id ==
                  models_v2.IPAllocation.port_id)
            .filter(l3_models.RouterPort.router_id.in_(sorted(routers)),
                    l3_models.RouterPort.port_type.in_(
                        n_const.ROUTER_INTERFACE_OWNERS))
            .distinct().all())
    return sorted({cidr for sid, cidr in rows if sid not in own})


def _routers_via(session, l3_models, models_v2, addrs, own):
    """Routers with an extra route via one of the hub's addresses AND an
    interface on one of the hub's subnets (the same address on another
    network, of another project, is not this hub)."""
    if not addrs or not own:
        return set()
    via = {r for (r,) in session.query(l3_models.RouterRoute.router_id)
           .filter(l3_models.RouterRoute.nexthop.in_(addrs)).distinct()}
    if not via:
        return set()
    on_subnet = (session.query(l3_models.RouterPort.router_id)
                 .join(models_v2.IPAllocation,
                       models_v2.IPAllocation.port_id ==
                       l3_models.RouterPort.port_id)
                 .filter(l3_models.RouterPort.router_id.in_(sorted(via)),
                         models_v2.IPAllocation.subnet_id.in_(sorted(own)))
                 .distinct())
    return {r for (r,) in on_subnet}
