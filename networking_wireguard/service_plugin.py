"""Service plugin ``wireguard``: serves the agents' RPC topic.

neutron-server starts RPC consumers through one supported hook: its RPC
workers call ``start_rpc_listeners()`` on the core plugin and on every
loaded service plugin (neutron.service.RpcWorker), in the RPC worker
processes only. An ML2 mechanism driver has no such hook, so the topic
q-wireguard-plugin is served here::

    [DEFAULT]
    service_plugins = router,wireguard

The plugin adds no API resource and no table: the handlers are the
driver's (rpc.WireGuardRpcCallback -> ml2/realized.py, payloads.py).

It also runs the hub status check (hub_status.py) as a plugin worker
(``get_workers()``, started once by neutron-server): hub ports go DOWN
while their node's WireGuard agent is dead ([ml2_wireguard]
hub_status_check, hub_status_interval).
"""

from neutron_lib import rpc as n_rpc
from neutron_lib.services import base as service_base
from oslo_config import cfg
from oslo_log import log as logging

from networking_wireguard import conf  # noqa: F401 (registers options)
from networking_wireguard import constants as c
from networking_wireguard import hub_status
from networking_wireguard.ml2 import realized
from networking_wireguard import rpc

LOG = logging.getLogger(__name__)


class WireGuardServicePlugin(service_base.ServicePluginBase):

    supported_extension_aliases = []

    def __init__(self):
        super().__init__()
        self._servers = []
        if cfg.CONF.ml2_wireguard.hub_status_check:
            # hub ports follow their node's agent (hub_status.py)
            self.add_worker(hub_status.HubStatusWorker())

    @classmethod
    def get_plugin_type(cls):
        return 'WIREGUARD'

    def get_plugin_description(self):
        return 'Serves the RPC of neutron-wireguard-agent'

    def start_rpc_listeners(self):
        conn = n_rpc.Connection()
        conn.create_consumer(c.PLUGIN_TOPIC,
                             [rpc.WireGuardRpcCallback(realized)],
                             fanout=False)
        self._servers = conn.consume_in_threads()
        LOG.info("WireGuard RPC endpoint consuming topic %s (version %s)",
                 c.PLUGIN_TOPIC, c.PLUGIN_RPC_VERSION)
        return self._servers
