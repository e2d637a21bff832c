"""Hub ports follow their node's WireGuard agent (server side).

Only a hub's own node reports its state: neutron-wireguard-agent there calls
update_device_up/down, and only when what it last told Neutron changes. When
that agent dies (a crashed node), nobody would ever tell Neutron that the
hub is gone. So the ``wireguard`` service plugin runs ``HubStatusCheck``
in a neutron-server worker every ``[ml2_wireguard] hub_status_interval``
seconds (default: ``agent_down_time / 2``, like Neutron's own agent checks):

* an ACTIVE hub bound to a host whose WireGuard agent row is dead
  (``agent_down_time`` without a heartbeat) is set DOWN, unless it is an HA
  hub that the other host (alive) serves as ``active`` (doc/ha.md);
* a dead host's HA state ``active`` becomes ``fault`` (it cannot say so
  itself: a crashed node; the node that took over reports ``active``);
* a hub this check set DOWN is set ACTIVE again when the host's agent is
  alive and was already running when the check set it DOWN (it missed
  heartbeats, or restarted before the check acted): such an agent reports
  only changes, so its last report (up) still stands. An agent that
  started after the hub was set DOWN re-reports every hub of its node
  itself (update_device_up / down); the check leaves those hubs to it.

Statuses change only through the ML2 plugin's ``update_port_status`` (the
call behind update_device_up/down), never by a DB write. One log line per
host and transition. What the check remembers (which hubs it set DOWN) is
in memory: after a neutron-server restart, a hub set DOWN before comes back
with its agent's next start (its re-report), not before.
"""

import datetime

from neutron_lib.api.definitions import portbindings
from neutron_lib import constants as n_const
from neutron_lib import context as n_context
from neutron_lib.db import api as db_api
from neutron_lib.plugins import directory
from neutron_lib import worker
from oslo_config import cfg
from oslo_log import log as logging
from oslo_service import loopingcall
from oslo_utils import timeutils

from networking_wireguard import conf  # noqa: F401 (registers options)
from networking_wireguard import constants as c
from networking_wireguard.db import api as db

LOG = logging.getLogger(__name__)

DEFAULT_AGENT_DOWN_TIME = 75  # Neutron's default


def agent_down_time():
    try:
        return int(cfg.CONF.agent_down_time)
    except (cfg.NoSuchOptError, TypeError, ValueError):
        return DEFAULT_AGENT_DOWN_TIME


