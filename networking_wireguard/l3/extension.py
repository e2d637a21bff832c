"""L3 agent extension ``wireguard`` (l3_agent.ini ``[agent] extensions``).

consume_api() registers WireGuardLegacyRouter as the RouterInfo class of
legacy routers (features ``[]``). The agent calls it after registering its
own classes and before processing any router, so every legacy router this
agent builds is one of ours. HA and distributed routers are refused at the
API (networking_wireguard.l3_api), so they never carry a hub.

initialize() starts the retry loop of pending hubs: a hub realized after its
router already saw it is attached within ``[wireguard_l3] pending_interval``
seconds of being realized.
"""
from neutron_lib.agent import l3_extension
from oslo_config import cfg
from oslo_log import log as logging
from oslo_service import loopingcall

from networking_wireguard.l3 import config
from networking_wireguard.l3 import hubs
from networking_wireguard.l3 import router as wg_router

LOG = logging.getLogger(__name__)
# Every VERIFY_EVERY ticks the attached hubs are checked (one owns() each).
VERIFY_EVERY = 3


class WireGuardL3Extension(l3_extension.L3AgentExtension):

    def __init__(self):
        super().__init__()
        config.register_opts(cfg.CONF)
        self.agent_api = None
        self._loop = None

    def consume_api(self, agent_api):
        self.agent_api = agent_api
        agent_api.register_router([], wg_router.WireGuardLegacyRouter)
        LOG.info("wireguard: legacy routers are WireGuardLegacyRouter "
                 "(hub ports attached through %s)", config.control_socket())

    def initialize(self, connection, driver_type):
        interval = cfg.CONF[config.L3_GROUP].pending_interval
        self._loop = loopingcall.FixedIntervalLoopingCall(self._retry)
        self._loop.start(interval=interval, initial_delay=interval,
                         stop_on_exception=False)

    def _retry(self):
        mgr = hubs.manager()
        try:
            for port_id in mgr.retry_pending():
                LOG.info("wireguard: pending hub %s attached", port_id)
            self._ticks = getattr(self, '_ticks', 0) + 1
            if self._ticks % VERIFY_EVERY == 0:
                mgr.verify_attached()
        except Exception:
            LOG.exception("wireguard: retrying pending hubs failed")

    def add_router(self, context, data):
        pass

    def update_router(self, context, data):
        pass

    def delete_router(self, context, data):
        hubs.manager().forget_router(data['id'])

    def ha_state_change(self, context, data):
        pass

    def update_network(self, context, data):
        pass
