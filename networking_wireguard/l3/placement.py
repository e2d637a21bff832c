"""A router that gets a WireGuard hub is placed where the hub lives.

A hub's private key never leaves its network node, so the legacy router it
becomes an interface of must be hosted by the L3 agent of the hub's
``binding:host_id``. Neutron schedules an unhosted router only after the
interface was added, on any L3 agent; the non-HA L3 agent then rewrites the
router ports' host to its own, which would re-bind the hub elsewhere.

``place_router_for_hub`` (ROUTER_INTERFACE BEFORE_CREATE, subscribed after
``server.check_hub_interface`` has refused HA/DVR routers and routers hosted
on another node) therefore binds an unhosted router to the hub's node before
Neutron's own scheduling runs, with the public
``add_router_to_l3_agent``; when that node runs no live, enabled L3 agent it
refuses the interface (409) when another node's L3 agent would take the
router instead. (With no live L3 agent anywhere the interface is accepted
and the router stays unscheduled until an L3 agent starts; the HubAware
scheduler and the mechanism driver's refusal to re-bind a hub then keep it
on the hub's node.)

``hub_hosts_of_router`` is shared with the HubAware L3 scheduler
(``l3/scheduler.py``), which keeps routers with hubs on their hubs' nodes
for every later scheduling decision.
"""
from neutron_lib.api.definitions import portbindings
from neutron_lib.callbacks import events
from neutron_lib.callbacks import priority_group
from neutron_lib.callbacks import registry
from neutron_lib.callbacks import resources
from neutron_lib import constants as n_const
from neutron_lib.plugins import constants as plugin_constants
from neutron_lib.plugins import directory
from oslo_log import log as logging

from networking_wireguard.l3 import server

LOG = logging.getLogger(__name__)


def hub_hosts_of_router(session, router_id):
    """{hub port id: binding host} of the hubs that are the router's ports."""
    from neutron.db.models import l3 as l3_models

    from networking_wireguard import constants as c
    from networking_wireguard.db import api as db
    ids = [r[0] for r in session.query(l3_models.RouterPort.port_id).filter(
        l3_models.RouterPort.router_id == router_id,
        l3_models.RouterPort.port_type.in_(n_const.ROUTER_INTERFACE_OWNERS))]
    hubs = db.get_rows(session, ids, role=c.ROLE_HUB)
    return {pid: host for pid, host in db.hosts(session, list(hubs)).items()
            if host}


def _live_l3_agent(plugin, context, host):
    from neutron.agent.common import utils as n_utils
    agent = plugin.get_enabled_agent_on_host(
        context, n_const.AGENT_TYPE_L3, host)
    if agent is None or n_utils.is_agent_down(agent.heartbeat_timestamp):
        return None
    return agent


def _other_live_l3_agents(plugin, context, host):
    from neutron.agent.common import utils as n_utils
    return [a for a in plugin.get_l3_agents(context, active=True)
            if a.host != host and
            not n_utils.is_agent_down(a.heartbeat_timestamp)]


def place_router_for_hub(resource, event, trigger, payload=None):
    port = (payload.metadata or {}).get('port') or {}
    context = payload.context
    if not port or not server._is_hub(context, port):
        return
    host = port.get(portbindings.HOST_ID)
    router_id = payload.resource_id
    if not host:
        return
    plugin = directory.get_plugin(plugin_constants.L3)
    admin = context.elevated()
    if not hasattr(plugin, 'add_router_to_l3_agent'):
        return  # no L3 agent scheduler in this deployment
    if server._hosting_hosts(context, router_id):
        return  # hosted on the hub's node (else check_hub_interface refused)
    agent = _live_l3_agent(plugin, admin, host)
    if agent is None and not _other_live_l3_agents(plugin, admin, host):
        LOG.warning("Router %(r)s gets WireGuard hub %(p)s of %(h)s while no "
                    "L3 agent runs anywhere: it stays unscheduled until one "
                    "starts on %(h)s", {'r': router_id, 'p': port['id'],
                                        'h': host})
        return
    if agent is None:
        raise server.HubRouterConflict(reason=(
            'WireGuard hub %s lives on host %s, which runs no live, enabled '
            'L3 agent: router %s would be hosted on another node and a hub '
            'cannot move between nodes; start the L3 agent on %s (or use a '
            'router hosted there)' % (port['id'], host, router_id, host)))
    plugin.add_router_to_l3_agent(admin, agent.id, router_id)
    LOG.info("Router %(r)s placed on the L3 agent of %(h)s, where WireGuard "
             "hub %(p)s lives", {'r': router_id, 'h': host, 'p': port['id']})


def subscribe():
    registry.subscribe(place_router_for_hub, resources.ROUTER_INTERFACE,
                       events.BEFORE_CREATE,
                       priority_group.PRIORITY_DEFAULT + 1)
