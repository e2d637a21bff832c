"""Hub ports follow their node's WireGuard agent (hub_status.py), inside a
real ML2 plugin (Neutron's own test bases, SQLite, real agent rows)."""

import datetime
from unittest import mock

from neutron.tests.common import helpers
from neutron_lib import constants as n_const
from neutron_lib import context as n_context
from neutron_lib.plugins import directory
from oslo_config import cfg
from oslo_utils import timeutils

from networking_wireguard import hub_status
from networking_wireguard import service_plugin
from networking_wireguard.tests.unit import test_mech_driver as base

ACTIVE, DOWN = n_const.PORT_STATUS_ACTIVE, n_const.PORT_STATUS_DOWN
HOUR = datetime.timedelta(hours=1)


def set_agent(agent_id, **times):
    helpers.FakePlugin().update_agent(
        n_context.get_admin_context(), agent_id, {'agent': times})


def heartbeats_stop(agent_id):
    """Dead, but the same process (started_at unchanged)."""
    set_agent(agent_id, heartbeat_timestamp=timeutils.utcnow() - HOUR)


def heartbeats_resume(agent_id):
    set_agent(agent_id, heartbeat_timestamp=timeutils.utcnow())


def restarted(agent_id):
    """Alive again, a new process (started after the check acted)."""
    set_agent(agent_id, heartbeat_timestamp=timeutils.utcnow(),
              started_at=timeutils.utcnow() + HOUR)


class TestHubStatus(base.WireGuardDriverTestCase):

    def setUp(self):
        super().setUp()
        self.agent = base.wg_agent(base.HOST)
        self.agent2 = base.wg_agent(base.HOST2)
        self.check = hub_status.HubStatusCheck()
        self.ctx = n_context.get_admin_context()
        self.log = mock.patch.object(hub_status, 'LOG').start()

    def active_hub(self, host=base.HOST):
        hub = self.hub(host=host)
        self.set_status(hub['id'], ACTIVE, host)
        return hub['id']

    def set_status(self, port_id, status, host=base.HOST):
        directory.get_plugin().update_port_status(self.ctx, port_id, status,
                                                  host)
        self.assertEqual(status, self.status(port_id))

    def status(self, port_id):
        return self.show(port_id)['status']

    def run_check(self):
        self.check.check(self.ctx)

    def test_live_agents_change_nothing(self):
        hub = self.active_hub()
        self.run_check()
        self.assertEqual(ACTIVE, self.status(hub))
        self.log.warning.assert_not_called()
        self.log.info.assert_not_called()

    def test_dead_agent_down_then_back_active(self):
        hub, hub2 = self.active_hub(), self.active_hub()
        other = self.active_hub(host=base.HOST2)
        heartbeats_stop(self.agent['id'])
        self.run_check()
        self.assertEqual((DOWN, DOWN, ACTIVE),
                         (self.status(hub), self.status(hub2),
                          self.status(other)))
        self.assertEqual(1, self.log.warning.call_count)
        logged = self.log.warning.call_args[0][1]
        self.assertEqual(base.HOST, logged['host'])
        self.assertEqual(sorted([hub, hub2]),
                         sorted(logged['ports'].split(', ')))
        # still dead: no second transition, no second log line
        self.run_check()
        self.assertEqual(1, self.log.warning.call_count)
        self.assertEqual(DOWN, self.status(hub))
        # the same agent process heartbeats again: its last report stands
        heartbeats_resume(self.agent['id'])
        self.run_check()
        self.assertEqual((ACTIVE, ACTIVE), (self.status(hub),
                                            self.status(hub2)))
        self.assertEqual(1, self.log.info.call_count)
        self.assertIn('alive again', self.log.info.call_args[0][0])
        self.assertEqual({}, self.check._downed)

    def test_restarted_agent_reports_itself(self):
        hub = self.active_hub()
        helpers.kill_agent(self.agent['id'])
        self.run_check()
        self.assertEqual(DOWN, self.status(hub))
        restarted(self.agent['id'])
        self.run_check()
        self.assertEqual(DOWN, self.status(hub))  # left to the agent
        self.assertIn('restarted', self.log.info.call_args[0][0])
        self.assertEqual({}, self.check._downed)
        # its update_device_up is what brings the hub back
        self.set_status(hub, ACTIVE)
        self.run_check()
        self.assertEqual(ACTIVE, self.status(hub))

    def test_agent_started_before_the_check_acted_is_running(self):
        # the check read a stale "dead" and the agent started before the
        # DOWN was written: its up-report may be the one overwritten
        hub = self.active_hub()
        helpers.kill_agent(self.agent['id'])
        self.run_check()
        set_agent(self.agent['id'], heartbeat_timestamp=timeutils.utcnow(),
                  started_at=timeutils.utcnow() - HOUR / 2)
        self.run_check()
        self.assertEqual(ACTIVE, self.status(hub))

    def test_hub_down_before_stays_down(self):
        hub = self.active_hub()
        self.set_status(hub, DOWN)  # the agent reported it down
        heartbeats_stop(self.agent['id'])
        self.run_check()
        heartbeats_resume(self.agent['id'])
        self.run_check()
        self.assertEqual(DOWN, self.status(hub))
        self.log.warning.assert_not_called()
        self.log.info.assert_not_called()

    def test_spokes_and_other_ports_untouched(self):
        hub = self.active_hub()
        spoke = self.spoke([hub], host=base.HOST)['id']
        self.set_status(spoke, ACTIVE)
        plain = self._port(**{'binding:host_id': base.HOST})['id']
        self.set_status(plain, ACTIVE)
        heartbeats_stop(self.agent['id'])
        self.run_check()
        self.assertEqual((DOWN, ACTIVE, ACTIVE),
                         (self.status(hub), self.status(spoke),
                          self.status(plain)))

    def test_hub_deleted_or_agent_row_deleted_meanwhile(self):
        hub, gone = self.active_hub(), self.active_hub()
        heartbeats_stop(self.agent['id'])
        self.run_check()
        self._delete('ports', gone)
        heartbeats_resume(self.agent['id'])
        self.run_check()
        self.assertEqual(ACTIVE, self.status(hub))
        self.assertEqual({}, self.check._downed)
        # an agent row an operator deleted: its hubs are no longer followed
        heartbeats_stop(self.agent['id'])
        self.run_check()
        directory.get_plugin().delete_agent(self.ctx, self.agent['id'])
        self.run_check()
        self.assertEqual({}, self.check._downed)
        self.assertEqual(DOWN, self.status(hub))

    def test_failed_pass_is_logged_and_the_loop_survives(self):
        with mock.patch.object(self.check, 'check',
                               side_effect=RuntimeError('db gone')):
            self.check()  # must not raise
        self.log.exception.assert_called_once()