def interval():
    """Seconds between two checks (0 in the option: agent_down_time/2)."""
    configured = cfg.CONF.ml2_wireguard.hub_status_interval
    return configured or max(agent_down_time() // 2, 1)


def _seconds(value):
    """A timestamp compared at the agents table's precision (MariaDB
    DATETIME keeps whole seconds)."""
    if isinstance(value, str):
        value = timeutils.parse_isotime(value)
    if isinstance(value, datetime.datetime):
        return timeutils.normalize_time(value).replace(microsecond=0)
    return None


class HubStatusCheck(object):
    """One pass per call; remembers the hubs it set DOWN."""

    def __init__(self):
        # port id -> (host, when this check set it DOWN)
        self._downed = {}

    def __call__(self):
        try:
            self.check(n_context.get_admin_context())
        except Exception:  # the loop must survive a failed pass
            LOG.exception("WireGuard hub status check failed; next pass "
                          "in %s s", interval())

    def check(self, context):
        plugin = directory.get_plugin()
        agents = {a['host']: a for a in plugin.get_agents(
            context, filters={'agent_type': [c.AGENT_TYPE]})}
        self._revive(context, plugin, agents)
        alive = {h for h, a in agents.items() if a['alive']}
        for host in sorted(h for h, a in agents.items() if not a['alive']):
            self._ha_fault(context, host, agents[host])
            self._down(context, plugin, host, agents[host], alive)

    @staticmethod
    def _ha_fault(context, host, agent):
        with db_api.CONTEXT_WRITER.using(context):
            ids = db.ha_active_to_fault(context.session, host)
        if ids:
            LOG.warning("WireGuard agent on %(host)s is dead (last heartbeat "
                        "%(hb)s): its HA state of hub port(s) %(ports)s is "
                        "now fault", {'host': host, 'ports': ', '.join(ids),
                                      'hb': agent.get('heartbeat_timestamp')})

    @staticmethod
    def _served(ha, host, alive):
        """Another host, alive, says it is active for this HA hub."""
        return any(h != host and h in alive and row.state == 'active'
                   for h, row in ha.items())

    @staticmethod
    def _ports(context, plugin, port_ids):
        if not port_ids:
            return {}
        ports = plugin.get_ports(
            context, filters={'id': list(port_ids)},
            fields=['id', 'status', portbindings.HOST_ID])
        return {p['id']: p for p in ports}

    def _down(self, context, plugin, host, agent, alive=()):
        with db_api.CONTEXT_READER.using(context):
            hub_ids = db.hub_ids_on_host(context.session, host)
            ha = db.ha_rows(context.session, hub_ids)
        ports = self._ports(context, plugin, hub_ids)
        done = []
        for port_id in hub_ids:
            port = ports.get(port_id)
            if (port is None or port['status'] != n_const.PORT_STATUS_ACTIVE
                    or port.get(portbindings.HOST_ID) != host
                    or self._served(ha.get(port_id, {}), host, alive)):
                continue
            when = _seconds(timeutils.utcnow())
            if plugin.update_port_status(context, port_id,
                                         n_const.PORT_STATUS_DOWN, host):
                self._downed[port_id] = (host, when)
                done.append(port_id)
        if done:
            LOG.warning("WireGuard agent on %(host)s is dead (last heartbeat "
                        "%(hb)s): hub port(s) %(ports)s set DOWN",
                        {'host': host, 'hb': agent.get('heartbeat_timestamp'),
                         'ports': ', '.join(done)})

    def _revive(self, context, plugin, agents):
        waiting = {pid: hw for pid, hw in self._downed.items()
                   if agents.get(hw[0], {}).get('alive')}
        # an agent row deleted meanwhile: nothing will revive those hubs
        for pid in [p for p, hw in self._downed.items()
                    if hw[0] not in agents]:
            del self._downed[pid]
        if not waiting:
            return
        ports = self._ports(context, plugin, waiting)
        back, restarted = {}, {}
        for port_id, (host, when) in sorted(waiting.items()):
            del self._downed[port_id]
            port = ports.get(port_id)
            if (port is None or port['status'] != n_const.PORT_STATUS_DOWN
                    or port.get(portbindings.HOST_ID) != host):
                continue  # deleted, re-bound, or already reported anew
            started = _seconds(agents[host].get('started_at'))
            if started is not None and started > when:
                restarted.setdefault(host, []).append(port_id)
            elif plugin.update_port_status(context, port_id,
                                           n_const.PORT_STATUS_ACTIVE, host):
                back.setdefault(host, []).append(port_id)
        for host, ids in sorted(back.items()):
            LOG.info("WireGuard agent on %(host)s is alive again and was "
                     "running when its hubs were set DOWN: hub port(s) "
                     "%(ports)s ACTIVE again (its last report stands)",
                     {'host': host, 'ports': ', '.join(ids)})
        for host, ids in sorted(restarted.items()):
            LOG.info("WireGuard agent on %(host)s restarted: it reports hub "
                     "port(s) %(ports)s itself",
                     {'host': host, 'ports': ', '.join(ids)})


class HubStatusWorker(worker.BaseWorker):
    """Runs a HubStatusCheck in a loop, in one neutron-server process
    (worker_process_count 0: a thread of neutron-server's process for
    in-process plugin workers, never one per API or RPC worker)."""

    def __init__(self, check=None):
        super().__init__(worker_process_count=0,
                         desc='WireGuard hub status check')
        self.check = check or HubStatusCheck()
        self._loop = None

    def start(self):
        super().start(desc=self.desc)
        if self._loop is None:
            self._loop = loopingcall.FixedIntervalLoopingCall(self.check)
        every = interval()
        # agents get one agent_down_time to report after a server start
        self._loop.start(interval=every,
                         initial_delay=max(agent_down_time(), every))
        LOG.info("WireGuard hub status check every %s s", every)

    def wait(self):
        if self._loop is not None:
            self._loop.wait()

    def stop(self):
        if self._loop is not None:
            self._loop.stop()

    def reset(self):
        self.stop()
        self.wait()
        self.start()
