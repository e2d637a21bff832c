"""HubAware L3 scheduler: a router with WireGuard hubs stays on their node.

Enabled in neutron.conf with ``[DEFAULT] router_scheduler_driver =``
``networking_wireguard.l3.scheduler.HubAwareScheduler`` (one line).

Neutron's ``LeastRoutersScheduler``, except for routers that have a hub as
an interface (legacy routers only: server.py refuses hubs on HA/DVR):

* automatic scheduling (first interface, ``auto_schedule_routers`` when an
  L3 agent starts, ``allow_automatic_l3agent_failover``) only considers the
  L3 agent of the hubs' node; when that agent is dead or disabled the router
  stays unscheduled (logged) and the hub stays parked, with its key, on its
  own node -- it is never rebuilt elsewhere;
* ``l3-agent-router-add`` to an agent of another node is refused (409).
"""
from neutron.scheduler import l3_agent_scheduler
from oslo_log import log as logging

from networking_wireguard.l3 import placement
from networking_wireguard.l3 import server

LOG = logging.getLogger(__name__)


def _hub_hosts(context, router_id):
    from neutron_lib.db import api as db_api
    with db_api.CONTEXT_READER.using(context):
        return placement.hub_hosts_of_router(context.session, router_id)


def _host_of(agent):
    return agent['host'] if isinstance(agent, dict) else agent.host


class HubAwareScheduler(l3_agent_scheduler.LeastRoutersScheduler):

    def _on_hub_node(self, context, router_id, candidates):
        hubs = _hub_hosts(context, router_id)
        if not hubs:
            return candidates
        hosts = set(hubs.values())
        kept = [a for a in candidates if _host_of(a) in hosts]
        if not kept:
            LOG.warning("Router %(r)s has WireGuard hubs on %(h)s and no "
                        "live L3 agent there: left unscheduled (its hubs "
                        "stay parked on their node)",
                        {'r': router_id, 'h': ', '.join(sorted(hosts))})
        return kept

    def _get_candidates(self, plugin, context, sync_router):
        candidates = super()._get_candidates(plugin, context, sync_router)
        if not candidates:
            return candidates
        return self._on_hub_node(context, sync_router['id'], candidates)

    def schedule(self, plugin, context, router_id, candidates=None):
        if candidates:
            candidates = self._on_hub_node(context, router_id, candidates)
            if not candidates:
                return None
        return super().schedule(plugin, context, router_id,
                                candidates=candidates)

    def bind_router(self, plugin, context, router_id, agent_id,
                    is_manual_scheduling=False, is_ha=False):
        hubs = _hub_hosts(context, router_id)
        if hubs:
            agent = plugin._get_agent(context, agent_id)
            away = sorted(p for p, h in hubs.items() if h != agent.host)
            if away:
                raise server.HubRouterConflict(reason=(
                    'router %s has WireGuard hub(s) %s on %s; it cannot be '
                    'hosted by the L3 agent of %s: a hub cannot move between '
                    'nodes' % (router_id, ', '.join(away),
                               ', '.join(sorted(set(hubs.values()))),
                               agent.host)))
        return super().bind_router(plugin, context, router_id, agent_id,
                                   is_manual_scheduling=is_manual_scheduling,
                                   is_ha=is_ha)