class TestHubStatusWorker(base.WireGuardDriverTestCase):

    def wg_plugin(self):
        return directory.get_plugin('WIREGUARD')

    def test_service_plugin_adds_one_worker(self):
        workers = [w for w in self.wg_plugin().get_workers()
                   if isinstance(w, hub_status.HubStatusWorker)]
        self.assertEqual(1, len(workers))
        self.assertEqual(0, workers[0].worker_process_count)

    def test_disabled_by_option(self):
        cfg.CONF.set_override('hub_status_check', False,
                              group='ml2_wireguard')
        self.assertEqual([], service_plugin.WireGuardServicePlugin()
                         .get_workers())

    def test_interval_from_agent_down_time_or_option(self):
        cfg.CONF.set_override('agent_down_time', 15)
        self.assertEqual(7, hub_status.interval())
        cfg.CONF.set_override('agent_down_time', 1)
        self.assertEqual(1, hub_status.interval())
        cfg.CONF.set_override('hub_status_interval', 4,
                              group='ml2_wireguard')
        self.assertEqual(4, hub_status.interval())

    def test_worker_loops_the_check(self):
        cfg.CONF.set_override('agent_down_time', 20)
        check = mock.Mock()
        w = hub_status.HubStatusWorker(check)
        with mock.patch.object(hub_status.loopingcall,
                               'FixedIntervalLoopingCall') as loop:
            w.start()
            loop.assert_called_once_with(check)
            loop.return_value.start.assert_called_once_with(
                interval=10, initial_delay=20)
            w.stop()
            loop.return_value.stop.assert_called_once_with()
