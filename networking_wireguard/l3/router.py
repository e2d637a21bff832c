"""WireGuardLegacyRouter: a LegacyRouter whose hub ports are WireGuard links.

For a router port that ML2 bound as ``wireguard`` the link already exists:
neutron-wireguard-agent created it in ``tun-<project_id>`` as
``wg-<port_id[:11]>``. Plugging it means asking that agent to ``attach`` it
(move it into ``qrouter-<router_id>`` as ``qr-<port_id[:11]>``, address it,
bring it up); unplugging means ``detach`` (back home, down). Neutron's
``plug()``/``init_router_port()`` are never used on it: a WireGuard link has
no MAC address and ``init_l3()`` raises on it. Every other port goes to
LegacyRouter unchanged.

A hub the agent cannot attach yet (not realized yet, agent restarting) is not
an error for the router: the port is kept, the other ports are processed as
usual, and the L3 extension retries it every few seconds (raising would make
the L3 agent retry six times in 1.4 s, then give up, and delete the namespace
of a new router on the way).
"""
import collections
import threading

from neutron.agent.l3 import legacy_router
from neutron_lib import constants as lib_constants
from oslo_log import log as logging

from networking_wireguard.l3 import hubs

LOG = logging.getLogger(__name__)


class WireGuardLegacyRouter(legacy_router.LegacyRouter):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._hub_locks = collections.defaultdict(threading.Lock)
        self._hub_ports = set()

    # -- helpers used by the extension -------------------------------------
    def hub_lock(self, port_id):
        return self._hub_locks[port_id]

    def carries_hub(self, port_id):
        """True while this router still wants the hub as an interface."""
        return any(p['id'] == port_id and p.get('admin_state_up', True)
                   for p in self.router.get(lib_constants.INTERFACE_KEY, []))

    def _is_hub(self, port):
        return hubs.is_hub(port) or port['id'] in self._hub_ports

    # -- RouterInfo hooks ----------------------------------------------------
    def internal_network_added(self, port):
        if not self._is_hub(port):
            return super().internal_network_added(port)
        self._hub_ports.add(port['id'])
        with self.hub_lock(port['id']):
            hubs.manager().attach(self, port)

    def internal_network_updated(self, port):
        if not self._is_hub(port):
            return super().internal_network_updated(port)
        self._hub_ports.add(port['id'])
        with self.hub_lock(port['id']):
            hubs.manager().attach(self, port)

    def internal_network_removed(self, port):
        if not self._is_hub(port):
            return super().internal_network_removed(port)
        with self.hub_lock(port['id']):
            hubs.manager().detach(port['id'], 'removed from router %s' %
                                  self.router_id)
        self._hub_ports.discard(port['id'])

    def delete(self):
        hubs.manager().forget_router(self.router_id)
        super().delete()
